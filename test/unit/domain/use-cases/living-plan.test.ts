import { describe, expect, it } from 'vitest';
import { emailAbout, HistoryMailer } from '../../../../lambdas/domain/history';
import { PlanConflictError, StaleVersionError } from '../../../../lambdas/domain/plan-errors';
import { amendPlan } from '../../../../lambdas/domain/use-cases/amend-plan';
import { ANNOUNCE_HANDOFF_MS, announceHeld } from '../../../../lambdas/domain/use-cases/announcements';
import { closePlan } from '../../../../lambdas/domain/use-cases/close-plan';
import { getHistory } from '../../../../lambdas/domain/use-cases/plan-history';
import { createPlan, keyedPlanId } from '../../../../lambdas/domain/use-cases/plans';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import type { Plan } from '../../../../lambdas/schemas/plan.schema';
import { FakeHistoryStore } from '../../../helpers/fake-history';
import { fakeDeps, RecordingMailer } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, referencePlan } from '../../../helpers/plan';

const RAJ = 'raj.mehta@northwind.example';

function living() {
  const history = new FakeHistoryStore();
  return { ...fakeDeps(), history };
}

function edited(edit: (p: Plan) => void): Plan {
  const plan = structuredClone(referencePlan());
  edit(plan);
  return plan;
}

describe('createPlan: ids, duplicates and idempotency', () => {
  it("uses the plan's own id, and refuses it again with 409 naming the deal", async () => {
    const deps = living();
    const plan = { ...referencePlan(), id: 'globex-2027' };
    expect((await createPlan(deps, plan)).planId).toBe('globex-2027');
    const again = createPlan(deps, plan);
    await expect(again).rejects.toBeInstanceOf(PlanConflictError);
    await expect(again).rejects.toMatchObject({ planId: 'globex-2027' });
    expect(deps.history.kinds('globex-2027')).toEqual(['created']);
  });

  it('refuses a duplicate of an active deal unless duplicates are allowed', async () => {
    const deps = living();
    const first = await createPlan(deps, referencePlan());
    await expect(createPlan(deps, referencePlan())).rejects.toMatchObject({ planId: first.planId });
    const second = await createPlan(deps, referencePlan(), { allowDuplicate: true });
    expect(second.planId).not.toBe(first.planId);
  });

  it('answers a retried keyed POST with the first deal instead of creating twice', async () => {
    const deps = living();
    const a = await createPlan(deps, referencePlan(), { idempotencyKey: 'k-1' });
    const b = await createPlan(deps, referencePlan(), { idempotencyKey: 'k-1' });
    expect(b.planId).toBe(a.planId);
    expect(a.planId).toBe(keyedPlanId('acme', 'k-1'));
    expect(deps.store.planIds()).toHaveLength(1);
    expect(deps.workflow.started).toHaveLength(1);
  });

  it('answers two keyed POSTs at once with one deal', async () => {
    const deps = living();
    const [a, b] = await Promise.all([
      createPlan(deps, referencePlan(), { idempotencyKey: 'k-2' }),
      createPlan(deps, referencePlan(), { idempotencyKey: 'k-2' }),
    ]);
    expect(b.planId).toBe(a.planId);
    expect(deps.store.planIds()).toHaveLength(1);
    expect(deps.workflow.started).toHaveLength(1);
  });

  it('answers a keyed POST that raced its first attempt with that deal, not as its duplicate', async () => {
    const deps = living();
    const realGet = deps.store.get.bind(deps.store);
    let firstAttempt: Promise<unknown> | undefined;
    // The retry reads before the first attempt stores its deal, and looks for duplicates after.
    deps.store.get = async (planId: string) => {
      const got = await realGet(planId);
      if (!firstAttempt) {
        firstAttempt = createPlan(deps, referencePlan(), { idempotencyKey: 'k-3' });
        await firstAttempt;
      }
      return got;
    };
    const retry = await createPlan(deps, referencePlan(), { idempotencyKey: 'k-3' });
    expect(retry.planId).toBe(keyedPlanId('acme', 'k-3'));
    expect(deps.store.planIds()).toHaveLength(1);
    expect(deps.workflow.started).toHaveLength(1);
  });

  it('refuses a keyed POST of another plan under a key already used, rather than answer for the first', async () => {
    const deps = living();
    await createPlan(deps, referencePlan(), { idempotencyKey: 'k-4' });
    const other = edited((p) => {
      p.name = 'Another deal';
    });
    const reused = createPlan(deps, other, { idempotencyKey: 'k-4' });
    await expect(reused).rejects.toBeInstanceOf(PlanConflictError);
    await expect(reused).rejects.toMatchObject({ issues: [{ path: '(idempotency-key)' }] });
    expect(deps.store.planIds()).toHaveLength(1);
  });

  it('returns the warnings with the created plan', async () => {
    const deps = living();
    const plan = edited((p) => {
      p.risks = ['only one'];
    });
    expect((await createPlan(deps, plan)).warnings.map((w) => w.path)).toEqual(['risks']);
  });
});

