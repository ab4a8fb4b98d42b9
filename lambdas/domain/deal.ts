import type { Plan } from '../schemas/plan.schema';
import type { DeliveryProblem } from './cadence';
import { resolveOwner } from './plan-people';
import { nextStage } from './playbook';
import type { SlipChoice, SlipProposal } from './slips';
import { daysBetween, zonedInstant } from './time';
import { type Party, STAGE_KEYS, type StageKey } from './vocabulary';

/**
 * A deal is one plan in flight: the plan document as loaded, plus where each stage stands. Milestones
 * live beside it (their own table), because reminders query them by due time across all deals.
 */
export type DealStatus = 'active' | 'won' | 'lost';
export type StageStatus = 'pending' | 'open' | 'passed';
export type MilestoneStatus = 'open' | 'done' | 'waived';

export interface Confirmation {
  party: Party;
  by: string;
  at: string;
  evidence: Record<string, string | number>;
}

export interface StageState {
  status: StageStatus;
  openedAt?: string;
  passedAt?: string;
  confirmations: Confirmation[];
  escalations: number;
}

export interface DealOutcome {
  result: 'won' | 'lost';
  finalArr: number;
  currency: string;
  lesson: string;
  at: string;
  by: string;
}

export interface Deal {
  planId: string;
  tenant: string;
  version: number;
  status: DealStatus;
  stage: StageKey;
  plan: Plan;
  stages: Record<StageKey, StageState>;
  /** The Step Functions task token of the gate now waiting; never leaves the back end. */
  taskToken?: string;
  createdAt: string;
  updatedAt: string;
  outcome?: DealOutcome;
  registeredAt?: string;
  /** Last time anyone on each side acted on the deal (for ghosting). */
  lastActivity: Partial<Record<Party, string>>;
  /**
   * The partner-plan check at loading, when the partner had a plan then: `true` when the deal's account is
   * not on its target list (with the reason), `false` when it is. Absent when there was no partner plan.
   */
  offPartnerPlan?: boolean;
  offPartnerPlanReason?: string;
  /** ISO instant of the next weekly review; kept only while the deal is active (the plans table's review index). */
  nextReviewAt?: string;
  /** Local date (cadence timezone) of the first review, the one that carried the calendar invitation. */
  reviewInvitedOn?: string;
  /** Permanent delivery failures of emails about this deal (the last 20), so ops can fix the address. */
  deliveryProblems?: DeliveryProblem[];
  /** A slip's proposal to move the close date, waiting for the vendor owner (slips.ts). */
  slipProposal?: SlipProposal;
  /** The last proposal the vendor owner decided. */
  lastSlipDecision?: SlipProposal & {
    decision: 'approved' | 'declined';
    decidedAt: string;
    decidedBy: string;
  };
  /** Each approved move of the close date, oldest first (the program report's drift). */
  closeDateMoves?: { from: string; to: string; at: string; by: string }[];
  /**
   * Something the deal cannot get past without a fix (an email refused for good, a workflow that keeps
   * failing): shown by GET /plans/{planId}, `cosell plan list` and the dashboard. The workflow waits at the
   * same gate meanwhile; an amended address, or `cosell plan retry`, makes the next sweep try again.
   */
  needsAttention?: NeedsAttention;
  /** The deal's AWS Partner Central (ACE) opportunity, once ace-sync created it (tenants with `ace`). */
  ace?: { opportunityId: string; catalog: string };
  /**
   * ACE's review of that opportunity as ace-sync last saw it: the status, and the review round (one more each
   * time the status moves into `Action Required` or `Rejected` from another), so each round is told once.
   */
  aceReview?: AceReviewSeen;
  /** Set by `cosell plan retry` (POST /plans/{planId}/retry): the next sweep sends what is still unsent. */
  retryRequestedAt?: string;
  /** The execution waiting at a gate, as its `Await gate` task recorded it with `taskToken` (the reconciler's marker). */
  workflow?: { executionArn: string; stage: StageKey; since: string };
  /** The plan document's version: 1 as loaded (absent means 1), one more per amendment (PUT /plans/{planId}). */
  planVersion?: number;
  /**
   * Per link target (a stage key or a milestone id), how many amendments superseded its links. Links carry
   * it in their target (`<target>@<revision>`), so a link sent before the change answers 410.
   */
  linkRevisions?: Record<string, number>;
  /** The last amendment, for the page of a link it superseded. */
  lastAmendment?: { version: number; at: string; by: string; summary: string[] };
  /** Set when ops closed the deal before its last gate (POST /plans/{planId}/close). */
  closed?: DealClosure;
  /** The `Idempotency-Key` of the POST that created it: a retry with the same key gets this deal back. */
  idempotencyKey?: string;
  /** At registration, when the partner has a partner plan: its credit rule against the deal's evidence. */
  attributionCheck?: { rule: string; agrees: boolean; why: string };
}

