import type { Plan } from '../schemas/plan.schema';
import {
  type Deal,
  dueInstant,
  type MilestoneState,
  type Owner,
  passGateIfReady,
  reminderAt,
  touch,
} from './deal';
import { linkTarget } from './link-targets';
import { gateAsks } from './notifications';
import { describeChange, diffPlan, type PlanChange, type PlanProblem, sharedChange } from './plan-diff';
import { resolveOwner } from './plan-people';
import { STAGE_KEYS, type StageKey } from './vocabulary';
import { nextReviewAfter } from './weekly-review';

/** A deal with a new version of its plan applied, or the reasons it was refused. */
export type Amendment =
  | { ok: false; problems: PlanProblem[]; changes: PlanChange[] }
  | {
      ok: true;
      deal: Deal;
      /** Every milestone as it stands after the amendment (tombstones of removed ones included). */
      all: MilestoneState[];
      /** Those to write: new, changed and removed. */
      milestones: MilestoneState[];
      changes: PlanChange[];
      passed?: { stage: StageKey; outcome: 'passed' | 'lost' };
    };

const MAX_SUMMARY = 20;

/**
 * Applies a new plan version to a running deal: progress (confirmations, done work, slips) is kept;
 * milestones are added, updated, or removed (kept as a waived tombstone so their links answer 410);
 * the links of every changed target are superseded (their revision goes up); and when the change leaves
 * the current gate with nothing to wait for, it passes.
 */
