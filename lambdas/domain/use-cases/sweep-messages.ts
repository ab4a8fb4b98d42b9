import type { Deal, MilestoneState } from '../deal';
import type { LinkAction } from '../links';
import { type Ask, DEFAULT_GHOSTING_DAYS, type Nudge } from '../notifications';
import { STAGES } from '../playbook';
import type { Deps, DigestItem, OutboundEmail, ViewsOf } from '../ports';
import { linkAsks } from './link-urls';

/**
 * The words and links of what the reminder sweep sends: one email per item, or one digest line each.
 * The sweep (reminders.ts) decides who gets what and when.
 */

export type MessageDeps = Pick<Deps, 'config' | 'keys' | 'clock'> &
  ViewsOf<'reminder' | 'earlyWarning' | 'ghosting' | 'digest' | 'escalation'>;

/**
 * One nudge owed now, about a milestone of a deal; without one only for the ghosting of a party that owes
 * just its gate confirmation (`nudge.confirms`), found by a silence watch.
 */
export interface MessageItem {
  nudge: Nudge;
  deal: Deal;
  m?: MilestoneState;
}

function milestoneOf(item: MessageItem): MilestoneState {
  if (!item.m) throw new Error(`nudge ${item.nudge.key} has no milestone`);
  return item.m;
}

/** What waits on the silent side: its milestone, or (`confirms`) its confirmation of the stage's gate. */
function waitingOn(deal: Deal, m: MilestoneState | undefined, nudge: Nudge): string {
  if (nudge.confirms || !m) {
    // The customer reads no stage names or exit criteria (they are the vendor's and partner's words).
    if (nudge.to.party === 'customer') return 'their confirmation of the current step';
    const stage = STAGES[nudge.confirms ?? deal.stage];
    return `their confirmation of stage ${stage.number}, ${stage.title}: ${deal.plan.stages[nudge.confirms ?? deal.stage].exit}`;
  }
  return `${m.title}, due ${m.due}`;
}

const LABELS: Record<string, string> = {
  'accept-handoff': 'Accept the handoff',
  'milestone-done': 'Mark done',
  'milestone-slip': 'Report a slip',
  'milestone-stuck': 'Say stuck',
};

function ownerAsks(m: MilestoneState): Ask[] {
  const actions: LinkAction[] = [
    ...(m.handoff && !m.handoff.acceptedAt ? (['accept-handoff'] as const) : []),
    'milestone-done',
    'milestone-slip',
    'milestone-stuck',
  ];
  return actions.map((action) => ({
    action,
    target: m.milestoneId,
    label: LABELS[action] as string,
    about: `${m.title} (due ${m.due})`,
  }));
}

function escalationWhat(item: MessageItem): string {
  const { nudge } = item;
  const m = milestoneOf(item);
  if (nudge.kind === 'handoff') {
    const h = m.handoff;
    return `The handoff of “${m.title}” (${h?.from} to ${h?.to}, due ${m.due}) has not been accepted.`;
  }
  return `“${m.title}” is overdue (due ${m.due}).`;
}

/** The gate waits on an overdue milestone too: this one email is the rung's news of the miss. */
function gateWaits(m: MilestoneState): string {
  const stage = STAGES[m.stage];
  return `The stage ${stage.number} gate, ${stage.title}, waits on it (its own timeout adds no second email).`;
}

/** A later stage's work fell due while an earlier stage is open: its owner alone hears, nobody above. */
function earlyWarning(deal: Deal, m: MilestoneState): string {
  const open = STAGES[deal.stage];
  return `Early warning: “${m.title}” was due ${m.due}, while stage ${open.number}, ${open.title}, is still open. Only you are told; it goes to nobody else until its stage opens. If the date no longer holds, report a slip.`;
}

function partnerWaiting(deal: Deal, m: MilestoneState | undefined, nudge: Nudge): string[] {
  const partner = deal.plan.owners.partner?.name ?? deal.plan.partner.name;
  return [
    nudge.confirms || !m
      ? `${partner}: ${waitingOn(deal, m, nudge)}`
      : `${m.title}: ${m.owner.name}, due ${m.due}`,
    `Last partner action: ${deal.lastActivity.partner ?? 'none yet'}`,
  ];
}

