import type { ReportDeal } from '../reports';

/** The program report's input (reports-api only). */
export interface ReportReader {
  /**
   * Every deal of the tenant for the program report (no task token), with the milestones of active deals
   * only (won and lost deals need none). On demand only: it reads the whole plans table.
   */
  reportDeals(): Promise<ReportDeal[]>;
}
