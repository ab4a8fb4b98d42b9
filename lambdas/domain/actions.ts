import type { Party, StageKey } from '../schemas/plan.schema';
import {
  type Confirmation,
  type Deal,
  dueInstant,
  type MilestoneState,
  partyOf,
  passGateIfReady,
  recordActivity,
  reminderAt,
  touch,
} from './deal';
import type { LinkAction, LinkClaims } from './links';
import { isStageKey, STAGES } from './playbook';
import { addDays, daysBetween } from './time';

/** Why a well-signed link can no longer act. */
export type LinkRefusal =
  | { reason: 'superseded'; message: string }
  | { reason: 'already-done'; message: string }
  | { reason: 'not-allowed'; message: string };

export interface ActionTarget {
  stage: StageKey;
  milestone?: MilestoneState;
}

/** Checks that the link's target is still where the link was sent; a link dies when its target moves on. */
export function checkLinkTarget(
  claims: LinkClaims,
  deal: Deal,
  milestones: MilestoneState[],
): { ok: true; target: ActionTarget } | ({ ok: false } & LinkRefusal) {
  if (deal.status !== 'active') {
    return {
      ok: false,
      reason: 'superseded',
      message: `This deal is closed (${deal.status}); nothing is left to do.`,
    };
  }
  if (claims.action === 'confirm-gate') {
    const stage = claims.target;
    if (!isStageKey(stage)) return { ok: false, reason: 'not-allowed', message: 'This link names no stage.' };
    const state = deal.stages[stage];
    const title = STAGES[stage].title;
    const party = partyOf(deal.plan, claims.recipient);
    // Checked first: when several links race to confirm, the losers learn their side already confirmed.
    const earlier = state.confirmations.find((c) => c.party === party);
    if (earlier) {
      const passed = state.status === 'passed' ? ` The ${title} gate has already passed.` : '';
      return {
        ok: false,
        reason: 'already-done',
        message: `The ${party} side already confirmed this gate (${earlier.by}, ${earlier.at}).${passed}`,
      };
    }
    if (state.status === 'passed') {
      return { ok: false, reason: 'superseded', message: `The ${title} gate has already passed.` };
    }
    if (state.status === 'pending') {
      return { ok: false, reason: 'superseded', message: `The ${title} gate is not open yet.` };
    }
    if (!party || !(deal.plan.stages[stage].confirmedBy as Party[]).includes(party)) {
      return {
        ok: false,
        reason: 'not-allowed',
        message: `${claims.recipient} does not confirm the ${title} gate.`,
      };
    }
    return { ok: true, target: { stage } };
  }
  const milestone = milestones.find((m) => m.milestoneId === claims.target);
  if (!milestone)
    return { ok: false, reason: 'superseded', message: 'This milestone is no longer in the plan.' };
  if (milestone.status !== 'open') {
    const by = milestone.status === 'done' ? milestone.doneBy : milestone.waived?.by;
    const at = milestone.status === 'done' ? milestone.doneAt : milestone.waived?.at;
    return {
      ok: false,
      reason: 'already-done',
      message: `“${milestone.title}” is already ${milestone.status} (${by}, ${at}).`,
    };
  }
  const allowed =
    claims.action === 'waive-milestone'
      ? sameEmail(deal.plan.owners.vendor.email, claims.recipient)
      : sameEmail(milestone.owner.email, claims.recipient);
  if (!allowed) {
    return { ok: false, reason: 'superseded', message: `“${milestone.title}” has been reassigned.` };
  }
  if (claims.action === 'accept-handoff' && milestone.handoff?.acceptedAt) {
    return {
      ok: false,
      reason: 'already-done',
      message: `The handoff was already accepted (${milestone.handoff.acceptedBy}, ${milestone.handoff.acceptedAt}).`,
    };
  }
  return { ok: true, target: { stage: milestone.stage, milestone } };
}

/** What the action asks the outside world to do besides saving: emails are sent once, by key. */
export type Notice =
  | { kind: 'stuck'; milestone: MilestoneState; reason: string; by: string }
  | { kind: 'slipped'; milestone: MilestoneState; impact: SlipImpact; by: string };

export interface SlipImpact {
  days: number;
  moved: { milestoneId: string; title: string; from: string; to: string }[];
  closeDate: { from: string; to: string };
}

export interface ActionResult {
  deal: Deal;
  /** Milestones whose state changed (to be saved with the deal, atomically). */
  milestones: MilestoneState[];
  message: string;
  notices: Notice[];
  /** Set when this action passed the gate: the workflow's callback output. */
  passed?: { stage: StageKey; outcome: 'passed' | 'lost' };
  /** Set by a slip: what moved, for the result page. */
  impact?: SlipImpact;
}

export type ActionInput = Record<string, string | number | undefined>;

