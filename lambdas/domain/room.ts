import type { Plan } from '../schemas/plan.schema';
import { type Confirmation, type Deal, daysInStages, gateProgress, type MilestoneState } from './deal';
import type { LinkAction } from './links';
import { STAGES } from './playbook';
import type { HistoryEntry } from './ports';
import { originalCloseDate } from './slips';
import { PARTIES, type Party, STAGE_KEYS, type StageKey } from './vocabulary';

/**
 * What a deal room shows one reader, and the one-pager shows ops: the deal as it is now. Built here, in the
 * domain, so what a customer may not see (the economic split, the attribution tag, the vendor's and the
 * partner's escalation ladders) is never in the data handed to a view at all.
 */

/** Who reads: a person of one party, or ops (the one-pager, which shows everything). */
export type Audience = Party | 'ops';

export interface RoomReader {
  party: Party;
  name: string;
  email: string;
  timezone: string;
}

/** One of the reader's own open moves, as a button to its action page. */
export interface RoomAction {
  action: LinkAction;
  label: string;
  about: string;
  url: string;
}

export interface RoomHistoryItem {
  at: string;
  text: string;
}

export interface RoomStage {
  key: StageKey;
  number: number;
  title: string;
  status: 'pending' | 'open' | 'passed';
  openedAt?: string;
  passedAt?: string;
  current: boolean;
  exit: string;
  confirmedBy: Party[];
  /** What each party gave when it confirmed: meeting date, brief link, confirmation, outcome, lesson. */
  evidence: Confirmation[];
}

export interface RoomMilestone {
  id: string;
  seq: number;
  stage: number;
  title: string;
  owner: { name: string; party: Party };
  due: string;
  /** The due date the plan was loaded with (differs after a slip moved it). */
  plannedDue: string;
  status: MilestoneState['status'];
  current: boolean;
  handoff?: MilestoneState['handoff'];
  /** Each with `byName`, the name the plan gives whoever reported it. */
  slips: (MilestoneState['slips'][number] & { byName: string })[];
  stuck: (MilestoneState['stuck'][number] & { byName: string })[];
  waived?: MilestoneState['waived'];
}

/**
 * Whose move it is now: the people owing a confirmation or an open milestone at the current stage. Each
 * `what` is a milestone title, or `confirm: <the stage's exit criterion>`.
 */
export interface RoomMove {
  party: Party;
  name: string;
  what: string[];
}

export interface DealRoom {
  audience: Audience;
  reader?: RoomReader;
  vendorName: string;
  planId: string;
  name: string;
  status: Deal['status'];
  stage: StageKey;
  /** Days the current stage has been open. */
  daysInStage: number;
  account: Plan['account'];
  partner: Plan['partner'];
  jointOutcome: Plan['jointOutcome'];
  closeDate: { now: string; planned: string };
  owners: { party: Party; name: string; title?: string; email: string; phone?: string }[];
  stages: RoomStage[];
  milestones: RoomMilestone[];
  whoseMove: RoomMove[];
  risks: string[];
  outcome?: Deal['outcome'];
  cadence: Plan['cadence'];
  actions: RoomAction[];
  history: RoomHistoryItem[];
  /** Absent for the customer's people. */
  attribution?: Plan['attribution'];
  economicSplit?: Plan['economicSplit'];
  /** The deal's AWS Partner Central (ACE) opportunity, for vendor and partner people only. */
  ace?: Deal['ace'];
  /** The ladders this audience may see: the customer's people see only the customer's own. */
  escalation: {
    party: Party;
    rungs: { name: string; role: string; email: string; afterHours: number; phone?: string }[];
  }[];
}

export interface RoomExtras {
  reader?: RoomReader;
  actions?: RoomAction[];
  history?: RoomHistoryItem[];
  vendorName: string;
}

/** The customer's people see no economics, no attribution and no one else's ladder. */
export function seesEverything(audience: Audience): boolean {
  return audience !== 'customer';
}

