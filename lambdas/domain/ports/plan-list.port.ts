import type { DealSummary, PlanListPage, PlanListQuery } from './deal-store.port';

/**
 * The deals' list (`GET /plans`, the suppression notices): a capability of the store that only the functions
 * that list construct (DynamoListedDealStore), so the others do not bundle it.
 */
export interface PlanList {
  /** Every deal, newest change first (reads the list index to the end: for small, internal uses). */
  list(): Promise<DealSummary[]>;
  /**
   * One page of deals through the list index (never a Scan), newest created first. Throws
   * InvalidCursorError for a cursor it did not write.
   */
  listPage(query: PlanListQuery): Promise<PlanListPage>;
}
