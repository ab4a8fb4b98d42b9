// A frozen copy of the report as it was before the closed-deal aggregates (commit 4a49296), reading every
// deal: the oracle test/unit/domain/closed-aggregates.test.ts compares the report over aggregates with.
import { type Dashboard, type DashboardFilters, dashboard } from '../../../../lambdas/domain/dashboard';
import {
  type Deal,
  daysInStages,
  gateProgress,
  type MilestoneState,
  stageDeadline,
} from '../../../../lambdas/domain/deal';
import { STALL_DAYS } from '../../../../lambdas/domain/defaults';
import { partiesOwingMoves } from '../../../../lambdas/domain/notifications';
import {
  accountOnPartnerPlan,
  partnerPlanFor,
  quarterOf,
  samePartner,
} from '../../../../lambdas/domain/partner-plans';
import { STAGES } from '../../../../lambdas/domain/playbook';
import { type Party, STAGE_KEYS, type StageKey } from '../../../../lambdas/domain/vocabulary';
import type { PartnerPlan } from '../../../../lambdas/schemas/partner-plan.schema';
import { type Forecast, forecast } from './forecast.legacy';
import { type Money, type ProgramReturn, programReturn } from './program-return.legacy';

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

/** A deal as the report needs it: milestones matter only for active deals (deadline, whose move). */
export interface ReportDeal {
  deal: Deal;
  milestones?: MilestoneState[];
}

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

