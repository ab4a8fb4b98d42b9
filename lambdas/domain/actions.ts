import type { Party, StageKey } from '../schemas/plan.schema';
import {
  type Confirmation,
  type Deal,
  type MilestoneState,
  partyOf,
  passGateIfReady,
  recordActivity,
  touch,
} from './deal';
import { currentRevision, parseLinkTarget } from './link-targets';
import { type LinkAction, type LinkClaims, maskEmail } from './links';
import { isStageKey, STAGES } from './playbook';
import { applySlip, approveProposal, declineProposal, type SlipImpact, type SlipProposal } from './slips';

/** Why a well-signed link can no longer act. */
export type LinkRefusal =
  | { reason: 'superseded'; message: string }
  /** `done`: who did it (their address) and when (ISO instant), for the page to write in the reader's words. */
  | { reason: 'already-done'; message: string; done?: { by: string; at: string } }
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
  // A link an amendment superseded: its target changed after it was sent (link-targets.ts).
  if (!currentRevision(deal, claims.target)) return amendedAway(deal, milestones, claims);
  const targetId = parseLinkTarget(claims.target).target;
  if (claims.action === 'confirm-gate') {
    const stage = targetId;
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
        message: `The ${party} side already confirmed this gate.${passed}`,
        done: { by: earlier.by, at: earlier.at },
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
  if (claims.action === 'decide-replan') return checkProposal(claims, deal, milestones, targetId);
  const milestone = milestones.find((m) => m.milestoneId === targetId);
  if (!milestone || milestone.removed) {
    const amended = deal.lastAmendment ? ` ${amendmentNote(deal)}` : '';
    return { ok: false, reason: 'superseded', message: `This milestone is no longer in the plan.${amended}` };
  }
  if (milestone.status !== 'open') {
    const by = milestone.status === 'done' ? milestone.doneBy : milestone.waived?.by;
    const at = milestone.status === 'done' ? milestone.doneAt : milestone.waived?.at;
    return {
      ok: false,
      reason: 'already-done',
      message: `“${milestone.title}” is already ${milestone.status}.`,
      ...(by && at ? { done: { by, at } } : {}),
    };
  }
  const allowed =
    claims.action === 'waive-milestone'
      ? sameEmail(deal.plan.owners.vendor.email, claims.recipient)
      : sameEmail(milestone.owner.email, claims.recipient);
  if (!allowed) {
    const to = claims.action === 'waive-milestone' ? deal.plan.owners.vendor : milestone.owner;
    return {
      ok: false,
      reason: 'superseded',
      message: `“${milestone.title}” has been reassigned. Its current links went to ${maskEmail(to.email)}.`,
    };
  }
  if (claims.action === 'accept-handoff' && milestone.handoff?.acceptedAt) {
    return {
      ok: false,
      reason: 'already-done',
      message: 'The handoff was already accepted.',
      ...(milestone.handoff.acceptedBy
        ? { done: { by: milestone.handoff.acceptedBy, at: milestone.handoff.acceptedAt } }
        : {}),
    };
  }
  return { ok: true, target: { stage: milestone.stage, milestone } };
}

/** A decision link lives while its proposal waits; only the vendor owner decides. */
function checkProposal(
  claims: LinkClaims,
  deal: Deal,
  milestones: MilestoneState[],
  milestoneId: string,
): { ok: true; target: ActionTarget } | ({ ok: false } & LinkRefusal) {
  const proposal = deal.slipProposal;
  if (!proposal || proposal.milestoneId !== milestoneId) {
    const last = deal.lastSlipDecision;
    return last?.milestoneId === milestoneId
      ? {
          ok: false,
          reason: 'already-done',
          message: `This proposal was already ${last.decision}.`,
          done: { by: last.decidedBy, at: last.decidedAt },
        }
      : { ok: false, reason: 'superseded', message: 'No proposal to move the close date is waiting.' };
  }
  if (!sameEmail(deal.plan.owners.vendor.email, claims.recipient)) {
    return { ok: false, reason: 'not-allowed', message: 'Only the vendor owner decides a re-plan.' };
  }
  const milestone = milestones.find((m) => m.milestoneId === milestoneId);
  return { ok: true, target: { stage: milestone?.stage ?? deal.stage, ...(milestone ? { milestone } : {}) } };
}

