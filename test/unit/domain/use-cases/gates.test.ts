import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../../lambdas/domain/deal';
import { NotFoundError } from '../../../../lambdas/domain/errors';
import { verifyLink } from '../../../../lambdas/domain/links';
import { awaitGate, escalateGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import type { Weekday } from '../../../../lambdas/domain/workdays';
import type { StageKey } from '../../../../lambdas/schemas/plan.schema';
import { fakeDeps, linksIn, sentLink, signedToken, TEST_CONFIG } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID, startedDeal } from '../../../helpers/plan';

/**
 * These tests are about the cadence's clock hours, caps and ledgers: the tenant here works every day with
 * no grace after a gate's deadline (working days, holidays and grace: workdays.test.ts, cadence-rules.test.ts).
 */
function everyDay<T extends object>(overrides?: T) {
  const config = {
    ...TEST_CONFIG,
    workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as Weekday[],
    escalationGraceBusinessDays: 0,
  };
  return { config, ...overrides };
}

const START = '2026-12-01T15:00:00.000Z';
/** Stage 4's deadline: proof-of-concept, 17:00 on 2027-02-05 in Los Angeles. */
const STAGE4_DEADLINE = Date.parse('2027-02-06T01:00:00.000Z');
const HOUR = 3_600_000;

function atStage(stage: StageKey, change: (deal: Deal) => Deal = (d) => d) {
  const deps = fakeDeps(everyDay());
  const snapshot = dealAtStage(stage, new Date(START));
  deps.store.put({ ...snapshot, deal: change(snapshot.deal) });
  return deps;
}

