import type { Deal, MilestoneState, Slip } from './deal';
import { dueInstant, reminderAt } from './deal';
import { addDays, daysBetween } from './time';
import { STAGE_KEYS } from './vocabulary';

/**
 * Slips as the playbook handles them: the customer's date is the anchor. A slip is first shown as its
 * impact; then the reporter absorbs it (the default: only the slipped milestone moves, later work keeps
 * its dates unless it would fall before it in stage order, the close date holds) or proposes moving the
 * close date (only the slipped milestone moves now; the vendor owner approves or declines the full re-plan).
 */

export type SlipChoice = 'absorb' | 'propose';

export interface MovedMilestone {
  milestoneId: string;
  title: string;
  from: string;
  to: string;
}

export interface SlipImpact {
  days: number;
  moved: MovedMilestone[];
  closeDate: { from: string; to: string };
  /** How the reporter chose to handle it (absent on slips recorded before the choice existed). */
  choice?: SlipChoice;
}

/** What a slip would do, shown before anything is saved. */
export interface SlipPreview {
  newDue: string;
  days: number;
  /** Absorbing: what moves, and whether it is possible at all. */
  absorb: { possible: true; impact: SlipImpact } | { possible: false; why: string };
  /** The full re-plan a proposal asks the vendor owner to approve: later work and the close date shift. */
  replan: SlipImpact;
}

/** A proposal to move the close date, waiting for the vendor owner. */
export interface SlipProposal {
  milestoneId: string;
  title: string;
  /** The slip's days: on approval, later open work and the close date shift by these. */
  days: number;
  from: string;
  to: string;
  by: string;
  reason: string;
  at: string;
  /** The re-plan as proposed (for the approval page and the weekly review). */
  replan: SlipImpact;
}

function stageIndex(m: Pick<MilestoneState, 'stage'>): number {
  return STAGE_KEYS.indexOf(m.stage);
}

function checkNewDue(slipped: MilestoneState, newDue: string): number {
  const days = daysBetween(slipped.due, newDue);
  if (days <= 0) throw new RangeError(`the new date must be after ${slipped.due}`);
  return days;
}

/** Work after the close (a debrief) can slip without touching the customer's decision date. */
function afterClose(deal: Deal, slipped: MilestoneState): boolean {
  return slipped.due > deal.plan.jointOutcome.closeDate;
}

/** Absorbing: the slipped milestone, and later-stage open work that would now fall before it. */
function absorbMoves(
  milestones: MilestoneState[],
  slipped: MilestoneState,
  newDue: string,
): MovedMilestone[] {
  const moved: MovedMilestone[] = [
    { milestoneId: slipped.milestoneId, title: slipped.title, from: slipped.due, to: newDue },
  ];
  for (const m of milestones) {
    if (m.milestoneId === slipped.milestoneId || m.status !== 'open') continue;
    if (stageIndex(m) > stageIndex(slipped) && m.due < newDue) {
      moved.push({ milestoneId: m.milestoneId, title: m.title, from: m.due, to: newDue });
    }
  }
  return moved;
}

/** The full re-plan: the slipped milestone and every later open one by the same days, and the close date. */
function fullReplan(
  deal: Deal,
  milestones: MilestoneState[],
  slipped: MilestoneState,
  days: number,
): SlipImpact {
  const moved = milestones
    .filter((m) => m.status === 'open' && (m.seq > slipped.seq || m.milestoneId === slipped.milestoneId))
    .map((m) => ({ milestoneId: m.milestoneId, title: m.title, from: m.due, to: addDays(m.due, days) }));
  const from = deal.plan.jointOutcome.closeDate;
  const to = afterClose(deal, slipped) ? from : addDays(from, days);
  return { days, moved, closeDate: { from, to }, choice: 'propose' };
}

export function previewSlip(
  deal: Deal,
  milestones: MilestoneState[],
  slipped: MilestoneState,
  newDue: string,
): SlipPreview {
  const days = checkNewDue(slipped, newDue);
  const close = deal.plan.jointOutcome.closeDate;
  const replan = fullReplan(deal, milestones, slipped, days);
  if (newDue > close && !afterClose(deal, slipped)) {
    return {
      newDue,
      days,
      absorb: {
        possible: false,
        why: `${newDue} is after the close date (${close}): absorbing is not possible. Propose moving the close date instead.`,
      },
      replan,
    };
  }
  const impact: SlipImpact = {
    days,
    moved: absorbMoves(milestones, slipped, newDue),
    closeDate: { from: close, to: close },
    choice: 'absorb',
  };
  return { newDue, days, absorb: { possible: true, impact }, replan };
}

function moveTo(deal: Deal, m: MilestoneState, to: string, slip?: Slip): MilestoneState {
  const dueAt = dueInstant(to, m.owner.timezone);
  return {
    ...m,
    due: to,
    dueAt,
    nudgeAt: reminderAt(deal.plan, dueAt),
    slips: [...m.slips, ...(slip ? [slip] : [])],
  };
}

function applyMoves(
  deal: Deal,
  milestones: MilestoneState[],
  moves: MovedMilestone[],
  slip: { milestoneId: string; record: Slip } | undefined,
): MilestoneState[] {
  return moves.flatMap((mv) => {
    const m = milestones.find((x) => x.milestoneId === mv.milestoneId);
    if (!m) return [];
    return [moveTo(deal, m, mv.to, slip?.milestoneId === m.milestoneId ? slip.record : undefined)];
  });
}

/**
 * Records a slip as the reporter chose. Absorb: the preview's absorb moves, the close date holds (refused
 * when impossible). Propose: only the slipped milestone moves now, and the proposal waits on the deal.
 */
