import type { MilestoneState } from '../deal';
import { escalationEmail, reminderEmail } from '../emails';
import { ConcurrentUpdateError } from '../errors';
import { ladderRungs } from '../notifications';
import type { DealSnapshot, Deps } from '../ports';
import { linkAsks } from './link-urls';

export interface SweepReport {
  looked: number;
  reminders: number;
  escalations: number;
}

/**
 * The reminder sweep reads only milestones whose next nudge is due, from the sparse index: a reminder
 * to the one owner `leadDays` before the due time, then, once overdue, each rung of the owner's side's
 * escalation ladder after its `afterHours`, each once (owner copied). Each email has a ledger key, so a
 * second sweep, or a rerun after a crash part-way through, sends nothing twice.
 */
export async function sweepReminders(
  deps: Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys'>,
): Promise<SweepReport> {
  const now = deps.clock.now();
  const due = await deps.store.milestonesDue(now);
  const deals = new Map<string, DealSnapshot | undefined>();
  const report: SweepReport = { looked: due.length, reminders: 0, escalations: 0 };
  for (const indexed of due) {
    if (!deals.has(indexed.planId)) deals.set(indexed.planId, await deps.store.get(indexed.planId));
    const snapshot = deals.get(indexed.planId);
    // The index is eventually consistent: act on the milestone as the table has it now (a link may have
    // closed or re-planned it a moment ago).
    const m = snapshot?.milestones.find((x) => x.milestoneId === indexed.milestoneId) ?? indexed;
    if (snapshot?.deal.status !== 'active' || m.status !== 'open') {
      await saveUnlessChanged(deps, next(m, undefined));
      continue;
    }
    if (!m.nudgeAt || Date.parse(m.nudgeAt) > now.getTime()) continue;
    const { deal } = snapshot;
    const dueAt = new Date(m.dueAt);
    const rungs = ladderRungs(deal, [m.owner.party], dueAt);
    if (now.getTime() < dueAt.getTime()) {
      const key = `reminder#${deal.planId}#${m.milestoneId}#${m.due}`;
      const sent = await deps.ledger.once(key, async () => {
        const asks = (['milestone-done', 'milestone-slip', 'milestone-stuck'] as const).map((action) => ({
          action,
          target: m.milestoneId,
          label: LABELS[action],
          about: `${m.title} (due ${m.due})`,
        }));
        const linked = await linkAsks(deps, deal, m.owner.email, asks);
        await deps.mailer.send(reminderEmail(deal, m, linked, key));
      });
      if (sent === 'done') report.reminders++;
      await saveUnlessChanged(deps, next(m, rungs[0]?.at ?? undefined));
      continue;
    }
    for (const rung of rungs.filter((r) => r.at.getTime() <= now.getTime())) {
      const key = `overdue#${deal.planId}#${m.milestoneId}#${m.due}#${rung.index}`;
      const sent = await deps.ledger.once(key, () =>
        deps.mailer.send(
          escalationEmail(
            deal,
            rung,
            m.owner,
            `“${m.title}” is overdue (due ${m.due}).`,
            [`${m.title}: ${m.owner.name}`],
            key,
          ),
        ),
      );
      if (sent === 'done') report.escalations++;
    }
    await saveUnlessChanged(deps, next(m, rungs.find((r) => r.at.getTime() > now.getTime())?.at));
  }
  return report;
}

const LABELS = {
  'milestone-done': 'Mark done',
  'milestone-slip': 'Report a slip',
  'milestone-stuck': 'Say stuck',
};

/** A milestone changed since it was read (a link was used meanwhile): the next sweep reads it afresh. */
async function saveUnlessChanged(deps: Pick<Deps, 'store'>, m: MilestoneState): Promise<void> {
  try {
    await deps.store.saveMilestone(m);
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}

function next(m: MilestoneState, at: Date | undefined): MilestoneState {
  const { nudgeAt: _old, ...rest } = m;
  return at ? { ...rest, nudgeAt: at.toISOString() } : rest;
}
