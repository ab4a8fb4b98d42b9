import type { PartnerPlan } from '../schemas/partner-plan.schema';
import type { ClosedAggregate, ClosedEntry } from './closed-aggregates';
import { type Dashboard, type DashboardFilters, dashboard } from './dashboard';
import { type Deal, daysInStages, gateProgress, stageDeadline } from './deal';
import { STALL_DAYS } from './defaults';
import { type Forecast, forecast } from './forecast';
import { partiesOwingMoves } from './notifications';
import { accountOnPartnerPlan, partnerKey, partnerPlanFor, quarterOf, samePartner } from './partner-plans';
import { STAGES } from './playbook';
import { type Money, type ProgramReturn, programReturn } from './program-return';
import { figures } from './report-figures';
import {
  entryOffPartnerPlan,
  listedDeals,
  mergedAggregate,
  onlyPartner,
  partnerNamesInOrder,
  type ReportDeal,
  type ReportInput,
  reportCurrency,
  reportInputOf,
} from './report-input';
import type { Party, StageKey } from './vocabulary';

/**
 * The program view: figures over all deals of a tenant, by partner and in total. Pure: the caller loads the
 * deals (and the milestones of active deals) and the partner plans.
 *
 * How each number is computed
 * - Partner: a deal's `plan.partner.name`, compared case-insensitively; a partner plan with the same name
 *   supplies the display name, the target accounts and the quarterly target. Partners with a partner plan but
 *   no deals are listed with zeros.
 * - Attribution: the deal plan's `attribution` (`sourced` | `influenced`), agreed before the deal starts.
 * - Money is in one currency (`currency`, by default the one most deals use). Deals in any other currency are
 *   left out of every money figure (listed in `otherCurrency`) and still count everywhere else.
 * - Open pipeline (ARR): active deals only; each counts the MIDPOINT of its plan's ARR range,
 *   (min + max) / 2, split by attribution. Won and lost deals are not pipeline.
 * - Won revenue: the final ARR logged at close (`outcome.finalArr`) of won deals, split by attribution.
 * - Win rate: won / (won + lost); null when no deal has closed. Active deals do not count.
 * - Conversion from stage N to the next: of the deals that reached stage N (its gate opened: status open or
 *   passed), the share that passed its gate. A lost deal's last stage is closed as lost, not passed, so
 *   stage 5's conversion is won / reached stage 5. Null when no deal reached the stage.
 * - Median days in stage N: whole calendar days (UTC dates) from the stage's opening to its gate passing,
 *   over passed stages only (open stages and a lost deal's last stage left out); the mean of the two middle
 *   values for an even count; null when no deal passed the stage.
 * - Stalled now: active deals whose current stage has been open MORE than `stallDays` whole days (default
 *   14), or whose gate is past its deadline (the stage's `deadline`, else its last milestone's due time, as
 *   the workflow sets it). Each with the stage, the days open, the deadline and whose move it is (the parties
 *   yet to confirm the gate and those owning its open milestones).
 * - Quarterly target: won ARR of the partner's deals whose outcome was logged (`outcome.at`, UTC) in the
 *   target's calendar quarter and currency, sourced and influenced alike, divided by the target. The total
 *   sums the targets for the report's quarter (the quarter of `now` unless given) in the report's currency,
 *   and the won ARR of those partners in that quarter.
 * - Off-list accounts: deals whose account is not on their partner plan's target accounts (by domain, else
 *   name, case-insensitive). The verdict is the one stored on the deal when it was loaded
 *   (`offPartnerPlan`, set by `POST /plans` when the partner had a plan); a deal loaded before its partner
 *   had a plan is checked against the partner plan as it is now.
 * - The dashboard (dashboard.ts), the forecast (forecast.ts) and the program's return (program-return.ts)
 *   say how each of their figures is computed.
 */

export const DEFAULT_STALL_DAYS = STALL_DAYS;

export { median } from './report-figures';
export type { ReportDeal, ReportInput } from './report-input';

