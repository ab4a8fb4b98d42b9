import { DEFAULT_MAX_PER_DAY, DEFAULT_QUIET_HOURS, type QuietHours } from '../cadence';
import { type Deal, gateProgress, type MilestoneState, type Owner, partyOwner } from '../deal';
import { TransientError } from '../errors';
import { confirmationGhosting, DEFAULT_GHOSTING_DAYS } from '../notifications';
import { STAGES } from '../playbook';
import type {
  AnnouncementSchedule,
  AnnouncementWhat,
  Deps,
  DigestItem,
  HeldAnnouncement,
  OutboundEmail,
  SilenceWatch,
  ViewsOf,
} from '../ports';
import type { StageKey } from '../vocabulary';
import { maySendAt, nextSendable, nextWorkingMorning, workCalendarOf } from '../workdays';
import { ledgerDone, recordDeliveryProblem, sendCapped } from './capped-send';

/**
 * The announcements a deal makes, each once per person (the effect ledger): a stage passed tells the owners
 * of all three parties what was agreed and what comes next; the stage-5 outcome tells the vendor and partner
 * owners what was registered and thanks the customer sponsor; a deal lost, at stage 5 or closed through
 * `POST /plans/{id}/close`, tells the owners why.
 *
 * They go through the same quiet hours, working days, daily cap and digest as reminders. Each is held
 * (AnnouncementSchedule) in the very save that makes the change, so nothing is lost to a crash after it.
 * The request that saved it only holds it. The deal event that follows the change (`CoSell Stage Advanced`,
 * `CoSell Deal Registered`, `CoSell Deal Closed Lost`) reaches the `announce` function, which sends at once
 * those the recipient may get now, under the day's cap (announceHeld); the rest stay held until the
 * recipient's next working morning, when the reminder sweep sends them with that person's other items in
 * one digest. The ledger key is the idempotency: a rerun, a duplicate event, or the sweep finding one that
 * already went, sends nothing twice.
 */
export type AnnounceDeps = Pick<Deps, 'ledger' | 'mailer' | 'config' | 'clock' | 'store'> & {
  announcements: AnnouncementSchedule;
} & ViewsOf<'stagePassed' | 'dealClosed'>;

/** What a passed gate announces, one held announcement per owner, due now: to save with the pass. */
export function passAnnouncements(
  deal: Deal,
  passed: { stage: StageKey; outcome: 'passed' | 'lost' },
  now: Date,
  defaultTz: string,
): HeldAnnouncement[] {
  const closing = passed.outcome === 'lost' || passed.stage === 'close-register-review';
  const what: AnnouncementWhat = closing ? { kind: 'closed' } : { kind: 'stage-passed', stage: passed.stage };
  return owners(deal, defaultTz).map((to) => held(deal, what, to, now));
}

/** What closing a deal announces (the owners hear it was lost, and why): to save with the close. */
export function closeAnnouncements(deal: Deal, now: Date, defaultTz: string): HeldAnnouncement[] {
  return owners(deal, defaultTz).map((to) => held(deal, { kind: 'closed' }, to, now));
}

/**
 * How long an announcement held with a save is left to the `announce` function, which the deal event that
 * follows the save reaches within seconds; the sweep takes over only after this, so it never sends the same
 * announcement inside a digest while `announce` sends it alone.
 */
export const ANNOUNCE_HANDOFF_MS = 5 * 60_000;

/**
 * How much of the hand-off must be left for `announce` to take a held announcement: twice what the function
 * may run (ANNOUNCE_TIMEOUT_SECONDS), so it has finished before the sweep may look. An event later than
 * that (a retried delivery) leaves the announcement to the sweep.
 */
export const ANNOUNCE_MARGIN_MS = 60_000;

