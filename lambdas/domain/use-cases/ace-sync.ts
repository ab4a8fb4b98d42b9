import { createHash } from 'node:crypto';
import { NEEDS_ATTENTION } from '../../schemas/events.schema';
import { type Deal, partyOwner } from '../deal';
import { publishOnce } from '../events';
import type { Clock, DealStore, EffectLedger, EventPublisher, Mailer, ViewsOf } from '../ports';
import type { AceDealRecorder } from '../ports/ace-deal.port';
import type {
  AceCreateOpportunity,
  AceOpportunity,
  AceOpportunityFields,
  AceUpdateOpportunity,
  PartnerCentral,
} from '../ports/partner-central.port';
import { PARTNER_CENTRAL_STAGE } from '../registration';
import { isStageKey, STAGE_KEYS } from '../vocabulary';

/**
 * ace-sync: keeps one AWS Partner Central (ACE) opportunity per qualifying deal in step with the playbook.
 * Plan Started creates it (and associates the tenant's solution); Stage Advanced, the registration and a loss
 * at any stage update it. UpdateOpportunity replaces the whole record, so each update reads the record with
 * GetOpportunity and writes it back whole with the one change. ACE's review (`Opportunity Updated` from
 * `aws.partnercentral-selling`) that asks for action puts `needsAttention` on the deal and tells the vendor
 * owner: a `CoSell Needs Attention` event (the vendor's channels carry it) and an email (what ACE said, what to
 * do, their room link), each once per review round (the deal keeps the review status last seen, and a round
 * begins each time the status moves into Action Required or Rejected from another).
 */

export interface AceSettings {
  catalog: 'Sandbox' | 'AWS';
  solutionId?: string;
  onlyPaper: readonly string[];
}

export interface AceSyncDeps extends ViewsOf<'aceReview'> {
  clock: Clock;
  store: Pick<DealStore, 'get'>;
  partnerCentral: PartnerCentral;
  recorder: AceDealRecorder;
  ledger: EffectLedger;
  events: EventPublisher;
  /** The vendor owner's email about ACE's review (the room link is signed in as it leaves). */
  mailer: Mailer;
  /** For the vendor owner's time zone when the plan gives none. */
  config: { defaultTimezone: string };
  ace: AceSettings;
}

/** An EventBridge event as the handler got it. */
export interface BusEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type AceSyncResult =
  | { outcome: 'skipped'; why: string }
  | { outcome: 'created' | 'updated' | 'unchanged' | 'flagged'; opportunityId: string; stage?: string };

/** ACE's review statuses that need a person on the partner side. */
export const ACE_ATTENTION_STATUSES = ['Action Required', 'Rejected'] as const;

/** Lifecycle stages in order: an update never moves an opportunity back. */
const ORDER = [
  'Prospect',
  'Qualified',
  'Technical Validation',
  'Business Validation',
  'Committed',
  'Launched',
];

/** ACE's ClientToken: at most 64 printable characters, the same for the same event. */
export function clientToken(eventId: string): string {
  return createHash('sha256').update(eventId).digest('hex').slice(0, 64);
}

export function qualifies(deal: Deal, ace: Pick<AceSettings, 'onlyPaper'>): boolean {
  return ace.onlyPaper.includes(deal.plan.jointOutcome.paper);
}