export interface ReportOptions {
  /** Days a stage may stay open before its deal counts as stalled (default 14). */
  stallDays?: number;
  /** Money figures are in this currency; by default the one most deals use. */
  currency?: string;
  /** The quarter for the total's target (`2027-Q1`); by default the quarter of `now`. */
  quarter?: string;
  /** The tenant's default timezone, for stage deadlines on plans whose vendor owner names none. */
  defaultTimezone?: string;
  /** Only this partner (case-insensitive); totals then cover that partner alone. */
  partner?: string;
  /** The dashboard's own filters (rows only; the figures cover every deal of the partner filter). */
  dashboard?: Omit<DashboardFilters, 'partner'>;
  /** Percent per stage for the weighted forecast (tenant setting `stageWeights`; default 10/20/40/60/80). */
  stageWeights?: readonly number[];
  /** The program's cost per quarter (tenant setting `programCost`). */
  programCost?: Money;
  /** Days of silence before a party owning open work counts as ghosting (tenant setting, default 7). */
  ghostingDays?: number;
}

export interface Split {
  sourced: number;
  influenced: number;
  total: number;
}

export interface StageFigures {
  stage: StageKey;
  number: number;
  title: string;
  /** Deals whose gate for this stage opened. */
  reached: number;
  /** Deals that passed this stage's gate. */
  passed: number;
  /** passed / reached; null when none reached it. */
  conversion: number | null;
  /** Median whole days from opening to passing, passed stages only; null when none passed. */
  medianDays: number | null;
}

export interface TargetProgress {
  quarter: string;
  currency: string;
  target: number;
  /** Won ARR logged in the quarter, in the target's currency. */
  won: number;
  /** won / target. */
  progress: number;
}

export interface Figures {
  deals: { total: number; active: number; won: number; lost: number };
  openPipeline: Split;
  wonRevenue: Split;
  winRate: number | null;
  stages: StageFigures[];
  stalled: number;
  quarterlyTarget: TargetProgress | null;
}

export interface PartnerFigures extends Figures {
  partner: string;
  hasPartnerPlan: boolean;
  /** Deals whose account is not on the partner plan's target accounts (see `offPartnerPlan`). */
  offListAccounts: { planId: string; name: string; account: string; reason?: string }[];
  /** Registered deals whose agreed attribution the partner plan's credit rule does not bear out. */
  attributionDisagreements: {
    planId: string;
    name: string;
    attribution: string;
    rule: string;
    why: string;
  }[];
}

export interface StalledDeal {
  planId: string;
  name: string;
  partner: string;
  account: string;
  stage: StageKey;
  stageNumber: number;
  stageTitle: string;
  /** Whole days the stage has been open. */
  days: number;
  /** The gate's deadline (ISO instant). */
  deadline: string;
  pastDeadline: boolean;
  overThreshold: boolean;
  /** Parties whose move it is, with their named owner when the plan has one. */
  whoseMove: { party: Party; name?: string }[];
  waitingFor: { confirmations: Party[]; milestones: string[] };
}

export interface ProgramReport {
  generatedAt: string;
  currency: string;
  quarter: string;
  stallDays: number;
  /** Set when the report covers one partner. */
  partnerFilter?: string;
  total: Figures;
  partners: PartnerFigures[];
  /** Stalled deals, longest-stalled first. */
  stalled: StalledDeal[];
  /** Deals left out of money figures because their currency is not the report's. */
  otherCurrency: { planId: string; partner: string; currency: string }[];
  /** Every active deal, one row each, needing someone's move first (dashboard.ts). */
  dashboard: Dashboard;
  forecast: Forecast;
  programReturn: ProgramReturn;
}

const dealCurrency = (deal: Deal) => deal.outcome?.currency ?? deal.plan.jointOutcome.arr.currency;

/** Whether the deal passed this stage's gate (a lost deal's final stage closed as lost, not passed). */
export function passedStage(deal: Deal, stage: StageKey): boolean {
  if (deal.stages[stage].status !== 'passed') return false;
  return !(deal.status === 'lost' && deal.stage === stage);
}

export function reachedStage(deal: Deal, stage: StageKey): boolean {
  return deal.stages[stage].status !== 'pending';
}

/**
 * Whether a deal counts as off its partner plan: the verdict stored when it was loaded, else (loaded before
 * its partner had a plan) the check against the partner plan as it is now.
 */