export interface AceReviewSeen {
  status: string;
  round: number;
  since: string;
}

export interface NeedsAttention {
  /** In words: what did not happen, e.g. `the stage 2 gate email to ana@acme.example`. */
  what: string;
  /** The error as the service gave it. */
  error: string;
  /** ISO instant it was first seen. */
  since: string;
  /** The ledger keys of the emails not sent, tried again after a fix. */
  keys?: string[];
  /** The plan version it was seen at: an amendment since then counts as a fix to try. */
  planVersion?: number;
}

export interface DealClosure {
  outcome: 'lost' | 'no-decision' | 'withdrawn';
  reason: string;
  lesson?: string;
  /** The stage the deal died in. */
  stage: StageKey;
  at: string;
  by: string;
}

export interface Owner {
  party: Party;
  name: string;
  email: string;
  timezone: string;
}

export interface Slip {
  from: string;
  to: string;
  at: string;
  by: string;
  reason?: string;
  /** How the reporter handled it (slips.ts); absent on slips from before the choice. */
  choice?: SlipChoice;
}

export interface MilestoneState {
  planId: string;
  milestoneId: string;
  stage: StageKey;
  /** Position in the plan's joint sequence (stage order, then file order). */
  seq: number;
  title: string;
  owner: Owner;
  due: string;
  /** The instant the milestone is due: 17:00 on its due date in the owner's timezone. */
  dueAt: string;
  status: MilestoneStatus;
  handoff?: { from: Party; to: Party; acceptedAt?: string; acceptedBy?: string };
  doneAt?: string;
  doneBy?: string;
  waived?: { at: string; by: string; reason: string };
  slips: Slip[];
  stuck: { at: string; by: string; reason: string }[];
  /** When the reminder sweep should next look at this milestone; absent once nothing is left to send. */
  nudgeAt?: string;
  /** Set when an amendment removed it from the plan: kept (waived) so its links answer truthfully. */
  removed?: { at: string; by: string; version: number };
  version: number;
}

export const DUE_TIME = '17:00';

export function dueInstant(due: string, timezone: string): string {
  return zonedInstant(due, DUE_TIME, timezone).toISOString();
}

/** The first nudge: the reminder `leadDays` before the milestone is due. */
export function reminderAt(plan: Plan, dueAt: string): string {
  const leadDays = plan.reminders?.leadDays ?? 2;
  return new Date(Date.parse(dueAt) - leadDays * 86_400_000).toISOString();
}

export function startDeal(
  plan: Plan,
  ids: { planId: string; tenant: string; defaultTimezone: string },
  now: Date,
): { deal: Deal; milestones: MilestoneState[] } {
  const at = now.toISOString();
  const stages = Object.fromEntries(
    STAGE_KEYS.map((key) => [
      key,
      { status: 'pending', confirmations: [], escalations: 0 } satisfies StageState,
    ]),
  ) as unknown as Record<StageKey, StageState>;
  const milestones: MilestoneState[] = [];
  for (const stage of STAGE_KEYS) {
    for (const m of plan.stages[stage].milestones) {
      const resolved = resolveOwner(plan, m);
      const owner: Owner = { ...resolved, timezone: resolved.timezone ?? ids.defaultTimezone };
      const dueAt = dueInstant(m.due, owner.timezone);
      milestones.push({
        planId: ids.planId,
        milestoneId: m.id,
        stage,
        seq: milestones.length,
        title: m.title,
        owner,
        due: m.due,
        dueAt,
        status: 'open',
        ...(m.handoff ? { handoff: { from: m.handoff.from, to: m.handoff.to } } : {}),
        slips: [],
        stuck: [],
        nudgeAt: reminderAt(plan, dueAt),
        version: 0,
      });
    }
  }
  const deal: Deal = {
    planId: ids.planId,
    tenant: ids.tenant,
    version: 0,
    status: 'active',
    stage: STAGE_KEYS[0],
    plan,
    stages,
    createdAt: at,
    updatedAt: at,
    lastActivity: {},
  };
  return { deal, milestones };
}

/** The named owner of a party on this plan. */
export function partyOwner(deal: Deal, party: Party, defaultTimezone: string): Owner {
  const o = deal.plan.owners[party];
  // The plan schema guarantees an owner for every party that confirms a gate or owns a milestone.
  if (!o) throw new Error(`the plan names no ${party} owner`);
  return { party, name: o.name, email: o.email, timezone: o.timezone ?? defaultTimezone };
}

