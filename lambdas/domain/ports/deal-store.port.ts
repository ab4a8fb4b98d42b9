import type { Deal, MilestoneState } from '../deal';
import type { HeldAnnouncement } from './announcement-schedule.port';

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
  /** Set while the deal cannot go on without a fix (Deal.needsAttention, without its ledger keys). */
  needsAttention?: { what: string; error: string; since: string };
}

/** `GET /plans`: one page of summaries, newest deal first, optionally of one status, partner or stage. */
export interface PlanListQuery {
  /** Page size, 1..100 (the use case clamps it). */
  limit: number;
  /** `nextCursor` of the page before; absent for the first page. */
  cursor?: string;
  status?: 'active' | 'won' | 'lost';
  /** The partner's name, any case and spacing. */
  partner?: string;
  stage?: string;
}

export interface PlanListPage {
  plans: DealSummary[];
  /** Present when there may be more: pass it as `cursor` for the next page. */
  nextCursor?: string;
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

/** Deals, their milestones and link uses. Every write is conditional on the version it read. */
export interface DealStore {
  /** Writes a new deal and its milestones atomically; nothing is written if any part fails. */
  create(snapshot: DealSnapshot): Promise<void>;
  /** Removes a deal that could not be started (compensation). */
  remove(snapshot: DealSnapshot): Promise<void>;
  get(planId: string): Promise<DealSnapshot | undefined>;
  /**
   * Saves the deal and changed milestones atomically, each only if unchanged since read (the `version` they
   * carry), and, when given, claims a link's single-use nonce in the same transaction.
   * Throws ConcurrentUpdateError on a lost race and LinkUsedError when the nonce is taken. `announcements`
   * are held (AnnouncementSchedule) in the same transaction: what the change announces is never lost.
   */
  save(change: {
    deal: Deal;
    milestones?: MilestoneState[];
    linkUse?: LinkUse;
    announcements?: HeldAnnouncement[];
  }): Promise<void>;
  /** Saves one milestone only if unchanged since read; ConcurrentUpdateError otherwise. */
  saveMilestone(milestone: MilestoneState): Promise<void>;
  linkUse(nonce: string): Promise<LinkUse | undefined>;
  /** Open milestones whose `nudgeAt` is at or before `until`, from the sparse index. */
  milestonesDue(until: Date): Promise<MilestoneState[]>;
}
