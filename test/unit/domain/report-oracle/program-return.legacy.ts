// A frozen copy of the report as it was before the closed-deal aggregates (commit 4a49296), reading every
// deal: the oracle test/unit/domain/closed-aggregates.test.ts compares the report over aggregates with.
import type { Deal } from '../../../../lambdas/domain/deal';
import { partnerPlanFor, quarterOf, samePartner } from '../../../../lambdas/domain/partner-plans';
import type { PartnerPlan } from '../../../../lambdas/schemas/partner-plan.schema';
import { closeQuarter } from './forecast.legacy';

/**
 * The program's return, per quarter and per partner: what the CFO can defend. Pure, over the deals given.
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
  cost: Money | undefined,
  target: number | null,
  currency: string,
): ReturnRow {
  const won = deals.filter((d) => d.status === 'won' && d.outcome && quarterOf(d.outcome.at) === quarter);
  const wonArr = won.reduce((a, d) => a + (d.outcome?.finalArr ?? 0), 0);
  const fees = won.reduce((a, d) => a + partnerFee(d), 0);
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
  reportDeals: readonly { deal: Deal }[],
  partnerPlans: readonly PartnerPlan[],
  options: { currency: string; quarter: string; programCost?: Money },
): ProgramReturn {
  const currency = options.currency;
  const deals = reportDeals.map((d) => d.deal).filter((d) => dealCurrency(d) === currency);
  const quarterSet = new Set<string>([options.quarter]);
  for (const d of deals) if (d.status === 'won' && d.outcome) quarterSet.add(quarterOf(d.outcome.at));
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
  for (const d of reportDeals) {
    const key = d.deal.plan.partner.name.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!names.has(key))
      names.set(
        key,
        partnerPlanFor(partnerPlans, d.deal.plan.partner.name)?.partner.name ?? d.deal.plan.partner.name,
      );
  }
  const partners = [...names.values()]
    .sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
    .flatMap((partner) => {
      const plan = partnerPlanFor(partnerPlans, partner);
      const mine = deals.filter((d) => samePartner(d.plan.partner.name, partner));
      return quarters.map((q) => ({
        partner,
        ...row(q, mine, partnerPlanCost(plan), targetOf(plan ? [plan] : [], q), currency),
      }));
    });
  return {
    currency,
    quarters: quarters.map((q) => row(q, deals, totalCost, targetOf(partnerPlans, q), currency)),
    partners,
  };
}