/** CreateOpportunity for a deal: customer, project, expected spend, target close, Partner Referral, needs. */
export function createOpportunityRequest(
  deal: Deal,
  ace: AceSettings,
  eventId: string,
): AceCreateOpportunity {
  const { plan } = deal;
  const extra = plan.ace;
  const arr = plan.jointOutcome.arr;
  const monthly = extra?.expectedMonthlyAwsSpend ?? Math.round(arr.max / 12);
  const website = extra?.websiteUrl ?? (plan.account.domain ? `https://${plan.account.domain}` : undefined);
  const address = extra
    ? {
        CountryCode: extra.countryCode,
        ...(extra.postalCode ? { PostalCode: extra.postalCode } : {}),
        ...(extra.stateOrRegion ? { StateOrRegion: extra.stateOrRegion } : {}),
      }
    : undefined;
  return {
    Catalog: ace.catalog,
    ClientToken: clientToken(eventId),
    Origin: 'Partner Referral',
    OpportunityType: extra?.opportunityType ?? 'Net New Business',
    NationalSecurity: 'No',
    PartnerOpportunityIdentifier: deal.planId,
    PrimaryNeedsFromAws: [...(extra?.primaryNeeds ?? ['Co-Sell - Deal Support'])],
    Customer: {
      Account: {
        CompanyName: plan.account.name,
        ...(extra?.industry ? { Industry: extra.industry } : {}),
        ...(website ? { WebsiteUrl: website } : {}),
        ...(address ? { Address: address } : {}),
      },
    },
    Project: {
      Title: plan.name,
      ...(extra?.customerBusinessProblem ? { CustomerBusinessProblem: extra.customerBusinessProblem } : {}),
      ...(extra?.customerUseCase ? { CustomerUseCase: extra.customerUseCase } : {}),
      DeliveryModels: [...(extra?.deliveryModels ?? ['SaaS or PaaS'])],
      SalesActivities: ['Initialized discussions with customer'],
      ExpectedCustomerSpend: [
        { Amount: String(monthly), CurrencyCode: arr.currency, Frequency: 'Monthly', TargetCompany: 'AWS' },
      ],
    },
    LifeCycle: { Stage: 'Prospect', TargetCloseDate: plan.jointOutcome.closeDate },
  };
}

/** The record as read, written back whole with a new lifecycle; ACE's read-only review fields left out. */
export function updateRequest(
  current: AceOpportunity,
  lifeCycle: { Stage: string; ClosedLostReason?: string; NextSteps?: string },
): AceUpdateOpportunity {
  const fields = Object.fromEntries(
    WRITABLE.filter((k) => current[k] !== undefined).map((k) => [k, current[k]]),
  ) as AceOpportunityFields;
  const {
    ReviewStatus: _status,
    ReviewComments: _comments,
    ReviewStatusReason: _reason,
    NextStepsHistory: _history,
    ...kept
  } = current.LifeCycle ?? {};
  return {
    ...fields,
    Catalog: current.Catalog,
    Identifier: current.Id,
    LastModifiedDate: current.LastModifiedDate,
    LifeCycle: { ...kept, ...lifeCycle },
  };
}

/** What UpdateOpportunity takes of the record GetOpportunity returns (ids, dates and review are ACE's own). */
const WRITABLE = [
  'PrimaryNeedsFromAws',
  'NationalSecurity',
  'PartnerOpportunityIdentifier',
  'Customer',
  'Project',
  'OpportunityType',
  'Marketing',
  'SoftwareRevenue',
] as const satisfies readonly (keyof AceOpportunityFields)[];

/** ACE's ClosedLostReason for how the deal ended (ACE has a closed list; `Other` when nothing fits). */
export function closedLostReason(closeOutcome: unknown, reason: unknown): string {
  const text = typeof reason === 'string' ? reason.toLowerCase() : '';
  if (/price|budget|cost/.test(text)) return 'Price';
  if (/competitor|google|microsoft|azure/.test(text)) return 'Lost to Competitor - Other';
  if (/security|compliance/.test(text)) return 'Security / Compliance';
  if (closeOutcome === 'no-decision') return 'No Opportunity';
  if (closeOutcome === 'withdrawn') return 'Delay / Cancellation of Project';
  return 'Other';
}

