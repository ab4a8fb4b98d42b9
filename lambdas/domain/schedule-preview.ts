import { DEFAULT_QUIET_HOURS } from './cadence';
import { type Deal, partyOwner, reminderAt, stageDeadline } from './deal';
import { ESCALATION_GRACE_BUSINESS_DAYS } from './defaults';
import { gateAsks, inCurrentStage, ladderRungs, partiesOwingMoves } from './notifications';
import { STAGES } from './playbook';
import type { DealSnapshot, EmailSubjects } from './ports';
import { formatLocal } from './time';
import { reviewAttendees, upcomingReviews } from './weekly-review';
import { addBusinessDays, DEFAULT_WORK_CALENDAR, nextSendable, type WorkCalendar } from './workdays';

/**
 * Who will be sent what, and when, if nothing happens from now on: reminders before each open milestone's
 * due time, each rung of the owner's ladder once it is overdue, the open gate's overdue notices and
 * escalations, and the next weekly reviews. Gate-open emails are not listed: they go out as a stage opens,
 * and with nothing happening no further stage opens. Pure, so ops can check a plan before it goes live.
 *
 * The cadence's rules are applied: only the open stage's work is chased (later work shows its owner's early
 * warning); nothing in the recipient's quiet hours or on a day they do not work (weekends, the tenant's
 * holidays: it is shown at their next working morning); rung delays count working hours; a gate's ladder
 * hears after the grace, and not for the same miss a milestone's rung already heard of. The per-day cap and
 * digests are not: several items for one person in one sweep arrive as one digest, and a person over
 * the cap gets the rest the next morning.
 */

export type ScheduledKind =
  | 'reminder'
  | 'milestone-escalation'
  | 'gate-overdue'
  | 'gate-escalation'
  | 'early-warning'
  | 'weekly-review';

export interface ScheduledEmail {
  /** ISO instant the email falls due. */
  at: string;
  /** `at` on the recipient's wall clock, e.g. `Mon 7 Dec 2026, 09:30 CST`. */
  localTime: string;
  timezone: string;
  to: string;
  cc?: string;
  kind: ScheduledKind;
  subject: string;
  summary: string;
}

export interface SchedulePreview {
  planId: string;
  generatedAt: string;
  quietHoursApplied: true;
  perDayCapApplied: false;
  workingDaysApplied: true;
  emails: ScheduledEmail[];
}

/** The tenant's working days and grace (defaults: Monday to Friday, no holidays, one working day). */
export interface ScheduleRules {
  calendar: WorkCalendar;
  graceDays: number;
}

const REVIEWS_AHEAD = 4;

