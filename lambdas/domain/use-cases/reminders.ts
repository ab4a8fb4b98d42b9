import { ESCALATED } from '../../schemas/events.schema';
import {
  DEFAULT_MAX_PER_DAY,
  DEFAULT_QUIET_HOURS,
  DeliveryDeferredError,
  type DeliveryProblem,
  DeliveryRejectedError,
  digestKey,
  groupByRecipient,
  type QuietHours,
  sendSlotKeys,
} from '../cadence';
import type { Deal, MilestoneState, Owner } from '../deal';
import { ConcurrentUpdateError } from '../errors';
import { escalatedDetail, publishOrWarn } from '../events';
import { withFreshRead } from '../fresh-read';
import { DEFAULT_GHOSTING_DAYS, inCurrentStage, milestoneNudges, type Nudge } from '../notifications';
import type { DealSnapshot, Deps, DigestItem, EffectLedger, ViewsOf } from '../ports';
import { maySendAt, nextSendable, nextWorkingMorning, workCalendarOf } from '../workdays';
import { digestItem, singleEmail } from './sweep-messages';

export interface SweepReport {
  looked: number;
  reminders: number;
  escalations: number;
  /** Emails sent (a digest counts once). */
  emails: number;
  /** Nudges held back by quiet hours or the per-day cap, to a later sweep. */
  deferred: number;
  /** Events that could not be published (for the log); absent when there were none. */
  warnings?: string[];
}

type SweepDeps = Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'events'> &
  ViewsOf<'reminder' | 'earlyWarning' | 'ghosting' | 'digest' | 'escalation'>;

/** A due milestone as this sweep found it, and what it decided for it. */
interface Entry {
  deal: Deal;
  m: MilestoneState;
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
  m: MilestoneState;
  entries: Entry[];
}

/**
 * The reminder sweep reads only milestones whose next nudge is due, from the sparse index, and works out
 * what each owes (see `milestoneNudges`): reminders, overdue escalations, unaccepted handoffs, partner
 * ghosting. Then, per recipient: nothing in their quiet hours (the milestone comes back when they end),
 * at most `maxPerRecipientPerDay` emails per local day (the rest come back next local morning), and all
 * that is owed to one person in one email. Every item has its own ledger key, marked done with the email
 * that carried it, so a second sweep, or a rerun after a crash part-way through, sends nothing twice.
 */
