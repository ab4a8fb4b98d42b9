import type { DealSummary, PlanList, PlanListPage, PlanListQuery } from '../../domain/ports';
import { DynamoDealStore } from './deal-store.adapter';
import { listAll, listPage } from './plan-list';

/** The deal store with the deals' list (plan-list.ts): for the functions that list deals only. */
export class DynamoListedDealStore extends DynamoDealStore implements PlanList {
  async list(): Promise<DealSummary[]> {
    return listAll(this.db, this.tables.plans);
  }

  async listPage(query: PlanListQuery): Promise<PlanListPage> {
    return listPage(this.db, this.tables.plans, query);
  }
}
