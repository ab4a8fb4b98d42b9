import { createHash, randomBytes } from 'node:crypto';
import type { Plan } from '../../schemas/plan.schema';
import { type Deal, gateProgress, type MilestoneState, startDeal } from '../deal';
import { ConcurrentUpdateError, NotFoundError } from '../errors';
import { historyEntry, recordHistory } from '../history';
import { accountOnPartnerPlan } from '../partner-plans';
import { PlanConflictError } from '../plan-errors';
import { type PlanWarning, planWarnings } from '../plan-warnings';
import type {
  DealSnapshot,
  DealSummary,
  Deps,
  EmailSubjects,
  HistoryStore,
  PartnerPlanStore,
  PlanList,
} from '../ports';
import { type SchedulePreview, schedulePreview } from '../schedule-preview';
import { STAGE_KEYS } from '../vocabulary';
import { nextReviewAfter } from '../weekly-review';
import { graceDaysOf, workCalendarOf } from '../workdays';

export function newPlanId(): string {
  return `pl_${randomBytes(10).toString('hex')}`;
}

export type { PlanWarning } from '../plan-warnings';

export type CreatedPlan = PlanView & { warnings: PlanWarning[]; version: number };

export interface CreateOptions {
  /** `Idempotency-Key`: a retried POST with the same key answers with the deal the first one created. */
  idempotencyKey?: string;
  /** `?duplicate=allow`: load it even if an active deal has the same partner, account and name. */
  allowDuplicate?: boolean;
  /** Who loaded it (the ops principal), for the history. */
  by?: string;
}

/** The plan id a keyed POST gets: the same key, the same deal, so a retry finds the first one's. */
export function keyedPlanId(tenant: string, key: string): string {
  return `pl_${createHash('sha256').update(`${tenant}\n${key}`).digest('hex').slice(0, 20)}`;
}

/**
 * Stores a validated plan and starts its workflow; if the start fails, the stored plan is removed. When the
 * partner has a partner plan, the deal records whether its account is on that plan's target list
 * (`offPartnerPlan`, used by the program report) and an account off the list comes back as a warning.
 * A plan with an `id` becomes the deal of that id (409 if it exists); one without is refused (409) when an
 * active deal has the same partner, account and name, unless duplicates are allowed.
 */
export async function createPlan(
  deps: Pick<Deps, 'store' | 'workflow' | 'clock' | 'config'> & {
    store: PlanList;
    /** Absent on an older stack without the partner-plans table: the plan is then stored unchecked. */
    partnerPlans: PartnerPlanStore | undefined;
    history?: HistoryStore;
  },
  plan: Plan,
  options: CreateOptions = {},
): Promise<CreatedPlan> {
  const now = deps.clock.now();
  const key = options.idempotencyKey;
  const planId = plan.id ?? (key ? keyedPlanId(deps.config.tenant, key) : newPlanId());
  const existing = plan.id || key ? await deps.store.get(planId) : undefined;
  if (existing) {
    const first = replay(existing, plan, key);
    if (first) return first;
    throw new PlanConflictError(
      `a deal with id ${planId} exists (“${existing.deal.plan.name}”): apply the file to amend it (PUT /plans/${planId})`,
      [{ path: 'id', message: `plan ${planId} exists` }],
      planId,
    );
  }
  if (!plan.id && !options.allowDuplicate) {
    const same = await activeTwin(deps.store, plan);
    // The twin may be this key's own deal, stored by a first attempt since the read above: answer with it.
    const own = key && same?.planId === planId ? await deps.store.get(planId) : undefined;
    const first = own && replay(own, plan, key);
    if (first) return first;
    if (same) {
      throw new PlanConflictError(
        `an active deal ${same.planId} has the same partner, account and name: amend it, or send ?duplicate=allow to load a second one`,
        [{ path: 'name', message: `same as active deal ${same.planId}` }],
        same.planId,
      );
    }
  }
  const started = startDeal(
    plan,
    { planId, tenant: deps.config.tenant, defaultTimezone: deps.config.defaultTimezone },
    now,
  );
  const partnerPlan = await deps.partnerPlans?.get(plan.partner.name);
  const check = partnerPlan ? accountOnPartnerPlan(partnerPlan, plan) : undefined;
  // The first weekly review: the first cadence instant after loading (the plans table's review index).
  const deal: Deal = {
    ...started.deal,
    planVersion: 1,
    ...(key ? { idempotencyKey: key } : {}),
    nextReviewAt: nextReviewAfter(plan.cadence, now).toISOString(),
    ...(check ? { offPartnerPlan: !check.onList } : {}),
    ...(check && !check.onList ? { offPartnerPlanReason: check.message } : {}),
  };
  const snapshot = { ...started, deal };
  try {
    await deps.store.create(snapshot);
  } catch (error) {
    // Two keyed requests at once: the second finds the first's deal.
    const again = key && error instanceof ConcurrentUpdateError ? await deps.store.get(planId) : undefined;
    const first = again && replay(again, plan, key);
    if (first) return first;
    if (error instanceof ConcurrentUpdateError) {
      throw new PlanConflictError(
        `a deal with id ${planId} exists`,
        [{ path: 'id', message: 'exists' }],
        planId,
      );
    }
    throw error;
  }
  try {
    await deps.workflow.start(snapshot.deal.planId, { planId: snapshot.deal.planId });
  } catch (error) {
    await deps.store.remove(snapshot);
    throw error;
  }
  await recordHistory(deps.history, planId, [
    historyEntry(now, options.by ?? 'ops', 'created', {
      version: 1,
      name: plan.name,
      partner: plan.partner.name,
      account: plan.account.name,
    }),
  ]);
  return created(snapshot, plan);
}