export async function singleEmail(deps: MessageDeps, item: MessageItem): Promise<OutboundEmail> {
  const { deal, nudge } = item;
  if (nudge.kind === 'ghosting' && nudge.silent) {
    return deps.views.digest(nudge.to, [await digestItem(deps, item)], [], nudge.key);
  }
  if (nudge.kind === 'ghosting') {
    const days = deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS;
    const since = deal.lastActivity.partner ?? deal.createdAt;
    const vendor = nudge.cc ?? nudge.to;
    const to = nudge.rung
      ? { name: nudge.rung.name, email: nudge.rung.email, role: nudge.rung.role }
      : nudge.to;
    const waiting = partnerWaiting(deal, item.m, nudge);
    return deps.views.ghosting(deal, to, vendor, since, days, waiting, nudge.key);
  }
  const m = milestoneOf(item);
  if (nudge.kind === 'reminder') {
    const linked = await linkAsks(deps, deal, nudge.to.email, ownerAsks(m));
    return deps.views.reminder(deal, m, linked, nudge.key);
  }
  if (nudge.kind === 'early-warning') {
    const linked = await linkAsks(deps, deal, nudge.to.email, ownerAsks(m));
    return deps.views.earlyWarning(deal, m, earlyWarning(deal, m), linked, nudge.key);
  }
  const rung = nudge.rung;
  if (!rung) throw new Error(`escalation ${nudge.key} has no rung`);
  return deps.views.escalation(
    deal,
    rung,
    nudge.cc ?? m.owner,
    escalationWhat(item),
    [`${m.title}: ${m.owner.name}`, ...(nudge.kind === 'overdue' ? [gateWaits(m)] : [])],
    nudge.key,
  );
}

export async function digestItem(deps: MessageDeps, item: MessageItem): Promise<DigestItem> {
  const { deal, nudge } = item;
  const copied = nudge.cc ? ` ${nudge.cc.name} (${nudge.cc.email}) is copied.` : '';
  if (nudge.kind === 'ghosting' && nudge.silent) {
    return { deal, kind: 'escalation', text: silenceText(deps, deal, item.m, nudge) };
  }
  if (nudge.kind === 'ghosting') {
    const what =
      nudge.confirms || !item.m ? waitingOn(deal, item.m, nudge) : `${item.m.title}, ${item.m.owner.name}`;
    return {
      deal,
      kind: 'escalation',
      text: `No one at ${deal.plan.partner.name} has acted for ${deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS} days while partner work is open (${what}).${copied}`,
    };
  }
  const m = milestoneOf(item);
  if (nudge.kind === 'reminder') {
    const asks = await linkAsks(deps, deal, nudge.to.email, ownerAsks(m));
    return { deal, kind: 'due-soon', text: `${m.title} (due ${m.due})`, asks };
  }
  if (nudge.kind === 'early-warning') {
    // Listed with the owner's own items, so that its links show.
    const asks = await linkAsks(deps, deal, nudge.to.email, ownerAsks(m));
    return { deal, kind: 'due-soon', text: earlyWarning(deal, m), asks };
  }
  return { deal, kind: 'escalation', text: `${escalationWhat(item)} Owner: ${m.owner.name}.${copied}` };
}

const SIDE: Record<string, (deal: Deal) => string> = {
  customer: (deal) => deal.plan.account.name,
  partner: (deal) => deal.plan.partner.name,
  vendor: () => 'the vendor side',
};

/** A side has gone quiet: who, since when, and what waits on them. */
function silenceText(deps: MessageDeps, deal: Deal, m: MilestoneState | undefined, nudge: Nudge): string {
  const silent = nudge.silent as string;
  const days = deps.config.ghostingDays ?? DEFAULT_GHOSTING_DAYS;
  const last = deal.lastActivity[silent as keyof Deal['lastActivity']];
  const owner = deal.plan.owners[silent as keyof Deal['plan']['owners']];
  return `Gone quiet: no one at ${SIDE[silent]?.(deal) ?? silent}${owner ? ` (${owner.name})` : ''} has acted on this deal for ${days} days (last action: ${last ?? 'none yet'}) while their work is open: ${waitingOn(deal, m, nudge)}.`;
}
