import type {
  DealSummary,
  PlanList,
  PlanListPage,
  PlanListQuery,
  ReviewDue,
  ReviewSchedule,
} from '../../domain/ports';
import { listAll, listPage } from './plan-list';
import { DynamoReportDealStore } from './report-deal-store.adapter';
import { reviewsDue } from './review-deal-store.adapter';

/**
 * The deal store with every read: the list (as DynamoListedDealStore), the review index (as
 * DynamoReviewDealStore) and the report's reads (DynamoReportDealStore), for the scripts, the local runtime's
 * tools and the contract tests. A function constructs the class of the reads it uses, and bundles only those:
 * the ones that only read and save deals construct DynamoDealStore.
 */
export class DynamoReadingDealStore extends DynamoReportDealStore implements PlanList, ReviewSchedule {
  async list(): Promise<DealSummary[]> {
    return listAll(this.db, this.tables.plans);
  }

  async listPage(query: PlanListQuery): Promise<PlanListPage> {
    return listPage(this.db, this.tables.plans, query);
  }

  async plansDueForReview(until: Date): Promise<ReviewDue[]> {
    return reviewsDue(this.db, this.tables.plans, until);
  }
}
