import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../../lambdas/domain/deal';
import { TransientError } from '../../../../lambdas/domain/errors';
import type { EventPublisher } from '../../../../lambdas/domain/ports';
import { escalateGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import { registerDeal } from '../../../../lambdas/domain/use-cases/register';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import type { Weekday } from '../../../../lambdas/domain/workdays';
import {
  DEAL_CLOSED_LOST,
  DEAL_REGISTERED,
  ESCALATED,
  MILESTONE_SLIPPED,
  PLAN_STARTED,
  STAGE_ADVANCED,
} from '../../../../lambdas/schemas/events.schema';
import { fakeDeps, RecordingEventPublisher, signedToken, TEST_CONFIG } from '../../../helpers/fakes';
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

const KINDS = [PLAN_STARTED, STAGE_ADVANCED, MILESTONE_SLIPPED, ESCALATED, DEAL_REGISTERED, DEAL_CLOSED_LOST];
const START = new Date('2026-12-01T15:00:00.000Z');
const HOUR = 3_600_000;

/** Every published detail parses under its detail-type's schema, unchanged (nothing stripped). */
function expectAllValid(events: RecordingEventPublisher): void {
  for (const { detailType, detail } of events.published) {
    const kind = KINDS.find((k) => k.detailType === detailType);
    expect(kind, `unknown detail-type ${detailType}`).toBeDefined();
    const parsed = kind?.schema.safeParse(detail);
    expect(parsed?.error?.issues ?? [], detailType).toEqual([]);
    expect(parsed?.data).toEqual(detail);
  }
}

function ofType(events: RecordingEventPublisher, detailType: string) {
  return events.published.filter((e) => e.detailType === detailType).map((e) => e.detail);
}

/** A bus that refuses the next `n` events. */
class FlakyPublisher extends RecordingEventPublisher implements EventPublisher {
  constructor(private failures: number) {
    super();
  }

  override async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    // As the EventBridge adapter reports EventBridge's own trouble: an error that passes.
    if (this.failures-- > 0) throw new TransientError('PutEvents failed: ThrottlingException');
    await super.publish(detailType, detail);
  }
}

function atStage(stage: Parameters<typeof dealAtStage>[0], events = new RecordingEventPublisher()) {
  const deps = fakeDeps(everyDay({ events }));
  const snapshot = dealAtStage(stage, START);
  deps.store.put({ ...snapshot, deal: { ...snapshot.deal, taskToken: `task-${stage}` } });
  deps.clock.set('2026-12-02T15:00:00.000Z');
  return deps;
}

type Deps = ReturnType<typeof atStage>;

function link(deps: Deps, action: Parameters<typeof signedToken>[1]['action'], target: string, to: string) {
  return signedToken(deps, { planId: PLAN_ID, action, target, recipient: to });
}