describe('setGateDeadline', () => {
  it('opens the stage once and waits until its deadline', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.clock.set(START);
    deps.store.put(startedDeal(new Date(START)));

    // Act
    const result = await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });

    // Assess: fit-check is due 2026-12-04 17:00 in Chicago (23:00Z), 3 days 8 hours away.
    expect(result).toEqual({ timeoutSeconds: (3 * 24 + 8) * 3600, escalations: 0 });
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    expect(deal?.stage).toBe('target-account-selection');
    expect(deal?.stages['target-account-selection']).toMatchObject({ status: 'open', openedAt: START });
    expect(deal?.version).toBe(1);
  });

  it('keeps the first opening on a rerun, writes nothing, and waits what is left', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    const writes = deps.store.writes.length;
    deps.clock.advanceHours(8);

    // Act
    const again = await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });

    // Assess
    expect(again.timeoutSeconds).toBe(3 * 24 * 3600);
    expect(deps.store.writes).toHaveLength(writes);
    expect(deps.store.peek(PLAN_ID)?.deal.stages['target-account-selection'].openedAt).toBe(START);
  });

  it('waits a minute, not less, when the deadline is already past', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    deps.clock.set('2026-12-20T00:00:00.000Z');

    // Act
    const result = await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });

    // Assess
    expect(result).toEqual({ timeoutSeconds: 60, escalations: 0 });
  });

  it('says when there is no such plan', async () => {
    await expect(
      setGateDeadline(fakeDeps(everyDay()), { planId: 'pl_x', stage: 'door-opener' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('awaitGate', () => {
  it('records the task token and emails each person the gate needs, once, with their own links', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });

    // Act
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'token-1',
      escalations: 0,
    });

    // Assess
    expect(deps.store.peek(PLAN_ID)?.deal.taskToken).toBe('token-1');
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
    const ana = deps.mailer.to(PEOPLE.ana)[0];
    const dana = deps.mailer.to(PEOPLE.dana)[0];
    expect(ana?.key).toBe(`gate-open#${PLAN_ID}#target-account-selection#${PEOPLE.ana}`);
    expect(linksIn(ana ?? fail()).map((l) => `${l.claims.action} ${l.claims.target}`)).toEqual([
      'milestone-done fit-check',
      'milestone-slip fit-check',
      'milestone-stuck fit-check',
      'confirm-gate target-account-selection',
      'waive-milestone fit-check',
    ]);
    expect(linksIn(dana ?? fail()).map((l) => `${l.claims.action} ${l.claims.target}`)).toEqual([
      'confirm-gate target-account-selection',
    ]);
    for (const link of [...linksIn(ana ?? fail()), ...linksIn(dana ?? fail())]) {
      expect(link.url.startsWith('https://links.acme.example/a/')).toBe(true);
      const check = await verifyLink('acme', link.token, deps.keys, deps.clock.now());
      expect(check.ok).toBe(true);
      expect(link.claims.planId).toBe(PLAN_ID);
      expect(link.claims.exp).toBe(Date.parse(START) / 1000 + 14 * 86_400);
    }
    expect(new Set(linksIn(ana ?? fail()).map((l) => l.claims.recipient))).toEqual(new Set([PEOPLE.ana]));
    expect(
      new Set([...linksIn(ana ?? fail()), ...linksIn(dana ?? fail())].map((l) => l.claims.nonce)).size,
    ).toBe(6);
  });

  it('sends nothing more when run again (a retry or a new wait after an escalation), but keeps the new token', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'token-1',
      escalations: 0,
    });

    // Act
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'token-2',
      escalations: 1,
    });

    // Assess
    expect(deps.mailer.sent).toHaveLength(2);
    expect(deps.store.peek(PLAN_ID)?.deal.taskToken).toBe('token-2');
    expect(deps.workflow.completed).toEqual([]);
  });

  it('sends the emails a failed run did not, on its retry', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    const send = deps.mailer.send.bind(deps.mailer);
    let calls = 0;
    deps.mailer.send = async (email) => {
      if (++calls === 2) throw new Error('SES throttled');
      await send(email);
    };
    const input = {
      planId: PLAN_ID,
      stage: 'target-account-selection' as const,
      taskToken: 't',
      escalations: 0,
    };
    await expect(awaitGate(deps, input)).rejects.toThrow('SES throttled');

    // Act
    await awaitGate(deps, input);

    // Assess
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
  });

  it('completes at once, emailing no one, when the gate already passed', async () => {
    // Prepare
    const deps = atStage('door-opener');
    const writes = deps.store.writes.length;

    // Act
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'late',
      escalations: 0,
    });

    // Assess
    expect(deps.workflow.completed).toEqual([{ taskToken: 'late', output: { outcome: 'passed' } }]);
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.store.writes).toHaveLength(writes);
  });

  it('completes at once as lost when the deal was lost', async () => {
    // Prepare
    const deps = atStage('close-register-review', (d) => ({
      ...d,
      status: 'lost',
      stages: {
        ...d.stages,
        'close-register-review': { ...d.stages['close-register-review'], status: 'passed' },
      },
    }));

    // Act
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'close-register-review',
      taskToken: 't5',
      escalations: 0,
    });

    // Assess
    expect(deps.workflow.completed).toEqual([{ taskToken: 't5', output: { outcome: 'lost' } }]);
    expect(deps.mailer.sent).toEqual([]);
  });

  it('records its token even when a link action lands between its read and its write', async () => {
    // Prepare: a reminder link for a later milestone is used while the gate opens.
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(new Date(START)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    const token = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
    });
    deps.store.interleave(() => actOnLink(deps, token, {}));

    // Act
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'token-1',
      escalations: 0,
    });

    // Assess
    const stored = deps.store.peek(PLAN_ID);
    expect(stored?.deal.taskToken).toBe('token-1');
    expect(stored?.milestones.find((m) => m.milestoneId === 'warm-intro')?.status).toBe('done');
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
  });
});

