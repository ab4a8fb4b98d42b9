import { ESCALATED } from '../../schemas/events.schema';
import {
  DEFAULT_MAX_PER_DAY,
  DEFAULT_QUIET_HOURS,
  type DeliveryProblem,
  digestKey,
  groupByRecipient,
  type QuietHours,
} from '../cadence';
import { type Deal, gateProgress, type MilestoneState, type Owner } from '../deal';
import { ConcurrentUpdateError } from '../errors';
import { escalatedDetail, publishOrWarn } from '../events';
import {
  confirmationGhosting,
  DEFAULT_GHOSTING_DAYS,
  inCurrentStage,
  milestoneNudges,
  type Nudge,
} from '../notifications';
import type {
  AnnouncementSchedule,
  DealSnapshot,
  Deps,
  DigestItem,
  HeldAnnouncement,
  ViewsOf,
} from '../ports';
import { maySendAt, nextSendable, nextWorkingMorning, workCalendarOf } from '../workdays';
import { announcementEmail, type HeldNews, newsItem } from './announcements';
import { ledgerDone, ledgerState, recordDeliveryProblem, sendCapped } from './capped-send';
import { digestItem, singleEmail } from './sweep-messages';

export {
  type CappedOutcome,
  ledgerDone,
  ledgerState,
  recordDeliveryProblem,
  sendCapped,
} from './capped-send';

export interface SweepReport {
  looked: number;
  reminders: number;
  escalations: number;
  /** Emails sent (a digest counts once). */
  emails: number;
  /** Nudges held back by quiet hours or the per-day cap, to a later sweep. */
  deferred: number;
  /** Held announcements sent (alone or in a digest); absent when there were none. */
  announcements?: number;
  /** Events that could not be published (for the log); absent when there were none. */
  warnings?: string[];
}

type SweepDeps = Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'events'> & {
  announcements: AnnouncementSchedule;
} & ViewsOf<
    'reminder' | 'earlyWarning' | 'ghosting' | 'digest' | 'escalation' | 'stagePassed' | 'dealClosed'
  >;

/** A due milestone (or a due silence watch) as this sweep found it, and what it decided for it. */
interface Entry {
  deal: Deal;
  /** The milestone; absent for a silence watch (`watch`). */
  m?: MilestoneState;
  watch?: HeldAnnouncement;
  nudges: Nudge[];
  /** Later times to look again (the next nudge, deferrals). */
  later: Date[];
  /** Something could not be settled now (a send failed for now): keep the nudge as it is. */
  keep: boolean;
}

/** One nudge owed now, with the milestones that carry it (a deal's ghosting nudge may come from several). */
interface Item {
  nudge: Nudge;
  deal: Deal;
  /** Absent only for the ghosting of a party that owes just a confirmation, found by a silence watch. */
  m?: MilestoneState;
  entries: Entry[];
}

/** A held announcement due now, with the deal as it stands and what this sweep decided for it. */
interface News {
  held: HeldNews;
  deal: Deal;
  milestones: MilestoneState[];
  /** Held again until then (quiet hours, the cap). */
  later?: Date;
  /** Went out (or never will): out of the schedule. */
  settle?: boolean;
}

/** Something owed to one person now: a milestone's nudge or a held announcement. */
type Owed = Item | News;

const isNews = (o: Owed): o is News => 'held' in o;
const keyOf = (o: Owed) => (isNews(o) ? o.held.key : o.nudge.key);
const toOf = (o: Owed) => (isNews(o) ? o.held.to : o.nudge.to);

/**
 * The reminder sweep reads only milestones whose next nudge is due, from the sparse index, and works out
 * what each owes (see `milestoneNudges`): reminders, overdue escalations, unaccepted handoffs, ghosting. It
 * also reads the announcements held for now (a passed stage, a close: see announcements.ts). Then, per
 * recipient: nothing in their quiet hours or on a day they do not work (it comes back at their next working
 * morning), at most `maxPerRecipientPerDay` emails per local day (the rest come back next working morning),
 * and all that is owed to one person in one email. Every item has its own ledger key, marked done with the
 * email that carried it, so a second sweep, or a rerun after a crash part-way through, sends nothing twice.
 */
