import type { Plan } from '../schemas/plan.schema';
import { resolveOwner } from './plan-people';
import { STAGE_KEYS } from './vocabulary';

/** Something about a valid plan that ops should know; the plan is stored all the same. */
export interface PlanWarning {
  path: string;
  message: string;
}

/**
 * Warnings that teach what a co-sell plan is (three parties, a partner with work of its own, named
 * risks, the customer's own date): a plan can validate and still be a two-party action plan with a
 * partner's name on it. They never refuse a plan.
 */
export function planWarnings(plan: Plan): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const warn = (path: string, message: string) => warnings.push({ path, message });
  if (!plan.owners.customer) {
    warn('owners.customer', 'no customer sponsor is named: a co-sell plan is agreed with the customer too');
  }
  const first = plan.stages[STAGE_KEYS[0]].confirmedBy as string[];
  if (!first.includes('vendor') || !first.includes('partner')) {
    warn(
      `stages.${STAGE_KEYS[0]}.confirmedBy`,
      'the target account should be confirmed by both the vendor and the partner',
    );
  }
  const fourth = plan.stages[STAGE_KEYS[3]].confirmedBy as string[];
  if (!fourth.includes('customer')) {
    warn(`stages.${STAGE_KEYS[3]}.confirmedBy`, 'the path to a decision should be confirmed by the customer');
  }
  const partnerOwns = STAGE_KEYS.some((stage) =>
    plan.stages[stage].milestones.some((m) => ownerParty(plan, m) === 'partner'),
  );
  if (!partnerOwns) {
    warn('stages', 'the partner owns no milestone: a co-sell plan gives the partner work of its own');
  }
  if ((plan.risks ?? []).length < 2) {
    warn('risks', 'name at least two risks: the things that could derail the deal');
  }
  let latest = '';
  let latestStage = '';
  for (const stage of STAGE_KEYS) {
    const milestones = plan.stages[stage].milestones;
    if (milestones.length === 0) {
      warn(`stages.${stage}.milestones`, 'this stage has no milestones: what leads to its exit?');
    }
    for (const [i, m] of milestones.entries()) {
      if (latest && m.due < latest && latestStage !== stage) {
        warn(
          `stages.${stage}.milestones[${i}].due`,
          `${m.due} is before ${latest}, a milestone of the earlier stage ${latestStage}: milestones fall out of stage order`,
        );
      }
    }
    const dues = milestones.map((m) => m.due).sort();
    const last = dues.at(-1);
    if (last && last > latest) {
      latest = last;
      latestStage = stage;
    }
  }
  const close = plan.jointOutcome.closeDate;
  if (inLastDaysOfQuarter(close, 3)) {
    warn(
      'jointOutcome.closeDate',
      `${close} is in the last three days of a calendar quarter: a quota date, not the customer's decision date?`,
    );
  }
  return warnings;
}

function ownerParty(plan: Plan, m: { id: string; owner: string }): string | undefined {
  try {
    return resolveOwner(plan, m).party;
  } catch {
    return undefined;
  }
}

/** Whether `date` (YYYY-MM-DD) is within the last `days` days of March, June, September or December. */
export function inLastDaysOfQuarter(date: string, days: number): boolean {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (m % 3 !== 0) return false;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d > lastDay - days;
}
