import { PLAN_AMENDED } from '../../schemas/events.schema';
import type { Plan } from '../../schemas/plan.schema';
import type { Deal } from '../deal';
import { NotFoundError } from '../errors';
import { publishOrWarn } from '../events';
import { withFreshRead } from '../fresh-read';
import { historyEntry, recordHistory } from '../history';
import { amendDeal, newAsks } from '../plan-amend';
import type { PlanChange } from '../plan-diff';
import { PlanConflictError, StaleVersionError } from '../plan-errors';
import { type PlanWarning, planWarnings } from '../plan-warnings';
import type { Deps, HistoryStore, ViewsOf } from '../ports';
import { passAnnouncements, silenceWatch } from './announcements';
import { linkAsks } from './link-urls';

export interface AmendResult {
  planId: string;
  version: number;
  changes: PlanChange[];
  /** Who was emailed new links. */
  notified: string[];
  warnings: PlanWarning[];
  /** Set when the amendment completed the current gate. */
  advanced?: { from: string };
  dryRun?: true;
  /**
   * What the amendment, saved, could not do (an email not sent, the event or history entry not written):
   * each is said here and logged; the others were still done.
   */
  effectWarnings?: string[];
}

export type AmendDeps = Pick<
  Deps,
  'store' | 'clock' | 'config' | 'mailer' | 'ledger' | 'keys' | 'workflow' | 'events'
> &
  ViewsOf<'gateOpen'> & { history?: HistoryStore };

const MAX_ATTEMPTS = 10;

/**
 * `PUT /plans/{planId}`: replaces the deal's plan with a new version. Refused whole (409, a path and a
 * reason per problem) when a change would rewrite what already happened; 412 when `If-Match` names a
 * version the deal has left. After the save, each effect once: the gate completes if the change left it
 * nothing to wait for; new owners of open work in the current stage get their links; the
 * `CoSell Plan Amended` event; the history entry.
 */
export async function amendPlan(
  deps: AmendDeps,
  planId: string,
  plan: Plan,
  options: { ifMatch?: number; dryRun?: boolean; by?: string } = {},
): Promise<AmendResult> {
  if (plan.id && plan.id !== planId) {
    throw new PlanConflictError(`the file is plan ${plan.id}, not ${planId}`, [
      { path: 'id', message: `must be ${planId} (or absent) to amend ${planId}` },
    ]);
  }
  const by = options.by ?? 'ops';
  const tz = deps.config.defaultTimezone;
  const outcome = await withFreshRead(MAX_ATTEMPTS, async () => {
    const snapshot = await deps.store.get(planId);
    if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
    const current = snapshot.deal.planVersion ?? 1;
    if (options.ifMatch !== undefined && options.ifMatch !== current) {
      throw new StaleVersionError(options.ifMatch, current);
    }
    const now = deps.clock.now();
    const amended = amendDeal(snapshot.deal, snapshot.milestones, plan, { now, by, defaultTimezone: tz });
    if (!amended.ok) {
      throw new PlanConflictError(
        `the amendment is refused: ${amended.problems.length} change(s) cannot be made to this deal; nothing was changed`,
        amended.problems,
      );
    }
    if (!options.dryRun && amended.changes.length > 0) {
      // A gate the amendment passed announces it as a click would: held in this save, sent by `announce`
      // on the Stage Advanced or Deal Registered that follows (or by the sweep after the hand-off), with
      // quiet hours, the cap and the digest (announcements.ts). So is a silence watch when the gate is left
      // waiting only on confirmations.
      const announcements = [
        ...(amended.passed ? passAnnouncements(amended.deal, amended.passed, now, tz) : []),
        ...silenceWatch(amended.deal, [...snapshot.milestones, ...amended.milestones], now, deps.config),
      ];
      await deps.store.save({
        deal: amended.deal,
        milestones: amended.milestones,
        ...(announcements.length ? { announcements } : {}),
      });
    }
    return { before: snapshot, amended, now };
  });
  const { before, amended, now } = outcome;
  const result: AmendResult = {
    planId,
    version: amended.changes.length ? (amended.deal.planVersion ?? 1) : (before.deal.planVersion ?? 1),
    changes: amended.changes,
    notified: [],
    warnings: planWarnings(plan),
    ...(amended.passed ? { advanced: { from: amended.passed.stage } } : {}),
  };
  if (options.dryRun) return { ...result, dryRun: true };
  if (amended.changes.length === 0) return result;
  const deal = amended.deal;
  const logWarnings: string[] = [];
  const history = [historyEntry(now, by, 'amended', { version: result.version, changes: amended.changes })];
  const token = before.deal.taskToken;
  if (amended.passed) {
    history.push(historyEntry(now, by, 'gate-passed', { stage: amended.passed.stage, through: 'amendment' }));
    // If the token no longer waits, the workflow's next wait sees the passed gate and completes itself.
    if (token)
      await deps.workflow.completeGate(token, { outcome: amended.passed.outcome }).catch(() => false);
  } else {
    result.notified = await sendNewLinks(
      deps,
      before,
      { deal, milestones: amended.all },
      result.version,
      logWarnings,
    );
  }
  await publishOrWarn(deps, logWarnings, PLAN_AMENDED, {
    schemaVersion: '1.0',
    eventId: `plan-amended#${planId}#${result.version}`,
    planId,
    tenant: deal.tenant,
    planName: deal.plan.name,
    occurredAt: now.toISOString(),
    version: result.version,
    by,
    stage: deal.stage,
    changes: amended.changes,
  });
  await recordHistory(deps.history, planId, history, logWarnings);
  return logWarnings.length ? { ...result, effectWarnings: logWarnings } : result;
}

/** The amendment email: the current gate's links, to each person whose asks it changed. */
async function sendNewLinks(
  deps: AmendDeps,
  before: { deal: Deal; milestones: Parameters<typeof newAsks>[0]['milestones'] },
  after: { deal: Deal; milestones: Parameters<typeof newAsks>[0]['milestones'] },
  version: number,
  warnings: string[],
): Promise<string[]> {
  const notified: string[] = [];
  const stage = after.deal.stage;
  for (const { recipient, asks } of newAsks(before, after, deps.config.defaultTimezone)) {
    const key = `amended#${after.deal.planId}#${version}#${recipient.email.toLowerCase()}`;
    try {
      await deps.ledger.once(key, async () => {
        const linked = await linkAsks(deps, after.deal, recipient.email, asks);
        await deps.mailer.send(deps.views.gateOpen(after.deal, stage, recipient, linked, key));
      });
      notified.push(recipient.email);
    } catch (error) {
      // The amendment is saved: one email that fails must not cost the others, the event or the history.
      warnings.push(
        `new links to ${recipient.email} not sent: ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
  }
  return notified;
}