function held(deal: Deal, what: AnnouncementWhat, to: Owner, now: Date): HeldAnnouncement {
  const email = to.email.toLowerCase();
  const key =
    what.kind === 'closed'
      ? `announce#closed#${deal.planId}#${email}`
      : `announce#stage-passed#${deal.planId}#${what.stage}#${email}`;
  const at = new Date(now.getTime() + ANNOUNCE_HANDOFF_MS).toISOString();
  return { key, planId: deal.planId, what, to, at };
}

/**
 * Sends, once each, the held announcements that may go now: within the recipient's working hours and under
 * their day's cap (the same send slots as the sweep's). The others are held until the recipient's next
 * working morning; one whose send failed for now stays held as it is, for a retry or the sweep. Returns how
 * many failed for now.
 */
export async function deliverAnnouncements(
  deps: AnnounceDeps,
  deal: Deal,
  milestones: MilestoneState[],
  announcements: HeldAnnouncement[],
): Promise<{ deferred: number }> {
  let deferred = 0;
  const calendar = workCalendarOf(deps.config);
  const quiet = quietHoursOf(deal);
  const cap = deal.plan.reminders?.maxPerRecipientPerDay ?? DEFAULT_MAX_PER_DAY;
  for (const a of announcements) {
    // A silence watch is held only, for the sweep.
    if (!isNewsHeld(a)) continue;
    const now = deps.clock.now();
    if (!maySendAt(now, a.to.timezone, quiet, calendar)) {
      const at = nextSendable(now, a.to.timezone, quiet, calendar);
      await deps.announcements.holdAnnouncement({ ...a, at: at.toISOString() });
      continue;
    }
    const outcome = await sendCapped(deps, a.to, cap, () =>
      deps.ledger.once(a.key, () => deps.mailer.send(announcementEmail(deps, deal, milestones, a))),
    );
    if (outcome.kind === 'sent' || outcome.kind === 'already-sent') {
      await deps.announcements.settleAnnouncement(a);
    } else if (outcome.kind === 'at-cap') {
      const at = nextWorkingMorning(now, a.to.timezone, quiet, calendar);
      await deps.announcements.holdAnnouncement({ ...a, at: at.toISOString() });
    } else if (outcome.kind === 'rejected') {
      await recordDeliveryProblem(deps, deal.planId, { ...outcome.problem, keys: [a.key] });
      await ledgerDone(deps.ledger, a.key);
      await deps.announcements.settleAnnouncement(a);
    } else {
      // Not sent for now (the mail service, another sender at it): held for a retry or the sweep, after the
      // hand-off (a put: the same item when the save held it already).
      await deps.announcements.holdAnnouncement(a);
      // Another sender at it (busy) needs no retry: it sends it, or the sweep does.
      if (outcome.kind === 'deferred') deferred++;
    }
  }
  return { deferred };
}

/**
 * `announce`, on the deal event that follows a change: sends what the change held for its owners (the stage
 * it passed, or its close), if still in the hand-off (ANNOUNCE_MARGIN_MS); the sweep has the rest. A held
 * stage-passed note of a deal that has closed since is left to the sweep, which drops it. When a send failed
 * for now (throttling), it throws TransientError after the others went, so the event is delivered again
 * (Lambda retries an async invoke); a retry past the hand-off leaves it to the sweep.
 */
export async function announceHeld(
  deps: AnnounceDeps,
  planId: string,
  what: AnnouncementWhat,
): Promise<{ taken: number }> {
  const now = deps.clock.now().getTime();
  const mine = (await deps.announcements.heldFor(planId)).filter((a) => {
    const left = Date.parse(a.at) - now;
    return (
      isNewsHeld(a) && sameWhat(a.what, what) && left >= ANNOUNCE_MARGIN_MS && left <= ANNOUNCE_HANDOFF_MS
    );
  });
  if (mine.length === 0) return { taken: 0 };
  const snapshot = await deps.store.get(planId);
  if (!snapshot || (what.kind === 'stage-passed' && snapshot.deal.status !== 'active')) return { taken: 0 };
  const { deferred } = await deliverAnnouncements(deps, snapshot.deal, snapshot.milestones, mine);
  if (deferred > 0) throw new TransientError(`${deferred} announcement(s) not sent for now`);
  return { taken: mine.length };
}

