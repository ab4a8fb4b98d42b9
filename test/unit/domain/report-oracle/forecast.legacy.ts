// A frozen copy of the report as it was before the closed-deal aggregates (commit 4a49296), reading every
// deal: the oracle test/unit/domain/closed-aggregates.test.ts compares the report over aggregates with.
import type { Deal } from '../../../../lambdas/domain/deal';
import { STAGE_WEIGHTS } from '../../../../lambdas/domain/defaults';
import { partnerPlanFor, quarterOf, samePartner } from '../../../../lambdas/domain/partner-plans';
import { STAGES } from '../../../../lambdas/domain/playbook';
import { STAGE_KEYS, type StageKey } from '../../../../lambdas/domain/vocabulary';
import type { PartnerPlan } from '../../../../lambdas/schemas/partner-plan.schema';
import type { Split } from './reports.legacy';

/**
 * The forecast: open pipeline by expected close quarter, win rate and conversion by attribution, losses by
 * stage and reason, and the forecast against each partner's quarterly target. Pure, over the deals given.
 *
 * How each figure is computed
 * - Expected close quarter: the calendar quarter (`YYYY-Qn`) of the deal's current close date
 *   (`jointOutcome.closeDate`, moved by slips and amendments).
 * - Unweighted pipeline: active deals in the report's currency at their ARR midpoint ((min + max) / 2).
 * - Weighted pipeline: each midpoint times its current stage's weight (tenant setting `stageWeights`,
 *   percentages for stages 1 to 5, default 10/20/40/60/80).
 * - Both split sourced / influenced, and by partner.
 * - Win rate by attribution: won / (won + lost) among the deals of that attribution; null with no closes.
 * - Conversion by attribution: as the report's conversion (reached a stage / passed its gate), per attribution.
 * - Losses by stage: lost deals by the stage they died in (a close at any stage, or the final gate), with
 *   the ARR midpoint they had; by reason: the close's outcome (lost, no-decision, withdrawn) and its reason
 *   (for a loss at the final gate, the lesson logged), case-insensitive, most frequent first.
 * - Forecast against target: for each partner plan's quarterly target, in the target's currency: won ARR
 *   logged in that quarter, the pipeline expected to close in it (unweighted and weighted), coverage =
 *   unweighted pipeline ÷ target, and forecast = won + weighted pipeline, as a share of the target.
 */

export interface ForecastDeal {
  deal: Deal;
}

export interface PartnerQuarter {
  partner: string;
  deals: number;
  unweighted: Split;
  weighted: Split;
}

export interface QuarterForecast {
  quarter: string;
  deals: number;
  unweighted: Split;
  weighted: Split;
  partners: PartnerQuarter[];
}

export interface AttributionStage {
  stage: StageKey;
  number: number;
  reached: number;
  passed: number;
  conversion: number | null;
}

export interface AttributionFigures {
  won: number;
  lost: number;
  winRate: number | null;
  stages: AttributionStage[];
}

export interface StageLosses {
  stage: StageKey;
  number: number;
  title: string;
  lost: number;
  /** Sum of the lost deals' ARR midpoints, in the report's currency. */
  arr: number;
}

export interface ReasonLosses {
  outcome: 'lost' | 'no-decision' | 'withdrawn';
  reason: string;
  lost: number;
}

export interface TargetForecast {
  partner: string;
  quarter: string;
  currency: string;
  target: number;
  won: number;
  pipeline: number;
  weighted: number;
  /** pipeline / target. */
  coverage: number;
  /** won + weighted. */
  forecast: number;
  /** forecast / target. */
  progress: number;
}

export interface Forecast {
  /** Percent per stage, stage 1 first. */
  stageWeights: number[];
  quarters: QuarterForecast[];
  byAttribution: { sourced: AttributionFigures; influenced: AttributionFigures };
  losses: { byStage: StageLosses[]; byReason: ReasonLosses[] };
  targets: TargetForecast[];
}

const midpoint = (d: Deal) => (d.plan.jointOutcome.arr.min + d.plan.jointOutcome.arr.max) / 2;
const dealCurrency = (d: Deal) => d.outcome?.currency ?? d.plan.jointOutcome.arr.currency;
export const closeQuarter = (d: Deal) => quarterOf(`${d.plan.jointOutcome.closeDate}T12:00:00Z`);

/** The stage weights as fractions, stage 1 first; a missing or malformed setting falls back to the defaults. */
export function stageWeightsOf(percents: readonly number[] | undefined): number[] {
  const valid =
    percents?.length === STAGE_KEYS.length && percents.every((p) => Number.isFinite(p) && p >= 0 && p <= 100);
  return [...(valid ? percents : STAGE_WEIGHTS)];
}

const emptySplit = (): Split => ({ sourced: 0, influenced: 0, total: 0 });
function add(split: Split, d: Deal, amount: number) {
  split[d.plan.attribution] += amount;
  split.total += amount;
}

function passed(d: Deal, stage: StageKey) {
  return d.stages[stage].status === 'passed' && !(d.status === 'lost' && d.stage === stage);
}

