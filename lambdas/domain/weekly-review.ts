import type { Plan } from '../schemas/plan.schema';
import { type Deal, daysInStages, type Owner, partyOwner, stageDeadline } from './deal';
import { GHOSTING_DAYS } from './defaults';
import { ladderRungs, partiesOwingMoves } from './notifications';
import { STAGES } from './playbook';
import type { DealSnapshot } from './ports';
import { closeDateDrift } from './slips';
import { addDays, daysBetween, localDate, zonedInstant } from './time';
import { STAGE_KEYS } from './vocabulary';

/**
 * The weekly review: at the plan's cadence (weekday, time, timezone) the attendees' owners get the agenda
 * (what moved, what is stuck, what needs an escalation, slips and their impact on the close date, what is
 * due next). Pure: the use case finds the plans that are due, sends and records.
 */

export const REVIEW_MINUTES = 15;

export type CadenceWeekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

export interface CalendarPerson {
  name?: string;
  email: string;
}

/** The review as a recurring calendar event; `lambdas/views/calendar` writes it as iCalendar. */
export interface WeeklyInvite {
  /** Stable per plan: a later invitation with the same UID updates the event rather than adding one. */
  uid: string;
  /** When the invitation was made (DTSTAMP). */
  stamp: Date;
  /** First occurrence, as wall time in `timezone`: `YYYY-MM-DD` and `HH:MM`. */
  date: string;
  time: string;
  timezone: string;
  weekday: CadenceWeekday;
  durationMinutes: number;
  summary: string;
  description: string;
  organizer: CalendarPerson;
  attendees: CalendarPerson[];
}

type Cadence = Plan['cadence'];

const WEEKDAYS: CadenceWeekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function weekdayOf(date: string): CadenceWeekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] as CadenceWeekday;
}