/** What the last amendment changed, in a sentence for a superseded link's page. */
function amendmentNote(deal: Deal): string {
  const a = deal.lastAmendment;
  if (!a) return '';
  const what = a.summary.slice(0, 5).join('; ');
  return `The plan was amended (version ${a.version}, ${a.at}): ${what}.`;
}

function amendedAway(
  deal: Deal,
  milestones: MilestoneState[],
  claims: LinkClaims,
): { ok: false } & LinkRefusal {
  const id = parseLinkTarget(claims.target).target;
  const m = milestones.find((x) => x.milestoneId === id && !x.removed);
  const owner = claims.action === 'waive-milestone' || !m ? undefined : m.owner;
  const where = owner
    ? ` Current links for “${m?.title}” went to ${maskEmail(owner.email)}.`
    : ' The current links went out in a new email.';
  return {
    ok: false,
    reason: 'superseded',
    message: `This link was replaced when the plan changed. ${amendmentNote(deal)}${where}`,
  };
}

/** What the action asks the outside world to do besides saving: emails are sent once, by key. */
export type Notice =
  | { kind: 'stuck'; milestone: MilestoneState; reason: string; by: string }
  | { kind: 'slipped'; milestone: MilestoneState; impact: SlipImpact; by: string }
  | {
      kind: 'replan-decided';
      milestone: MilestoneState;
      proposal: SlipProposal;
      decision: 'approve' | 'decline';
      impact: SlipImpact;
      by: string;
    };

export type { SlipImpact } from './slips';

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
    case 'decide-replan': {
      const proposal = next.slipProposal as SlipProposal;
      const slipped = must(m);
      const decision = input.decision === 'approve' ? 'approve' : 'decline';
      if (decision === 'approve') {
        const approved = approveProposal(next, milestones, now, by);
        next = approved.deal;
        changed = approved.milestones;
        impact = approved.impact;
        message = `Approved: the close date moves to ${next.plan.jointOutcome.closeDate}; ${approved.milestones.length} later milestone(s) move by ${proposal.days} day(s). Everyone whose date moves is told.`;
      } else {
        next = declineProposal(next, now, by);
        const close = next.plan.jointOutcome.closeDate;
        impact = { days: proposal.days, moved: [], closeDate: { from: close, to: close }, choice: 'propose' };
        message = `Declined: the close date holds (${close}). The reporter is told.`;
      }
      notices.push({ kind: 'replan-decided', milestone: slipped, proposal, decision, impact, by });
      break;
    }
    case 'milestone-slip': {
      const choice = input.choice === 'propose' ? 'propose' : 'absorb';
      const replanned = applySlip(
        next,
        milestones,
        must(m),
        { newDue: String(input.newDue), reason: String(input.reason), choice, by },
        now,
      );
      next = replanned.deal;
      changed = replanned.milestones;
      impact = replanned.impact;
      notices.push({ kind: 'slipped', milestone: must(m), impact: replanned.impact, by });
      message =
        choice === 'absorb'
          ? `Absorbed: “${must(m).title}” now due ${input.newDue}; the close date holds (${next.plan.jointOutcome.closeDate}).`
          : `Proposed: “${must(m).title}” now due ${input.newDue}; the vendor owner is asked to approve moving the close date.`;
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
 * A slip proposed and approved at once: the milestone and every later open one move by the same days, and
 * the close date with them (unless the slipped work was after the close). For scripts and fixtures that need
 * a re-planned deal; a link's slip goes through `applySlip` and the vendor owner's decision.
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
  const proposed = applySlip(deal, milestones, slipped, { newDue, reason, choice: 'propose', by }, now);
  const merged = milestones.map((m) => proposed.milestones.find((c) => c.milestoneId === m.milestoneId) ?? m);
  const approved = approveProposal(proposed.deal, merged, now, by);
  const { lastSlipDecision: _d, ...decided } = approved.deal;
  return {
    deal: decided,
    milestones: [...proposed.milestones, ...approved.milestones],
    impact: {
      days: proposed.impact.days,
      moved: [...proposed.impact.moved, ...approved.impact.moved],
      closeDate: approved.impact.closeDate,
    },
  };
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