export async function sweepReminders(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  const due = await deps.store.milestonesDue(now);
  const deals = new Map<string, DealSnapshot | undefined>();
  const report: SweepReport = { looked: due.length, reminders: 0, escalations: 0, emails: 0, deferred: 0 };
  const ghostingDays = deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS;
  const calendar = workCalendarOf(deps.config);
  const settings = { defaultTz: deps.config.defaultTimezone, ghostingDays, calendar };
  // Deals whose confirmation-only parties this sweep already watches (once per deal).
  const watched = new Set<string>();
  const snapshotOf = async (planId: string) => {
    if (!deals.has(planId)) deals.set(planId, await deps.store.get(planId));
    return deals.get(planId);
  };
  const entries: Entry[] = [];
  for (const indexed of due) {
    const snapshot = await snapshotOf(indexed.planId);
    // The index is eventually consistent: act on the milestone as the table has it now (a link may have
    // closed or re-planned it a moment ago).
    const m = snapshot?.milestones.find((x) => x.milestoneId === indexed.milestoneId) ?? indexed;
    if (snapshot?.deal.status !== 'active' || m.status !== 'open') {
      await saveUnlessChanged(deps, withNudge(m, undefined));
      continue;
    }
    if (!m.nudgeAt || Date.parse(m.nudgeAt) > now.getTime()) continue;
    const nudges = milestoneNudges(snapshot.deal, m, settings);
    // A milestone of the open stage also watches the parties that owe only the gate's confirmation there.
    if (m.stage === snapshot.deal.stage && !watched.has(indexed.planId)) {
      watched.add(indexed.planId);
      nudges.push(...confirmationGhosting(snapshot.deal, snapshot.milestones, settings));
    }
    entries.push({ deal: snapshot.deal, m, nudges, later: [], keep: false });
  }
  // Held announcements due now, and silence watches (a gate waiting only on confirmations).
  const heldDue: { held: HeldNews; snapshot: DealSnapshot | undefined }[] = [];
  for (const held of await deps.announcements.announcementsDue(now)) {
    if (Date.parse(held.at) > now.getTime()) continue;
    const snapshot = await snapshotOf(held.planId);
    if (held.what.kind === 'stage-passed' && snapshot?.deal.status !== 'active') {
      // Stale news: the deal closed since the stage passed, and its owners hear of the close instead.
      await ledgerDone(deps.ledger, held.key);
      await deps.announcements.settleAnnouncement(held);
      continue;
    }
    if (held.what.kind !== 'silence') {
      heldDue.push({ held: held as HeldNews, snapshot });
      continue;
    }
    const deal = snapshot?.deal;
    const waiting =
      deal?.status === 'active' &&
      deal.stage === held.what.stage &&
      !watched.has(held.planId) &&
      gateProgress(deal, snapshot?.milestones ?? [], deal.stage).openMilestones.length === 0;
    // Over (the stage passed, the deal closed), or a milestone of the stage watches it again.
    if (!waiting || !deal) {
      await deps.announcements.settleAnnouncement(held);
      continue;
    }
    watched.add(held.planId);
    const nudges = confirmationGhosting(deal, snapshot?.milestones ?? [], settings);
    entries.push({ deal, watch: held, nudges, later: [], keep: false });
  }

  // What is owed now, once per key; what is owed later is when each milestone is looked at again.
  const owed = new Map<string, Item>();
  for (const entry of entries) {
    for (const nudge of entry.nudges) {
      if (nudge.at.getTime() > now.getTime()) entry.later.push(nudge.at);
      else if (!nudge.until || now.getTime() < nudge.until.getTime()) {
        const item = owed.get(nudge.key) ?? { nudge, deal: entry.deal, m: entry.m, entries: [] };
        item.entries.push(entry);
        owed.set(nudge.key, item);
      }
    }
  }
  const open: Owed[] = [];
  // Escalations whose email is settled: each is published once (again looked at, it is made up for).
  const escalated: Item[] = [];
  for (const item of owed.values()) {
    const state = await ledgerState(deps.ledger, item.nudge.key);
    if (state === 'open') open.push(item);
    else if (state === 'busy') keep(item);
    else escalated.push(item);
  }
  const news: News[] = [];
  for (const { held, snapshot } of heldDue) {
    const state = await ledgerState(deps.ledger, held.key);
    if (state === 'busy') continue;
    const item: News = { held, deal: snapshot?.deal as Deal, milestones: snapshot?.milestones ?? [] };
    news.push(item);
    // Already sent (a crash after the send), or its deal is gone: nothing more to send.
    if (state === 'done' || !snapshot) item.settle = true;
    else open.push(item);
  }

  let throttled = false;
  for (const group of groupByRecipient(open.map((o) => ({ o, to: toOf(o) })))) {
    const items = group.map((g) => g.o);
    const to = toOf(items[0] as Owed);
    // Nothing in the recipient's quiet hours or on a day they do not work: it goes at their next working morning.
    const quietNow = items.filter((i) => !maySendAt(now, to.timezone, quietHoursOf(i.deal), calendar));
    for (const item of quietNow)
      defer(item, nextSendable(now, to.timezone, quietHoursOf(item.deal), calendar), report);
    const sendable = items.filter((i) => !quietNow.includes(i));
    if (sendable.length === 0) continue;
    if (throttled) {
      for (const item of sendable) keep(item);
      continue;
    }
    const cap = Math.min(
      ...sendable.map((i) => i.deal.plan.reminders?.maxPerRecipientPerDay ?? DEFAULT_MAX_PER_DAY),
    );
    const outcome = await sendCapped(deps, to, cap, () => sendItems(deps, to, sendable));
    const settled = outcome.kind === 'sent' || outcome.kind === 'already-sent' || outcome.kind === 'rejected';
    if (settled) {
      for (const item of sendable) {
        if (isNews(item)) item.settle = true;
        else escalated.push(item);
      }
    }
    if (outcome.kind === 'sent') {
      report.emails++;
      for (const item of sendable) {
        if (isNews(item)) report.announcements = (report.announcements ?? 0) + 1;
        else if (item.nudge.kind === 'reminder' || item.nudge.kind === 'early-warning') report.reminders++;
        else report.escalations++;
      }
    } else if (outcome.kind === 'at-cap') {
      const morning = nextWorkingMorning(
        now,
        to.timezone,
        quietHoursOf((sendable[0] as Owed).deal),
        calendar,
      );
      for (const item of sendable) defer(item, morning, report);
    } else if (outcome.kind === 'rejected') {
      await recordProblem(deps, sendable, outcome.problem);
      for (const item of sendable) await ledgerDone(deps.ledger, keyOf(item));
    } else {
      if (outcome.kind === 'deferred') throttled = true;
      for (const item of sendable) keep(item);
    }
  }

  for (const entry of entries) {
    if (entry.keep) continue;
    let nextAt = entry.later.reduce<Date | undefined>((a, b) => (a && a <= b ? a : b), undefined);
    // The open stage's work stays in view, so that silence after its party's next action is noticed too.
    const watching = entry.watch || (entry.m && inCurrentStage(entry.deal, entry.m));
    if (!nextAt && watching) nextAt = new Date(now.getTime() + ghostingDays * 86_400_000);
    if (entry.watch)
      await deps.announcements.holdAnnouncement({ ...entry.watch, at: (nextAt as Date).toISOString() });
    else if (entry.m) await saveUnlessChanged(deps, withNudge(entry.m, nextAt));
  }
  // A held announcement left as it is (a send failed for now, another sender holds it) stays due: the next
  // sweep tries again.
  for (const item of news) {
    if (item.settle) await deps.announcements.settleAnnouncement(item.held);
    else if (item.later)
      await deps.announcements.holdAnnouncement({ ...item.held, at: item.later.toISOString() });
  }

  const warnings: string[] = [];
  for (const item of escalated) {
    if (item.nudge.kind === 'reminder' || item.nudge.kind === 'early-warning') continue;
    await publishOrWarn(deps, warnings, ESCALATED, escalation(item, now));
  }
  return warnings.length ? { ...report, warnings } : report;
}