export async function sweepReminders(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  const due = await deps.store.milestonesDue(now);
  const deals = new Map<string, DealSnapshot | undefined>();
  const report: SweepReport = { looked: due.length, reminders: 0, escalations: 0, emails: 0, deferred: 0 };
  const ghostingDays = deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS;
  const calendar = workCalendarOf(deps.config);
  const settings = { defaultTz: deps.config.defaultTimezone, ghostingDays, calendar };
  const entries: Entry[] = [];
  for (const indexed of due) {
    if (!deals.has(indexed.planId)) deals.set(indexed.planId, await deps.store.get(indexed.planId));
    const snapshot = deals.get(indexed.planId);
    // The index is eventually consistent: act on the milestone as the table has it now (a link may have
    // closed or re-planned it a moment ago).
    const m = snapshot?.milestones.find((x) => x.milestoneId === indexed.milestoneId) ?? indexed;
    if (snapshot?.deal.status !== 'active' || m.status !== 'open') {
      await saveUnlessChanged(deps, withNudge(m, undefined));
      continue;
    }
    if (!m.nudgeAt || Date.parse(m.nudgeAt) > now.getTime()) continue;
    const nudges = milestoneNudges(snapshot.deal, m, settings);
    entries.push({ deal: snapshot.deal, m, nudges, later: [], keep: false });
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
  const open: Item[] = [];
  // Escalations whose email is settled: each is published once (again looked at, it is made up for).
  const escalated: Item[] = [];
  for (const item of owed.values()) {
    const state = await ledgerState(deps.ledger, item.nudge.key);
    if (state === 'open') open.push(item);
    else if (state === 'busy') keep(item);
    else escalated.push(item);
  }

  let throttled = false;
  for (const group of groupByRecipient(open.map((item) => ({ ...item, to: item.nudge.to })))) {
    const to = (group[0] as Item).nudge.to;
    // Nothing in the recipient's quiet hours or on a day they do not work: it goes at their next working morning.
    const quietNow = group.filter((i) => !maySendAt(now, to.timezone, quietHoursOf(i.deal), calendar));
    for (const item of quietNow)
      defer(item, nextSendable(now, to.timezone, quietHoursOf(item.deal), calendar), report);
    const sendable = group.filter((i) => !quietNow.includes(i));
    if (sendable.length === 0) continue;
    if (throttled) {
      for (const item of sendable) keep(item);
      continue;
    }
    const cap = Math.min(
      ...sendable.map((i) => i.deal.plan.reminders?.maxPerRecipientPerDay ?? DEFAULT_MAX_PER_DAY),
    );
    const outcome = await sendCapped(deps, to, cap, () => sendItems(deps, to, sendable));
    if (outcome.kind === 'sent' || outcome.kind === 'already-sent' || outcome.kind === 'rejected')
      escalated.push(...sendable);
    if (outcome.kind === 'sent') {
      report.emails++;
      for (const item of sendable) {
        if (item.nudge.kind === 'reminder' || item.nudge.kind === 'early-warning') report.reminders++;
        else report.escalations++;
      }
    } else if (outcome.kind === 'at-cap') {
      const morning = nextWorkingMorning(
        now,
        to.timezone,
        quietHoursOf((sendable[0] as Item).deal),
        calendar,
      );
      for (const item of sendable) defer(item, morning, report);
    } else if (outcome.kind === 'rejected') {
      await recordProblem(deps, sendable, outcome.problem);
      for (const item of sendable) await ledgerDone(deps.ledger, item.nudge.key);
    } else {
      if (outcome.kind === 'deferred') throttled = true;
      for (const item of sendable) keep(item);
    }
  }

  for (const entry of entries) {
    if (entry.keep) continue;
    let nextAt = entry.later.reduce<Date | undefined>((a, b) => (a && a <= b ? a : b), undefined);
    // The open stage's work stays in view, so that silence after its party's next action is noticed too.
    if (!nextAt && inCurrentStage(entry.deal, entry.m))
      nextAt = new Date(now.getTime() + ghostingDays * 86_400_000);
    await saveUnlessChanged(deps, withNudge(entry.m, nextAt));
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
      stage: ghosting ? deal.stage : m.stage,
      ...(ghosting ? {} : { milestone: m }),
      party: ghosting ? (nudge.silent ?? 'partner') : (rung?.party ?? m.owner.party),
      ...(rung ? { rung } : {}),
      to: rung ?? nudge.to,
    },
    now,
  );
}

function keep(item: Item): void {
  for (const e of item.entries) e.keep = true;
}

function defer(item: Item, until: Date, report: SweepReport): void {
  report.deferred++;
  for (const e of item.entries) e.later.push(until);
}

function quietHoursOf(deal: Deal): QuietHours {
  return deal.plan.reminders?.quietHours ?? DEFAULT_QUIET_HOURS;
}

export type CappedOutcome =
  | { kind: 'sent' }
  | { kind: 'already-sent' }
  | { kind: 'at-cap' }
  | { kind: 'busy' }
  | { kind: 'deferred'; error: DeliveryDeferredError }
  | { kind: 'rejected'; problem: DeliveryProblem };

/** Thrown inside a slot's effect when nothing was sent after all, so the slot is given back. */
class NothingSentSignal extends Error {}
/** Carries an error from the send out of the slot's effect, to tell it from the slot's own claim failing. */
class SendFailedSignal extends Error {
  constructor(readonly error: unknown) {
    super('send failed');
  }
}

/**
 * Sends within the recipient's per-day cap: each email takes one of the day's numbered send slots
 * (`sent#<email>#<local date>#<n>`) through the ledger, a conditional claim, so concurrent senders cannot
 * exceed the cap. `run` performs the send through its own ledger key and says whether it sent anything;
 * if not, or if it fails, the slot is given back.
 */
