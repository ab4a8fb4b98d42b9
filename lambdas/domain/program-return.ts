import type { PartnerPlan } from '../schemas/partner-plan.schema';
import type { ClosedAggregate } from './closed-aggregates';
import type { Deal } from './deal';
import { closeQuarter } from './forecast';
import { partnerKey, partnerPlanFor, samePartner } from './partner-plans';
import { countAt, mergedAggregate, partnerNamesInOrder, type ReportInput, tallyAt } from './report-input';

/**
 * The program's return, per quarter and per partner: what the CFO can defend. Pure, over the active deals
 * and the closed deals' aggregates given (report-input.ts).
 *
 * How each figure is computed (money in the report's currency; deals in other currencies left out)
 * - Quarters: every quarter in which a won deal's outcome was logged (`outcome.at`, UTC), the report's
 *   quarter, and every quarter a partner target names.
 * - Won ARR: the final ARR of won deals logged in the quarter.
 * - Fees paid: for each of those deals, final ARR × the plan's `economicSplit.partnerFeePercent` ÷ 100.
 * - Net revenue: won ARR − fees.
 * - Program cost: per quarter, the tenant setting `programCost` (people, MDF and tools as one amount); for a
 *   partner, its partner plan's `programCost`. When the tenant sets none, the total is the sum of the
 *   partner plans' costs. Left out (null) when none is set, or set in another currency.
 * - Return: (won ARR − fees − cost) ÷ cost; null without a cost.
 * - Pipeline coverage of target: the active pipeline (ARR midpoints) expected to close in the quarter
 *   (current close date) ÷ the quarterly targets for it (the partner's own, or the sum of all partners');
 *   null with no target for that quarter.
 */

export interface Money {
  amount: number;
  currency: string;
}

export interface ReturnRow {
  quarter: string;
  wonArr: number;
  fees: number;
  net: number;
  cost: number | null;
  return: number | null;
  pipeline: number;
  target: number | null;
  coverage: number | null;
}

export interface ProgramReturn {
  currency: string;
  quarters: ReturnRow[];
  partners: (ReturnRow & { partner: string })[];
}

const midpoint = (d: Deal) => (d.plan.jointOutcome.arr.min + d.plan.jointOutcome.arr.max) / 2;
const dealCurrency = (d: Deal) => d.outcome?.currency ?? d.plan.jointOutcome.arr.currency;

/** The partner fee owed on a won deal, from its economic split. */
export function partnerFee(deal: Deal): number {
  if (deal.status !== 'won') return 0;
  return ((deal.outcome?.finalArr ?? 0) * (deal.plan.economicSplit?.partnerFeePercent ?? 0)) / 100;
}

/** A partner plan's optional cost per quarter (a field other versions of the schema may lack). */
export function partnerPlanCost(plan: PartnerPlan | undefined): Money | undefined {
  const cost = (plan as { programCost?: Money } | undefined)?.programCost;
  return cost && Number.isFinite(cost.amount) ? cost : undefined;
}

function row(
  quarter: string,
  deals: readonly Deal[],
  closed: ClosedAggregate | undefined,
  cost: Money | undefined,
  target: number | null,
  currency: string,
): ReturnRow {
  const wonArr = countAt(closed?.tally, 'wonQuarter', quarter, currency, 'arr');
  const fees = countAt(closed?.tally, 'wonQuarter', quarter, currency, 'fees');
  const amount = cost && cost.currency === currency ? cost.amount : null;
  const pipeline = deals
    .filter((d) => d.status === 'active' && closeQuarter(d) === quarter)
    .reduce((a, d) => a + midpoint(d), 0);
  return {
    quarter,
    wonArr,
    fees,
    net: wonArr - fees,
    cost: amount,
    return: amount ? (wonArr - fees - amount) / amount : null,
    pipeline,
    target,
    coverage: target ? pipeline / target : null,
  };
}

export function programReturn(
  source: ReportInput,
  partnerPlans: readonly PartnerPlan[],
  options: { currency: string; quarter: string; programCost?: Money },
): ProgramReturn {
  const currency = options.currency;
  const deals = source.active.map((d) => d.deal).filter((d) => dealCurrency(d) === currency);
  const closed = mergedAggregate(source);
  const quarterSet = new Set<string>([options.quarter]);
  for (const [q, byCurrency] of Object.entries(tallyAt(closed.tally, 'wonQuarter')))
    if (countAt(byCurrency as never, currency, 'n') > 0) quarterSet.add(q);
  for (const p of partnerPlans) quarterSet.add(p.quarterlyTarget.quarter);
  const quarters = [...quarterSet].sort();
  const targetOf = (plans: readonly PartnerPlan[], quarter: string) => {
    const sum = plans
      .filter((p) => p.quarterlyTarget.quarter === quarter && p.quarterlyTarget.currency === currency)
      .reduce((a, p) => a + p.quarterlyTarget.arr, 0);
    return sum > 0 ? sum : null;
  };
  const planCosts = partnerPlans.map(partnerPlanCost).filter((c): c is Money => c?.currency === currency);
  const totalCost =
    options.programCost ??
    (planCosts.length > 0 ? { amount: planCosts.reduce((a, c) => a + c.amount, 0), currency } : undefined);

  const names = new Map<string, string>();
  for (const p of partnerPlans) names.set(p.partner.name.trim().toLowerCase(), p.partner.name);
  for (const name of partnerNamesInOrder(source)) {
    const key = partnerKey(name);
    if (!names.has(key)) names.set(key, partnerPlanFor(partnerPlans, name)?.partner.name ?? name);
  }
  const partners = [...names.values()]
    .sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
    .flatMap((partner) => {
      const plan = partnerPlanFor(partnerPlans, partner);
      const mine = deals.filter((d) => samePartner(d.plan.partner.name, partner));
      const own = source.closed.find((a) => a.partnerKey === partnerKey(partner));
      return quarters.map((q) => ({
        partner,
        ...row(q, mine, own, partnerPlanCost(plan), targetOf(plan ? [plan] : [], q), currency),
      }));
    });
  return {
    currency,
    quarters: quarters.map((q) => row(q, deals, closed, totalCost, targetOf(partnerPlans, q), currency)),
    partners,
  };
}