const ESCALATION_OF = { overdue: 'milestone-overdue', handoff: 'handoff', ghosting: 'ghosting' } as const;

function escalation({ deal, m, nudge }: Item, now: Date) {
  const what = ESCALATION_OF[nudge.kind as keyof typeof ESCALATION_OF];
  const { rung } = nudge;
  const ghosting = what === 'ghosting';
  return escalatedDetail(
    deal,
    {
      key: nudge.key,
      what,
      // Ghosting is about the deal (one side's silence), not one milestone.
      stage: ghosting || !m ? deal.stage : m.stage,
      ...(ghosting || !m ? {} : { milestone: m }),
      party: ghosting || !m ? (nudge.silent ?? 'partner') : (rung?.party ?? m.owner.party),
      ...(rung ? { rung } : {}),
      to: rung ?? nudge.to,
    },
    now,
  );
}

/** Something could not be settled now: a milestone keeps its nudge, an announcement stays held for now. */
function keep(item: Owed): void {
  if (isNews(item)) return;
  for (const e of item.entries) e.keep = true;
}

function defer(item: Owed, until: Date, report: SweepReport): void {
  report.deferred++;
  if (isNews(item)) item.later = until;
  else for (const e of item.entries) e.later.push(until);
}

function quietHoursOf(deal: Deal): QuietHours {
  return deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
}