function mostUsedCurrency(deals: readonly ReportDeal[]): string {
  const counts = new Map<string, number>();
  for (const { deal } of deals) counts.set(dealCurrency(deal), (counts.get(dealCurrency(deal)) ?? 0) + 1);
  let best = 'USD';
  let bestCount = 0;
  for (const [currency, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (count > bestCount) [best, bestCount] = [currency, count];
  }
  return best;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

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

interface Accumulator {
  deals: ReportDeal[];
  stalled: StalledDeal[];
}

function figures(
  group: Accumulator,
  currency: string,
  now: Date,
  target: { quarter: string; currency: string; arr: number } | undefined,
): Figures {
  const deals = group.deals.map((d) => d.deal);
  const count = (status: Deal['status']) => deals.filter((d) => d.status === status).length;
  const inCurrency = deals.filter((d) => dealCurrency(d) === currency);
  const split = (list: Deal[], amount: (d: Deal) => number): Split => {
    const sum = (attribution: string) =>
      list.filter((d) => d.plan.attribution === attribution).reduce((acc, d) => acc + amount(d), 0);
    const sourced = sum('sourced');
    const influenced = sum('influenced');
    return { sourced, influenced, total: sourced + influenced };
  };
  const won = count('won');
  const lost = count('lost');
  const stages = STAGE_KEYS.map((stage): StageFigures => {
    const reached = deals.filter((d) => reachedStage(d, stage)).length;
    const passedDeals = deals.filter((d) => passedStage(d, stage));
    return {
      stage,
      number: STAGES[stage].number,
      title: STAGES[stage].title,
      reached,
      passed: passedDeals.length,
      conversion: reached === 0 ? null : passedDeals.length / reached,
      medianDays: median(passedDeals.map((d) => daysInStages(d, now)[stage])),
    };
  });
  let quarterlyTarget: TargetProgress | null = null;
  if (target) {
    const wonInQuarter = deals
      .filter(
        (d) =>
          d.status === 'won' &&
          d.outcome !== undefined &&
          quarterOf(d.outcome.at) === target.quarter &&
          dealCurrency(d) === target.currency,
      )
      .reduce((acc, d) => acc + (d.outcome?.finalArr ?? 0), 0);
    quarterlyTarget = {
      quarter: target.quarter,
      currency: target.currency,
      target: target.arr,
      won: wonInQuarter,
      progress: wonInQuarter / target.arr,
    };
  }
  return {
    deals: { total: deals.length, active: count('active'), won, lost },
    openPipeline: split(
      inCurrency.filter((d) => d.status === 'active'),
      (d) => (d.plan.jointOutcome.arr.min + d.plan.jointOutcome.arr.max) / 2,
    ),
    wonRevenue: split(
      inCurrency.filter((d) => d.status === 'won'),
      (d) => d.outcome?.finalArr ?? 0,
    ),
    winRate: won + lost === 0 ? null : won / (won + lost),
    stages,
    stalled: group.stalled.length,
    quarterlyTarget,
  };
}

/** The program report over every deal of a tenant (or of one partner, with `options.partner`). */
export function programReport(
  allDeals: readonly ReportDeal[],
  partnerPlans: readonly PartnerPlan[],
  now: Date,
  options: ReportOptions = {},
): ProgramReport {
  const filter = options.partner;
  const deals = filter ? allDeals.filter((d) => samePartner(d.deal.plan.partner.name, filter)) : allDeals;
  const plans = filter ? partnerPlans.filter((p) => samePartner(p.partner.name, filter)) : partnerPlans;
  const currency = options.currency ?? mostUsedCurrency(deals);
  const quarter = options.quarter ?? quarterOf(now);
  const stallDays = options.stallDays ?? DEFAULT_STALL_DAYS;
  const stallOptions = {
    stallDays,
    ...(options.defaultTimezone ? { defaultTimezone: options.defaultTimezone } : {}),
  };

  // Group by partner, case-insensitively; a partner plan names the group.
  const groups = new Map<string, Accumulator & { name: string; plan?: PartnerPlan }>();
  const groupOf = (name: string) => {
    const key = name.trim().replace(/\s+/g, ' ').toLowerCase();
    let group = groups.get(key);
    if (!group) {
      const plan = partnerPlanFor(plans, name);
      group = { name: plan?.partner.name ?? name, deals: [], stalled: [], ...(plan ? { plan } : {}) };
      groups.set(key, group);
    }
    return group;
  };
  for (const p of plans) groupOf(p.partner.name);
  const all: Accumulator = { deals: [], stalled: [] };
  for (const d of deals) {
    const group = groupOf(d.deal.plan.partner.name);
    const stalled = stalledDeal(d, now, stallOptions);
    group.deals.push(d);
    all.deals.push(d);
    if (stalled) {
      group.stalled.push(stalled);
      all.stalled.push(stalled);
    }
  }

  const partners = [...groups.values()]
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }))
    .map((group): PartnerFigures => {
      const target = group.plan?.quarterlyTarget;
      const offListAccounts = group.deals
        .filter(({ deal }) => offPartnerPlan(deal, group.plan))
        .map(({ deal }) => ({
          planId: deal.planId,
          name: deal.plan.name,
          account: deal.plan.account.name,
          ...(deal.offPartnerPlanReason ? { reason: deal.offPartnerPlanReason } : {}),
        }));
      const attributionDisagreements = group.deals.flatMap(({ deal }) =>
        deal.attributionCheck && !deal.attributionCheck.agrees
          ? [
              {
                planId: deal.planId,
                name: deal.plan.name,
                attribution: deal.plan.attribution,
                rule: deal.attributionCheck.rule,
                why: deal.attributionCheck.why,
              },
            ]
          : [],
      );
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
  const total: Figures = {
    ...figures(all, currency, now, undefined),
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
    otherCurrency: deals
      .filter(({ deal }) => dealCurrency(deal) !== currency)
      .map(({ deal }) => ({
        planId: deal.planId,
        partner: deal.plan.partner.name,
        currency: dealCurrency(deal),
      })),
    dashboard: dashboard(
      deals,
      now,
      { ...(filter ? { partner: filter } : {}), ...options.dashboard },
      {
        stallDays,
        ...(options.ghostingDays ? { ghostingDays: options.ghostingDays } : {}),
        ...(options.defaultTimezone ? { defaultTimezone: options.defaultTimezone } : {}),
      },
    ),
    forecast: forecast(deals, plans, {
      currency,
      ...(options.stageWeights ? { stageWeights: options.stageWeights } : {}),
    }),
    programReturn: programReturn(deals, plans, {
      currency,
      quarter,
      ...(options.programCost ? { programCost: options.programCost } : {}),
    }),
  };
}