/** Which party a person acts for on this plan (owners first, then escalation ladders). */
export function partyOf(plan: Plan, email: string): Party | undefined {
  const e = email.toLowerCase();
  for (const [party, o] of Object.entries(plan.owners) as [Party, { email: string } | undefined][]) {
    if (o?.email.toLowerCase() === e) return party;
  }
  for (const [party, ladder] of Object.entries(plan.escalation ?? {}) as [Party, { email: string }[]][]) {
    if (ladder?.some((p) => p.email.toLowerCase() === e)) return party;
  }
  return undefined;
}

/** Opens a stage's gate: idempotent, so a resumed workflow keeps the original opening time. */
export function openStage(deal: Deal, stage: StageKey, now: Date): Deal {
  const state = deal.stages[stage];
  if (state.status !== 'pending') return deal;
  return touch(
    {
      ...deal,
      stage,
      stages: { ...deal.stages, [stage]: { ...state, status: 'open', openedAt: now.toISOString() } },
    },
    now,
  );
}

/**
 * A stage's deadline: its explicit `deadline`, else the latest due date among its milestones, else the
 * close date; 17:00 that day in the vendor owner's timezone.
 */
export function stageDeadline(
  deal: Deal,
  milestones: MilestoneState[],
  stage: StageKey,
  defaultTz: string,
): Date {
  const explicit = deal.plan.stages[stage].deadline;
  // Work an amendment removed (kept as a tombstone) no longer sets the stage's deadline.
  const dues = milestones.filter((m) => m.stage === stage && !m.removed).map((m) => m.dueAt);
  if (!explicit && dues.length > 0) return new Date(dues.sort().at(-1) as string);
  const tz = deal.plan.owners.vendor.timezone ?? defaultTz;
  return new Date(dueInstant(explicit ?? deal.plan.jointOutcome.closeDate, tz));
}

export interface GateProgress {
  stage: StageKey;
  confirmedBy: Party[];
  missingConfirmations: Party[];
  openMilestones: MilestoneState[];
  ready: boolean;
}

/** A gate passes only when every `confirmedBy` party confirmed and every milestone is done or waived. */
export function gateProgress(deal: Deal, milestones: MilestoneState[], stage: StageKey): GateProgress {
  const state = deal.stages[stage];
  const required = deal.plan.stages[stage].confirmedBy as Party[];
  const confirmed = new Set(state.confirmations.map((c) => c.party));
  const missingConfirmations = required.filter((p) => !confirmed.has(p));
  const openMilestones = milestones.filter((m) => m.stage === stage && m.status === 'open');
  return {
    stage,
    confirmedBy: required.filter((p) => confirmed.has(p)),
    missingConfirmations,
    openMilestones,
    ready: missingConfirmations.length === 0 && openMilestones.length === 0,
  };
}

/**
 * Passes the current gate if it is ready. The deal moves to the next stage (opened by the workflow), or,
 * after the last stage, to its outcome. Returns the workflow outcome to report, if the gate passed.
 */
export function passGateIfReady(
  deal: Deal,
  milestones: MilestoneState[],
  now: Date,
): { deal: Deal; passed?: { stage: StageKey; outcome: 'passed' | 'lost' } } {
  const stage = deal.stage;
  if (deal.status !== 'active' || deal.stages[stage].status !== 'open') return { deal };
  const progress = gateProgress(deal, milestones, stage);
  const lost = deal.outcome?.result === 'lost';
  // A lost outcome, once every confirming party has spoken, ends the deal whatever work is still open.
  if (!progress.ready && !(lost && progress.missingConfirmations.length === 0)) return { deal };
  const at = now.toISOString();
  const stages = {
    ...deal.stages,
    [stage]: { ...deal.stages[stage], status: 'passed' as const, passedAt: at },
  };
  const next = nextStage(stage);
  const status: DealStatus = next && !lost ? 'active' : (deal.outcome?.result ?? 'won');
  const moved: Deal = touch({ ...deal, stages, stage: next && !lost ? next : stage, status }, now);
  return { deal: moved, passed: { stage, outcome: lost ? 'lost' : 'passed' } };
}

/** Whole days each stage was (or has been) open; pending stages count 0. */
export function daysInStages(deal: Deal, now: Date): Record<StageKey, number> {
  return Object.fromEntries(
    STAGE_KEYS.map((key) => {
      const s = deal.stages[key];
      if (!s.openedAt) return [key, 0];
      const end = s.passedAt ?? now.toISOString();
      return [key, Math.max(0, daysBetween(s.openedAt.slice(0, 10), end.slice(0, 10)))];
    }),
  ) as Record<StageKey, number>;
}

export function touch(deal: Deal, now: Date): Deal {
  return { ...deal, updatedAt: now.toISOString() };
}

export function recordActivity(deal: Deal, party: Party | undefined, now: Date): Deal {
  if (!party) return deal;
  return { ...deal, lastActivity: { ...deal.lastActivity, [party]: now.toISOString() } };
}