describe('amendPlan', () => {
  it('stores a new version, emails the new owner once, publishes Plan Amended and records it', async () => {
    const deps = living();
    deps.store.put(dealAtStage('door-opener'));
    const { planId } = dealAtStage('door-opener').deal;
    const next = edited((p) => {
      (p.stages['door-opener'].milestones[0] as { owner: string }).owner = RAJ;
    });
    const result = await amendPlan(deps, planId, next, { ifMatch: 1 });
    expect(result.version).toBe(2);
    expect(result.notified).toEqual([RAJ, PEOPLE.ana]);
    expect(deps.mailer.sent.filter((e) => e.to.includes(RAJ))).toHaveLength(1);
    expect(deps.events.published.map((e) => e.detailType)).toEqual(['CoSell Plan Amended']);
    expect(deps.history.kinds(planId)).toEqual(['amended']);
    // Applying the same file again changes nothing and sends nothing.
    const again = await amendPlan(deps, planId, next);
    expect(again.changes).toEqual([]);
    expect(deps.mailer.sent.filter((e) => e.to.includes(RAJ))).toHaveLength(1);
  });

  it('announces a gate it passes as a click would: held in its save, sent once by announce, none again by the sweep', async () => {
    // Prepare: stage 1 confirmed by both sides, waiting only on fit-check; the amendment drops fit-check.
    const deps = living();
    deps.clock.set('2026-12-01T17:00:00.000Z');
    const snapshot = dealAtStage('target-account-selection');
    const stage = snapshot.deal.stages['target-account-selection'];
    const at = '2026-12-01T16:00:00.000Z';
    const confirmations = [
      { party: 'vendor' as const, by: PEOPLE.ana, at, evidence: {} },
      { party: 'partner' as const, by: PEOPLE.dana, at, evidence: {} },
    ];
    deps.store.put({
      ...snapshot,
      deal: {
        ...snapshot.deal,
        stages: { ...snapshot.deal.stages, 'target-account-selection': { ...stage, confirmations } },
      },
    });
    const next = edited((p) => {
      p.stages['target-account-selection'].milestones = [];
    });

    // Act
    const result = await amendPlan(deps, snapshot.deal.planId, next);
    const heldNow = [...deps.store.held.keys()].filter((k) => k.startsWith('announce#'));
    const atSave = deps.mailer.sent.filter((e) => e.key.startsWith('announce#')).length;
    // The Stage Advanced that follows (the workflow's next stage opening) reaches announce; then sweeps.
    await announceHeld(deps, snapshot.deal.planId, {
      kind: 'stage-passed',
      stage: 'target-account-selection',
    });
    deps.clock.set(new Date(Date.parse('2026-12-01T17:00:00.000Z') + ANNOUNCE_HANDOFF_MS));
    await sweepReminders(deps);
    await sweepReminders(deps);

    // Assess: one stage-passed note per owner, none with the save itself, none twice.
    expect(result.advanced).toEqual({ from: 'target-account-selection' });
    expect(heldNow).toHaveLength(3);
    expect(atSave).toBe(0);
    const passed = deps.mailer.sent.filter((e) => e.key.startsWith('announce#stage-passed#'));
    expect(passed.map((e) => e.to[0]).sort()).toEqual([PEOPLE.ana, PEOPLE.dana, PEOPLE.lee].sort());
    expect(deps.store.held.size).toBe(0);
  });

  it('still publishes and records an amendment whose email fails, and says which one failed', async () => {
    const deps = living();
    deps.store.put(dealAtStage('door-opener'));
    const { planId } = dealAtStage('door-opener').deal;
    const next = edited((p) => {
      (p.stages['door-opener'].milestones[0] as { owner: string }).owner = RAJ;
    });
    deps.mailer.failNext = 1;
    const result = await amendPlan(deps, planId, next);
    expect(deps.store.peek(planId)?.deal.planVersion).toBe(2);
    expect(result.notified).toEqual([PEOPLE.ana]);
    expect(result.effectWarnings?.join('\n')).toMatch(new RegExp(`${RAJ}.*mail service unavailable`));
    expect(deps.events.published.map((e) => e.detailType)).toEqual(['CoSell Plan Amended']);
    expect(deps.history.kinds(planId)).toEqual(['amended']);
  });

  it('answers a stale If-Match with StaleVersionError and changes nothing', async () => {
    const deps = living();
    deps.store.put(dealAtStage('door-opener'));
    const { planId } = dealAtStage('door-opener').deal;
    const before = deps.store.peek(planId);
    await expect(amendPlan(deps, planId, referencePlan(), { ifMatch: 7 })).rejects.toBeInstanceOf(
      StaleVersionError,
    );
    expect(deps.store.peek(planId)).toEqual(before);
  });

  it('refuses with every problem and changes nothing', async () => {
    const deps = living();
    deps.store.put(dealAtStage('door-opener'));
    const { planId } = dealAtStage('door-opener').deal;
    const before = deps.store.peek(planId);
    const next = edited((p) => {
      p.partner.name = 'Contoso';
      p.attribution = 'influenced';
    });
    const refused = amendPlan(deps, planId, next);
    await expect(refused).rejects.toMatchObject({
      issues: [{ path: 'partner.name' }, { path: 'attribution' }],
    });
    expect(deps.store.peek(planId)).toEqual(before);
    expect(deps.mailer.sent).toEqual([]);
  });

  it('with dryRun returns the changes and stores nothing', async () => {
    const deps = living();
    deps.store.put(dealAtStage('door-opener'));
    const { planId } = dealAtStage('door-opener').deal;
    const next = edited((p) => {
      p.risks = ['a', 'b', 'c'];
    });
    const result = await amendPlan(deps, planId, next, { dryRun: true });
    expect(result).toMatchObject({ dryRun: true, changes: [{ path: 'risks' }] });
    expect(deps.store.peek(planId)?.deal.plan.risks).toEqual(referencePlan().risks);
  });
});

