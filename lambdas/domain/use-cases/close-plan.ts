import { NotFoundError } from '../errors';
import { withFreshRead } from '../fresh-read';
import { historyEntry, recordHistory } from '../history';
import { type CloseOutcome, closeDeal } from '../plan-close';
import { PlanConflictError } from '../plan-errors';
import type { Deps, HistoryStore } from '../ports';
import { closeAnnouncements } from './announcements';
import { type PlanView, planView } from './plans';

const MAX_ATTEMPTS = 10;

/**
 * `POST /plans/{planId}/close`: ends a running deal at its current stage. The waiting gate is completed
 * with `lost`, so the workflow takes its lost path (one `CoSell Deal Closed Lost`, from `Register lost
 * deal`); a gate not waiting yet sees the closed deal and completes itself the same way. The save is
 * conditional on the version read, so a link click in flight is either saved first (and kept: the close
 * then reads it) or refused afterwards (410: the deal is closed). A closed deal answers 409.
 * The owners are told it was lost, and why, once each: held in the same save, then sent by `announce` on
 * that Closed Lost event as the recipient's quiet hours, working days and daily cap allow (or with the
 * sweep's digest; see announcements.ts).
 */
export async function closePlan(
  deps: Pick<Deps, 'store' | 'clock' | 'workflow' | 'config'> & { history?: HistoryStore },
  planId: string,
  input: { outcome: CloseOutcome; reason: string; lesson?: string },
  by = 'ops',
): Promise<PlanView & { warnings: string[] }> {
  const closed = await withFreshRead(MAX_ATTEMPTS, async () => {
    const snapshot = await deps.store.get(planId);
    if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
    if (snapshot.deal.status !== 'active') {
      throw new PlanConflictError(`plan ${planId} is already closed (${snapshot.deal.status})`, [
        { path: '(deal)', message: `status is ${snapshot.deal.status}` },
      ]);
    }
    const now = deps.clock.now();
    const next = closeDeal(snapshot.deal, snapshot.milestones, input, { now, by });
    const announcements = closeAnnouncements(next.deal, now, deps.config.defaultTimezone);
    await deps.store.save({ ...next, announcements });
    return { before: snapshot, after: next, now };
  });
  const warnings: string[] = [];
  const token = closed.before.deal.taskToken;
  if (token) {
    try {
      await deps.workflow.completeGate(token, { outcome: 'lost' });
    } catch (error) {
      warnings.push(`workflow callback failed: ${(error as Error).message}`);
    }
  }
  const { deal } = closed.after;
  await recordHistory(
    deps.history,
    planId,
    [historyEntry(closed.now, by, 'closed', { ...deal.closed })],
    warnings,
  );
  const merged = new Map(closed.before.milestones.map((m) => [m.milestoneId, m]));
  for (const m of closed.after.milestones) merged.set(m.milestoneId, m);
  return { ...planView({ deal, milestones: [...merged.values()] }), warnings };
}