/** The first review instant strictly after `after` (DST-correct: wall time in the cadence timezone). */
export function nextReviewAfter(cadence: Cadence, after: Date): Date {
  const start = localDate(after, cadence.timezone);
  for (let i = 0; i <= 8; i++) {
    const date = addDays(start, i);
    if (weekdayOf(date) !== cadence.weekday) continue;
    const at = zonedInstant(date, cadence.time, cadence.timezone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error('unreachable: a weekday recurs within eight days');
}

/** The latest review instant at or before `now`. */
export function latestReviewAtOrBefore(cadence: Cadence, now: Date): Date {
  const start = localDate(now, cadence.timezone);
  for (let i = 0; i >= -8; i--) {
    const date = addDays(start, i);
    if (weekdayOf(date) !== cadence.weekday) continue;
    const at = zonedInstant(date, cadence.time, cadence.timezone);
    if (at.getTime() <= now.getTime()) return at;
  }
  throw new Error('unreachable: a weekday recurs within eight days');
}

/** The next `count` review instants after `after`. */
export function upcomingReviews(cadence: Cadence, after: Date, count: number): Date[] {
  const out: Date[] = [];
  let cursor = after;
  for (let i = 0; i < count; i++) {
    cursor = nextReviewAfter(cadence, cursor);
    out.push(cursor);
  }
  return out;
}

/** The local calendar date of a review: the week's ledger key (`review#<planId>#<date>`). */
export function reviewDate(cadence: Cadence, at: Date): string {
  return localDate(at, cadence.timezone);
}

/** The attendees' owners: one email each (an owner attending for two parties gets one). */
export function reviewAttendees(deal: Deal, defaultTz: string): Owner[] {
  const seen = new Set<string>();
  const out: Owner[] = [];
  for (const party of deal.plan.cadence.attendees) {
    const owner = partyOwner(deal, party, defaultTz);
    const key = owner.email.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(owner);
  }
  return out;
}

export interface ReviewAgenda {
  /** The window "since last week" covers: [since, at). */
  since: string;
  at: string;
  moved: string[];
  stuck: string[];
  escalations: string[];
  slips: string[];
  nextDue: string[];
}

const within = (iso: string | undefined, from: number, to: number) =>
  iso !== undefined && Date.parse(iso) >= from && Date.parse(iso) < to;

function stageName(key: keyof typeof STAGES): string {
  return `Stage ${STAGES[key].number}, ${STAGES[key].title}`;
}

/** The agenda of the review at `at`, covering the week before it. */
export function reviewAgenda(
  snapshot: DealSnapshot,
  at: Date,
  defaultTz: string,
  ghostingDays: number = GHOSTING_DAYS,
): ReviewAgenda {
  const { deal, milestones } = snapshot;
  const to = at.getTime();
  const from = to - 7 * 86_400_000;
  const today = at.toISOString().slice(0, 10);
  const open = milestones.filter((m) => m.status === 'open').sort((a, b) => a.dueAt.localeCompare(b.dueAt));

  const moved: string[] = [];
  for (const key of STAGE_KEYS) {
    const s = deal.stages[key];
    if (within(s.passedAt, from, to)) moved.push(`${stageName(key)}: gate passed.`);
    else if (within(s.openedAt, from, to)) moved.push(`${stageName(key)}: opened.`);
    for (const c of s.confirmations) {
      if (within(c.at, from, to))
        moved.push(`${stageName(key)}: confirmed by the ${c.party} side (${c.by}).`);
    }
  }
  for (const m of milestones) {
    if (m.status === 'done' && within(m.doneAt, from, to)) moved.push(`Done: ${m.title} (${m.owner.name}).`);
    if (m.status === 'waived' && within(m.waived?.at, from, to))
      moved.push(`Waived: ${m.title} (${m.waived?.reason}).`);
    if (within(m.handoff?.acceptedAt, from, to))
      moved.push(`Handoff accepted: ${m.title} (${m.handoff?.acceptedBy}).`);
  }

  const stuck: string[] = [];
  const escalations: string[] = [];
  if (deal.status === 'active') {
    const stage = deal.stage;
    const days = daysInStages(deal, at)[stage];
    const owing = partiesOwingMoves(deal, milestones, stage);
    const whose = owing.map((p) => `${p} (${deal.plan.owners[p]?.name ?? p})`).join(', ');
    stuck.push(
      `${stageName(stage)}: ${days} day(s) in stage; ${whose ? `whose move: ${whose}` : 'nothing left to do but pass the gate'}.`,
    );
    for (const m of open.filter((x) => x.stuck.length > 0)) {
      const last = m.stuck[m.stuck.length - 1];
      stuck.push(`${m.title}: reported stuck by ${last?.by} (${last?.reason}); owner ${m.owner.name}.`);
    }
    for (const m of open.filter((x) => Date.parse(x.dueAt) < to)) {
      const overdue = daysBetween(m.due, today);
      const rungs = ladderRungs(deal, [m.owner.party], new Date(m.dueAt));
      const told = rungs.filter((r) => r.at.getTime() <= to).map((r) => `${r.name} (${r.role})`);
      const next = rungs.find((r) => r.at.getTime() > to);
      escalations.push(
        `${m.title}: ${overdue} day(s) overdue, owner ${m.owner.name} (${m.owner.party}); ` +
          (told.length ? `escalated to ${told.join(', ')}` : 'not escalated yet') +
          (next ? `; next: ${next.name} (${next.role})` : '') +
          '.',
      );
    }
    for (const m of open.filter((x) => x.stuck.length > 0 && Date.parse(x.dueAt) >= to)) {
      const rung = deal.plan.escalation?.[m.owner.party]?.[0];
      escalations.push(
        `${m.title}: stuck before its due date${rung ? `; call ${rung.name} (${rung.role})` : ''}.`,
      );
    }
    // Who is ghosting: a side owning open work of this stage (a milestone, or its gate confirmation), silent
    // for `ghostingDays`.
    const openedAt = deal.stages[stage].openedAt ?? deal.createdAt;
    const working = open.filter((m) => m.stage === stage).map((m) => m.owner.party);
    for (const party of new Set([...working, ...owing])) {
      const last = deal.lastActivity[party];
      const since = Math.max(Date.parse(last ?? deal.createdAt), Date.parse(openedAt));
      const silent = Math.floor((to - since) / 86_400_000);
      if (silent >= ghostingDays) {
        escalations.push(
          `Ghosting: the ${party} side (${deal.plan.owners[party]?.name ?? party}) has not acted for ${silent} day(s) while its work is open (last action: ${last ?? 'none yet'}).`,
        );
      }
    }
    const deadline = stageDeadline(deal, milestones, stage, defaultTz);
    if (deadline.getTime() < to) {
      escalations.push(
        `${stageName(stage)}: gate past its deadline (${deadline.toISOString().slice(0, 10)}); waiting for ${whose || 'the gate to pass'}.`,
      );
    }
  }

  const slips: string[] = [];
  const closeDate = deal.plan.jointOutcome.closeDate;
  const closeShift = closeDateDrift(deal, milestones);
  for (const m of milestones) {
    for (const s of m.slips) {
      const days = daysBetween(s.from, s.to);
      slips.push(
        `${m.title}: ${s.from} → ${s.to} (+${days} day(s), ${s.by}${s.reason ? `: ${s.reason}` : ''})${within(s.at, from, to) ? ' [this week]' : ''}.`,
      );
    }
  }
  if (slips.length) {
    slips.push(
      closeShift > 0
        ? `Impact: the close date is now ${closeDate}, ${closeShift} day(s) later than planned (${addDays(closeDate, -closeShift)}).`
        : `Impact: the close date stays ${closeDate}.`,
    );
  }
  const proposal = deal.slipProposal;
  if (proposal) {
    slips.push(
      `Waiting for the vendor owner: a proposal to move the close date from ${proposal.replan.closeDate.from} to ${proposal.replan.closeDate.to} (“${proposal.title}” slipped ${proposal.days} day(s), ${proposal.by}: ${proposal.reason}).`,
    );
  }

  const nextDue = open
    .filter((m) => Date.parse(m.dueAt) >= to)
    .slice(0, 3)
    .map(
      (m) => `${m.title}: due ${m.due}, ${m.owner.name} (${m.owner.party})${m.handoff ? ', handoff' : ''}.`,
    );

  return {
    since: new Date(from).toISOString(),
    at: at.toISOString(),
    moved,
    stuck,
    escalations,
    slips,
    nextDue,
  };
}

/** UID of the plan's review event: stable, so a re-sent invitation updates the same event. */
export function reviewUid(deal: Deal): string {
  return `weekly-review-${deal.planId}@${deal.tenant}.cosell-flow`;
}

/** The recurring 15-minute review as a calendar event (first occurrence `at`), all attendees on it. */
export function reviewInvite(
  deal: Deal,
  at: Date,
  organizer: CalendarPerson,
  defaultTz: string,
  now: Date,
): WeeklyInvite {
  const { cadence } = deal.plan;
  return {
    uid: reviewUid(deal),
    stamp: now,
    date: reviewDate(cadence, at),
    time: cadence.time,
    timezone: cadence.timezone,
    weekday: cadence.weekday,
    durationMinutes: REVIEW_MINUTES,
    summary: `Weekly review: ${deal.plan.name}`,
    description:
      `15 minutes on ${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}): ` +
      'what moved, what is stuck, what needs an escalation. The agenda arrives by email before each review.',
    organizer,
    attendees: reviewAttendees(deal, defaultTz).map((o) => ({ name: o.name, email: o.email })),
  };
}

/** The display form of the sender for ORGANIZER: `Name <a@b>` or `a@b`. */
export function parseSender(sender: string): { name?: string; email: string } {
  const m = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(sender);
  if (!m) return { email: sender.trim() };
  const name = (m[1] ?? '').replace(/^"|"$/g, '');
  return name ? { name, email: (m[2] ?? '').trim() } : { email: (m[2] ?? '').trim() };
}
