import type { PartnerPlan } from '../schemas/partner-plan.schema';
import type { Deal, MilestoneState } from './deal';
import { STAGE_KEYS } from './vocabulary';

/** Whether the deal's agreed attribution holds up against the evidence on the deal, by the partner's rule. */
export interface AttributionCheck {
  /** The partner plan's rule for the agreed attribution (`creditRules.sourcedIf` or `influencedIf`). */
  rule: string;
  agrees: boolean;
  why: string;
}

/**
 * Checks the partner plan's credit rule for the deal's agreed attribution at registration: a deal tagged
 * `sourced` whose partner never opened the door, say, is reported, not retagged.
 */
export function checkAttribution(
  deal: Deal,
  milestones: MilestoneState[],
  partnerPlan: Pick<PartnerPlan, 'creditRules'>,
): AttributionCheck {
  const rule =
    deal.plan.attribution === 'sourced'
      ? partnerPlan.creditRules.sourcedIf
      : partnerPlan.creditRules.influencedIf;
  const partnerDone = milestones.filter(
    (m) => !m.removed && m.owner.party === 'partner' && m.status === 'done',
  );
  const confirmedBy = (stage: (typeof STAGE_KEYS)[number]) =>
    deal.stages[stage].confirmations.some((c) => c.party === 'partner');
  const reference = deal.plan.partner.reference;
  const check = (agrees: boolean, yes: string, no: string): AttributionCheck => ({
    rule,
    agrees,
    why: agrees ? yes : no,
  });
  switch (rule) {
    case 'partner-brought-deal':
    case 'partner-registered-first':
      return check(
        Boolean(reference),
        `the partner's own opportunity id is on the plan (${reference})`,
        "the plan carries no partner.reference, the partner's own opportunity id",
      );
    case 'partner-opened-door': {
      const owned = partnerDone.some((m) => m.stage === 'door-opener');
      return check(
        owned || confirmedBy('door-opener'),
        owned ? 'the partner did the door-opener work' : 'the partner confirmed the door-opener gate',
        'the partner neither owned nor confirmed the door-opener',
      );
    }
    case 'partner-worked-deal':
      return check(
        partnerDone.length > 0,
        `the partner did ${partnerDone.length} milestone(s)`,
        'the partner completed no milestone',
      );
    case 'partner-confirmed-a-gate': {
      const gates = STAGE_KEYS.filter(confirmedBy);
      return check(
        gates.length > 0,
        `the partner confirmed ${gates.join(', ')}`,
        'the partner confirmed no gate',
      );
    }
    case 'partner-ran-proof':
      return check(
        partnerDone.some((m) => m.stage === 'joint-pursuit-and-proof'),
        'the partner did work of the proof stage',
        'the partner did no work of the proof stage',
      );
    default:
      return check(true, `rule ${rule} has no check`, '');
  }
}