export function dealRoom(
  { deal, milestones }: { deal: Deal; milestones: MilestoneState[] },
  now: Date,
  audience: Audience,
  extras: RoomExtras,
): DealRoom {
  const plan = deal.plan;
  const all = seesEverything(audience);
  const planned = new Map<string, string>();
  for (const key of STAGE_KEYS) for (const m of plan.stages[key].milestones) planned.set(m.id, m.due);
  const active = deal.status === 'active';
  // Work an amendment removed stays stored (its links answer 410) but is no longer part of the plan.
  const ordered = milestones.filter((m) => !m.removed).sort((a, b) => a.seq - b.seq);
  const phoneOf = (p: object) => ('phone' in p && typeof p.phone === 'string' ? { phone: p.phone } : {});
  return {
    audience,
    ...(extras.reader ? { reader: extras.reader } : {}),
    vendorName: extras.vendorName,
    planId: deal.planId,
    name: plan.name,
    status: deal.status,
    stage: deal.stage,
    daysInStage: daysInStages(deal, now)[deal.stage],
    account: plan.account,
    partner: plan.partner,
    jointOutcome: plan.jointOutcome,
    closeDate: {
      now: plan.jointOutcome.closeDate,
      planned: originalCloseDate(plan.jointOutcome.closeDate, milestones, deal.closeDateMoves),
    },
    owners: PARTIES.flatMap((party) => {
      const o = plan.owners[party];
      return o
        ? [{ party, name: o.name, email: o.email, ...(o.title ? { title: o.title } : {}), ...phoneOf(o) }]
        : [];
    }),
    stages: STAGE_KEYS.map((key) => {
      const s = deal.stages[key];
      return {
        key,
        number: STAGES[key].number,
        title: STAGES[key].title,
        status: s.status,
        ...(s.openedAt ? { openedAt: s.openedAt } : {}),
        ...(s.passedAt ? { passedAt: s.passedAt } : {}),
        current: active && deal.stage === key,
        exit: plan.stages[key].exit,
        confirmedBy: plan.stages[key].confirmedBy as Party[],
        evidence: s.confirmations,
      };
    }),
    milestones: ordered.map((m) => ({
      id: m.milestoneId,
      seq: m.seq,
      stage: STAGES[m.stage].number,
      title: m.title,
      owner: { name: m.owner.name, party: m.owner.party },
      due: m.due,
      plannedDue: planned.get(m.milestoneId) ?? m.due,
      status: m.status,
      current: active && deal.stage === m.stage,
      ...(m.handoff ? { handoff: m.handoff } : {}),
      slips: m.slips.map((x) => ({ ...x, byName: nameOf(deal, x.by) })),
      stuck: m.stuck.map((x) => ({ ...x, byName: nameOf(deal, x.by) })),
      ...(m.waived ? { waived: m.waived } : {}),
    })),
    whoseMove: active ? whoseMove(deal, milestones) : [],
    risks: plan.risks,
    ...(deal.outcome ? { outcome: deal.outcome } : {}),
    cadence: plan.cadence,
    actions: extras.actions ?? [],
    history: extras.history ?? confirmationHistory(deal, milestones),
    ...(all ? { attribution: plan.attribution, economicSplit: plan.economicSplit } : {}),
    ...(all && deal.ace ? { ace: deal.ace } : {}),
    escalation: PARTIES.filter((p) => (all || p === audience) && plan.escalation[p]?.length).map((party) => ({
      party,
      rungs: (plan.escalation[party] ?? []).map((r) => ({
        name: r.name,
        role: r.role,
        email: r.email,
        afterHours: r.afterHours,
        ...phoneOf(r),
      })),
    })),
  };
}