/**
 * The answer to a retried keyed POST: the deal its key created. The same key with another plan (another
 * partner, account or name) is not a retry: it is refused rather than answered for the first plan.
 */
function replay(existing: DealSnapshot, plan: Plan, key: string | undefined): CreatedPlan | undefined {
  if (!key || existing.deal.idempotencyKey !== key) return undefined;
  const was = existing.deal.plan;
  if (
    was.name !== plan.name ||
    was.partner.name !== plan.partner.name ||
    was.account.name !== plan.account.name
  ) {
    throw new PlanConflictError(
      `Idempotency-Key ${key} was used for another plan (“${was.name}”, ${existing.deal.planId}): use a new key for a new plan`,
      [{ path: '(idempotency-key)', message: `already used for ${existing.deal.planId}` }],
      existing.deal.planId,
    );
  }
  return created(existing, plan);
}

/** An active deal with the same partner, account and name, read through the partner's active deals only. */
async function activeTwin(store: PlanList, plan: Plan): Promise<DealSummary | undefined> {
  let cursor: string | undefined;
  do {
    const page = await store.listPage({
      limit: 100,
      status: 'active',
      partner: plan.partner.name,
      ...(cursor ? { cursor } : {}),
    });
    const twin = page.plans.find(
      (d) =>
        d.status === 'active' &&
        d.partner === plan.partner.name &&
        d.account === plan.account.name &&
        d.name === plan.name,
    );
    if (twin) return twin;
    cursor = page.nextCursor;
  } while (cursor);
  return undefined;
}

function created(snapshot: DealSnapshot, plan: Plan): CreatedPlan {
  const { deal } = snapshot;
  const warnings = [
    ...(deal.offPartnerPlan && deal.offPartnerPlanReason
      ? [{ path: 'account', message: deal.offPartnerPlanReason }]
      : []),
    ...planWarnings(plan),
  ];
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
  return schedulePreview(snapshot, deps.clock.now(), deps.config.defaultTimezone, deps.subjects, undefined, {
    calendar: workCalendarOf(deps.config),
    graceDays: graceDaysOf(deps.config),
  });
}

export async function listPlans(deps: { store: PlanList }): Promise<DealSummary[]> {
  return deps.store.list();
}

export interface PlanView {
  planId: string;
  /** The plan document's version (If-Match of PUT /plans/{planId}). */
  version: number;
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
  /** How ops closed it, when they did (POST /plans/{planId}/close). */
  closed?: Deal['closed'];
  registeredAt?: string;
  /** Set when the partner had a partner plan at loading: whether the account is off its target list. */
  offPartnerPlan?: boolean;
  offPartnerPlanReason?: string;
  /** What the deal cannot get past without a fix (an email refused, a workflow stopped), and since when. */
  needsAttention?: { what: string; error: string; since: string };
  /** The deal's AWS Partner Central opportunity (tenants with `ace`). */
  ace?: Deal['ace'];
  createdAt: string;
  updatedAt: string;
}

/** The public view of a deal: no task token, no internals. */
export function planView({ deal, milestones }: DealSnapshot): PlanView {
  return {
    planId: deal.planId,
    version: deal.planVersion ?? 1,
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
    milestones: milestones
      .filter((m) => !m.removed)
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
    ...(deal.closed ? { closed: deal.closed } : {}),
    ...(deal.registeredAt ? { registeredAt: deal.registeredAt } : {}),
    ...(deal.offPartnerPlan !== undefined ? { offPartnerPlan: deal.offPartnerPlan } : {}),
    ...(deal.offPartnerPlanReason ? { offPartnerPlanReason: deal.offPartnerPlanReason } : {}),
    ...(deal.needsAttention
      ? {
          needsAttention: {
            what: deal.needsAttention.what,
            error: deal.needsAttention.error,
            since: deal.needsAttention.since,
          },
        }
      : {}),
    ...(deal.ace ? { ace: deal.ace } : {}),
    createdAt: deal.createdAt,
    updatedAt: deal.updatedAt,
  };
}