/** One email for all the items: the item's own when there is one, else a digest keyed by the set. */
async function sendItems(deps: SweepDeps, to: Owner, items: Owed[]): Promise<'done' | 'already-done'> {
  if (items.length === 1) {
    const item = items[0] as Owed;
    return deps.ledger.once(keyOf(item), async () => {
      const email = isNews(item)
        ? announcementEmail(deps, item.deal, item.milestones, item.held)
        : await singleEmail(deps, item);
      await deps.mailer.send(email);
    });
  }
  const keys = items.map(keyOf);
  const key = digestKey(to.email, keys);
  return deps.ledger.once(key, async () => {
    const digestItems: DigestItem[] = [];
    for (const item of items)
      digestItems.push(
        isNews(item) ? newsItem(item.deal, item.milestones, item.held) : await digestItem(deps, item),
      );
    const cc = items.flatMap((i) => (!isNews(i) && i.nudge.cc ? [i.nudge.cc.email] : []));
    await deps.mailer.send(deps.views.digest(to, digestItems, cc, key));
    // Each item is marked done with the email that carried it, before the digest itself completes.
    for (const k of keys) await ledgerDone(deps.ledger, k);
  });
}

/** Keeps a permanent delivery failure on each plan concerned, so ops can fix the address. */
async function recordProblem(deps: SweepDeps, items: Owed[], problem: DeliveryProblem): Promise<void> {
  const byPlan = new Map<string, string[]>();
  for (const item of items)
    byPlan.set(item.deal.planId, [...(byPlan.get(item.deal.planId) ?? []), keyOf(item)]);
  for (const [planId, keys] of byPlan) {
    await recordDeliveryProblem(deps, planId, { ...problem, keys });
  }
}

/** A milestone changed since it was read (a link was used meanwhile): the next sweep reads it afresh. */
async function saveUnlessChanged(deps: Pick<Deps, 'store'>, m: MilestoneState): Promise<void> {
  try {
    await deps.store.saveMilestone(m);
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}

function withNudge(m: MilestoneState, at: Date | undefined): MilestoneState {
  const { nudgeAt: _old, ...rest } = m;
  return at ? { ...rest, nudgeAt: at.toISOString() } : rest;
}
