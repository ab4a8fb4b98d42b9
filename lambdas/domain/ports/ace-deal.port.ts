import type { AceReviewSeen, NeedsAttention } from '../deal';

/**
 * ace-sync's writes to a deal, each one conditional UpdateItem on the deal's item (it bumps the version,
 * so a concurrent save of the whole deal re-reads): the ACE opportunity id, ACE's call for attention, and
 * the review status last seen.
 */
export interface AceDealRecorder {
  /** Stores the opportunity id, unless the deal already has another one (then it throws). */
  recordOpportunity(planId: string, ace: { opportunityId: string; catalog: string }): Promise<void>;
  /** Sets `needsAttention` on the deal (ACE's review asked for action, or ACE refused the opportunity). */
  flagAttention(planId: string, attention: NeedsAttention): Promise<void>;
  /** Sets `aceReview` on the deal, unless it already holds a later round (an older read lost the race). */
  recordReview(planId: string, review: AceReviewSeen): Promise<void>;
}
