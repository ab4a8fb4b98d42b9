import type { Deal, MilestoneState } from './deal';
import type { OutboundEmail } from './emails';
import type { SigningKeys } from './links';

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
}

export interface Mailer {
  send(email: OutboundEmail): Promise<void>;
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
}
