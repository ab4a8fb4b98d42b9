import { describe, expect, it } from 'vitest';
import { requestRetry } from '../../../../lambdas/domain/attention';
import type { Deal } from '../../../../lambdas/domain/deal';
import { MAX_REDRIVES, reconcileWorkflows } from '../../../../lambdas/domain/use-cases/reconcile';
import type { StageKey } from '../../../../lambdas/schemas/plan.schema';
import { FakeWorkflowAdmin } from '../../../helpers/fake-workflow-admin';
import { fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

// The reconciler in the reminder sweep: every active deal has an execution waiting at its stage's gate.

const NOW = '2026-12-10T15:00:00.000Z';

function setUp(stage: StageKey = 'door-opener', change: (deal: Deal) => Deal = (d) => d) {
  const deps = fakeDeps();
  deps.clock.set(NOW);
  const admin = new FakeWorkflowAdmin();
  const snapshot = dealAtStage(stage, new Date('2026-12-01T15:00:00.000Z'));
  const deal: Deal = change({ ...snapshot.deal, nextReviewAt: '2026-12-14T15:00:00.000Z' });
  deps.store.put({ ...snapshot, deal });
  const run = (options: { limit?: number } = {}) =>
    reconcileWorkflows({ ...deps, admin, reviews: deps.store }, options);
  return { deps, admin, run };
}

const waitingAt =
  (stage: StageKey, executionArn: string) =>
  (deal: Deal): Deal => ({
    ...deal,
    taskToken: `token-${stage}`,
    workflow: { executionArn, stage, since: NOW },
  });

describe('reconcileWorkflows', () => {
  it('leaves a deal alone whose execution waits at its gate', async () => {
    const admin0 = new FakeWorkflowAdmin();
    const arn = admin0.executionArnOf(PLAN_ID);
    const { admin, deps, run } = setUp('door-opener', waitingAt('door-opener', arn));
    admin.put(PLAN_ID, 'RUNNING');

    const report = await run();

    expect(report).toMatchObject({ activeDeals: 1, checked: 1, completed: 0, redriven: 0, started: 0 });
    expect(deps.workflow.completed).toEqual([]);
  });

  it('completes the stored task of a gate whose condition is met when the workflow has not moved (a lost callback)', async () => {
    const arn = new FakeWorkflowAdmin().executionArnOf(PLAN_ID);
    // Stage 1 passed at the click, whose SendTaskSuccess was lost: the execution still waits at stage 1.
    const { admin, deps, run } = setUp('door-opener', waitingAt('target-account-selection', arn));
    admin.put(PLAN_ID, 'RUNNING');

    const report = await run();

    expect(deps.workflow.completed).toEqual([
      { taskToken: 'token-target-account-selection', output: { outcome: 'passed' } },
    ]);
    expect(report.completed).toBe(1);
    // Again: the service refuses the spent token; nothing else happens.
    deps.workflow.tokenWaiting = false;
    expect((await run()).completed).toBe(0);
  });

  it('redrives a failed execution once, from the state that failed', async () => {
    const arn = new FakeWorkflowAdmin().executionArnOf(PLAN_ID);
    const { admin, run } = setUp('door-opener', waitingAt('door-opener', arn));
    admin.put(PLAN_ID, 'FAILED', { error: 'TransientError' });

    expect((await run()).redriven).toBe(1);
    expect((await run()).redriven).toBe(0); // running again
    expect(admin.redriven).toEqual([arn]);
    expect(admin.started).toEqual([]);
  });

  it('starts a new execution at the deal stage when the old one cannot be redriven, once', async () => {
    const arn = new FakeWorkflowAdmin().executionArnOf(PLAN_ID);
    const { admin, deps, run } = setUp('joint-discovery', waitingAt('joint-discovery', arn));
    admin.put(PLAN_ID, 'FAILED');
    admin.notRedrivable.add(arn);

    const first = await run();
    const second = await run();

    expect(first.started).toBe(1);
    expect(second.started).toBe(0);
    expect(admin.started).toEqual([
      {
        name: expect.stringMatching(new RegExp(`^${PLAN_ID}-v\\d+$`)),
        input: { planId: PLAN_ID, resumeStage: 'joint-discovery' },
      },
    ]);
    expect(deps.store.peek(PLAN_ID)?.deal.workflow?.executionArn).toBe(
      admin.executionArnOf(admin.started[0]?.name ?? ''),
    );
  });

  it('starts one when the deal has no execution at all', async () => {
    const { admin, run } = setUp('door-opener');

    expect((await run()).started).toBe(1);
    expect(admin.started[0]?.input).toEqual({ planId: PLAN_ID, resumeStage: 'door-opener' });
  });

  it(`marks the deal needing attention after ${MAX_REDRIVES} redrives, and redrives again after a retry`, async () => {
    const arn = new FakeWorkflowAdmin().executionArnOf(PLAN_ID);
    const { admin, deps, run } = setUp('door-opener', waitingAt('door-opener', arn));
    admin.put(PLAN_ID, 'FAILED', { redriveCount: MAX_REDRIVES, error: 'TypeError' });

    const report = await run();

    expect(report).toMatchObject({ redriven: 0, needsAttention: 1 });
    expect(deps.store.peek(PLAN_ID)?.deal.needsAttention).toMatchObject({ error: 'TypeError', since: NOW });
    const deal = deps.store.peek(PLAN_ID)?.deal as Deal;
    deps.clock.advanceHours(1);
    await deps.store.save({ deal: requestRetry(deal, deps.clock.now()) });
    expect((await run()).redriven).toBe(1);
  });

  it('completes the waiting gate of a deal closed meanwhile, on the lost path', async () => {
    const admin0 = new FakeWorkflowAdmin();
    const arn = admin0.executionArnOf(PLAN_ID);
    const { admin, deps, run } = setUp('door-opener', (d) => ({
      ...waitingAt('door-opener', arn)(d),
      status: 'lost',
    }));
    admin.put(PLAN_ID, 'RUNNING');

    const report = await run();

    expect(report.activeDeals).toBe(0);
    expect(deps.workflow.completed).toEqual([
      { taskToken: 'token-door-opener', output: { outcome: 'lost' } },
    ]);
  });

  it('reads at most `limit` deals per sweep', async () => {
    const { deps, run } = setUp('door-opener');
    const base = deps.store.peek(PLAN_ID);
    if (!base) throw new Error('no deal');
    for (let i = 2; i <= 5; i++) {
      const planId = `pl_test000000000000000${i}`;
      deps.store.put({
        deal: { ...base.deal, planId },
        milestones: base.milestones.map((m) => ({ ...m, planId })),
      });
    }

    const report = await run({ limit: 2 });

    expect(report).toMatchObject({ activeDeals: 5, checked: 2, started: 2 });
  });

  it('makes the gate run its task again after `cosell plan retry` (GateRetry), once, to send what is unsent', async () => {
    const arn = new FakeWorkflowAdmin().executionArnOf(PLAN_ID);
    const key = `gate-open#${PLAN_ID}#door-opener#${PEOPLE.dana}`;
    const { admin, deps, run } = setUp('door-opener', (d) => ({
      ...waitingAt('door-opener', arn)(d),
      needsAttention: { what: 'x', error: 'MessageRejected: no', since: NOW, keys: [key], planVersion: 1 },
    }));
    admin.put(PLAN_ID, 'RUNNING');
    // Not again by itself: a refusal waits for a fix.
    await run();
    expect(deps.workflow.retried).toEqual([]);

    deps.clock.advanceHours(1);
    await deps.store.save({ deal: requestRetry(deps.store.peek(PLAN_ID)?.deal as Deal, deps.clock.now()) });
    const report = await run();
    const again = await run();

    expect(deps.workflow.retried).toEqual(['token-door-opener']);
    expect(report.resent).toBe(1);
    expect(again.resent).toBe(0);
    expect(deps.store.peek(PLAN_ID)?.deal.retryRequestedAt).toBeUndefined();
  });
});