function sameWhat(a: AnnouncementWhat | SilenceWatch, b: AnnouncementWhat): boolean {
  return (
    a.kind === b.kind && (a.kind !== 'stage-passed' || (b.kind === 'stage-passed' && a.stage === b.stage))
  );
}

/** A held announcement proper (not a silence watch). */
export type HeldNews = HeldAnnouncement & { what: AnnouncementWhat };

export function isNewsHeld(a: HeldAnnouncement): a is HeldNews {
  return a.what.kind !== 'silence';
}

/** The announcement's own email, for its recipient. */
export function announcementEmail(
  deps: ViewsOf<'stagePassed' | 'dealClosed'>,
  deal: Deal,
  milestones: MilestoneState[],
  a: HeldNews,
): OutboundEmail {
  return a.what.kind === 'closed'
    ? deps.views.dealClosed(deal, a.to, a.key)
    : deps.views.stagePassed(deal, a.what.stage, a.to, milestones, a.key);
}

/** The announcement as one item of its recipient's digest (the view writes it for its reader). */
export function newsItem(deal: Deal, milestones: MilestoneState[], a: HeldNews): DigestItem {
  const text =
    a.what.kind === 'closed'
      ? `${deal.plan.name} closed.`
      : `${deal.plan.name} passed stage ${STAGES[a.what.stage].number}.`;
  return { deal, kind: 'news', text, announcement: { what: a.what, recipient: a.to, milestones } };
}

/**
 * The silence watch to hold with a change that leaves the open stage's gate waiting only on confirmations:
 * no milestone of the stage is open any more, so nothing in the milestones' index would notice a party that
 * owes its confirmation going quiet. Held until the first such party could be ghosting (then the sweep
 * looks, and keeps looking while the gate waits).
 */
export function silenceWatch(
  deal: Deal,
  /** The milestones as read, then those the change saves (a later one replaces an earlier, by id). */
  read: MilestoneState[],
  now: Date,
  config: Pick<Deps['config'], 'defaultTimezone' | 'ghostingDays'>,
): HeldAnnouncement[] {
  const milestones = [...new Map(read.map((m) => [m.milestoneId, m])).values()];
  if (deal.status !== 'active' || deal.stages[deal.stage].status !== 'open') return [];
  if (gateProgress(deal, milestones, deal.stage).openMilestones.length > 0) return [];
  const settings = {
    defaultTz: config.defaultTimezone,
    ghostingDays: config.ghostingDays ?? DEFAULT_GHOSTING_DAYS,
  };
  const first = confirmationGhosting(deal, milestones, settings)
    .map((n) => n.at.getTime())
    .sort((a, b) => a - b)[0];
  if (first === undefined) return [];
  return [
    {
      key: `watch#silence#${deal.planId}#${deal.stage}`,
      planId: deal.planId,
      what: { kind: 'silence', stage: deal.stage },
      to: partyOwner(deal, 'vendor', config.defaultTimezone),
      at: new Date(Math.max(first, now.getTime())).toISOString(),
    },
  ];
}

function quietHoursOf(deal: Deal): QuietHours {
  return deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
}

/** The named owners of the three parties, one entry per person. */
function owners(deal: Deal, defaultTz: string): Owner[] {
  const seen = new Set<string>();
  const out: Owner[] = [];
  for (const party of ['vendor', 'partner', 'customer'] as const) {
    const o = deal.plan.owners[party];
    if (!o || seen.has(o.email.toLowerCase())) continue;
    seen.add(o.email.toLowerCase());
    out.push({ party, name: o.name, email: o.email, timezone: o.timezone ?? defaultTz });
  }
  return out;
}
