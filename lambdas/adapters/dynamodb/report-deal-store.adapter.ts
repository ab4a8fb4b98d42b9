import type { ReportReader } from '../../domain/ports';
import type { ReportDeal } from '../../domain/report-input';
import type { Plan } from '../../schemas/plan.schema';
import { readAggregates, readEntries } from './closed-items';
import { DynamoDealStore } from './deal-store.adapter';
import { activeReportDeals } from './report-reads';

/**
 * The deal store with the program report's reads (ReportReader): for reports-api. The active deals' plan
 * documents go through the store's plan cache, so a warm function reads each version once.
 */
export class DynamoReportDealStore extends DynamoDealStore implements ReportReader {
  /** The report's active deals (report-reads.ts): never a Scan, closed deals never read. */
  async activeReportDeals(): Promise<ReportDeal[]> {
    return activeReportDeals(this.db, this.tables, {
      cached: (key) => {
        const json = this.plans.get(key);
        return json === undefined ? undefined : (JSON.parse(json) as Plan);
      },
      remember: (key, plan) => this.remember(key, plan),
    });
  }

  async closedAggregates() {
    return readAggregates(this.db, this.tables.plans);
  }

  async closedEntries(query: { uncheckedPartners: readonly string[]; currencies: readonly string[] }) {
    return readEntries(this.db, this.tables.plans, query);
  }
}
