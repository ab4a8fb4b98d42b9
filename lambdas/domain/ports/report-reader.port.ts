import type { ClosedAggregate, ClosedEntry } from '../closed-aggregates';
import type { ReportDeal } from '../report-input';

/**
 * The program report's input (reports-api only), on demand. It never reads every deal: closed deals count
 * through running aggregates the store keeps in the transaction that closes each one (closed-aggregates.ts).
 */
export interface ReportReader {
  /** The active deals (no task token), by plan id, each with its milestones in plan order. */
  activeReportDeals(): Promise<ReportDeal[]>;
  /** The closed deals' running aggregates, one per partner key. */
  closedAggregates(): Promise<ClosedAggregate[]>;
  /**
   * Closed deals for the report's per-deal lists: every `listed` one (off its partner plan, or attribution
   * disagreeing), the `unchecked` ones of the given partner keys, and every one in the given currencies.
   */
  closedEntries(query: {
    uncheckedPartners: readonly string[];
    currencies: readonly string[];
  }): Promise<ClosedEntry[]>;
}
