import type { Party, StageKey } from '../schemas/plan.schema';
import { type Deal, gateProgress, type MilestoneState, type Owner, partyOwner } from './deal';
import { GHOSTING_DAYS } from './defaults';
import type { LinkAction } from './links';
import { hoursToMs } from './time';
import { STAGE_KEYS } from './vocabulary';
import { addWorkingHours, type WorkCalendar } from './workdays';

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

/**
 * How rung delays are counted: with a calendar, `afterHours` are working hours on the rung person's own
 * calendar (hours of non-working days do not count); `lessHours` comes off each delay (a handoff's first
 * rung hears at the deadline itself).
 */
export interface RungTiming {
  calendar: WorkCalendar;
  defaultTz: string;
  lessHours?: number;
}

/** Every rung of each party's ladder, timed from `anchor` (a deadline or a due time). */
export function ladderRungs(deal: Deal, parties: Party[], anchor: Date, timing?: RungTiming): Rung[] {
  const rungs: Rung[] = [];
  for (const party of parties) {
    const ladder = deal.plan.escalation?.[party] ?? [];
    ladder.forEach((p, index) => {
      const hours = Math.max(0, p.afterHours - (timing?.lessHours ?? 0));
      const at = timing
        ? addWorkingHours(
            anchor,
            hours,
            personTimezone(deal, party, p.email, timing.defaultTz),
            timing.calendar,
          )
        : new Date(anchor.getTime() + hoursToMs(hours));
      rungs.push({ party, index, name: p.name, email: p.email, role: p.role, at });
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

export type NudgeKind = 'reminder' | 'overdue' | 'handoff' | 'ghosting' | 'early-warning';

export interface NudgeSettings {
  defaultTz: string;
  ghostingDays: number;
  /** Working days: rung delays count working hours. Without it, clock hours. */
  calendar?: WorkCalendar;
}

/** Whether a milestone's stage is open now (or behind): only that stage's work is chased. */
export function inCurrentStage(deal: Deal, m: MilestoneState): boolean {
  return STAGE_KEYS.indexOf(m.stage) <= STAGE_KEYS.indexOf(deal.stage);
}

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
  /** Ghosting of a side other than the partner's told to someone (the partner's has its own email). */
  silent?: Party;
  /** Ghosting of a party whose only open work in the stage is confirming its gate (no milestone of its own). */
  confirms?: StageKey;
}

/**
 * Every nudge a milestone's state calls for, past and future. Only the open stage's work is chased: a
 * milestone of a later stage gets one early warning, to its owner only, once its due time passes (nothing
 * goes up a ladder until its stage opens). For the open stage: the owner's reminder `leadDays` before the
 * due time (until it is due); each rung of the owner's side's ladder after its `afterHours` past due; for
 * an unaccepted handoff, the receiving side's ladder from the acceptance deadline (48 h after the stage
 * opens, or `leadDays` before due, whichever is first); for partner-owned work, the partner's ladder
 * (vendor owner copied) once no partner-side person has acted for `ghostingDays` while the work is open.
 */
export function milestoneNudges(deal: Deal, m: MilestoneState, settings: NudgeSettings): Nudge[] {
  const nudges: Nudge[] = [];
  const dueAt = new Date(m.dueAt);
  if (!inCurrentStage(deal, m)) {
    return [
      {
        key: `early#${deal.planId}#${m.milestoneId}#${m.due}`,
        kind: 'early-warning',
        at: dueAt,
        to: m.owner,
      },
    ];
  }
  const timing = settings.calendar
    ? { calendar: settings.calendar, defaultTz: settings.defaultTz }
    : undefined;
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
  for (const rung of ladderRungs(deal, [m.owner.party], dueAt, timing)) {
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
    const head = deal.plan.escalation?.[receiving]?.[0]?.afterHours ?? 0;
    const headStart = timing ? { ...timing, lessHours: head } : undefined;
    for (const rung of ladderRungs(deal, [receiving], deadline, headStart)) {
      nudges.push({
        key: `handoff#${deal.planId}#${m.milestoneId}#${m.due}#${rung.index}`,
        kind: 'handoff',
        at: headStart ? rung.at : new Date(rung.at.getTime() - hoursToMs(head)),
        to: person(rung.party, rung),
        cc: receiver,
        rung,
      });
    }
  }
  const workFrom = stage.openedAt ? Date.parse(stage.openedAt) : remindAt.getTime();
  nudges.push(...ghostingNudges(deal, m.owner.party, m.stage, workFrom, settings, m.owner.email));
  return nudges;
}

/**
 * Ghosting of the parties whose only open work in the open stage is confirming its gate: they owe the
 * confirmation and own no open milestone there (a party owning one is watched through it). Same rule, same
 * keys, same recipients as a milestone owner's silence (see `ghostingNudges`).
 */
export function confirmationGhosting(
  deal: Deal,
  milestones: MilestoneState[],
  settings: NudgeSettings,
): Nudge[] {
  const stage = deal.stage;
  const state = deal.stages[stage];
  if (deal.status !== 'active' || state.status !== 'open') return [];
  const progress = gateProgress(deal, milestones, stage);
  const owning = new Set(progress.openMilestones.map((m) => m.owner.party));
  const workFrom = Date.parse(state.openedAt ?? deal.createdAt);
  return progress.missingConfirmations
    .filter((party) => !owning.has(party))
    .flatMap((party) =>
      ghostingNudges(deal, party, stage, workFrom, settings).map((n) => ({ ...n, confirms: stage })),
    );
}

/** Who hears that a party has gone quiet, besides its own first rung: the owners of the other sides. */
const TOLD_OF_SILENCE: Record<Party, Party[]> = {
  customer: ['vendor', 'partner'],
  partner: ['vendor'],
  vendor: ['partner'],
};

/**
 * Ghosting, from every side: the party owning this open work of the open stage has not acted on any link
 * of the deal for `ghostingDays` since the later of its last action and the stage's opening. Its first
 * rung (not the silent owner themself) and the other sides' owners are told, once per episode (the key
 * carries the last action, so the party's next action ends the episode). The customer hears of partner
 * silence when it waits on the partner in this stage (it owns work or confirms the gate here).
 */
function ghostingNudges(
  deal: Deal,
  silent: Party,
  stageKey: StageKey,
  workFrom: number,
  settings: NudgeSettings,
  /** The silent work's own owner, when the party names no owner (never told of its own silence). */
  self?: string,
): Nudge[] {
  const person = (party: Party, rung: Rung): Owner => ({
    party,
    name: rung.name,
    email: rung.email,
    timezone: personTimezone(deal, party, rung.email, settings.defaultTz),
  });
  const since = deal.lastActivity[silent] ?? deal.createdAt;
  const at = new Date(Math.max(Date.parse(since), workFrom) + settings.ghostingDays * 86_400_000);
  const owner = deal.plan.owners[silent];
  const [first] = ladderRungs(deal, [silent], at).filter(
    (r) => r.email.toLowerCase() !== (owner?.email ?? self)?.toLowerCase(),
  );
  const told = [...TOLD_OF_SILENCE[silent]];
  const plan = deal.plan.stages[stageKey];
  if (
    silent === 'partner' &&
    ((plan.confirmedBy as Party[]).includes('customer') ||
      plan.milestones.some((x) => x.owner === 'customer'))
  )
    told.push('customer');
  const owners = told.flatMap((party) =>
    deal.plan.owners[party] ? [partyOwner(deal, party, settings.defaultTz)] : [],
  );
  if (silent === 'partner') {
    // The partner's ladder hears with the vendor owner copied (the key it has always had).
    const vendor = partyOwner(deal, 'vendor', settings.defaultTz);
    const rest = owners.filter((o) => o.party !== 'vendor');
    return [
      {
        key: `ghosting#${deal.planId}#${since}`,
        kind: 'ghosting',
        at,
        ...(first ? { to: person('partner', first), cc: vendor, rung: { ...first, at } } : { to: vendor }),
      },
      ...rest.map((to) => ghostingTo(deal, silent, since, at, to)),
    ];
  }
  return [
    ...(first
      ? [{ ...ghostingTo(deal, silent, since, at, person(silent, first)), rung: { ...first, at } }]
      : []),
    ...owners.map((to) => ghostingTo(deal, silent, since, at, to)),
  ];
}

function ghostingTo(deal: Deal, silent: Party, since: string, at: Date, to: Owner): Nudge {
  return {
    key: `ghosting#${deal.planId}#${silent}#${since}#${to.email.toLowerCase()}`,
    kind: 'ghosting',
    at,
    to,
    silent,
  };
}

/**
 * When the sweep should first look at a milestone of a stage that has just opened: its pending nudge, or
 * sooner if the opening brings one forward (a handoff to accept, partner work to watch for silence).
 */
export function nudgeOnOpening(
  deal: Deal,
  m: MilestoneState,
  now: Date,
  settings: NudgeSettings,
): string | undefined {
  if (m.status !== 'open') return m.nudgeAt;
  // Work of a stage not chased until now: what fell due while it waited is owed now (each nudge is sent
  // once, by its key). A reminder already due is not: the gate's opening email asks the owner itself.
  const sooner = milestoneNudges(deal, m, settings)
    .filter((n) => n.kind !== 'reminder' || n.at.getTime() > now.getTime())
    .map((n) => new Date(Math.max(n.at.getTime(), now.getTime())).toISOString());
  const all = [...sooner, ...(m.nudgeAt ? [m.nudgeAt] : [])].sort();
  return all[0];
}