function whoseMove(deal: Deal, milestones: MilestoneState[]): RoomMove[] {
  const progress = gateProgress(deal, milestones, deal.stage);
  const moves = new Map<string, RoomMove>();
  const add = (party: Party, name: string, what: string) => {
    const key = `${party}#${name}`;
    const move = moves.get(key) ?? { party, name, what: [] };
    move.what.push(what);
    moves.set(key, move);
  };
  for (const m of progress.openMilestones) add(m.owner.party, m.owner.name, m.title);
  for (const party of progress.missingConfirmations) {
    const owner = deal.plan.owners[party];
    add(party, owner?.name ?? party, `confirm: ${deal.plan.stages[deal.stage].exit}`);
  }
  return [...moves.values()];
}

/** Recent history when no history store is wired: confirmations, milestones done, slips and stuck reports. */
export function confirmationHistory(deal: Deal, milestones: MilestoneState[], limit = 12): RoomHistoryItem[] {
  const items: RoomHistoryItem[] = [];
  for (const key of STAGE_KEYS) {
    const s = deal.stages[key];
    for (const c of s.confirmations) {
      items.push({ at: c.at, text: `${nameOf(deal, c.by)} confirmed ${STAGES[key].title}` });
    }
    if (s.passedAt) items.push({ at: s.passedAt, text: `${STAGES[key].title} passed` });
  }
  for (const m of milestones) {
    if (m.doneAt) items.push({ at: m.doneAt, text: `${m.title}: done (${nameOf(deal, m.doneBy ?? '')})` });
    for (const s of m.slips) items.push({ at: s.at, text: `${m.title}: moved from ${s.from} to ${s.to}` });
    for (const s of m.stuck) items.push({ at: s.at, text: `${m.title}: reported stuck` });
    if (m.waived) items.push({ at: m.waived.at, text: `${m.title}: no longer needed` });
  }
  return items.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

const ACTION_WORDS: Record<string, string> = {
  'confirm-gate': 'confirmed a step',
  'milestone-done': 'marked a milestone done',
  'milestone-slip': 'moved a milestone',
  'milestone-stuck': 'said a milestone is stuck',
  'accept-handoff': 'accepted a handoff',
  'waive-milestone': 'set a milestone aside',
};

/**
 * The deal's history store entries as the room lists them, newest first: what happened and who did it, by
 * name. Emails are left out (they name other people's addresses); so are escalations for the customer.
 */
export function historyItems(
  deal: Deal,
  entries: readonly HistoryEntry[],
  audience: Audience,
  limit = 12,
): RoomHistoryItem[] {
  const items: RoomHistoryItem[] = [];
  for (const e of entries) {
    const who = e.by === 'system' || e.by === 'ops' ? 'Ops' : nameOf(deal, e.by);
    const d = e.detail;
    const stage = typeof d.stage === 'string' && d.stage in STAGES ? STAGES[d.stage as StageKey] : undefined;
    let text: string | undefined;
    if (e.kind === 'created') text = 'The plan was shared';
    else if (e.kind === 'amended') text = `${who} updated the plan`;
    else if (e.kind === 'link-action') text = `${who} ${ACTION_WORDS[String(d.action)] ?? 'acted'}`;
    else if (e.kind === 'gate-passed')
      text = stage ? `${stage.title}: agreed by everyone` : 'A step was agreed';
    else if (e.kind === 'closed') text = 'The deal was closed';
    else if (e.kind === 'escalation' && audience !== 'customer') text = 'Escalated for help';
    if (text) items.push({ at: e.at, text });
  }
  return items.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}

/** A person's name as the plan gives it, else the address as recorded. */
function nameOf(deal: Deal, email: string): string {
  const e = email.toLowerCase();
  for (const o of Object.values(deal.plan.owners)) if (o?.email.toLowerCase() === e) return o.name;
  for (const ladder of Object.values(deal.plan.escalation ?? {}))
    for (const r of ladder ?? []) if (r.email.toLowerCase() === e) return r.name;
  return email;
}