export async function sendCapped(
  deps: Pick<Deps, 'ledger' | 'clock'>,
  to: Owner,
  cap: number,
  run: () => Promise<'done' | 'already-done'>,
): Promise<CappedOutcome> {
  const now = deps.clock.now();
  for (const slot of sendSlotKeys(to.email, now, to.timezone, cap)) {
    try {
      const claimed = await deps.ledger.once(slot, async () => {
        let result: 'done' | 'already-done';
        try {
          result = await run();
        } catch (error) {
          throw new SendFailedSignal(error);
        }
        if (result === 'already-done') throw new NothingSentSignal();
      });
      if (claimed === 'done') return { kind: 'sent' };
      // This slot was used earlier today: try the next.
    } catch (error) {
      if (error instanceof NothingSentSignal) return { kind: 'already-sent' };
      if (error instanceof SendFailedSignal) {
        const cause = error.error;
        if (cause instanceof DeliveryRejectedError) {
          return {
            kind: 'rejected',
            problem: {
              at: now.toISOString(),
              to: to.email,
              code: cause.code,
              message: cause.message,
              keys: [],
            },
          };
        }
        if (isInProgress(cause)) return { kind: 'busy' };
        // Anything else (throttling after retries, a network error) is for now: keep it for later.
        return {
          kind: 'deferred',
          error:
            cause instanceof DeliveryDeferredError
              ? cause
              : new DeliveryDeferredError(cause instanceof Error ? cause.message : String(cause)),
        };
      }
      // Another sender holds this slot right now: it counts as used.
      if (!isInProgress(error)) throw error;
    }
  }
  return { kind: 'at-cap' };
}

/** One email for all the items: the item's own when there is one, else a digest keyed by the set. */
async function sendItems(deps: SweepDeps, to: Owner, items: Item[]): Promise<'done' | 'already-done'> {
  if (items.length === 1) {
    const item = items[0] as Item;
    return deps.ledger.once(item.nudge.key, async () => {
      await deps.mailer.send(await singleEmail(deps, item));
    });
  }
  const keys = items.map((i) => i.nudge.key);
  const key = digestKey(to.email, keys);
  return deps.ledger.once(key, async () => {
    const digestItems: DigestItem[] = [];
    for (const item of items) digestItems.push(await digestItem(deps, item));
    const cc = items.flatMap((i) => (i.nudge.cc ? [i.nudge.cc.email] : []));
    await deps.mailer.send(deps.views.digest(to, digestItems, cc, key));
    // Each item is marked done with the email that carried it, before the digest itself completes.
    for (const k of keys) await ledgerDone(deps.ledger, k);
  });
}

/** Keeps a permanent delivery failure on each plan concerned, so ops can fix the address. */
async function recordProblem(deps: SweepDeps, items: Item[], problem: DeliveryProblem): Promise<void> {
  const byPlan = new Map<string, string[]>();
  for (const item of items)
    byPlan.set(item.deal.planId, [...(byPlan.get(item.deal.planId) ?? []), item.nudge.key]);
  for (const [planId, keys] of byPlan) {
    await recordDeliveryProblem(deps, planId, { ...problem, keys });
  }
}

/**
 * Appends a delivery problem to the plan (re-reading on a lost race); at most the last 20 are kept. A plan
 * that keeps changing under it five times running goes without this record (the sweep does not fail).
 */
export async function recordDeliveryProblem(
  deps: Pick<Deps, 'store'>,
  planId: string,
  problem: DeliveryProblem,
): Promise<void> {
  try {
    await withFreshRead(5, async () => {
      const snapshot = await deps.store.get(planId);
      if (!snapshot) return;
      const { deal } = snapshot;
      const deliveryProblems = [...(deal.deliveryProblems ?? []), problem].slice(-20);
      await deps.store.save({ deal: { ...deal, deliveryProblems } });
    });
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}

class ProbeSignal extends Error {}

/**
 * Whether a ledger key is done, open, or held by another invocation right now, through the ledger's one
 * operation: an effect that always fails leaves nothing behind (the claim is released).
 */
export async function ledgerState(ledger: EffectLedger, key: string): Promise<'done' | 'open' | 'busy'> {
  try {
    const result = await ledger.once(key, async () => {
      throw new ProbeSignal();
    });
    return result === 'already-done' ? 'done' : 'open';
  } catch (error) {
    if (error instanceof ProbeSignal) return 'open';
    if (isInProgress(error)) return 'busy';
    throw error;
  }
}

/** Marks a key done without an effect of its own (its email went out with another key). */
export async function ledgerDone(ledger: EffectLedger, key: string): Promise<void> {
  await ledger.once(key, async () => undefined);
}

/** The ledger's "claimed elsewhere, not finished" (the adapter's EffectInProgressError), by name. */
function isInProgress(error: unknown): boolean {
  return error instanceof Error && error.name === 'EffectInProgressError';
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