describe('closePlan', () => {
  it('closes at the current stage, completes the waiting gate with lost, and refuses a second close', async () => {
    const deps = living();
    const snapshot = dealAtStage('joint-discovery');
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, taskToken: 'token-3' } });
    const { planId } = snapshot.deal;
    const view = await closePlan(deps, planId, { outcome: 'withdrawn', reason: 'Partner pulled out' });
    expect(view).toMatchObject({
      status: 'lost',
      stage: 'joint-discovery',
      closed: { outcome: 'withdrawn' },
    });
    expect(deps.workflow.completed).toEqual([{ taskToken: 'token-3', output: { outcome: 'lost' } }]);
    await expect(closePlan(deps, planId, { outcome: 'lost', reason: 'again' })).rejects.toBeInstanceOf(
      PlanConflictError,
    );
    expect(deps.history.kinds(planId)).toEqual(['closed']);
  });

  it('reads again when a link click saved first, so neither is lost', async () => {
    const deps = living();
    const snapshot = dealAtStage('door-opener');
    deps.store.put(snapshot);
    const { planId } = snapshot.deal;
    const m = snapshot.milestones.find((x) => x.milestoneId === 'warm-intro');
    if (!m) throw new Error('no warm-intro');
    // The click lands between the close's read and its write.
    deps.store.interleave(() =>
      deps.store.saveMilestone({ ...m, status: 'done', doneBy: PEOPLE.dana, doneAt: 'x' }),
    );
    await closePlan(deps, planId, { outcome: 'lost', reason: 'Gone' });
    const stored = deps.store.peek(planId);
    expect(stored?.deal.status).toBe('lost');
    expect(stored?.milestones.find((m) => m.milestoneId === 'warm-intro')?.status).toBe('done');
  });
});

describe('history', () => {
  it('lists a deal oldest first; an unknown deal is not found', async () => {
    const deps = living();
    const created = await createPlan(deps, referencePlan());
    expect((await getHistory(deps, created.planId)).entries.map((e) => e.kind)).toEqual(['created']);
    await expect(getHistory(deps, 'nope')).rejects.toThrow(/No plan/);
  });

  it('records every email about a deal with its recipient, subject and why', async () => {
    const history = new FakeHistoryStore();
    const mailer = new HistoryMailer(new RecordingMailer(), history, () => new Date('2026-12-01T00:00:00Z'));
    await mailer.send({
      key: 'gate-open#pl_1#door-opener#a@x',
      to: ['a@x'],
      cc: [],
      subject: 'S',
      text: '',
      html: '',
    });
    await mailer.send({
      key: 'digest#a@x#2026-12-01',
      to: ['a@x'],
      cc: [],
      subject: 'D',
      text: '',
      html: '',
    });
    expect(history.entries.get('pl_1')?.[0]).toMatchObject({
      kind: 'email',
      by: 'system',
      detail: { to: ['a@x'], subject: 'S', why: emailAbout('gate-open#pl_1')?.why },
    });
    expect([...history.entries.keys()]).toEqual(['pl_1']);
  });

  it('records the announcements too (their key names the deal after the kind of announcement)', async () => {
    const history = new FakeHistoryStore();
    const mailer = new HistoryMailer(new RecordingMailer(), history, () => new Date('2026-12-01T00:00:00Z'));
    const email = { cc: [], text: '', html: '' };
    await mailer.send({
      ...email,
      key: 'announce#stage-passed#pl_1#door-opener#a@x',
      to: ['a@x'],
      subject: 'P',
    });
    await mailer.send({ ...email, key: 'announce#closed#pl_1#a@x', to: ['a@x'], subject: 'C' });
    expect([...history.entries.keys()]).toEqual(['pl_1']);
    expect(history.entries.get('pl_1')?.map((e) => e.detail.subject)).toEqual(['P', 'C']);
    expect(emailAbout('announce#closed#pl_1#a@x')?.why).toMatch(/closed/);
  });
});