export function schedulePreview(
  snapshot: DealSnapshot,
  now: Date,
  defaultTz: string,
  subjects: EmailSubjects,
  reviewsAhead = REVIEWS_AHEAD,
  rules: ScheduleRules = { calendar: DEFAULT_WORK_CALENDAR, graceDays: ESCALATION_GRACE_BUSINESS_DAYS },
): SchedulePreview {
  const { calendar } = rules;
  const { deal, milestones } = snapshot;
  const emails: ScheduledEmail[] = [];
  const base = {
    planId: deal.planId,
    generatedAt: now.toISOString(),
    quietHoursApplied: true as const,
    perDayCapApplied: false as const,
    workingDaysApplied: true as const,
  };
  if (deal.status !== 'active') return { ...base, emails };

  const quiet = deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
  const add = (due: Date, timezone: string, e: Omit<ScheduledEmail, 'at' | 'localTime' | 'timezone'>) => {
    if (due.getTime() <= now.getTime()) return;
    const at = nextSendable(due, timezone, quiet, calendar);
    emails.push({ at: at.toISOString(), localTime: formatLocal(at, timezone), timezone, ...e });
  };
  const tzOf = (email: string) => timezoneOf(deal, email, defaultTz);

  const timing = { calendar, defaultTz };
  for (const m of milestones.filter((x) => x.status === 'open')) {
    const dueAt = new Date(m.dueAt);
    if (!inCurrentStage(deal, m)) {
      add(dueAt, m.owner.timezone, {
        to: m.owner.email,
        kind: 'early-warning',
        subject: subjects.reminder(deal, m),
        summary: `Early warning, to the owner only: ${m.title} (stage ${STAGES[m.stage].number}) falls due while an earlier stage is open.`,
      });
      continue;
    }
    add(new Date(reminderAt(deal.plan, m.dueAt)), m.owner.timezone, {
      to: m.owner.email,
      kind: 'reminder',
      subject: subjects.reminder(deal, m),
      summary: `Reminder: ${m.title} is due ${formatLocal(dueAt, m.owner.timezone)}.`,
    });
    for (const rung of ladderRungs(deal, [m.owner.party], dueAt, timing)) {
      const what = `“${m.title}” is overdue (due ${m.due}).`;
      add(rung.at, tzOf(rung.email), {
        to: rung.email,
        ...(rung.email.toLowerCase() === m.owner.email.toLowerCase() ? {} : { cc: m.owner.email }),
        kind: 'milestone-escalation',
        subject: subjects.escalation(deal, what),
        summary: `Escalation rung ${rung.index + 1} (${rung.role}, ${rung.party}): ${m.title} overdue.`,
      });
    }
  }

  const stage = deal.stage;
  if (deal.stages[stage].status === 'open') {
    const deadline = stageDeadline(deal, milestones, stage, defaultTz);
    const owing = new Set(partiesOwingMoves(deal, milestones, stage));
    for (const { recipient, asks } of gateAsks(deal, milestones, stage, defaultTz)) {
      const mine = asks.filter((a) => a.action !== 'waive-milestone');
      if (!owing.has(recipient.party) || mine.length === 0) continue;
      add(deadline, recipient.timezone, {
        to: recipient.email,
        kind: 'gate-overdue',
        subject: subjects.gateOverdue(deal, stage),
        summary: `Stage ${STAGES[stage].number} past its deadline: ${mine.length} move(s) still open for ${recipient.name}.`,
      });
    }
    const what = `stage ${STAGES[stage].number}, ${STAGES[stage].title}, is past its deadline.`;
    const vendorTz = deal.plan.owners.vendor.timezone ?? defaultTz;
    const escalateFrom = addBusinessDays(deadline, rules.graceDays, vendorTz, calendar);
    for (const rung of ladderRungs(deal, [...owing], escalateFrom, timing)) {
      // The same miss as an open milestone of the party's: its rung hears once, from the milestone.
      const sameMiss = milestones.some(
        (m) => m.stage === stage && m.status === 'open' && m.owner.party === rung.party,
      );
      if (sameMiss) continue;
      const owner = partyOwner(deal, rung.party, defaultTz);
      add(rung.at, tzOf(rung.email), {
        to: rung.email,
        ...(rung.email.toLowerCase() === owner.email.toLowerCase() ? {} : { cc: owner.email }),
        kind: 'gate-escalation',
        subject: subjects.escalation(deal, what),
        summary: `Gate escalation rung ${rung.index + 1} (${rung.role}, ${rung.party}): stage ${STAGES[stage].number} overdue.`,
      });
    }
  }

  const { cadence } = deal.plan;
  // A review already due but not yet swept still goes out at the next sweep.
  const from = deal.nextReviewAt ? new Date(Math.min(now.getTime(), Date.parse(deal.nextReviewAt) - 1)) : now;
  upcomingReviews(cadence, from, reviewsAhead).forEach((at, i) => {
    const first = i === 0 && !deal.reviewInvitedOn;
    for (const owner of reviewAttendees(deal, defaultTz)) {
      emails.push({
        at: at.toISOString(),
        localTime: formatLocal(at, owner.timezone),
        timezone: owner.timezone,
        to: owner.email,
        kind: 'weekly-review',
        subject: subjects.weeklyReview(deal, at),
        summary: `Weekly review agenda (${cadence.weekday} ${cadence.time} ${cadence.timezone})${first ? ', with the calendar invitation' : ''}.`,
      });
    }
  });

  emails.sort((a, b) => a.at.localeCompare(b.at) || a.to.localeCompare(b.to));
  return { ...base, emails };
}

/** A person's timezone: their own, else their party owner's (ladders name none), else the tenant's. */
function timezoneOf(deal: Deal, email: string, defaultTz: string): string {
  const e = email.toLowerCase();
  for (const o of Object.values(deal.plan.owners))
    if (o?.email.toLowerCase() === e && o.timezone) return o.timezone;
  for (const [party, ladder] of Object.entries(deal.plan.escalation ?? {})) {
    if (ladder?.some((p) => p.email.toLowerCase() === e)) {
      return deal.plan.owners[party as keyof Deal['plan']['owners']]?.timezone ?? defaultTz;
    }
  }
  return defaultTz;
}
