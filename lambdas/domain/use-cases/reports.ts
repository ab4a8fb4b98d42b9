import { NotFoundError } from '../errors';
import type { Clock, DealSnapshot, DealStore, PartnerPlanStore, ReportReader, TenantConfig } from '../ports';
import { entriesNeeded, onlyPartner, reportCurrency } from '../report-input';
import { type ProgramReport, programReportOf, type ReportOptions } from '../reports';

/** The program report and the plan one-pager, for `reports-api`. Both read on demand only. */

export interface ReportDeps {
  store: DealStore & ReportReader;
  partnerPlans: PartnerPlanStore;
  clock: Clock;
  config: Pick<TenantConfig, 'defaultTimezone'> &
    Partial<Pick<TenantConfig, 'stageWeights' | 'programCost' | 'ghostingDays'>>;
}

/**
 * Loads the active deals, the closed deals' aggregates and the partner plans, then the closed deals the
 * per-deal lists need (report-input.ts: entriesNeeded), and computes the program report (see reports.ts
 * for each figure). Its reads grow with the active deals, the partners and the closed deals it lists one
 * by one, not with every deal ever closed.
 */
export async function loadProgramReport(
  deps: ReportDeps,
  options: Pick<ReportOptions, 'partner' | 'stallDays' | 'currency' | 'dashboard'> = {},
): Promise<ProgramReport> {
  const [active, closed, partnerPlans] = await Promise.all([
    deps.store.activeReportDeals(),
    deps.store.closedAggregates(),
    deps.partnerPlans.list(),
  ]);
  const base = { active, closed, entries: [] };
  const scope = options.partner ? onlyPartner(base, options.partner) : base;
  const currency = options.currency ?? reportCurrency(scope);
  const entries = await deps.store.closedEntries(entriesNeeded(scope, partnerPlans, currency));
  return programReportOf({ active, closed, entries }, partnerPlans, deps.clock.now(), {
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
