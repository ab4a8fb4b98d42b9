import type { Party, StageKey } from '../schemas/plan.schema';
import { type Deal, gateProgress, type MilestoneState, type Owner, partyOwner } from './deal';
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
