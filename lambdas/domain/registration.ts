import { type Deal, daysInStages } from './deal';

export const REGISTRATION_SCHEMA_VERSION = '1.0';
export const EVENT_SOURCE = 'cosell.flow';
export const DEAL_REGISTERED = 'CoSell Deal Registered';
export const DEAL_CLOSED_LOST = 'CoSell Deal Closed Lost';

/** The `detail` of the one event a closed deal puts on the tenant bus. Versioned: consumers check it. */
export function registrationDetail(deal: Deal, now: Date) {
  const outcome = deal.outcome;
  const result = deal.status === 'lost' ? 'lost' : 'won';
  return {
    schemaVersion: REGISTRATION_SCHEMA_VERSION,
    /** Stable per deal: a consumer that sees it twice can tell it is the same registration. */
    registrationId: `${deal.tenant}:${deal.planId}`,
    planId: deal.planId,
    tenant: deal.tenant,
    planName: deal.plan.name,
    partner: {
      name: deal.plan.partner.name,
      ...(deal.plan.partner.reference ? { reference: deal.plan.partner.reference } : {}),
    },
    account: {
      name: deal.plan.account.name,
      ...(deal.plan.account.domain ? { domain: deal.plan.account.domain } : {}),
    },
    outcome: result,
    arr: { amount: outcome?.finalArr ?? 0, currency: deal.plan.jointOutcome.arr.currency },
    plannedArr: { min: deal.plan.jointOutcome.arr.min, max: deal.plan.jointOutcome.arr.max },
    attribution: deal.plan.attribution,
    economicSplit: deal.plan.economicSplit,
    closeDate: deal.plan.jointOutcome.closeDate,
    closedAt: outcome?.at ?? now.toISOString(),
    lesson: outcome?.lesson ?? '',
    daysInStage: daysInStages(deal, now),
  };
}

export function registrationDetailType(deal: Deal): string {
  return deal.status === 'lost' ? DEAL_CLOSED_LOST : DEAL_REGISTERED;
}
