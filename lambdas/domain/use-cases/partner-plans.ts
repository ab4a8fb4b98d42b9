import type { PartnerPlan } from '../../schemas/partner-plan.schema';
import type { Clock, PartnerPlanStore } from '../ports';

/** `PUT /partner-plans` and `GET /partner-plans`: one plan per partner, a PUT replaces the partner's plan. */

export interface PartnerPlanSummary {
  partner: string;
  targetAccounts: number;
  quarterlyTarget: PartnerPlan['quarterlyTarget'];
}

export interface PutPartnerPlanResult extends PartnerPlanSummary {
  /** False when the partner already had a plan, now replaced. */
  created: boolean;
}

function summary(plan: PartnerPlan): PartnerPlanSummary {
  return {
    partner: plan.partner.name,
    targetAccounts: plan.targetAccounts.length,
    quarterlyTarget: plan.quarterlyTarget,
  };
}

/** Stores a validated partner plan, replacing the partner's previous one. */
export async function putPartnerPlan(
  deps: { partnerPlans: PartnerPlanStore; clock: Clock },
  plan: PartnerPlan,
): Promise<PutPartnerPlanResult> {
  const { created } = await deps.partnerPlans.put(plan, deps.clock.now());
  return { ...summary(plan), created };
}

/** Every partner plan in full, by partner name. */
export async function listPartnerPlans(deps: {
  partnerPlans: PartnerPlanStore;
}): Promise<{ partnerPlans: PartnerPlan[] }> {
  return { partnerPlans: await deps.partnerPlans.list() };
}
