import {
  DEAL_CLOSED_LOST as CLOSED_LOST_KIND,
  type EventKind,
  type PartnerCentralStage,
  DEAL_REGISTERED as REGISTERED_KIND,
} from '../schemas/events.schema';
import { type Deal, daysInStages } from './deal';
import { STAGE_KEYS, type StageKey } from './vocabulary';

/** 1.1 added `partnerCentral`, 1.2 `links` (additive: a 1.0 consumer reads a 1.2 event unchanged). */
export const REGISTRATION_SCHEMA_VERSION = '1.2';
export const EVENT_SOURCE = 'cosell.flow';
// Literals, not `REGISTERED_KIND.detailType`: a property read at module level would keep both registration
// schemas in every bundle that imports EVENT_SOURCE (the EventBridge adapter).
export const DEAL_REGISTERED = 'CoSell Deal Registered';
export const DEAL_CLOSED_LOST = 'CoSell Deal Closed Lost';

/** Where each of our stages sits on the AWS Partner Central (ACE) opportunity lifecycle. */
export const PARTNER_CENTRAL_STAGE: Readonly<Record<StageKey, PartnerCentralStage>> = {
  'target-account-selection': 'Prospect',
  'door-opener': 'Qualified',
  'joint-discovery': 'Technical Validation',
  'joint-pursuit-and-proof': 'Business Validation',
  'close-register-review': 'Committed',
};

/** The `detail` of the one event a closed deal puts on the tenant bus. Versioned: consumers check it. */
export function registrationDetail(deal: Deal, now: Date) {
  const outcome = deal.outcome;
  const result = deal.status === 'lost' ? 'lost' : 'won';
  const reference = deal.plan.partner.reference;
  return {
    schemaVersion: REGISTRATION_SCHEMA_VERSION,
    /** Stable per deal: a consumer that sees it twice can tell it is the same registration. */
    registrationId: `${deal.tenant}:${deal.planId}`,
    planId: deal.planId,
    tenant: deal.tenant,
    planName: deal.plan.name,
    partner: {
      name: deal.plan.partner.name,
      ...(reference ? { reference } : {}),
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
    // A deal closed by ops stops counting days when it closed.
    daysInStage: daysInStages(deal, deal.closed ? new Date(deal.closed.at) : now),
    ...(deal.closed
      ? { closeOutcome: deal.closed.outcome, reason: deal.closed.reason, stage: deal.closed.stage }
      : {}),
    ...(deal.attributionCheck ? { attributionCheck: deal.attributionCheck } : {}),
    partnerCentral: {
      stage: result === 'won' ? 'Launched' : 'Closed Lost',
      stageHistory: STAGE_KEYS.flatMap((stage) => {
        const { openedAt, passedAt } = deal.stages[stage];
        if (!openedAt) return [];
        const at = { openedAt, ...(passedAt ? { passedAt } : {}) };
        return [{ stage, partnerCentralStage: PARTNER_CENTRAL_STAGE[stage], ...at }];
      }),
      ...(reference ? { partnerReference: reference } : {}),
    },
  };
}

export function registrationDetailType(deal: Deal): string {
  return deal.status === 'lost' ? DEAL_CLOSED_LOST : DEAL_REGISTERED;
}

/** The event kind (detail-type and schema) of a closed deal's registration. */
export function registrationKind(deal: Deal): EventKind {
  return deal.status === 'lost' ? CLOSED_LOST_KIND : REGISTERED_KIND;
}