export function amendDeal(
  deal: Deal,
  milestones: MilestoneState[],
  next: Plan,
  ctx: { now: Date; by: string; defaultTimezone: string },
): Amendment {
  const diff = diffPlan(deal, milestones, next);
  if (diff.problems.length) return { ok: false, problems: diff.problems, changes: diff.changes };
  const at = ctx.now.toISOString();
  const version = (deal.planVersion ?? 1) + 1;
  const live = new Map(milestones.map((m) => [m.milestoneId, m]));
  const revisions: Record<string, number> = { ...(deal.linkRevisions ?? {}) };
  const bump = (target: string) => {
    revisions[target] = (revisions[target] ?? 0) + 1;
  };
  // A longer lead time brings the sweep's next look at open work forward; a shorter one puts none off.
  const remindersMoved = JSON.stringify(deal.plan.reminders) !== JSON.stringify(next.reminders);
  const all: MilestoneState[] = [];
  const written: MilestoneState[] = [];
  const seen = new Set<string>();
  for (const stage of STAGE_KEYS) {
    for (const m of next.stages[stage].milestones) {
      seen.add(m.id);
      const resolved = resolveOwner(next, m);
      const owner: Owner = { ...resolved, timezone: resolved.timezone ?? ctx.defaultTimezone };
      const dueAt = dueInstant(m.due, owner.timezone);
      const seq = all.length;
      const state = live.get(m.id);
      if (!state || state.removed) {
        const fresh: MilestoneState = {
          planId: deal.planId,
          milestoneId: m.id,
          stage,
          seq,
          title: m.title,
          owner,
          due: m.due,
          dueAt,
          status: 'open',
          ...(m.handoff ? { handoff: { from: m.handoff.from, to: m.handoff.to } } : {}),
          slips: [],
          stuck: [],
          nudgeAt: reminderAt(next, dueAt),
          // A milestone re-added after removal overwrites its tombstone (same key, same version rule).
          version: state?.version ?? 0,
        };
        if (state) bump(m.id);
        all.push(fresh);
        written.push(fresh);
        continue;
      }
      if (state.status === 'done') {
        const kept = state.seq === seq ? state : { ...state, seq };
        all.push(kept);
        if (kept !== state) written.push(kept);
        continue;
      }
      const sameOwner = state.owner.email.toLowerCase() === owner.email.toLowerCase();
      const sameHandoff = state.handoff?.from === m.handoff?.from && state.handoff?.to === m.handoff?.to;
      const target = state.title !== m.title || state.due !== m.due || !sameOwner || !sameHandoff;
      const handoff = m.handoff
        ? sameHandoff && state.handoff
          ? state.handoff
          : { from: m.handoff.from, to: m.handoff.to }
        : undefined;
      const updated: MilestoneState = {
        ...state,
        seq,
        title: m.title,
        owner,
        due: m.due,
        dueAt,
        ...(state.due !== m.due || !sameOwner
          ? { nudgeAt: reminderAt(next, dueAt) }
          : remindersMoved && state.status === 'open'
            ? { nudgeAt: earlier(state.nudgeAt, reminderAt(next, dueAt)) }
            : {}),
      };
      if (handoff) updated.handoff = handoff;
      else delete updated.handoff;
      if (target) bump(m.id);
      all.push(updated);
      if (JSON.stringify(updated) !== JSON.stringify(state)) written.push(updated);
    }
  }
  for (const state of milestones) {
    if (seen.has(state.milestoneId)) continue;
    if (state.removed) {
      all.push(state);
      continue;
    }
    const { nudgeAt: _, ...rest } = state;
    const tombstone: MilestoneState = {
      ...rest,
      seq: all.length,
      status: 'waived',
      waived: { at, by: ctx.by, reason: `removed from the plan (version ${version})` },
      removed: { at, by: ctx.by, version },
    };
    all.push(tombstone);
    written.push(tombstone);
  }
  // Gate confirmations: a stage whose confirming parties or their owners changed gets new confirm links.
  for (const stage of STAGE_KEYS) {
    const before = deal.plan.stages[stage];
    const after = next.stages[stage];
    const ownersMoved = (after.confirmedBy as string[]).some(
      (p) =>
        deal.plan.owners[p as keyof Plan['owners']]?.email.toLowerCase() !==
        next.owners[p as keyof Plan['owners']]?.email.toLowerCase(),
    );
    if (
      JSON.stringify(before.confirmedBy) !== JSON.stringify(after.confirmedBy) ||
      before.exit !== after.exit ||
      ownersMoved
    ) {
      if (deal.stages[stage].status !== 'passed') bump(stage);
    }
  }
  const cadenceMoved = JSON.stringify(deal.plan.cadence) !== JSON.stringify(next.cadence);
  const amended: Deal = touch(
    {
      ...deal,
      plan: next,
      planVersion: version,
      linkRevisions: revisions,
      lastAmendment: {
        version,
        at,
        by: ctx.by,
        // Shown on superseded links' pages, to every party: nothing only the vendor and partner may see.
        summary: diff.changes.filter(sharedChange).slice(0, MAX_SUMMARY).map(describeChange),
      },
      ...(cadenceMoved && deal.nextReviewAt
        ? { nextReviewAt: nextReviewAfter(next.cadence, ctx.now).toISOString() }
        : {}),
    },
    ctx.now,
  );
  const { deal: moved, passed } = passGateIfReady(amended, all, ctx.now);
  return {
    ok: true,
    deal: moved,
    all,
    milestones: written,
    changes: diff.changes,
    ...(passed ? { passed } : {}),
  };
}

function earlier(a: string | undefined, b: string): string {
  return a !== undefined && a < b ? a : b;
}

/**
 * Who gets new links after an amendment: everyone the current gate asks something of whose asks were not
 * all in the links they already hold (a new owner; a changed target; new work). People the amendment
 * removed are not asked anything, so they get nothing.
 */
export function newAsks(
  before: { deal: Deal; milestones: MilestoneState[] },
  after: { deal: Deal; milestones: MilestoneState[] },
  defaultTz: string,
): ReturnType<typeof gateAsks> {
  const stage = after.deal.stage;
  if (after.deal.status !== 'active' || after.deal.stages[stage].status !== 'open') return [];
  if (before.deal.stage !== stage) return [];
  const held = new Set(
    gateAsks(before.deal, before.milestones, stage, defaultTz).flatMap(({ recipient, asks }) =>
      asks.map((a) => `${recipient.email.toLowerCase()}|${a.action}|${linkTarget(before.deal, a.target)}`),
    ),
  );
  return gateAsks(after.deal, after.milestones, stage, defaultTz).filter(({ recipient, asks }) =>
    asks.some(
      (a) => !held.has(`${recipient.email.toLowerCase()}|${a.action}|${linkTarget(after.deal, a.target)}`),
    ),
  );
}
