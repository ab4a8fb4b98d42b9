import type { PartnerPlan } from '../schemas/partner-plan.schema';
import type { Deal, MilestoneState } from './deal';
import type { OutboundEmail } from './emails';
import type { SigningKeys } from './links';
import type { ReportDeal } from './reports';

/** What the domain needs from the outside world. Adapters implement these; tests pass fakes. */

export interface Clock {
  now(): Date;
}

export interface DealSnapshot {
  deal: Deal;
  milestones: MilestoneState[];
}

export interface DealSummary {
  planId: string;
  name: string;
  partner: string;
  account: string;
  stage: string;
  status: string;
  updatedAt: string;
}

/** Who used a link, kept to answer a second click truthfully. */
export interface LinkUse {
  nonce: string;
  planId: string;
  action: string;
  target: string;
  usedAt: string;
  usedBy: string;
  /** Epoch seconds after which the record may be cleaned up. */
  expiresAt: number;
}

export interface DealStore {
  /** Writes a new deal and its milestones atomically; nothing is written if any part fails. */
  create(snapshot: DealSnapshot): Promise<void>;
  /** Removes a deal that could not be started (compensation). */
  remove(snapshot: DealSnapshot): Promise<void>;
  get(planId: string): Promise<DealSnapshot | undefined>;
  list(): Promise<DealSummary[]>;
  /**
   * Saves the deal and changed milestones atomically, each only if unchanged since read (the `version` they
   * carry), and, when given, claims a link's single-use nonce in the same transaction.
   * Throws ConcurrentUpdateError on a lost race and LinkUsedError when the nonce is taken.
   */
  save(change: { deal: Deal; milestones?: MilestoneState[]; linkUse?: LinkUse }): Promise<void>;
  saveMilestone(milestone: MilestoneState): Promise<void>;
  linkUse(nonce: string): Promise<LinkUse | undefined>;
  /** Open milestones whose `nudgeAt` is at or before `until`, from the sparse index. */
  milestonesDue(until: Date): Promise<MilestoneState[]>;
  /** Active plans whose `nextReviewAt` is at or before `until`, from the plans table's sparse index. */
  plansDueForReview?(until: Date): Promise<ReviewDue[]>;
  /**
   * Every deal of the tenant for the program report (no task token), with the milestones of active deals
   * only (won and lost deals need none). On demand only: it reads the whole plans table.
   */
  reportDeals?(): Promise<ReportDeal[]>;
}

/** Partner plans (`kind: PartnerPlan`), one per partner, keyed by the normalised partner name. */
export interface PartnerPlanStore {
  /** Stores the plan, replacing the partner's previous one; `created` is false when it replaced one. */
  put(plan: PartnerPlan, at: Date): Promise<{ created: boolean }>;
  /** The partner's plan (name compared case- and spacing-insensitively), if there is one. */
  get(partner: string): Promise<PartnerPlan | undefined>;
  list(): Promise<PartnerPlan[]>;
}

export interface Mailer {
  send(email: OutboundEmail): Promise<void>;
  /**
   * Sends `email` with a calendar invitation as a `text/calendar; method=REQUEST` part (a raw MIME message:
   * SES SendEmail cannot carry one). Optional: a mailer without it sends the email alone.
   */
  sendRaw?(email: OutboundEmail, invite: CalendarInvite): Promise<void>;
}

/** An iCalendar document (RFC 5545) to send with an email. */
export interface CalendarInvite {
  method: 'REQUEST';
  ics: string;
}

/** A plan whose next weekly review is due, from the plans table's sparse review index. */
export interface ReviewDue {
  planId: string;
  nextReviewAt: string;
}

/** Why an address no longer gets mail from this tenant (SES event publishing). */
export interface Suppression {
  email: string;
  reason: 'bounce' | 'complaint';
  at: string;
  /** The SES feedback as reported (bounce type and subtype, complaint feedback type). */
  detail: string;
}

/** Addresses this tenant must not mail again (hard bounces and complaints). */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  /** Records the suppression; false when the address was already suppressed. */
  suppress(entry: Suppression): Promise<boolean>;
}

/** Runs an effect at most once per key (an email, an event), across retries and duplicate deliveries. */
export interface EffectLedger {
  once(key: string, effect: () => Promise<void>): Promise<'done' | 'already-done'>;
}

export interface Workflow {
  start(planId: string, input: { planId: string; resumeStage?: string }): Promise<void>;
  /** Completes a waiting gate; false when the token no longer waits (timed out, or already completed). */
  completeGate(taskToken: string, output: { outcome: 'passed' | 'lost' }): Promise<boolean>;
}

export interface EventPublisher {
  publish(detailType: string, detail: Record<string, unknown>): Promise<void>;
}

export interface TenantConfig {
  tenant: string;
  publicBaseUrl: string;
  defaultTimezone: string;
  linkTtlDays: number;
  /** Days without any partner-side action, while partner work is open, before its ladder is told (7). */
  ghostingDays?: number;
}

export interface Deps {
  clock: Clock;
  store: DealStore;
  mailer: Mailer;
  ledger: EffectLedger;
  workflow: Workflow;
  events: EventPublisher;
  keys: SigningKeys;
  config: TenantConfig;
  /** The tenant's suppressed addresses (bounces, complaints); optional where nothing records them. */
  suppressions?: SuppressionList;
  /** The tenant's partner plans; optional where nothing reads them (plans-api and reports-api do). */
  partnerPlans?: PartnerPlanStore;
}