/** Passes stage 2 (door-opener): Dana marks the warm introduction done, then confirms the gate. */
async function passDoorOpener(deps: Deps) {
  const done = await link(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
  expect((await actOnLink(deps, done, {})).kind).toBe('done');
  const confirm = await link(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);
  const page = await actOnLink(deps, confirm, { meetingDate: '2026-12-14' });
  expect(page).toMatchObject({ kind: 'done' });
  return confirm;
}

describe('CoSell Plan Started', () => {
  it('is published once as the workflow opens the first gate, however often the task runs', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(startedDeal(START));
    deps.clock.set(START);
    const input = { planId: PLAN_ID, stage: 'target-account-selection' as const };

    // Act: the task, its retry, and a duplicate delivery an hour later.
    await setGateDeadline(deps, input);
    await setGateDeadline(deps, input);
    deps.clock.advanceHours(1);
    await setGateDeadline(deps, input);

    // Assess
    expect(deps.events.published.map((e) => e.detailType)).toEqual(['CoSell Plan Started']);
    expect(deps.events.published[0]?.detail).toEqual({
      schemaVersion: '1.0',
      eventId: `plan-started#${PLAN_ID}`,
      planId: PLAN_ID,
      tenant: 'acme',
      planName: 'Globex platform migration',
      occurredAt: START.toISOString(),
      partner: { name: 'Northwind Integrators' },
      account: { name: 'Globex Corporation', domain: 'globex.example' },
      attribution: 'sourced',
      plannedArr: { min: 80_000, max: 120_000, currency: 'USD' },
      closeDate: '2027-02-26',
      stage: 'target-account-selection',
    });
    expectAllValid(deps.events);
  });

  it('is never lost: a refused event makes the task throw TransientError (retried), and the retry publishes it once', async () => {
    // Prepare
    const deps = fakeDeps(everyDay({ events: new FlakyPublisher(1) }));
    deps.store.put(startedDeal(START));
    deps.clock.set(START);
    const input = { planId: PLAN_ID, stage: 'target-account-selection' as const };

    // Act
    const first = setGateDeadline(deps, input);
    await expect(first).rejects.toMatchObject({ name: 'TransientError' });
    const retry = await setGateDeadline(deps, input);

    // Assess: the stage opened once, the event went out once
    await expect(first).rejects.toThrow(
      'CoSell Plan Started not published: TransientError: PutEvents failed: ThrottlingException',
    );
    expect(retry.warnings).toBeUndefined();
    expect(ofType(deps.events, 'CoSell Plan Started')).toHaveLength(1);
    expect(deps.store.peek(PLAN_ID)?.deal.stages['target-account-selection'].openedAt).toBe(
      START.toISOString(),
    );
  });

  it('is not published for a later stage', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    const snapshot = dealAtStage('door-opener', START);
    deps.store.put({
      ...snapshot,
      deal: {
        ...snapshot.deal,
        stages: {
          ...snapshot.deal.stages,
          'joint-discovery': { ...snapshot.deal.stages['joint-discovery'] },
        },
      },
    });

    // Act
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'door-opener' });

    // Assess
    expect(ofType(deps.events, 'CoSell Plan Started')).toEqual([]);
  });
});

