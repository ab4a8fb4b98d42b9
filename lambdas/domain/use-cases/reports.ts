import { NotFoundError } from '../errors';
import { renderOnePager } from '../one-pager';
import type { Clock, DealStore, PartnerPlanStore, TenantConfig } from '../ports';
import { type ProgramReport, programReport, type ReportOptions } from '../reports';

/** The program report and the plan one-pager, for `reports-api`. Both read on demand only. */

export interface ReportDeps {
  store: DealStore;
  partnerPlans: PartnerPlanStore;
  clock: Clock;
  config: Pick<TenantConfig, 'defaultTimezone'>;
}

/** Loads every deal and partner plan and computes the program report (see reports.ts for each figure). */
export async function loadProgramReport(
  deps: ReportDeps,
  options: Pick<ReportOptions, 'partner' | 'stallDays' | 'currency'> = {},
): Promise<ProgramReport> {
  if (!deps.store.reportDeals) throw new Error('this deal store cannot load deals for a report');
  const [deals, partnerPlans] = await Promise.all([deps.store.reportDeals(), deps.partnerPlans.list()]);
  return programReport(deals, partnerPlans, deps.clock.now(), {
    ...options,
    defaultTimezone: deps.config.defaultTimezone,
  });
}

/** The deal's one-pager (HTML); NotFoundError for an unknown plan id. */
export async function onePager(deps: Pick<ReportDeps, 'store' | 'clock'>, planId: string): Promise<string> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return renderOnePager(snapshot, deps.clock.now());
}