export function offPartnerPlan(deal: Deal, partnerPlan: PartnerPlan | undefined): boolean {
  if (deal.offPartnerPlan !== undefined) return deal.offPartnerPlan;
  return partnerPlan !== undefined && !accountOnPartnerPlan(partnerPlan, deal.plan).onList;
}

/** The stall verdict for one active deal, or undefined when it is moving. */
export function stalledDeal(
  { deal, milestones = [] }: ReportDeal,
  now: Date,
  options: { stallDays?: number; defaultTimezone?: string } = {},
): StalledDeal | undefined {
  if (deal.status !== 'active') return undefined;
  const stage = deal.stage;
  if (deal.stages[stage].status !== 'open') return undefined;
  const stallDays = options.stallDays ?? DEFAULT_STALL_DAYS;
  const days = daysInStages(deal, now)[stage];
  const deadline = stageDeadline(deal, milestones, stage, options.defaultTimezone ?? 'UTC');
  const pastDeadline = deadline.getTime() < now.getTime();
  const overThreshold = days > stallDays;
  if (!pastDeadline && !overThreshold) return undefined;
  const progress = gateProgress(deal, milestones, stage);
  return {
    planId: deal.planId,
    name: deal.plan.name,
    partner: deal.plan.partner.name,
    account: deal.plan.account.name,
    stage,
    stageNumber: STAGES[stage].number,
    stageTitle: STAGES[stage].title,
    days,
    deadline: deadline.toISOString(),
    pastDeadline,
    overThreshold,
    whoseMove: partiesOwingMoves(deal, milestones, stage).map((party) => {
      const name = deal.plan.owners[party]?.name;
      return name ? { party, name } : { party };
    }),
    waitingFor: {
      confirmations: progress.missingConfirmations,
      milestones: progress.openMilestones.map((m) => m.title),
    },
  };
}

/** The program report over every deal of a tenant (or of one partner, with `options.partner`). */
export function programReport(
  allDeals: readonly ReportDeal[],
  partnerPlans: readonly PartnerPlan[],
  now: Date,
  options: ReportOptions = {},
): ProgramReport {
  return programReportOf(reportInputOf(allDeals), partnerPlans, now, options);
}

interface Group {
  name: string;
  plan?: PartnerPlan;
  active: ReportDeal[];
  closed?: ClosedAggregate;
  entries: ClosedEntry[];
  stalled: StalledDeal[];
}

