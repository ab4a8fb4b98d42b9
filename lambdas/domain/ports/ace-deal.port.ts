import type { NeedsAttention } from '../deal';

/**
 * ace-sync's two writes to a deal, each one conditional UpdateItem on the deal's item (it bumps the version,
 * so a concurrent save of the whole deal re-reads): the ACE opportunity id, and ACE's call for attention.
 */
export interface AceDealRecorder {
  /** Stores the opportunity id, unless the deal already has another one (then it throws). */
  recordOpportunity(planId: string, ace: { opportunityId: string; catalog: string }): Promise<void>;
  /** Sets `needsAttention` on the deal (ACE's review asked for action, or ACE refused the opportunity). */
  flagAttention(planId: string, attention: NeedsAttention): Promise<void>;
}
