import { NotFoundError } from '../errors';
import type { Clock, DealSnapshot, DealStore, PartnerPlanStore, ReportReader, TenantConfig } from '../ports';
import { type ProgramReport, programReport, type ReportOptions } from '../reports';

/** The program report and the plan one-pager, for `reports-api`. Both read on demand only. */

export interface ReportDeps {
  store: DealStore & ReportReader;
  partnerPlans: PartnerPlanStore;
  clock: Clock;
  config: Pick<TenantConfig, 'defaultTimezone'> &
    Partial<Pick<TenantConfig, 'stageWeights' | 'programCost' | 'ghostingDays'>>;
}

/** Loads every deal and partner plan and computes the program report (see reports.ts for each figure). */
export async function loadProgramReport(
  deps: ReportDeps,
  options: Pick<ReportOptions, 'partner' | 'stallDays' | 'currency' | 'dashboard'> = {},
): Promise<ProgramReport> {
  const [deals, partnerPlans] = await Promise.all([deps.store.reportDeals(), deps.partnerPlans.list()]);
  return programReport(deals, partnerPlans, deps.clock.now(), {
    ...options,
    defaultTimezone: deps.config.defaultTimezone,
    ...(deps.config.stageWeights ? { stageWeights: deps.config.stageWeights } : {}),
    ...(deps.config.programCost ? { programCost: deps.config.programCost } : {}),
    ...(deps.config.ghostingDays ? { ghostingDays: deps.config.ghostingDays } : {}),
  });
}

/** What the deal's one-pager shows: the deal as it stands, as of when it is printed. */
export interface OnePager {
  snapshot: DealSnapshot;
  printedAt: Date;
}

/** The deal's one-pager (the handler renders it); NotFoundError for an unknown plan id. */
export async function onePager(deps: Pick<ReportDeps, 'store' | 'clock'>, planId: string): Promise<OnePager> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return { snapshot, printedAt: deps.clock.now() };
}