/** Applies a verified, still-live link action with its validated form input. */
export function performAction(
  claims: LinkClaims,
  target: ActionTarget,
  input: ActionInput,
  deal: Deal,
  milestones: MilestoneState[],
  now: Date,
): ActionResult {
  const at = now.toISOString();
  const by = claims.recipient;
  const actor = partyOf(deal.plan, by);
  let next = recordActivity(touch(deal, now), actor, now);
  let changed: MilestoneState[] = [];
  let message: string;
  const notices: Notice[] = [];
  let impact: SlipImpact | undefined;
  const m = target.milestone;

  switch (claims.action as LinkAction) {
    case 'confirm-gate': {
      const stage = target.stage;
      const evidence = clean(input);
      const confirmation: Confirmation = { party: actor as Party, by, at, evidence };
      const state = next.stages[stage];
      next = {
        ...next,
        stages: {
          ...next.stages,
          [stage]: { ...state, confirmations: [...state.confirmations, confirmation] },
        },
      };
      if (stage === 'close-register-review') {
        next = {
          ...next,
          outcome: {
            result: input.outcome === 'lost' ? 'lost' : 'won',
            finalArr: Number(input.finalArr),
            currency: next.plan.jointOutcome.arr.currency,
            lesson: String(input.lesson),
            at,
            by,
          },
        };
      }
      message = `Confirmed: ${STAGES[stage].title}.`;
      break;
    }
    case 'milestone-done':
      changed = [{ ...must(m), status: 'done', doneAt: at, doneBy: by }];
      message = `Marked done: “${must(m).title}”.`;
      break;
    case 'waive-milestone':
      changed = [{ ...must(m), status: 'waived', waived: { at, by, reason: String(input.reason) } }];
      message = `Waived: “${must(m).title}”.`;
      break;
    case 'accept-handoff': {
      const ms = must(m);
      changed = [
        {
          ...ms,
          handoff: {
            ...(ms.handoff ?? { from: ms.owner.party, to: ms.owner.party }),
            acceptedAt: at,
            acceptedBy: by,
          },
        },
      ];
      message = `Handoff accepted: “${ms.title}” is now yours.`;
      break;
    }
    case 'milestone-stuck': {
      const ms = must(m);
      const reason = String(input.reason);
      changed = [{ ...ms, stuck: [...ms.stuck, { at, by, reason }] }];
      notices.push({ kind: 'stuck', milestone: ms, reason, by });
      message = `Escalated: “${ms.title}” is stuck. Your escalation path has been told.`;
      break;
    }
    case 'milestone-slip': {
      const replanned = replan(
        next,
        milestones,
        must(m),
        String(input.newDue),
        now,
        by,
        String(input.reason),
      );
      next = replanned.deal;
      changed = replanned.milestones;
      impact = replanned.impact;
      notices.push({ kind: 'slipped', milestone: must(m), impact: replanned.impact, by });
      message = `Re-planned: “${must(m).title}” now due ${input.newDue}.`;
      break;
    }
  }

  const merged = milestones.map((x) => changed.find((c) => c.milestoneId === x.milestoneId) ?? x);
  const gate = passGateIfReady(next, merged, now);
  if (gate.passed) {
    message +=
      gate.passed.outcome === 'lost'
        ? ' The deal is closed as lost.'
        : ` The ${STAGES[gate.passed.stage].title} gate has passed.`;
  }
  return {
    deal: gate.deal,
    milestones: changed,
    message,
    notices,
    ...(gate.passed ? { passed: gate.passed } : {}),
    ...(impact ? { impact } : {}),
  };
}

/**
 * A slip moves the milestone and everything after it in the joint sequence by the same number of days,
 * and the close date with them: dates are worked back from the close, so a slip pushes the close.
 */
export function replan(
  deal: Deal,
  milestones: MilestoneState[],
  slipped: MilestoneState,
  newDue: string,
  now: Date,
  by: string,
  reason: string,
): { deal: Deal; milestones: MilestoneState[]; impact: SlipImpact } {
  const days = daysBetween(slipped.due, newDue);
  if (days <= 0) throw new RangeError(`the new date must be after ${slipped.due}`);
  const at = now.toISOString();
  const moved: SlipImpact['moved'] = [];
  const changed: MilestoneState[] = [];
  for (const m of milestones) {
    if (m.seq < slipped.seq || m.status !== 'open') continue;
    const to = addDays(m.due, days);
    const dueAt = dueInstant(to, m.owner.timezone);
    moved.push({ milestoneId: m.milestoneId, title: m.title, from: m.due, to });
    const slip = m.milestoneId === slipped.milestoneId ? [{ from: m.due, to, at, by, reason }] : [];
    changed.push({
      ...m,
      due: to,
      dueAt,
      nudgeAt: reminderAt(deal.plan, dueAt),
      slips: [...m.slips, ...slip],
    });
  }
  const from = deal.plan.jointOutcome.closeDate;
  // Work after the close (a debrief) can slip without moving the customer's decision date.
  const to = slipped.due > from ? from : addDays(from, days);
  const plan = { ...deal.plan, jointOutcome: { ...deal.plan.jointOutcome, closeDate: to } };
  return { deal: { ...deal, plan }, milestones: changed, impact: { days, moved, closeDate: { from, to } } };
}

function must(m: MilestoneState | undefined): MilestoneState {
  if (!m) throw new Error('milestone action without a milestone');
  return m;
}

function clean(input: ActionInput): Record<string, string | number> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string | number
  >;
}

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
