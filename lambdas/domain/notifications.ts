import type { Party, StageKey } from '../schemas/plan.schema';
import { type Deal, gateProgress, type MilestoneState, type Owner, partyOwner } from './deal';
import { GHOSTING_DAYS } from './defaults';
import type { LinkAction } from './links';
import { hoursToMs } from './time';

/** Who must be asked for what: pure decisions; the use cases sign the links and send the mail. */

export interface Ask {
  action: LinkAction;
  target: string;
  label: string;
  /** What the ask is about, for the email's list. */
  about: string;
}

export interface Asks {
  recipient: Owner;
  asks: Ask[];
}

/** An ask with its signed link, as an email lists it. */
export interface LinkedAsk extends Ask {
  url: string;
}

/**
 * As a gate opens (or falls overdue): each milestone owner gets done / slip / stuck links (and accept
 * for a handoff), each confirming party's owner a confirm link, and the vendor owner waive links.
 * One entry per person, so each person gets one email.
 */
export function gateAsks(
  deal: Deal,
  milestones: MilestoneState[],
  stage: StageKey,
  defaultTz: string,
): Asks[] {
  const progress = gateProgress(deal, milestones, stage);
  const byEmail = new Map<string, Asks>();
  const add = (recipient: Owner, ask: Ask) => {
    const key = recipient.email.toLowerCase();
    const entry = byEmail.get(key) ?? { recipient, asks: [] };
    entry.asks.push(ask);
    byEmail.set(key, entry);
  };
  for (const m of progress.openMilestones) {
    const about = `${m.title} (due ${m.due})`;
    if (m.handoff && !m.handoff.acceptedAt) {
      add(m.owner, { action: 'accept-handoff', target: m.milestoneId, label: 'Accept the handoff', about });
    }
    add(m.owner, { action: 'milestone-done', target: m.milestoneId, label: 'Mark done', about });
    add(m.owner, { action: 'milestone-slip', target: m.milestoneId, label: 'Report a slip', about });
    add(m.owner, { action: 'milestone-stuck', target: m.milestoneId, label: 'Say stuck', about });
  }
  for (const party of progress.missingConfirmations) {
    add(partyOwner(deal, party, defaultTz), {
      action: 'confirm-gate',
      target: stage,
      label: 'Confirm the gate',
      about: deal.plan.stages[stage].exit,
    });
  }
  const vendor = partyOwner(deal, 'vendor', defaultTz);
  for (const m of progress.openMilestones) {
    add(vendor, {
      action: 'waive-milestone',
      target: m.milestoneId,
      label: 'Waive (no longer needed)',
      about: `${m.title} (${m.owner.party})`,
    });
  }
  return [...byEmail.values()];
}

/** Parties whose move it is at a gate: those yet to confirm and those owning open milestones. */
export function partiesOwingMoves(deal: Deal, milestones: MilestoneState[], stage: StageKey): Party[] {
  const progress = gateProgress(deal, milestones, stage);
  const parties = new Set<Party>(progress.missingConfirmations);
  for (const m of progress.openMilestones) parties.add(m.owner.party);
  return [...parties];
}

export interface Rung {
  party: Party;
  /** 0-based position on the party's ladder. */
  index: number;
  name: string;
  email: string;
  role: string;
  at: Date;
}

