import { randomBytes } from 'node:crypto';
import type { Plan } from '../../schemas/plan.schema';
import { type Deal, gateProgress, type MilestoneState, startDeal } from '../deal';
import { NotFoundError } from '../errors';
import { accountOnPartnerPlan } from '../partner-plans';
import type { DealSnapshot, DealSummary, Deps, EmailSubjects, PartnerPlanStore } from '../ports';
import { type SchedulePreview, schedulePreview } from '../schedule-preview';
import { STAGE_KEYS } from '../vocabulary';
import { nextReviewAfter } from '../weekly-review';

export function newPlanId(): string {
  return `pl_${randomBytes(10).toString('hex')}`;
}

/** Something about an accepted plan that ops should know; the plan is stored all the same. */
export interface PlanWarning {
  path: string;
  message: string;
}

export type CreatedPlan = PlanView & { warnings: PlanWarning[] };

/**
 * Stores a validated plan and starts its workflow; if the start fails, the stored plan is removed. When the
 * partner has a partner plan, the deal records whether its account is on that plan's target list
 * (`offPartnerPlan`, used by the program report) and an account off the list comes back as a warning.
 */
export async function createPlan(
  deps: Pick<Deps, 'store' | 'workflow' | 'clock' | 'config'> & {
    /** Absent on an older stack without the partner-plans table: the plan is then stored unchecked. */
    partnerPlans: PartnerPlanStore | undefined;
  },
  plan: Plan,
): Promise<CreatedPlan> {
  const now = deps.clock.now();
  const started = startDeal(
    plan,
    { planId: newPlanId(), tenant: deps.config.tenant, defaultTimezone: deps.config.defaultTimezone },
    now,
  );
  const partnerPlan = await deps.partnerPlans?.get(plan.partner.name);
  const check = partnerPlan ? accountOnPartnerPlan(partnerPlan, plan) : undefined;
  const warnings: PlanWarning[] = check && !check.onList ? [{ path: 'account', message: check.message }] : [];
  // The first weekly review: the first cadence instant after loading (the plans table's review index).
  const deal: Deal = {
    ...started.deal,
    nextReviewAt: nextReviewAfter(plan.cadence, now).toISOString(),
    ...(check ? { offPartnerPlan: !check.onList } : {}),
    ...(check && !check.onList ? { offPartnerPlanReason: check.message } : {}),
  };
  const snapshot = { ...started, deal };
  await deps.store.create(snapshot);
  try {
    await deps.workflow.start(snapshot.deal.planId, { planId: snapshot.deal.planId });
  } catch (error) {
    await deps.store.remove(snapshot);
    throw error;
  }
  return { ...planView(snapshot), warnings };
}

export async function getPlan(deps: Pick<Deps, 'store'>, planId: string): Promise<PlanView> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return planView(snapshot);
}

/** Who will be sent what, and when, if nothing happens (`GET /plans/{planId}/schedule`). */
export async function getSchedule(
  deps: Pick<Deps, 'store' | 'clock' | 'config'> & { subjects: EmailSubjects },
  planId: string,
): Promise<SchedulePreview> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
  return schedulePreview(snapshot, deps.clock.now(), deps.config.defaultTimezone, deps.subjects);
}

export async function listPlans(deps: Pick<Deps, 'store'>): Promise<DealSummary[]> {
  return deps.store.list();
}

export interface PlanView {
  planId: string;
  name: string;
  partner: string;
  account: string;
  status: Deal['status'];
  stage: string;
  attribution: string;
  closeDate: string;
  stages: {
    key: string;
    status: string;
    openedAt?: string;
    passedAt?: string;
    confirmations: Deal['stages'][keyof Deal['stages']]['confirmations'];
    waitingFor: { confirmations: string[]; milestones: string[] };
  }[];
  milestones: {
    id: string;
    stage: string;
    title: string;
    owner: { party: string; name: string; email: string };
    due: string;
    dueAt: string;
    status: MilestoneState['status'];
    handoff?: MilestoneState['handoff'];
    slips: MilestoneState['slips'];
  }[];
  outcome?: Deal['outcome'];
  registeredAt?: string;
  /** Set when the partner had a partner plan at loading: whether the account is off its target list. */
  offPartnerPlan?: boolean;
  offPartnerPlanReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** The public view of a deal: no task token, no internals. */
export function planView({ deal, milestones }: DealSnapshot): PlanView {
  return {
    planId: deal.planId,
    name: deal.plan.name,
    partner: deal.plan.partner.name,
    account: deal.plan.account.name,
    status: deal.status,
    stage: deal.stage,
    attribution: deal.plan.attribution,
    closeDate: deal.plan.jointOutcome.closeDate,
    // In playbook order: the stored map's key order is whatever DynamoDB returns.
    stages: STAGE_KEYS.map((key) => {
      const s = deal.stages[key];
      const progress = gateProgress(deal, milestones, key);
      return {
        key,
        status: s.status,
        ...(s.openedAt ? { openedAt: s.openedAt } : {}),
        ...(s.passedAt ? { passedAt: s.passedAt } : {}),
        confirmations: s.confirmations,
        waitingFor: {
          confirmations: s.status === 'passed' ? [] : progress.missingConfirmations,
          milestones: progress.openMilestones.map((m) => m.milestoneId),
        },
      };
    }),
    milestones: [...milestones]
      .sort((a, b) => a.seq - b.seq)
      .map((m) => ({
        id: m.milestoneId,
        stage: m.stage,
        title: m.title,
        owner: { party: m.owner.party, name: m.owner.name, email: m.owner.email },
        due: m.due,
        dueAt: m.dueAt,
        status: m.status,
        ...(m.handoff ? { handoff: m.handoff } : {}),
        slips: m.slips,
      })),
    ...(deal.outcome ? { outcome: deal.outcome } : {}),
    ...(deal.registeredAt ? { registeredAt: deal.registeredAt } : {}),
    ...(deal.offPartnerPlan !== undefined ? { offPartnerPlan: deal.offPartnerPlan } : {}),
    ...(deal.offPartnerPlanReason ? { offPartnerPlanReason: deal.offPartnerPlanReason } : {}),
    createdAt: deal.createdAt,
    updatedAt: deal.updatedAt,
  };
}