export async function syncAce(deps: AceSyncDeps, event: BusEvent): Promise<AceSyncResult> {
  if (event.source === 'aws.partnercentral-selling') return reviewed(deps, event.detail);
  const planId = event.detail.planId;
  if (typeof planId !== 'string') return { outcome: 'skipped', why: 'no planId' };
  const snapshot = await deps.store.get(planId);
  if (!snapshot) return { outcome: 'skipped', why: `no plan ${planId}` };
  const deal = snapshot.deal;
  if (!qualifies(deal, deps.ace)) {
    return { outcome: 'skipped', why: `paper ${deal.plan.jointOutcome.paper} is not co-sold with AWS` };
  }
  let opportunityId = deal.ace?.opportunityId;
  if (!opportunityId) {
    try {
      opportunityId = await create(deps, deal);
    } catch (error) {
      // ACE refusing the record (a field the plan's `ace:` block lacks) will refuse every retry: tell a person.
      if ((error as Error).name !== 'ValidationException') throw error;
      await attention(deps, deal, {
        what: 'AWS Partner Central refused the opportunity',
        reason: (error as Error).message,
        eventId: `ace-refused#${deal.planId}`,
      });
      return { outcome: 'skipped', why: `ACE refused the opportunity: ${(error as Error).message}` };
    }
  }
  switch (event['detail-type']) {
    case 'CoSell Plan Started':
      return { outcome: deal.ace ? 'unchanged' : 'created', opportunityId, stage: 'Prospect' };
    case 'CoSell Stage Advanced': {
      const to = event.detail.to;
      if (!isStageKey(to)) return { outcome: 'skipped', why: 'no stage' };
      return update(deps, opportunityId, { Stage: PARTNER_CENTRAL_STAGE[to] });
    }
    case 'CoSell Deal Registered':
      return update(deps, opportunityId, { Stage: 'Launched' });
    case 'CoSell Deal Closed Lost': {
      const { closeOutcome, reason, stage } = event.detail;
      const where = isStageKey(stage) ? ` at stage ${STAGE_KEYS.indexOf(stage) + 1}` : '';
      const said = typeof reason === 'string' && reason ? `: ${reason}` : '';
      return update(deps, opportunityId, {
        Stage: 'Closed Lost',
        ClosedLostReason: closedLostReason(closeOutcome, reason),
        NextSteps: `Closed lost${where}${said}`.slice(0, 255),
      });
    }
    default:
      return { outcome: 'skipped', why: `not synced: ${event['detail-type']}` };
  }
}

/** CreateOpportunity (ClientToken from Plan Started's event id: a retry gets the same opportunity), then the solution. */
async function create(deps: AceSyncDeps, deal: Deal): Promise<string> {
  const { id } = await deps.partnerCentral.createOpportunity(
    createOpportunityRequest(deal, deps.ace, `plan-started#${deal.planId}`),
  );
  if (deps.ace.solutionId) {
    await deps.partnerCentral.associateOpportunity({
      Catalog: deps.ace.catalog,
      OpportunityIdentifier: id,
      RelatedEntityType: 'Solutions',
      RelatedEntityIdentifier: deps.ace.solutionId,
    });
  }
  await deps.recorder.recordOpportunity(deal.planId, { opportunityId: id, catalog: deps.ace.catalog });
  return id;
}

async function update(
  deps: AceSyncDeps,
  opportunityId: string,
  lifeCycle: { Stage: string; ClosedLostReason?: string; NextSteps?: string },
): Promise<AceSyncResult> {
  const current = await deps.partnerCentral.getOpportunity(deps.ace.catalog, opportunityId);
  const now = current.LifeCycle?.Stage;
  // The same event twice, or an older one after a newer: nothing to write. A closed opportunity stays closed.
  const behind =
    now === lifeCycle.Stage ||
    now === 'Closed Lost' ||
    (lifeCycle.Stage !== 'Closed Lost' && ORDER.indexOf(now ?? '') > ORDER.indexOf(lifeCycle.Stage));
  if (behind) return { outcome: 'unchanged', opportunityId, stage: now ?? lifeCycle.Stage };
  await deps.partnerCentral.updateOpportunity(updateRequest(current, lifeCycle));
  return { outcome: 'updated', opportunityId, stage: lifeCycle.Stage };
}

