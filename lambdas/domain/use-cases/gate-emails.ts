import type { StageKey } from '../../schemas/plan.schema';
import type { Refusal } from '../attention';
import { DeliveryDeferredError, DeliveryRejectedError } from '../cadence';
import type { Deal, MilestoneState } from '../deal';
import { isTransient } from '../errors';
import { gateAsks } from '../notifications';
import { STAGES } from '../playbook';
import type { Deps, ViewsOf } from '../ports';
import { linkAsks } from './link-urls';

export type GateEmailDeps = Pick<Deps, 'config' | 'mailer' | 'ledger' | 'keys' | 'clock'> &
  ViewsOf<'gateOpen'>;

export interface GateEmailsResult {
  /** Ledger keys sent now or before, and keys of this gate no longer asked for (an address amended away). */
  settled: string[];
  /** Not sent for now (throttled, deferred, held by another invocation): tried again by a retry. */
  deferred: { key: string; error: string }[];
  /** Refused for good: recorded on the deal as needing attention; the others still went out. */
  refused: Refusal[];
}

/** The ledger key of one recipient's gate email for a stage. */
export const gateEmailKey = (planId: string, stage: StageKey, email: string) =>
  `gate-open#${planId}#${stage}#${email.toLowerCase()}`;

/**
 * Sends each person the gate needs their gate email, once each (the ledger): one recipient's failure never
 * stops the others. `skip` names keys not to try now (refused before, with no fix since).
 */
export async function sendGateEmails(
  deps: GateEmailDeps,
  deal: Deal,
  milestones: MilestoneState[],
  stage: StageKey,
  skip: ReadonlySet<string> = new Set(),
): Promise<GateEmailsResult> {
  const result: GateEmailsResult = { settled: [], deferred: [], refused: [] };
  const asked = gateAsks(deal, milestones, stage, deps.config.defaultTimezone);
  const keys = new Set(asked.map(({ recipient }) => gateEmailKey(deal.planId, stage, recipient.email)));
  const prefix = gateEmailKey(deal.planId, stage, '');
  for (const key of deal.needsAttention?.keys ?? []) {
    if (key.startsWith(prefix) && !keys.has(key)) result.settled.push(key);
  }
  for (const { recipient, asks } of asked) {
    const key = gateEmailKey(deal.planId, stage, recipient.email);
    if (skip.has(key)) continue;
    try {
      await deps.ledger.once(key, async () => {
        const linked = await linkAsks(deps, deal, recipient.email, asks);
        await deps.mailer.send(deps.views.gateOpen(deal, stage, recipient, linked, key));
      });
      result.settled.push(key);
    } catch (error) {
      if (error instanceof DeliveryRejectedError) {
        result.refused.push({
          key,
          what: `the stage ${STAGES[stage].number} gate email`,
          to: recipient.email,
          error: `${error.code}: ${error.message}`,
        });
      } else if (error instanceof DeliveryDeferredError || isTransient(error)) {
        result.deferred.push({ key, error: `${(error as Error).name}: ${(error as Error).message}` });
      } else {
        throw error;
      }
    }
  }
  return result;
}
