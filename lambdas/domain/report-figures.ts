import type { ClosedAggregate } from './closed-aggregates';
import { type Deal, daysInStages } from './deal';
import { STAGES } from './playbook';
import { countAt, type ReportDeal, sumOver, tallyAt } from './report-input';
import type { Figures, Split, StageFigures, StalledDeal, TargetProgress } from './reports';
import { STAGE_KEYS } from './vocabulary';

/** One group's figures (a partner, or the total) over its active deals and its closed deals' aggregate. */

export interface FigureGroup {
  active: ReportDeal[];
  closed?: ClosedAggregate;
  stalled: StalledDeal[];
}

const dealCurrency = (deal: Deal) => deal.outcome?.currency ?? deal.plan.jointOutcome.arr.currency;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The values a histogram (`days.<stage>`: value → count) stands for. */
export function histogramValues(histogram: Record<string, unknown>): number[] {
  return Object.entries(histogram).flatMap(([v, n]) => Array<number>(n as number).fill(Number(v)));
}

export function figures(
  group: FigureGroup,
  currency: string,
  now: Date,
  target: { quarter: string; currency: string; arr: number } | undefined,
): Figures {
  const deals = group.active.map((d) => d.deal);
  const t = group.closed?.tally;
  const inCurrency = deals.filter((d) => dealCurrency(d) === currency);
  const won = countAt(t, 'status', 'won');
  const lost = countAt(t, 'status', 'lost');
  const stages = STAGE_KEYS.map((stage): StageFigures => {
    const reached =
      deals.filter((d) => d.stages[stage].status !== 'pending').length + sumOver(t, 'reached', stage);
    const passedDeals = deals.filter((d) => d.stages[stage].status === 'passed');
    const passed = passedDeals.length + sumOver(t, 'passed', stage);
    return {
      stage,
      number: STAGES[stage].number,
      title: STAGES[stage].title,
      reached,
      passed,
      conversion: reached === 0 ? null : passed / reached,
      medianDays: median([
        ...passedDeals.map((d) => daysInStages(d, now)[stage]),
        ...histogramValues(tallyAt(t, 'days', stage)),
      ]),
    };
  });
  let quarterlyTarget: TargetProgress | null = null;
  if (target) {
    const wonInQuarter = countAt(t, 'wonQuarter', target.quarter, target.currency, 'arr');
    quarterlyTarget = {
      quarter: target.quarter,
      currency: target.currency,
      target: target.arr,
      won: wonInQuarter,
      progress: wonInQuarter / target.arr,
    };
  }
  const pipeline = (attribution: string) =>
    inCurrency
      .filter((d) => d.plan.attribution === attribution)
      .reduce((acc, d) => acc + (d.plan.jointOutcome.arr.min + d.plan.jointOutcome.arr.max) / 2, 0);
  const split = (sourced: number, influenced: number): Split => ({
    sourced,
    influenced,
    total: sourced + influenced,
  });
  return {
    deals: { total: deals.length + won + lost, active: deals.length, won, lost },
    openPipeline: split(pipeline('sourced'), pipeline('influenced')),
    wonRevenue: split(
      countAt(t, 'wonArr', currency, 'sourced'),
      countAt(t, 'wonArr', currency, 'influenced'),
    ),
    winRate: won + lost === 0 ? null : won / (won + lost),
    stages,
    stalled: group.stalled.length,
    quarterlyTarget,
  };
}