describe('escalateGate', () => {
  const input = { planId: PLAN_ID, stage: 'joint-pursuit-and-proof' as const, escalations: 0 };
  // These tests are about who is told what and when; quiet hours (tested with the sweep) are kept out of
  // the way: the stage-4 deadline falls at 19:00 in Chicago.
  const awake = (d: Deal): Deal => ({
    ...d,
    plan: { ...d.plan, reminders: { ...d.plan.reminders, quietHours: { start: '03:00', end: '04:00' } } },
  });

  it('tells those whose move it is that the gate is overdue, and waits until the first rung', async () => {
    // Prepare
    const deps = atStage('joint-pursuit-and-proof', awake);
    deps.clock.set(new Date(STAGE4_DEADLINE + 60_000));

    // Act
    const result = await escalateGate(deps, input);

    // Assess
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.ana, PEOPLE.dana, PEOPLE.lee].sort());
    const lee = deps.mailer.to(PEOPLE.lee)[0];
    // The customer's words: no stage number.
    expect(lee?.subject).toBe('[Globex platform migration] Still waiting: Proof and path to a decision');
    expect(linksIn(lee ?? fail()).map((l) => l.claims.action)).toEqual([
      'milestone-done',
      'milestone-slip',
      'milestone-stuck',
      'confirm-gate',
    ]);
    expect(linksIn(deps.mailer.to(PEOPLE.ana)[0] ?? fail()).map((l) => l.claims.action)).not.toContain(
      'waive-milestone',
    );
    expect(result).toEqual({ timeoutSeconds: 24 * 3600 - 60, escalations: 1 });
    expect(deps.store.peek(PLAN_ID)?.deal.stages['joint-pursuit-and-proof'].escalations).toBe(1);
  });

  it('sends no overdue notice to someone whose only ask is to waive', async () => {
    // Prepare: the vendor's pricing approval is done; the vendor owner only has waive links left.
    const deps = atStage('joint-pursuit-and-proof', awake);
    const snapshot = deps.store.peek(PLAN_ID) ?? fail();
    deps.store.put({
      ...snapshot,
      milestones: snapshot.milestones.map((m) =>
        m.milestoneId === 'pricing-approval' ? { ...m, status: 'done' as const } : m,
      ),
    });
    deps.clock.set(new Date(STAGE4_DEADLINE + 60_000));

    // Act
    await escalateGate(deps, input);

    // Assess
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.dana, PEOPLE.lee].sort());
  });

  it('climbs each owing side’s ladder by afterHours, each rung once, copying the owner', async () => {
    // Prepare
    const deps = atStage('joint-pursuit-and-proof', awake);
    deps.clock.set(new Date(STAGE4_DEADLINE + 60_000));
    await escalateGate(deps, input);
    const overdue = deps.mailer.sent.length;

    // Act: the workflow comes back after 24 h, again (a retry) at once, then after 72 h.
    deps.clock.set(new Date(STAGE4_DEADLINE + 24 * HOUR));
    const second = await escalateGate(deps, { ...input, escalations: 1 });
    const afterDay = deps.mailer.sent
      .slice(overdue)
      .map((e) => [e.to[0], e.cc[0]])
      .sort();
    const retry = await escalateGate(deps, { ...input, escalations: 1 });
    const afterRetry = deps.mailer.sent.length;
    deps.clock.set(new Date(STAGE4_DEADLINE + 72 * HOUR));
    const third = await escalateGate(deps, { ...input, escalations: 2 });

    // Assess
    expect(afterDay).toEqual([
      [PEOPLE.raj, PEOPLE.dana],
      [PEOPLE.sam, PEOPLE.ana],
    ]);
    expect(second).toEqual({ timeoutSeconds: 24 * 3600, escalations: 2 });
    expect(retry.timeoutSeconds).toBe(24 * 3600);
    expect(afterRetry).toBe(overdue + 2);
    expect(deps.mailer.sent.slice(afterRetry).map((e) => e.to[0])).toEqual([PEOPLE.lee, PEOPLE.kim]);
    expect(third).toEqual({ timeoutSeconds: 7 * 86_400, escalations: 3 });
    const kim = deps.mailer.to(PEOPLE.kim)[0];
    expect(kim?.key).toBe(`gate-escalation#${PLAN_ID}#joint-pursuit-and-proof#vendor#1`);
    expect(kim?.subject).toBe(
      '[Globex platform migration] Escalation: stage 4, Joint pursuit and proof, is past its deadline.',
    );
    expect(kim?.text).toContain('- Enterprise pricing approval: Ana Ruiz, due 2027-01-29');
    expect(deps.mailer.to(PEOPLE.lee).at(-1)?.text).toContain(
      '- Gate confirmation from the customer side: Globex confirms the path to a decision.',
    );
  });

  it('leaves the ladder of a side that has done its part alone', async () => {
    // Prepare: the partner's only milestone is done, and the partner does not confirm stage 4.
    const deps = atStage('joint-pursuit-and-proof', awake);
    const snapshot = deps.store.peek(PLAN_ID) ?? fail();
    deps.store.put({
      ...snapshot,
      milestones: snapshot.milestones.map((m) =>
        m.milestoneId === 'security-review' ? { ...m, status: 'done' as const } : m,
      ),
    });
    deps.clock.set(new Date(STAGE4_DEADLINE + 100 * HOUR));

    // Act
    await escalateGate(deps, input);

    // Assess
    expect(deps.mailer.to(PEOPLE.raj)).toEqual([]);
    expect(deps.mailer.to(PEOPLE.dana)).toEqual([]);
    expect(deps.mailer.to(PEOPLE.sam)).toHaveLength(1);
  });

  it('does nothing for a gate no longer open, and lets the next wait complete it', async () => {
    // Prepare
    const deps = atStage('door-opener');
    const writes = deps.store.writes.length;

    // Act
    const result = await escalateGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      escalations: 3,
    });

    // Assess
    expect(result).toEqual({ timeoutSeconds: 60, escalations: 4 });
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.store.writes).toHaveLength(writes);
  });

  it('sends no overdue notice when a slip has moved the deadline past now, and sends it once that passes', async () => {
    // Prepare: before the deadline, the customer slips the proof of concept by a week.
    const deps = atStage('joint-pursuit-and-proof', awake);
    deps.clock.set(new Date(STAGE4_DEADLINE - 48 * HOUR));
    const slip = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-slip',
      target: 'proof-of-concept',
      recipient: PEOPLE.lee,
    });
    expect(
      (await actOnLink(deps, slip, { newDue: '2027-02-12', reason: 'Legal review', choice: 'absorb' })).kind,
    ).toBe('done');
    const sentBefore = deps.mailer.sent.length;
    // The workflow's wait was computed from the old deadline and times out.
    deps.clock.set(new Date(STAGE4_DEADLINE + 60_000));

    // Act
    const early = await escalateGate(deps, input);
    const earlyMail = deps.mailer.sent.slice(sentBefore);
    deps.clock.set(new Date(STAGE4_DEADLINE + 7 * 24 * HOUR + 60_000));
    await escalateGate(deps, { ...input, escalations: early.escalations });

    // Assess
    expect(earlyMail).toEqual([]);
    expect(early.timeoutSeconds).toBe(7 * 24 * 3600 - 60);
    expect(deps.mailer.sent.slice(sentBefore).map((e) => e.subject)).toContain(
      '[Globex platform migration] Overdue: stage 4, Joint pursuit and proof',
    );
  });

  it('still records its count when a link action lands between its read and its write', async () => {
    // Prepare: the customer confirms the gate while the escalation runs.
    const deps = atStage('joint-pursuit-and-proof', awake);
    deps.clock.set(new Date(STAGE4_DEADLINE + 60_000));
    await escalateGate(deps, input);
    const confirm = sentLink(deps.mailer, {
      to: PEOPLE.lee,
      action: 'confirm-gate',
      target: 'joint-pursuit-and-proof',
    });
    deps.store.interleave(() => actOnLink(deps, confirm.token, { customerConfirmation: 'yes' }));
    deps.clock.set(new Date(STAGE4_DEADLINE + 24 * HOUR));

    // Act
    const result = await escalateGate(deps, { ...input, escalations: 1 });

    // Assess
    expect(result.escalations).toBe(2);
    const stage = deps.store.peek(PLAN_ID)?.deal.stages['joint-pursuit-and-proof'];
    expect(stage?.confirmations.map((c) => c.party)).toEqual(['customer']);
    expect(stage?.escalations).toBe(2);
  });
});

function fail(): never {
  throw new Error('expected a value');
}