function attributionFigures(deals: readonly Deal[]): AttributionFigures {
  const won = deals.filter((d) => d.status === 'won').length;
  const lost = deals.filter((d) => d.status === 'lost').length;
  return {
    won,
    lost,
    winRate: won + lost === 0 ? null : won / (won + lost),
    stages: STAGE_KEYS.map((stage) => {
      const reached = deals.filter((d) => d.stages[stage].status !== 'pending').length;
      const passedCount = deals.filter((d) => passed(d, stage)).length;
      return {
        stage,
        number: STAGES[stage].number,
        reached,
        passed: passedCount,
        conversion: reached === 0 ? null : passedCount / reached,
      };
    }),
  };
}

/** The forecast over `deals` (already filtered to a partner, if any); money in `currency`. */
export function forecast(
  reportDeals: readonly ForecastDeal[],
  partnerPlans: readonly PartnerPlan[],
  options: { currency: string; stageWeights?: readonly number[] },
): Forecast {
  const weights = stageWeightsOf(options.stageWeights);
  const deals = reportDeals.map((d) => d.deal);
  // Percent first, then / 100, so whole amounts stay exact (x * 0.1 is not).
  const weighted = (d: Deal) => (midpoint(d) * (weights[STAGE_KEYS.indexOf(d.stage)] ?? 0)) / 100;
  const partnerName = (name: string) => partnerPlanFor(partnerPlans, name)?.partner.name ?? name;

  const quarters = new Map<string, QuarterForecast & { byPartner: Map<string, PartnerQuarter> }>();
  for (const d of deals) {
    if (d.status !== 'active' || dealCurrency(d) !== options.currency) continue;
    const quarter = closeQuarter(d);
    let q = quarters.get(quarter);
    if (!q) {
      q = {
        quarter,
        deals: 0,
        unweighted: emptySplit(),
        weighted: emptySplit(),
        partners: [],
        byPartner: new Map(),
      };
      quarters.set(quarter, q);
    }
    const name = partnerName(d.plan.partner.name);
    const key = name.trim().replace(/\s+/g, ' ').toLowerCase();
    let p = q.byPartner.get(key);
    if (!p) {
      p = { partner: name, deals: 0, unweighted: emptySplit(), weighted: emptySplit() };
      q.byPartner.set(key, p);
    }
    q.deals += 1;
    p.deals += 1;
    add(q.unweighted, d, midpoint(d));
    add(p.unweighted, d, midpoint(d));
    add(q.weighted, d, weighted(d));
    add(p.weighted, d, weighted(d));
  }

  const lost = deals.filter((d) => d.status === 'lost');
  const byStage = STAGE_KEYS.map((stage): StageLosses => {
    const here = lost.filter((d) => (d.closed?.stage ?? d.stage) === stage);
    return {
      stage,
      number: STAGES[stage].number,
      title: STAGES[stage].title,
      lost: here.length,
      arr: here.filter((d) => dealCurrency(d) === options.currency).reduce((a, d) => a + midpoint(d), 0),
    };
  });
  const reasons = new Map<string, ReasonLosses>();
  for (const d of lost) {
    const outcome = d.closed?.outcome ?? 'lost';
    const reason =
      (d.closed?.reason ?? d.outcome?.lesson ?? '').trim().replace(/\s+/g, ' ') || '(none given)';
    const key = `${outcome}#${reason.toLowerCase()}`;
    const entry = reasons.get(key) ?? { outcome, reason, lost: 0 };
    entry.lost += 1;
    reasons.set(key, entry);
  }

  const targets = partnerPlans.map((plan): TargetForecast => {
    const t = plan.quarterlyTarget;
    const mine = deals.filter(
      (d) => samePartner(d.plan.partner.name, plan.partner.name) && dealCurrency(d) === t.currency,
    );
    const won = mine
      .filter((d) => d.status === 'won' && d.outcome && quarterOf(d.outcome.at) === t.quarter)
      .reduce((a, d) => a + (d.outcome?.finalArr ?? 0), 0);
    const closing = mine.filter((d) => d.status === 'active' && closeQuarter(d) === t.quarter);
    const pipeline = closing.reduce((a, d) => a + midpoint(d), 0);
    const weightedSum = closing.reduce((a, d) => a + weighted(d), 0);
    return {
      partner: plan.partner.name,
      quarter: t.quarter,
      currency: t.currency,
      target: t.arr,
      won,
      pipeline,
      weighted: weightedSum,
      coverage: pipeline / t.arr,
      forecast: won + weightedSum,
      progress: (won + weightedSum) / t.arr,
    };
  });

  return {
    stageWeights: weights,
    quarters: [...quarters.values()]
      .sort((a, b) => a.quarter.localeCompare(b.quarter))
      .map(({ byPartner, ...q }) => ({
        ...q,
        partners: [...byPartner.values()].sort((a, b) =>
          a.partner.localeCompare(b.partner, 'en', { sensitivity: 'base' }),
        ),
      })),
    byAttribution: {
      sourced: attributionFigures(deals.filter((d) => d.plan.attribution === 'sourced')),
      influenced: attributionFigures(deals.filter((d) => d.plan.attribution === 'influenced')),
    },
    losses: {
      byStage,
      byReason: [...reasons.values()].sort((a, b) => b.lost - a.lost || a.reason.localeCompare(b.reason)),
    },
    targets: targets.sort((a, b) => a.partner.localeCompare(b.partner, 'en', { sensitivity: 'base' })),
  };
}