/** The program report over active deals and closed aggregates (report-input.ts): the same figures. */
export function programReportOf(
  input: ReportInput,
  partnerPlans: readonly PartnerPlan[],
  now: Date,
  options: ReportOptions = {},
): ProgramReport {
  const filter = options.partner;
  const source = filter ? onlyPartner(input, filter) : input;
  const plans = filter ? partnerPlans.filter((p) => samePartner(p.partner.name, filter)) : partnerPlans;
  const currency = options.currency ?? reportCurrency(source);
  const quarter = options.quarter ?? quarterOf(now);
  const stallDays = options.stallDays ?? DEFAULT_STALL_DAYS;
  const stallOptions = {
    stallDays,
    ...(options.defaultTimezone ? { defaultTimezone: options.defaultTimezone } : {}),
  };

  // Group by partner, case-insensitively; a partner plan names the group, else its first deal does.
  const groups = new Map<string, Group>();
  const groupOf = (name: string) => {
    const key = partnerKey(name);
    let group = groups.get(key);
    if (!group) {
      const plan = partnerPlanFor(plans, name);
      group = {
        name: plan?.partner.name ?? name,
        active: [],
        entries: [],
        stalled: [],
        ...(plan ? { plan } : {}),
      };
      groups.set(key, group);
    }
    return group;
  };
  for (const p of plans) groupOf(p.partner.name);
  for (const name of partnerNamesInOrder(source)) groupOf(name);
  for (const agg of source.closed) {
    const group = groups.get(agg.partnerKey);
    if (group) group.closed = agg;
  }
  const all = { active: [] as ReportDeal[], stalled: [] as StalledDeal[] };
  for (const d of source.active) {
    const group = groupOf(d.deal.plan.partner.name);
    const stalled = stalledDeal(d, now, stallOptions);
    group.active.push(d);
    all.active.push(d);
    if (stalled) {
      group.stalled.push(stalled);
      all.stalled.push(stalled);
    }
  }
  const listed = listedDeals(source);
  for (const l of listed) if (l.entry) groups.get(l.entry.partnerKey)?.entries.push(l.entry);

  const partners = [...groups.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }))
    .map((group): PartnerFigures => {
      const target = group.plan?.quarterlyTarget;
      const mine = listedDeals({
        active: group.active,
        closed: [],
        entries: group.entries,
        ...order(source),
      });
      const offListAccounts = mine.flatMap(({ deal, entry }) => {
        if (deal) {
          if (!offPartnerPlan(deal, group.plan)) return [];
          const reason = deal.offPartnerPlanReason;
          const row = { planId: deal.planId, name: deal.plan.name, account: deal.plan.account.name };
          return [{ ...row, ...(reason ? { reason } : {}) }];
        }
        if (!entryOffPartnerPlan(entry, group.plan)) return [];
        const reason = entry.offPartnerPlanReason;
        return [
          { planId: entry.planId, name: entry.name, account: entry.account, ...(reason ? { reason } : {}) },
        ];
      });
      const attributionDisagreements = mine.flatMap(({ deal, entry }) => {
        const check = deal ? deal.attributionCheck : entry.attributionCheck;
        if (!check || check.agrees) return [];
        const row = deal
          ? { planId: deal.planId, name: deal.plan.name, attribution: deal.plan.attribution }
          : { planId: entry.planId, name: entry.name, attribution: entry.attribution };
        return [{ ...row, rule: check.rule, why: check.why }];
      });
      return {
        partner: group.name,
        hasPartnerPlan: group.plan !== undefined,
        ...figures(group, currency, now, target),
        offListAccounts,
        attributionDisagreements,
      };
    });

  // The total's target: the partner targets for the report's quarter and currency, and those partners' wins.
  const targeted = partners.filter(
    (p) => p.quarterlyTarget?.quarter === quarter && p.quarterlyTarget.currency === currency,
  );
  const targetSum = targeted.reduce((acc, p) => acc + (p.quarterlyTarget?.target ?? 0), 0);
  const wonSum = targeted.reduce((acc, p) => acc + (p.quarterlyTarget?.won ?? 0), 0);
  const closedAll = mergedAggregate(source);
  const total: Figures = {
    ...figures({ ...all, closed: closedAll }, currency, now, undefined),
    quarterlyTarget:
      targetSum > 0
        ? { quarter, currency, target: targetSum, won: wonSum, progress: wonSum / targetSum }
        : null,
  };

  return {
    generatedAt: now.toISOString(),
    currency,
    quarter,
    stallDays,
    ...(filter ? { partnerFilter: filter } : {}),
    total,
    partners,
    stalled: [...all.stalled].sort((a, b) => b.days - a.days || a.planId.localeCompare(b.planId)),
    otherCurrency: listed.flatMap(({ deal, entry }) => {
      const row = deal
        ? { planId: deal.planId, partner: deal.plan.partner.name, currency: dealCurrency(deal) }
        : { planId: entry.planId, partner: entry.partner, currency: entry.currency };
      return row.currency === currency ? [] : [row];
    }),
    dashboard: dashboard(
      source.active,
      now,
      { ...(filter ? { partner: filter } : {}), ...options.dashboard },
      {
        stallDays,
        ...(options.ghostingDays ? { ghostingDays: options.ghostingDays } : {}),
        ...(options.defaultTimezone ? { defaultTimezone: options.defaultTimezone } : {}),
      },
    ),
    forecast: forecast(source, plans, {
      currency,
      ...(options.stageWeights ? { stageWeights: options.stageWeights } : {}),
    }),
    programReturn: programReturn(source, plans, {
      currency,
      quarter,
      ...(options.programCost ? { programCost: options.programCost } : {}),
    }),
  };
}

const order = (input: ReportInput) => (input.order ? { order: input.order } : {});
