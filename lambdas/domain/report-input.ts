import type { PartnerPlan } from '../schemas/partner-plan.schema';
import type { Plan } from '../schemas/plan.schema';
import {
  addInto,
  byPlanId,
  type ClosedAggregate,
  type ClosedEntry,
  emptyAggregate,
  entryOf,
  rebuildAggregates,
  type Tally,
} from './closed-aggregates';
import type { Deal, MilestoneState } from './deal';
import { accountOnPartnerPlan, partnerKey, partnerPlanFor, samePartner } from './partner-plans';

/**
 * What the program report reads: the active deals (with their milestones), the closed deals' running
 * aggregates (closed-aggregates.ts), and the closed deals the per-deal lists may name (a superset: each
 * list applies its own test). `programReport(deals)` builds this from a list of deals; the reports-api
 * reads it from the store (use-cases/reports.ts), never scanning closed deals.
 */

/** A deal as the report needs it: milestones matter only for active deals (deadline, whose move). */
export interface ReportDeal {
  deal: Deal;
  milestones?: MilestoneState[];
}

export interface ReportInput {
  active: ReportDeal[];
  closed: ClosedAggregate[];
  entries: ClosedEntry[];
  /** The deals' order (by plan id when absent): lists, and a partner's name, follow it. */
  order?: ReadonlyMap<string, number>;
}

/** The report's input from every deal, in the given order (active as given, closed ones aggregated). */
export function reportInputOf(deals: readonly ReportDeal[]): ReportInput {
  const order = new Map<string, number>();
  deals.forEach((d, i) => {
    if (!order.has(d.deal.planId)) order.set(d.deal.planId, i);
  });
  const closed = deals.map((d) => d.deal).filter((d) => d.status !== 'active');
  const at = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return {
    active: deals.filter((d) => d.deal.status === 'active'),
    closed: rebuildAggregates(closed, (a, b) => at(a) < at(b)),
    entries: closed.map((d) => entryOf(d) as ClosedEntry),
    order,
  };
}

/** Compares two plan ids in the input's deal order. */
export function compareOf(input: ReportInput): (a: string, b: string) => number {
  const order = input.order;
  if (!order) return (a, b) => a.localeCompare(b);
  const at = (id: string) => order.get(id) ?? Number.MAX_SAFE_INTEGER;
  return (a, b) => at(a) - at(b);
}

/** The input restricted to one partner (case and spacing aside). */
export function onlyPartner(input: ReportInput, partner: string): ReportInput {
  const key = partnerKey(partner);
  return {
    ...input,
    active: input.active.filter((d) => samePartner(d.deal.plan.partner.name, partner)),
    closed: input.closed.filter((a) => a.partnerKey === key),
    entries: input.entries.filter((e) => e.partnerKey === key),
  };
}

/** Every partner's closed aggregate summed into one (first deals in the input's order). */
export function mergedAggregate(input: ReportInput): ClosedAggregate {
  const compare = compareOf(input);
  const merged = emptyAggregate('*');
  for (const agg of input.closed) addInto(merged, agg, 1, (a, b) => compare(a, b) < 0);
  return merged;
}

export function tallyAt(tally: Tally | undefined, ...path: string[]): Tally {
  let node: Tally | undefined = tally;
  for (const key of path) {
    const next: number | Tally | undefined = node?.[key];
    node = typeof next === 'object' ? next : undefined;
  }
  return node ?? {};
}

export function countAt(tally: Tally | undefined, ...path: string[]): number {
  const leaf = tallyAt(tally, ...path.slice(0, -1))[path[path.length - 1] as string];
  return typeof leaf === 'number' ? leaf : 0;
}

/** Σ over the branch's keys of the leaf `rest` below each (e.g. reached.*.<stage>). */
export function sumOver(tally: Tally | undefined, branch: string, ...rest: string[]): number {
  return Object.keys(tallyAt(tally, branch)).reduce((acc, k) => acc + countAt(tally, branch, k, ...rest), 0);
}