/** Every rung of each party's ladder, timed from `anchor` (a deadline or a due time). */
export function ladderRungs(deal: Deal, parties: Party[], anchor: Date): Rung[] {
  const rungs: Rung[] = [];
  for (const party of parties) {
    const ladder = deal.plan.escalation?.[party] ?? [];
    ladder.forEach((p, index) => {
      rungs.push({
        party,
        index,
        name: p.name,
        email: p.email,
        role: p.role,
        at: new Date(anchor.getTime() + hoursToMs(p.afterHours)),
      });
    });
  }
  return rungs.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** How long to wait before looking again: until the next rung falls due, or a week once all have. */
export function nextLookInSeconds(rungs: Rung[], now: Date): number {
  const next = rungs.find((r) => r.at.getTime() > now.getTime());
  const ms = next ? next.at.getTime() - now.getTime() : hoursToMs(24 * 7);
  return Math.max(60, Math.ceil(ms / 1000));
}

/** Hours a receiving owner has to accept a handoff once its stage opens. */
export const HANDOFF_ACCEPT_HOURS = 48;
export const DEFAULT_GHOSTING_DAYS = GHOSTING_DAYS;

/**
 * A person's timezone: their own when they are a named owner, else their party owner's (escalation
 * contacts have none of their own), else the tenant's default.
 */
export function personTimezone(deal: Deal, party: Party, email: string, defaultTz: string): string {
  const e = email.toLowerCase();
  for (const o of Object.values(deal.plan.owners)) {
    if (o?.email.toLowerCase() === e && o.timezone) return o.timezone;
  }
  return deal.plan.owners[party]?.timezone ?? defaultTz;
}

export type NudgeKind = 'reminder' | 'overdue' | 'handoff' | 'ghosting';

/** One email-worthy thing the sweep owes someone about a milestone (or, for ghosting, its deal). */
export interface Nudge {
  /** Ledger key: each nudge is sent once. */
  key: string;
  kind: NudgeKind;
  /** When it falls due. */
  at: Date;
  /** After this it is moot (a reminder once the milestone is overdue). */
  until?: Date;
  to: Owner;
  cc?: Owner;
  rung?: Rung;
}

/**
 * Every nudge a milestone's state calls for, past and future: the owner's reminder `leadDays` before the
 * due time (until it is due); each rung of the owner's side's ladder after its `afterHours` past due; for
 * an unaccepted handoff, the receiving side's ladder from the acceptance deadline (48 h after the stage
 * opens, or `leadDays` before due, whichever is first); for partner-owned work, the partner's ladder
 * (vendor owner copied) once no partner-side person has acted for `ghostingDays` while the work is open.
 */
export function milestoneNudges(
  deal: Deal,
  m: MilestoneState,
  settings: { defaultTz: string; ghostingDays: number },
): Nudge[] {
  const nudges: Nudge[] = [];
  const dueAt = new Date(m.dueAt);
  const remindAt = new Date(dueAt.getTime() - (deal.plan.reminders?.leadDays ?? 2) * 86_400_000);
  const person = (party: Party, rung: Rung): Owner => ({
    party,
    name: rung.name,
    email: rung.email,
    timezone: personTimezone(deal, party, rung.email, settings.defaultTz),
  });
  nudges.push({
    key: `reminder#${deal.planId}#${m.milestoneId}#${m.due}`,
    kind: 'reminder',
    at: remindAt,
    until: dueAt,
    to: m.owner,
  });
  for (const rung of ladderRungs(deal, [m.owner.party], dueAt)) {
    nudges.push({
      key: `overdue#${deal.planId}#${m.milestoneId}#${m.due}#${rung.index}`,
      kind: 'overdue',
      at: rung.at,
      to: person(rung.party, rung),
      cc: m.owner,
      rung,
    });
  }
  const stage = deal.stages[m.stage];
  if (m.handoff && !m.handoff.acceptedAt) {
    const receiving = m.handoff.to;
    const opened = stage.openedAt ? Date.parse(stage.openedAt) + hoursToMs(HANDOFF_ACCEPT_HOURS) : Infinity;
    const deadline = new Date(Math.min(opened, remindAt.getTime()));
    const receiver = m.owner.party === receiving ? m.owner : partyOwner(deal, receiving, settings.defaultTz);
    // The first rung hears at the deadline itself; later rungs keep their spacing on the ladder.
    const head = hoursToMs(deal.plan.escalation?.[receiving]?.[0]?.afterHours ?? 0);
    for (const rung of ladderRungs(deal, [receiving], deadline)) {
      nudges.push({
        key: `handoff#${deal.planId}#${m.milestoneId}#${m.due}#${rung.index}`,
        kind: 'handoff',
        at: new Date(rung.at.getTime() - head),
        to: person(rung.party, rung),
        cc: receiver,
        rung,
      });
    }
  }
  if (m.owner.party === 'partner') {
    // Silence counts from the partner side's last action (the deal's start if none), and only while there
    // is partner work to do: from the stage's opening or the reminder, whichever comes first.
    const since = deal.lastActivity.partner ?? deal.createdAt;
    const workFrom = Math.min(stage.openedAt ? Date.parse(stage.openedAt) : Infinity, remindAt.getTime());
    const at = new Date(Math.max(Date.parse(since), workFrom) + settings.ghostingDays * 86_400_000);
    const vendor = partyOwner(deal, 'vendor', settings.defaultTz);
    const [first] = ladderRungs(deal, ['partner'], at);
    nudges.push({
      key: `ghosting#${deal.planId}#${since}`,
      kind: 'ghosting',
      at,
      ...(first ? { to: person('partner', first), cc: vendor, rung: { ...first, at } } : { to: vendor }),
    });
  }
  return nudges;
}

/**
 * When the sweep should first look at a milestone of a stage that has just opened: its pending nudge, or
 * sooner if the opening brings one forward (a handoff to accept, partner work to watch for silence).
 */
export function nudgeOnOpening(
  deal: Deal,
  m: MilestoneState,
  now: Date,
  settings: { defaultTz: string; ghostingDays: number },
): string | undefined {
  if (m.status !== 'open') return m.nudgeAt;
  const sooner = milestoneNudges(deal, m, settings)
    .filter((n) => n.kind !== 'reminder' && n.at.getTime() > now.getTime())
    .map((n) => n.at.toISOString());
  const all = [...sooner, ...(m.nudgeAt ? [m.nudgeAt] : [])].sort();
  return all[0];
}