/** `Opportunity Updated` from Partner Central: a review asking for action flags the deal and tells the vendor owner. */
async function reviewed(deps: AceSyncDeps, detail: Record<string, unknown>): Promise<AceSyncResult> {
  const opportunity = detail.opportunity as { identifier?: unknown } | undefined;
  const identifier = opportunity?.identifier;
  if (typeof identifier !== 'string') return { outcome: 'skipped', why: 'no opportunity identifier' };
  if (detail.catalog !== undefined && detail.catalog !== deps.ace.catalog) {
    return { outcome: 'skipped', why: `catalog ${String(detail.catalog)}` };
  }
  const record = await deps.partnerCentral.getOpportunity(deps.ace.catalog, identifier);
  const status = record.LifeCycle?.ReviewStatus;
  const asks = (ACE_ATTENTION_STATUSES as readonly (string | undefined)[]).includes(status);
  const unchanged: AceSyncResult = {
    outcome: 'unchanged',
    opportunityId: identifier,
    ...(status ? { stage: status } : {}),
  };
  const planId = record.PartnerOpportunityIdentifier;
  const snapshot = planId && status ? await deps.store.get(planId) : undefined;
  if (!snapshot)
    return asks ? { outcome: 'skipped', why: `no deal for opportunity ${identifier}` } : unchanged;
  const { deal } = snapshot;
  const round = reviewRound(deal.aceReview, status as string);
  if (status !== deal.aceReview?.status) {
    const since = deps.clock.now().toISOString();
    await deps.recorder.recordReview(deal.planId, { status: status as string, round, since });
  }
  if (!asks) return unchanged;
  const reason =
    [record.LifeCycle?.ReviewStatusReason, record.LifeCycle?.ReviewComments].filter(Boolean).join(': ') ||
    'no reason given';
  // Once per review round: ACE puts `Opportunity Updated` for every change of the record (our own stage syncs
  // too), so the key is the round and what the review says, not when the record last changed. Round 1 keeps
  // the key from before rounds were counted, so a review already told is not told again.
  const review = `ace-review#${identifier}#${status}#${clientToken(reason).slice(0, 16)}${round > 1 ? `#${round}` : ''}`;
  await attention(deps, deal, {
    what: `AWS Partner Central review: ${status}`,
    reason,
    eventId: review,
    opportunityId: identifier,
  });
  if (deal.plan.owners.vendor) {
    const owner = partyOwner(deal, 'vendor', deps.config.defaultTimezone);
    const key = `${review}#email`;
    const notice = { status: status as string, reason, opportunityId: identifier, catalog: deps.ace.catalog };
    await deps.ledger.once(key, () => deps.mailer.send(deps.views.aceReview(deal, owner, notice, key)));
  }
  return { outcome: 'flagged', opportunityId: identifier, stage: status as string };
}

/** The review round a status is in: one more when it moves into Action Required or Rejected from another. */
export function reviewRound(seen: Deal['aceReview'], status: string): number {
  const last = seen?.round ?? 0;
  const asks = (ACE_ATTENTION_STATUSES as readonly string[]).includes(status);
  return asks && status !== seen?.status ? last + 1 : last;
}

/** needsAttention on the deal, and `CoSell Needs Attention` (once) to the vendor owner's channels. */
async function attention(
  deps: AceSyncDeps,
  deal: Deal,
  about: { what: string; reason: string; eventId: string; opportunityId?: string },
): Promise<void> {
  const at = deps.clock.now().toISOString();
  await deps.recorder.flagAttention(deal.planId, { what: about.what, error: about.reason, since: at });
  const owner = deal.plan.owners.vendor;
  await publishOnce(deps, NEEDS_ATTENTION, {
    schemaVersion: '1.0',
    eventId: about.eventId,
    planId: deal.planId,
    tenant: deal.tenant,
    planName: deal.plan.name,
    occurredAt: at,
    partner: { name: deal.plan.partner.name },
    account: { name: deal.plan.account.name },
    stage: deal.stage,
    what: about.what,
    reason: about.reason,
    ...(about.opportunityId ? { aceOpportunityId: about.opportunityId } : {}),
    ...(owner ? { to: { name: owner.name, email: owner.email } } : {}),
  });
}