/** The closed deals' count (won + lost). */
export function closedCount(agg: ClosedAggregate | undefined): number {
  return countAt(agg?.tally, 'status', 'won') + countAt(agg?.tally, 'status', 'lost');
}

const dealCurrency = (deal: Deal) => deal.outcome?.currency ?? deal.plan.jointOutcome.arr.currency;

/** The currency most deals use (ties: the first alphabetically; USD without deals). */
export function reportCurrency(input: ReportInput): string {
  const counts = new Map<string, number>();
  const add = (c: string, n: number) => counts.set(c, (counts.get(c) ?? 0) + n);
  for (const { deal } of input.active) add(dealCurrency(deal), 1);
  for (const agg of input.closed)
    for (const [c, n] of Object.entries(tallyAt(agg.tally, 'currency'))) add(c, n as number);
  let best = 'USD';
  let bestCount = 0;
  for (const [currency, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    if (count > bestCount) [best, bestCount] = [currency, count];
  }
  return best;
}

/**
 * The closed entries a report needs read (ReportReader.closedEntries): those of currencies other than the
 * report's, and the unchecked ones of partners that have a partner plan now (the always-read `listed`
 * ones aside).
 */
export function entriesNeeded(
  input: Pick<ReportInput, 'closed'>,
  partnerPlans: readonly PartnerPlan[],
  currency: string,
): { currencies: string[]; uncheckedPartners: string[] } {
  const currencies = new Set<string>();
  const unchecked: string[] = [];
  for (const agg of input.closed) {
    for (const c of Object.keys(tallyAt(agg.tally, 'currency'))) if (c !== currency) currencies.add(c);
    if (countAt(agg.tally, 'unchecked') > 0 && partnerPlanFor(partnerPlans, agg.partnerKey))
      unchecked.push(agg.partnerKey);
  }
  return { currencies: [...currencies].sort(), uncheckedPartners: unchecked.sort() };
}

/** Whether a closed deal counts as off its partner plan (as reports.ts's offPartnerPlan for a deal). */
export function entryOffPartnerPlan(entry: ClosedEntry, partnerPlan: PartnerPlan | undefined): boolean {
  if (entry.offPartnerPlan !== undefined) return entry.offPartnerPlan;
  if (partnerPlan === undefined) return false;
  const plan = {
    partner: { name: entry.partner },
    account: { name: entry.account, ...(entry.domain !== undefined ? { domain: entry.domain } : {}) },
  } as Pick<Plan, 'account' | 'partner'>;
  return !accountOnPartnerPlan(partnerPlan, plan).onList;
}

/** One of the report's deals, active or closed, for the per-deal lists. */
export type ListedDeal =
  | { planId: string; deal: Deal; entry?: undefined }
  | { planId: string; entry: ClosedEntry; deal?: undefined };

/** Active deals and closed entries (one each), in the input's deal order. */
export function listedDeals(input: ReportInput): ListedDeal[] {
  const entries = new Map<string, ClosedEntry>();
  for (const e of input.entries) entries.set(e.planId, e);
  const all: ListedDeal[] = [
    ...input.active.map(({ deal }) => ({ planId: deal.planId, deal })),
    ...[...entries.values()].map((entry) => ({ planId: entry.planId, entry })),
  ];
  const compare = compareOf(input);
  return all.sort((a, b) => compare(a.planId, b.planId));
}

/** Each partner's first spelling in deal order: active deals' names and the aggregates' first deals. */
export function partnerNamesInOrder(input: ReportInput): string[] {
  const firsts = [
    ...input.active.map(({ deal }) => ({ planId: deal.planId, name: deal.plan.partner.name })),
    ...input.closed.flatMap((a) => Object.entries(a.names).map(([name, s]) => ({ planId: s.first, name }))),
  ];
  const compare = compareOf(input);
  return firsts.sort((a, b) => compare(a.planId, b.planId)).map((f) => f.name);
}

export { byPlanId };
