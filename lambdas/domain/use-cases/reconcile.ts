import { mayRetryRefused, withWorkflowProblem } from '../attention';
import type { Deal } from '../deal';
import { RECONCILE_DEALS_PER_SWEEP, REMINDER_SWEEP_MINUTES } from '../defaults';
import { withFreshRead } from '../fresh-read';
import type { Deps, ExecutionInfo, ReviewSchedule, WorkflowAdmin } from '../ports';

/**
 * The reconciler, run after each reminder sweep (the same code in AWS and locally): no active deal is left
 * without a workflow waiting at the gate of its current stage.
 *
 * For every active deal (the plans table's review index lists them all):
 * - its execution (the ARN `Await gate` stored with the token, else the one named after the plan) is
 *   RUNNING: if its gate's condition is already met but the workflow has not moved (the click's
 *   SendTaskSuccess was lost, or the function died after the save), the stored task is completed; if ops
 *   asked for a retry (`cosell plan retry`) or amended the plan since an email was refused, the gate's
 *   task is made to run again (a `GateRetry` task failure its retrier takes), sending what is unsent;
 * - it FAILED (or was aborted or timed out): it is redriven from the state that failed; past
 *   MAX_REDRIVES the deal is marked needing attention instead (a bug a redrive cannot cure) until a retry;
 *   one that can no longer be redriven is replaced by a new execution at the deal's stage (`resumeStage`);
 * - there is none, or it SUCCEEDED while the deal is still active: a new one starts at the deal's stage.
 * And every RUNNING execution whose deal is closed has its gate completed on the lost (or won) path.
 *
 * Idempotent: a new execution is named after the deal's version, so two sweeps reading the same deal start
 * the same one (StartExecution of the same name and input is the same execution), and a running one of the
 * deal's is adopted rather than doubled; completing a gate twice is refused by the service the second time.
 * Bounded: at most `limit` deals are read per sweep (a rotating slice when there are more); the executions
 * come from one ListExecutions per 1,000 per status (RUNNING, FAILED, TIMED_OUT, ABORTED).
 */

/** Redrives of one execution before its deal is marked needing attention instead. */
export const MAX_REDRIVES = 5;

export type ReconcileDeps = Pick<Deps, 'store' | 'clock' | 'workflow'> & {
  reviews: ReviewSchedule;
  admin: WorkflowAdmin;
};

export interface ReconcileReport {
  activeDeals: number;
  checked: number;
  /** Active deals with `needsAttention`, among those checked (the needs-attention metric). */
  needsAttention: number;
  completed: number;
  redriven: number;
  started: number;
  /** Gates asked to run their task again after a fix (GateRetry), to send what is unsent. */
  resent: number;
  /** One line per deal that could not be reconciled this time (the next sweep tries again). */
  errors: string[];
}

// Compared as ISO strings by the index: a four-digit year.
const FAR_FUTURE = new Date('9999-12-31T23:59:59.999Z');