describe('CoSell Stage Advanced', () => {
  it('is published once when a link passes a gate, across a repeated POST and the next stage opening', async () => {
    // Prepare
    const deps = atStage('door-opener');

    // Act: the gate passes; the same form is posted again; the workflow opens stage 3 (twice).
    const confirm = await passDoorOpener(deps);
    const again = await actOnLink(deps, confirm, { meetingDate: '2026-12-14' });
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-discovery' });
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-discovery' });

    // Assess
    expect(again).toMatchObject({ kind: 'refused', reason: 'used' });
    expect(deps.workflow.completed).toHaveLength(1);
    expect(ofType(deps.events, 'CoSell Stage Advanced')).toEqual([
      {
        schemaVersion: '1.0',
        eventId: `stage-advanced#${PLAN_ID}#door-opener`,
        planId: PLAN_ID,
        tenant: 'acme',
        planName: 'Globex platform migration',
        occurredAt: '2026-12-02T15:00:00.000Z',
        partner: { name: 'Northwind Integrators' },
        account: { name: 'Globex Corporation' },
        from: 'door-opener',
        to: 'joint-discovery',
        daysInStage: 1,
        confirmedBy: [{ party: 'partner', by: PEOPLE.dana, at: '2026-12-02T15:00:00.000Z' }],
      },
    ]);
    expectAllValid(deps.events);
  });

  it('is published by the next stage opening alone; a refusing bus makes that task retry, then once', async () => {
    // Prepare: the bus refuses the first put.
    const deps = atStage('door-opener', new FlakyPublisher(1));

    // Act
    const confirm = await link(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);
    const done = await link(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
    await actOnLink(deps, done, {});
    const page = await actOnLink(deps, confirm, { meetingDate: '2026-12-14' });
    const byTheLink = ofType(deps.events, 'CoSell Stage Advanced').length;
    const first = setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-discovery' });
    await expect(first).rejects.toThrow(/CoSell Stage Advanced not published/);
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-discovery' });
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-discovery' });

    // Assess: the link handler published nothing (no claim, no warning); the task's retry published it once.
    expect(page).toMatchObject({ kind: 'done' });
    expect(page).not.toHaveProperty('warnings');
    expect(byTheLink).toBe(0);
    expect(ofType(deps.events, 'CoSell Stage Advanced')).toMatchObject([
      { from: 'door-opener', to: 'joint-discovery', occurredAt: '2026-12-02T15:00:00.000Z' },
    ]);
  });

  it('is not published for stage 5: a won deal is registered instead, once', async () => {
    // Prepare
    const deps = atStage('close-register-review');
    const snapshot = deps.store.peek(PLAN_ID);
    if (!snapshot) throw new Error('no deal');
    deps.store.put({ ...snapshot, milestones: snapshot.milestones.map((m) => ({ ...m, status: 'done' })) });

    // Act
    const confirm = await link(deps, 'confirm-gate', 'close-register-review', PEOPLE.ana);
    await actOnLink(deps, confirm, { outcome: 'won', finalArr: '95000', lesson: 'Lead with the partner.' });
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    expect(deps.events.published.map((e) => e.detailType)).toEqual(['CoSell Deal Registered']);
    expect(deps.events.published[0]?.detail).toMatchObject({
      schemaVersion: '1.2',
      partnerCentral: { stage: 'Launched' },
    });
    expectAllValid(deps.events);
  });
});

describe('CoSell Milestone Slipped', () => {
  it('is published once per slip, with the close-date impact, and not again for a repeated POST', async () => {
    // Prepare
    const deps = atStage('door-opener');
    const slip = await link(deps, 'milestone-slip', 'warm-intro', PEOPLE.dana);
    const form = { newDue: '2026-12-18', reason: 'Lee is travelling', choice: 'absorb' };

    // Act
    await actOnLink(deps, slip, form);
    await actOnLink(deps, slip, form);

    // Assess
    expect(ofType(deps.events, 'CoSell Milestone Slipped')).toEqual([
      {
        schemaVersion: '1.0',
        eventId: `milestone-slipped#${PLAN_ID}#warm-intro#2026-12-11`,
        planId: PLAN_ID,
        tenant: 'acme',
        planName: 'Globex platform migration',
        occurredAt: '2026-12-02T15:00:00.000Z',
        partner: { name: 'Northwind Integrators' },
        account: { name: 'Globex Corporation' },
        milestone: {
          id: 'warm-intro',
          title: 'Warm introduction to Lee Park',
          stage: 'door-opener',
          owner: 'partner',
        },
        from: '2026-12-11',
        to: '2026-12-18',
        days: 7,
        // Absorbed (the default since issue 15): the close date holds; the choice and what moved are recorded.
        closeDate: { from: '2027-02-26', to: '2027-02-26', days: 0 },
        by: PEOPLE.dana,
        reason: 'Lee is travelling',
        choice: 'absorb',
        moved: [{ id: 'warm-intro', from: '2026-12-11', to: '2026-12-18' }],
      },
    ]);
    expectAllValid(deps.events);
  });
});

describe('CoSell Escalated', () => {
  it('stuck: the first rung above the owner, once', async () => {
    // Prepare
    const deps = atStage('door-opener');
    const stuck = await link(deps, 'milestone-stuck', 'warm-intro', PEOPLE.dana);

    // Act
    await actOnLink(deps, stuck, { reason: 'No answer from Lee' });
    await actOnLink(deps, stuck, { reason: 'No answer from Lee' });

    // Assess
    expect(ofType(deps.events, 'CoSell Escalated')).toMatchObject([
      {
        what: 'stuck',
        stage: 'door-opener',
        milestone: { id: 'warm-intro' },
        party: 'partner',
        rung: 0,
        to: { email: PEOPLE.raj },
        reason: 'No answer from Lee',
      },
    ]);
    expectAllValid(deps.events);
  });

  it('gate-overdue: each rung once, across the workflow’s retries', async () => {
    // Prepare: stage 4's deadline (its last milestone, the customer's, 2027-02-05 17:00 in Los Angeles)
    // passes; quiet hours are kept out of the way.
    const deps = atStage('joint-pursuit-and-proof');
    const snapshot = deps.store.peek(PLAN_ID);
    if (!snapshot) throw new Error('no deal');
    const awake: Deal = {
      ...snapshot.deal,
      plan: {
        ...snapshot.deal.plan,
        reminders: { ...snapshot.deal.plan.reminders, quietHours: { start: '03:00', end: '04:00' } },
      },
    };
    deps.store.put({ ...snapshot, deal: awake });
    const deadline = Date.parse('2027-02-06T01:00:00.000Z');
    const input = { planId: PLAN_ID, stage: 'joint-pursuit-and-proof' as const, escalations: 0 };

    // Act
    deps.clock.set(new Date(deadline + 24 * HOUR));
    await escalateGate(deps, input);
    await escalateGate(deps, { ...input, escalations: 1 });
    deps.clock.set(new Date(deadline + 72 * HOUR));
    await escalateGate(deps, { ...input, escalations: 2 });
    await escalateGate(deps, { ...input, escalations: 3 });

    // Assess
    const told = ofType(deps.events, 'CoSell Escalated').map((d) => [d.what, d.party, d.rung, d.to]);
    expect(
      told.map(([what, party, rung, to]) => [what, party, rung, (to as { email: string }).email]).sort(),
    ).toEqual(
      [
        ['gate-overdue', 'customer', 0, PEOPLE.lee],
        ['gate-overdue', 'partner', 0, PEOPLE.raj],
        ['gate-overdue', 'vendor', 0, PEOPLE.sam],
        ['gate-overdue', 'vendor', 1, PEOPLE.kim],
      ].sort(),
    );
    expectAllValid(deps.events);
  });

  it('milestone-overdue, from the sweep: each rung once, across repeated sweeps', async () => {
    // Prepare: fit-check (Ana) is due 2026-12-04 17:00 in Chicago and left to run overdue.
    const deps = fakeDeps(everyDay());
    deps.store.put(dealAtStage('target-account-selection', START));
    const due = Date.parse('2026-12-04T23:00:00.000Z');

    // Act
    for (const hours of [-47, 24, 24, 72.1, 500]) {
      deps.clock.set(new Date(due + hours * HOUR));
      await sweepReminders(deps);
    }

    // Assess
    const fitCheck = ofType(deps.events, 'CoSell Escalated').filter(
      (d) => (d.milestone as { id: string } | undefined)?.id === 'fit-check',
    );
    expect(fitCheck).toMatchObject([
      {
        what: 'milestone-overdue',
        milestone: { id: 'fit-check' },
        party: 'vendor',
        rung: 0,
        to: { email: PEOPLE.sam },
      },
      {
        what: 'milestone-overdue',
        milestone: { id: 'fit-check' },
        party: 'vendor',
        rung: 1,
        to: { email: PEOPLE.kim },
      },
    ]);
    expectAllValid(deps.events);
  });

  it('ghosting and unaccepted handoffs, from the sweep, once each', async () => {
    // Prepare: stage 4 opens on 1 December; nobody acts for seven days.
    const deps = fakeDeps(everyDay());
    const snapshot = dealAtStage('joint-pursuit-and-proof', START);
    const stage = snapshot.deal.stages['joint-pursuit-and-proof'];
    deps.store.put({
      ...snapshot,
      deal: {
        ...snapshot.deal,
        stage: 'joint-discovery',
        stages: {
          ...snapshot.deal.stages,
          'joint-pursuit-and-proof': { ...stage, status: 'pending', openedAt: undefined },
        },
      } as Deal,
    });
    deps.clock.set(START);
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-pursuit-and-proof' });

    // Act
    for (const at of ['2026-12-03T15:00:00.000Z', '2026-12-03T15:00:00.000Z', '2026-12-08T15:00:00.000Z']) {
      deps.clock.set(at);
      await sweepReminders(deps);
    }
    await sweepReminders(deps);

    // Assess
    const escalated = ofType(deps.events, 'CoSell Escalated');
    expect(escalated.filter((d) => d.what === 'handoff')).toMatchObject([
      { milestone: { id: 'security-review' }, party: 'partner', rung: 0, to: { email: PEOPLE.raj } },
      { milestone: { id: 'pricing-approval' }, party: 'vendor', rung: 0, to: { email: PEOPLE.sam } },
      { milestone: { id: 'pricing-approval' }, party: 'vendor', rung: 1, to: { email: PEOPLE.kim } },
    ]);
    const ghosting = escalated.filter((d) => d.what === 'ghosting');
    expect(ghosting.filter((d) => d.party === 'partner')).toMatchObject([
      { stage: 'joint-pursuit-and-proof', party: 'partner', rung: 0, to: { email: PEOPLE.raj } },
    ]);
    // Ghosting from every side (issue 15): the silent side's first rung and the other sides' owners (Lee,
    // told of the partner's silence, is in his quiet hours at this sweep).
    expect(
      ghosting.filter((d) => d.party !== 'partner').map((d) => [d.party, (d.to as { email: string }).email]),
    ).toEqual([
      ['vendor', PEOPLE.sam],
      ['vendor', PEOPLE.dana],
      ['customer', PEOPLE.dana],
      ['customer', PEOPLE.ana],
    ]);
    expect(new Set(escalated.map((d) => d.eventId)).size).toBe(escalated.length);
    expectAllValid(deps.events);
  });
});

describe('registration events', () => {
  it('map the deal onto the Partner Central lifecycle: Closed Lost, with the stages it reached', async () => {
    // Prepare
    const deps = atStage('joint-discovery');
    const snapshot = deps.store.peek(PLAN_ID);
    if (!snapshot) throw new Error('no deal');
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, status: 'lost' } });

    // Act
    await registerDeal(deps, { planId: PLAN_ID, outcome: 'lost' });

    // Assess
    expect(deps.events.published.map((e) => e.detailType)).toEqual(['CoSell Deal Closed Lost']);
    expect(deps.events.published[0]?.detail.partnerCentral).toEqual({
      stage: 'Closed Lost',
      stageHistory: [
        {
          stage: 'target-account-selection',
          partnerCentralStage: 'Prospect',
          openedAt: START.toISOString(),
          passedAt: START.toISOString(),
        },
        {
          stage: 'door-opener',
          partnerCentralStage: 'Qualified',
          openedAt: START.toISOString(),
          passedAt: START.toISOString(),
        },
        {
          stage: 'joint-discovery',
          partnerCentralStage: 'Technical Validation',
          openedAt: START.toISOString(),
        },
      ],
    });
    expectAllValid(deps.events);
  });

  it('refuse to publish a detail its schema rejects, and leave the ledger open for a fixed retry', async () => {
    // Prepare: a stored plan whose close date is not a date (the plan schema would never let it in).
    const deps = atStage('close-register-review');
    const snapshot = deps.store.peek(PLAN_ID);
    if (!snapshot) throw new Error('no deal');
    const plan = {
      ...snapshot.deal.plan,
      jointOutcome: { ...snapshot.deal.plan.jointOutcome, closeDate: 'soon' },
    };
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, status: 'won', plan } });

    // Act
    const running = registerDeal(deps, { planId: PLAN_ID, outcome: 'won' });

    // Assess
    await expect(running).rejects.toThrow(/closeDate/);
    expect(deps.events.published).toEqual([]);
    expect(deps.ledger.done.has(`registration#${PLAN_ID}`)).toBe(false);
  });
});