export function applySlip(
  deal: Deal,
  milestones: MilestoneState[],
  slipped: MilestoneState,
  input: { newDue: string; reason: string; choice: SlipChoice; by: string },
  now: Date,
): { deal: Deal; milestones: MilestoneState[]; impact: SlipImpact } {
  const preview = previewSlip(deal, milestones, slipped, input.newDue);
  const at = now.toISOString();
  const record: Slip = {
    from: slipped.due,
    to: input.newDue,
    at,
    by: input.by,
    reason: input.reason,
    choice: input.choice,
  };
  const slip = { milestoneId: slipped.milestoneId, record };
  if (input.choice === 'absorb') {
    if (!preview.absorb.possible) throw new RangeError(preview.absorb.why);
    const { impact } = preview.absorb;
    return { deal, milestones: applyMoves(deal, milestones, impact.moved, slip), impact };
  }
  const own = preview.replan.moved.filter((mv) => mv.milestoneId === slipped.milestoneId);
  const close = deal.plan.jointOutcome.closeDate;
  const impact: SlipImpact = {
    days: preview.days,
    moved: own,
    closeDate: { from: close, to: close },
    choice: 'propose',
  };
  const proposal: SlipProposal = {
    milestoneId: slipped.milestoneId,
    title: slipped.title,
    days: preview.days,
    from: slipped.due,
    to: input.newDue,
    by: input.by,
    reason: input.reason,
    at,
    replan: preview.replan,
  };
  return {
    deal: { ...deal, slipProposal: proposal },
    milestones: applyMoves(deal, milestones, own, slip),
    impact,
  };
}

/**
 * The vendor owner approves the proposal: every later open milestone and the close date shift by the
 * slip's days (from where they are now); the slipped one has moved already.
 */
export function approveProposal(
  deal: Deal,
  milestones: MilestoneState[],
  now: Date,
  by: string,
): { deal: Deal; milestones: MilestoneState[]; impact: SlipImpact } {
  const proposal = deal.slipProposal;
  if (!proposal) throw new RangeError('there is no proposal to move the close date');
  const slipped = milestones.find((m) => m.milestoneId === proposal.milestoneId);
  const seq = slipped?.seq ?? -1;
  const moved = milestones
    .filter((m) => m.status === 'open' && m.seq > seq && m.milestoneId !== proposal.milestoneId)
    .map((m) => ({
      milestoneId: m.milestoneId,
      title: m.title,
      from: m.due,
      to: addDays(m.due, proposal.days),
    }));
  const from = deal.plan.jointOutcome.closeDate;
  const to = proposal.from > from ? from : addDays(from, proposal.days);
  const plan = { ...deal.plan, jointOutcome: { ...deal.plan.jointOutcome, closeDate: to } };
  const { slipProposal: _done, ...rest } = deal;
  const decided = { ...proposal, decision: 'approved' as const, decidedAt: now.toISOString(), decidedBy: by };
  return {
    // The close date is in the plan document, stored (and cached) once per version: this is a new version.
    deal: {
      ...rest,
      plan,
      planVersion: (deal.planVersion ?? 1) + 1,
      closeDateMoves: [...(deal.closeDateMoves ?? []), { from, to, at: decided.decidedAt, by }],
      lastSlipDecision: decided,
    },
    milestones: applyMoves(deal, milestones, moved, undefined),
    impact: { days: proposal.days, moved, closeDate: { from, to }, choice: 'propose' },
  };
}

/** The vendor owner declines: nothing else moves; the reporter is told. */
export function declineProposal(deal: Deal, now: Date, by: string): Deal {
  const proposal = deal.slipProposal;
  if (!proposal) throw new RangeError('there is no proposal to move the close date');
  const { slipProposal: _done, ...rest } = deal;
  return {
    ...rest,
    lastSlipDecision: { ...proposal, decision: 'declined', decidedAt: now.toISOString(), decidedBy: by },
  };
}

/** Everyone whose date a slip moves, with their new date: each gets one message. */
export function movedOwners(
  milestones: MilestoneState[],
  impact: SlipImpact,
): { email: string; name: string; items: MovedMilestone[] }[] {
  const byEmail = new Map<string, { email: string; name: string; items: MovedMilestone[] }>();
  for (const mv of impact.moved) {
    const m = milestones.find((x) => x.milestoneId === mv.milestoneId);
    if (!m) continue;
    const key = m.owner.email.toLowerCase();
    const entry = byEmail.get(key) ?? { email: m.owner.email, name: m.owner.name, items: [] };
    entry.items.push(mv);
    byEmail.set(key, entry);
  }
  return [...byEmail.values()];
}

/**
 * The close date as loaded. Close-date moves are recorded since slips got a choice (`closeDateMoves`);
 * older slips moved the close date by their days unless the slipped milestone was due after the close,
 * so undo those from the newest back.
 */
export function originalCloseDate(
  current: string,
  milestones: readonly MilestoneState[],
  closeDateMoves: readonly { from: string; to: string }[] = [],
): string {
  let close = current;
  for (const move of [...closeDateMoves].reverse()) close = addDays(close, -daysBetween(move.from, move.to));
  const slips = milestones
    .flatMap((m) => m.slips)
    .filter((s) => !s.choice)
    .sort((a, b) => b.at.localeCompare(a.at));
  for (const s of slips) {
    const before = addDays(close, -daysBetween(s.from, s.to));
    if (s.from <= before) close = before;
  }
  return close;
}

/** Days the close date moved since the plan was loaded (the program report's drift). */
export function closeDateDrift(deal: Deal, milestones: readonly MilestoneState[]): number {
  const current = deal.plan.jointOutcome.closeDate;
  return daysBetween(originalCloseDate(current, milestones, deal.closeDateMoves), current);
}