export async function reconcileWorkflows(
  deps: ReconcileDeps,
  options: { limit?: number; sweepMinutes?: number } = {},
): Promise<ReconcileReport> {
  const limit = options.limit ?? RECONCILE_DEALS_PER_SWEEP;
  const now = deps.clock.now();
  const active = [...new Set((await deps.reviews.plansDueForReview(FAR_FUTURE)).map((r) => r.planId))].sort();
  const running = byArn(await deps.admin.list('RUNNING', 10_000));
  const stopped = byArn(
    (
      await Promise.all(
        (['FAILED', 'TIMED_OUT', 'ABORTED'] as const).map((status) => deps.admin.list(status, 1000)),
      )
    ).flat(),
  );
  const report: ReconcileReport = {
    activeDeals: active.length,
    checked: 0,
    needsAttention: 0,
    completed: 0,
    redriven: 0,
    started: 0,
    resent: 0,
    errors: [],
  };
  // A rotating slice when there are more deals than one sweep reads.
  const sweep = Math.floor(now.getTime() / ((options.sweepMinutes ?? REMINDER_SWEEP_MINUTES) * 60_000));
  const from = active.length > limit ? (sweep * limit) % active.length : 0;
  const slice = [...active.slice(from), ...active.slice(0, from)].slice(0, limit);
  const adopted = new Set<string>();
  for (const planId of slice) {
    try {
      const deal = (await deps.store.get(planId))?.deal;
      if (deal?.status !== 'active') continue;
      report.checked++;
      if (deal.needsAttention) report.needsAttention++;
      const arn = await reconcileDeal(deps, deal, running, stopped, report);
      if (arn) adopted.add(arn);
    } catch (error) {
      report.errors.push(`${planId}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  // Running executions of closed deals: their gate is completed, so the registration happens.
  for (const execution of running.values()) {
    if (adopted.has(execution.executionArn)) continue;
    try {
      await completeClosed(deps, execution, report);
    } catch (error) {
      report.errors.push(`${execution.name}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }
  return report;
}

/** Reconciles one active deal; returns the ARN of the execution that now carries it, if known. */
async function reconcileDeal(
  deps: ReconcileDeps,
  deal: Deal,
  running: Map<string, ExecutionInfo>,
  stopped: Map<string, ExecutionInfo>,
  report: ReconcileReport,
): Promise<string | undefined> {
  const arn = deal.workflow?.executionArn ?? deps.admin.executionArnOf(deal.planId);
  if (running.has(arn)) {
    await reconcileWaiting(deps, deal, report);
    return arn;
  }
  // A running execution of this deal's under another name (started by an earlier sweep): adopt it.
  const own = [...running.values()].find((e) => ownedBy(e.name, deal.planId));
  if (own) return own.executionArn;
  const execution = stopped.get(arn) ?? (await deps.admin.describe(arn));
  if (execution?.status === 'RUNNING' || execution?.status === 'PENDING_REDRIVE') return arn;
  const now = deps.clock.now();
  if (execution && execution.status !== 'SUCCEEDED') {
    const retried = deal.retryRequestedAt && deal.retryRequestedAt >= (deal.needsAttention?.since ?? '');
    if (execution.redriveCount >= MAX_REDRIVES && !retried) {
      if (!deal.needsAttention) report.needsAttention++;
      await update(deps, deal.planId, (d) =>
        withWorkflowProblem(d, execution.error ?? execution.status, now),
      );
      return arn;
    }
    if (await deps.admin.redrive(arn)) {
      report.redriven++;
      return arn;
    }
  }
  // None, one that succeeded although the deal is active, or one past redriving: a new one at the stage.
  const name = `${deal.planId}-v${deal.version}`;
  const started = await deps.admin.start(name, { planId: deal.planId, resumeStage: deal.stage });
  report.started++;
  await update(deps, deal.planId, (d) => ({
    ...d,
    workflow: { executionArn: started, stage: d.stage, since: now.toISOString() },
  }));
  return started;
}

/** A running execution: complete its gate if the condition is met; resend what a fix allows. */
async function reconcileWaiting(deps: ReconcileDeps, deal: Deal, report: ReconcileReport): Promise<void> {
  const stage = deal.workflow?.stage;
  if (!stage || !deal.taskToken) return; // not yet at a gate (a task is running or retrying)
  if (deal.stages[stage].status === 'passed') {
    if (await deps.workflow.completeGate(deal.taskToken, { outcome: 'passed' })) report.completed++;
    return;
  }
  const fix =
    deal.retryRequestedAt !== undefined || (deal.needsAttention?.keys?.length && mayRetryRefused(deal));
  if (!fix || deal.stages[stage].status !== 'open') return;
  // The gate's own task sends what is unsent (the sweep carries no gate emails): it runs again at once.
  if (await deps.workflow.retryGate(deal.taskToken)) report.resent++;
  if (deal.retryRequestedAt) {
    await update(deps, deal.planId, (d) => {
      const { retryRequestedAt: _done, ...rest } = d;
      return rest;
    });
  }
}

/** A running execution whose deal is no longer active: its waiting gate is completed. */
async function completeClosed(deps: ReconcileDeps, execution: ExecutionInfo, report: ReconcileReport) {
  const planId = execution.name.replace(/-v\d+$/, '');
  const deal = (await deps.store.get(planId))?.deal;
  if (!deal || deal.status === 'active' || !deal.taskToken) return;
  if (deal.workflow && deal.workflow.executionArn !== execution.executionArn) return;
  const outcome = deal.status === 'lost' ? 'lost' : 'passed';
  if (await deps.workflow.completeGate(deal.taskToken, { outcome })) report.completed++;
}

const ownedBy = (name: string, planId: string) =>
  name === planId || new RegExp(`^${escapeRegExp(planId)}-v\\d+$`).test(name);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function byArn(executions: ExecutionInfo[]): Map<string, ExecutionInfo> {
  return new Map(executions.map((e) => [e.executionArn, e]));
}

async function update(deps: Pick<Deps, 'store' | 'clock'>, planId: string, change: (deal: Deal) => Deal) {
  await withFreshRead(5, async () => {
    const deal = (await deps.store.get(planId))?.deal;
    if (!deal) return;
    const next = change(deal);
    if (next === deal) return;
    await deps.store.save({ deal: { ...next, updatedAt: deps.clock.now().toISOString() } });
  });
}
