import { describe, expect, it } from 'vitest';
import { DeliveryDeferredError, DeliveryRejectedError, localTime } from '../../../../lambdas/domain/cadence';
import type { Deal } from '../../../../lambdas/domain/deal';
import { verifyLink } from '../../../../lambdas/domain/links';
import type { DealSnapshot, Mailer, OutboundEmail } from '../../../../lambdas/domain/ports';
import { escalateGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import type { Weekday } from '../../../../lambdas/domain/workdays';
import type { Plan, StageKey } from '../../../../lambdas/schemas/plan.schema';
import { FakeEffectLedger, fakeDeps, linksIn, signedToken, TEST_CONFIG } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID, planWith, planWithMilestone } from '../../../helpers/plan';

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

/** fit-check: vendor (Ana, Chicago), due 2026-12-04 17:00 CST = 23:00Z; first nudge two days before. */
const FIT_DUE = Date.parse('2026-12-04T23:00:00.000Z');
/** warm-intro: partner (Dana, New York), due 2026-12-11 17:00 EST = 22:00Z. */
const WARM_DUE = Date.parse('2026-12-11T22:00:00.000Z');
const HOUR = 3_600_000;

function seeded(at: number, plan?: Plan) {
  const deps = fakeDeps(everyDay());
  deps.store.put(dealAtStage('target-account-selection', new Date('2026-12-01T15:00:00.000Z'), plan));
  // Silence (ghosting, from every side) is not these tests' subject: see 'partner ghosting' below.
  deps.config.ghostingDays = 90;
  deps.clock.set(new Date(at));
  return deps;
}

/**
 * warm-intro (Dana's) moved into stage 1 beside fit-check (Ana's): only the open stage's work is chased,
 * so a sweep that owes both needs both in the open stage.
 */
function bothInStageOne(): Plan {
  return planWith((plan) => {
    plan.stages['target-account-selection'].milestones.push(...plan.stages['door-opener'].milestones);
    plan.stages['door-opener'].milestones = [];
  });
}

describe('sweepReminders', () => {
  it('reminds the one owner before the milestone is due, with done, slip and stuck links', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 47 * HOUR);

    // Act
    const report = await sweepReminders(deps);

    // Assess
    expect(report).toEqual({ looked: 1, reminders: 1, escalations: 0, emails: 1, deferred: 0 });
    expect(deps.mailer.sent).toHaveLength(1);
    const email = deps.mailer.sent[0];
    expect(email?.to).toEqual([PEOPLE.ana]);
    expect(email?.key).toBe(`reminder#${PLAN_ID}#fit-check#2026-12-04`);
    expect(email?.subject).toBe(
      '[Globex platform migration] Due soon: Confirm Globex fits both ideal customer profiles',
    );
    const links = linksIn(email ?? fail());
    expect(links.map((l) => l.claims.action)).toEqual([
      'milestone-done',
      'milestone-slip',
      'milestone-stuck',
    ]);
    for (const link of links) {
      expect(link.claims).toMatchObject({ planId: PLAN_ID, target: 'fit-check', recipient: PEOPLE.ana });
      expect((await verifyLink('acme', link.token, deps.keys, deps.clock.now())).ok).toBe(true);
    }
    // The next look is the first rung of the vendor's ladder, 24 h after the due time.
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBe(
      new Date(FIT_DUE + 24 * HOUR).toISOString(),
    );
  });

  it('sends nothing on a second sweep', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 47 * HOUR);
    await sweepReminders(deps);

    // Act
    deps.clock.advanceHours(1);
    const report = await sweepReminders(deps);

    // Assess
    expect(report).toMatchObject({ looked: 0, reminders: 0, escalations: 0, emails: 0 });
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('looks at nothing before the first nudge is due', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 49 * HOUR);

    // Act
    const report = await sweepReminders(deps);

    // Assess
    expect(report.looked).toBe(0);
    expect(deps.mailer.sent).toEqual([]);
  });

  it('escalates an overdue milestone up its owner’s side’s ladder, each rung once, owner copied', async () => {
    // Prepare: reminded, then the milestone is left to run overdue.
    const deps = seeded(FIT_DUE - 47 * HOUR);
    await sweepReminders(deps);

    // Act: sweeps at +24 h (twice), +72 h, then later still.
    deps.clock.set(new Date(FIT_DUE + 24 * HOUR));
    const first = await sweepReminders(deps);
    const repeat = await sweepReminders(deps);
    deps.clock.set(new Date(FIT_DUE + 72 * HOUR + 5 * 60_000));
    const second = await sweepReminders(deps);
    deps.clock.set(new Date(FIT_DUE + 500 * HOUR));
    await sweepReminders(deps);

    // Assess
    expect(first).toMatchObject({ looked: 1, reminders: 0, escalations: 1 });
    expect(repeat).toMatchObject({ looked: 0, reminders: 0, escalations: 0 });
    expect(second).toMatchObject({ looked: 1, reminders: 0, escalations: 1 });
    const fitCheck = deps.mailer.sent.filter((e) => e.key.includes('#fit-check#'));
    expect(fitCheck.slice(1).map((e) => [e.to, e.cc, e.key])).toEqual([
      [[PEOPLE.sam], [PEOPLE.ana], `overdue#${PLAN_ID}#fit-check#2026-12-04#0`],
      [[PEOPLE.kim], [PEOPLE.ana], `overdue#${PLAN_ID}#fit-check#2026-12-04#1`],
    ]);
    expect(deps.mailer.sent[1]?.subject).toBe(
      '[Globex platform migration] Escalation: “Confirm Globex fits both ideal customer profiles” is overdue (due 2026-12-04).',
    );
    // Only the silence watch is left: 90 days after the stage opened with no vendor action (issue 15).
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBe('2027-03-01T15:00:00.000Z');
  });

  it('catches up after a missed sweep: no late reminder, every rung already due, once', async () => {
    // Prepare: nothing ran until 88 h after fit-check's due time, 09:00 in Chicago (warm-intro's nudge is
    // not due yet).
    const deps = seeded(FIT_DUE + 88 * HOUR);

    // Act
    const report = await sweepReminders(deps);
    const again = await sweepReminders(deps);

    // Assess
    expect(report).toMatchObject({ looked: 1, reminders: 0, escalations: 2, emails: 2 });
    expect(again.looked).toBe(0);
    expect(deps.mailer.sent.map((e) => [e.to[0], e.cc[0]])).toEqual([
      [PEOPLE.sam, PEOPLE.ana],
      [PEOPLE.kim, PEOPLE.ana],
    ]);
  });

  it('reminds again for the new date after a slip, and escalates from the new due time', async () => {
    // Prepare: reminded for 2026-12-04, then Ana slips fit-check a week.
    const deps = seeded(FIT_DUE - 47 * HOUR);
    await sweepReminders(deps);
    const slip = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-slip',
      target: 'fit-check',
      recipient: PEOPLE.ana,
    });
    expect(
      (
        await actOnLink(deps, slip, {
          newDue: '2026-12-11',
          reason: 'Waiting on the ICP review',
          choice: 'absorb',
        })
      ).kind,
    ).toBe('done');

    // Act: the old escalation time passes quietly; the new reminder comes two days before the new date.
    deps.clock.set(new Date(FIT_DUE + 25 * HOUR));
    const quiet = await sweepReminders(deps);
    deps.clock.set(new Date(FIT_DUE + 7 * 24 * HOUR - 47 * HOUR));
    const reminded = await sweepReminders(deps);

    // Assess
    expect(quiet.reminders + quiet.escalations).toBe(0);
    expect(reminded.reminders).toBeGreaterThanOrEqual(1);
    expect(deps.mailer.to(PEOPLE.ana).map((e) => e.key)).toContain(
      `reminder#${PLAN_ID}#fit-check#2026-12-11`,
    );
    expect(deps.mailer.to(PEOPLE.sam)).toEqual([]);
  });

  it('stops nudging a milestone once it is done', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 47 * HOUR);
    await sweepReminders(deps);
    const done = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'fit-check',
      recipient: PEOPLE.ana,
    });
    await actOnLink(deps, done, {});

    // Act
    deps.clock.set(new Date(FIT_DUE + 100 * HOUR));
    await sweepReminders(deps);

    // Assess
    expect(deps.mailer.to(PEOPLE.sam)).toEqual([]);
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBeUndefined();
  });

  it('clears the nudges of a closed deal without sending anything', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    const snapshot = dealAtStage('close-register-review');
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, status: 'lost' } });
    deps.clock.set('2027-03-10T00:00:00.000Z');

    // Act
    const report = await sweepReminders(deps);

    // Assess
    expect(report.looked).toBe(2);
    expect(report.reminders + report.escalations).toBe(0);
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.store.milestone(PLAN_ID, 'procurement').nudgeAt).toBeUndefined();
    expect(deps.store.milestone(PLAN_ID, 'debrief').nudgeAt).toBeUndefined();
  });

  it('leaves only the silence watch on a customer milestone whose side has no ladder once it is due', async () => {
    // Prepare (changed with issue 15: open work of the open stage stays watched for its side's silence)
    const deps = fakeDeps(everyDay());
    deps.config.ghostingDays = 90;
    const snapshot = dealAtStage('joint-pursuit-and-proof');
    delete snapshot.deal.plan.escalation.customer;
    deps.store.put(snapshot);
    deps.clock.set('2027-02-04T02:00:00.000Z');

    // Act
    await sweepReminders(deps);

    // Assess
    expect(deps.mailer.to(PEOPLE.lee).map((e) => e.key)).toEqual([
      `reminder#${PLAN_ID}#proof-of-concept#2027-02-05`,
    ]);
    // 90 days after the stage opened with no customer action.
    expect(deps.store.milestone(PLAN_ID, 'proof-of-concept').nudgeAt).toBe('2027-03-01T15:00:00.000Z');
  });

  it('sends no reminder for a milestone done after the index was read, and goes on with the others', async () => {
    // Prepare: both stage-1 and stage-2 milestones are due a nudge; the index answer is a moment old,
    // and meanwhile Ana marked fit-check done.
    const deps = seeded(WARM_DUE - 47 * HOUR, bothInStageOne());
    const done = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'fit-check',
      recipient: PEOPLE.ana,
    });
    deps.store.interleave(() => actOnLink(deps, done, {}), 'query');

    // Act
    const report = await sweepReminders(deps);

    // Assess
    expect(deps.store.milestone(PLAN_ID, 'fit-check').status).toBe('done');
    expect(deps.mailer.sent.map((e) => e.key)).toEqual([`reminder#${PLAN_ID}#warm-intro#2026-12-11`]);
    expect(report.reminders).toBe(1);
  });

  it('keeps a change that lands while a reminder is sent, and reminds no one twice', async () => {
    // Prepare: Dana's stuck report on warm-intro lands while the sweep sends its reminder.
    const deps = seeded(WARM_DUE - 47 * HOUR, bothInStageOne());
    const stuck = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-stuck',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
    });
    deps.store.interleave(() => actOnLink(deps, stuck, { reason: 'Lee is travelling' }));

    // Act
    await sweepReminders(deps);
    const warm = deps.store.milestone(PLAN_ID, 'warm-intro');
    const again = await sweepReminders(deps);

    // Assess: the stuck report is kept; the next sweep stores the next nudge and reminds no one twice.
    expect(warm.stuck).toHaveLength(1);
    expect(deps.mailer.sent.filter((e) => e.key.startsWith('reminder#')).map((e) => e.to[0])).toEqual([
      PEOPLE.dana,
    ]);
    expect(again.reminders).toBe(0);
    expect(warm.nudgeAt).toBe(new Date(WARM_DUE - 48 * HOUR).toISOString());
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').nudgeAt).toBe(
      new Date(WARM_DUE + 24 * HOUR).toISOString(),
    );
  });
});

const START = '2026-12-01T15:00:00.000Z';

/** A deal whose `stage` is about to open (pending), as the workflow finds it before `Set deadline`. */
function beforeOpening(stage: StageKey, plan = planWith(() => undefined)): DealSnapshot {
  const snapshot = dealAtStage(stage, new Date(START), plan);
  const { openedAt: _o, ...state } = snapshot.deal.stages[stage];
  return {
    ...snapshot,
    deal: { ...snapshot.deal, stages: { ...snapshot.deal.stages, [stage]: { ...state, status: 'pending' } } },
  };
}

function withReminders(change: Partial<Deal['plan']['reminders']>) {
  return planWith((p) => {
    p.reminders = { ...p.reminders, ...change };
  });
}

/** A mailer that fails every send with `error` until told otherwise. */
class FailingMailer implements Mailer {
  readonly sent: OutboundEmail[] = [];
  constructor(public error: Error | undefined) {}
  async send(email: OutboundEmail): Promise<void> {
    if (this.error) throw this.error;
    this.sent.push(email);
  }
}

describe('sweepReminders: quiet hours and the per-day cap', () => {
  it('holds a nudge due in the recipient’s quiet hours until they end, then sends it', async () => {
    // Prepare: the sweep runs at 20:00 in Chicago, after fit-check's reminder fell due at 17:00.
    const deps = seeded(Date.parse('2026-12-03T02:00:00.000Z'));

    // Act
    const held = await sweepReminders(deps);
    const nudgeAt = deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt;
    deps.clock.set(nudgeAt ?? fail());
    const sent = await sweepReminders(deps);

    // Assess: nothing before 08:00 Chicago time (14:00Z), the reminder then.
    expect(held).toMatchObject({ reminders: 0, emails: 0, deferred: 1 });
    expect(nudgeAt).toBe('2026-12-03T14:00:00.000Z');
    expect(sent).toMatchObject({ reminders: 1, emails: 1 });
    expect(deps.mailer.sent.map((e) => e.key)).toEqual([`reminder#${PLAN_ID}#fit-check#2026-12-04`]);
  });

  it('uses the plan’s quiet hours on the recipient’s wall clock', async () => {
    // Prepare: quiet from 16:00 to 18:00; the reminder falls due at 17:00 in Chicago.
    const deps = fakeDeps(everyDay());
    deps.store.put(
      dealAtStage(
        'target-account-selection',
        new Date(START),
        withReminders({ quietHours: { start: '16:00', end: '18:00' } }),
      ),
    );
    deps.clock.set(new Date(FIT_DUE - 48 * HOUR));

    // Act
    await sweepReminders(deps);

    // Assess
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBe(
      new Date(FIT_DUE - 47 * HOUR).toISOString(),
    );
  });

  it('ends quiet hours at 08:00 local across a daylight-saving change in the night', async () => {
    // Prepare: fit-check due Monday 2027-03-15; Chicago springs forward on Sunday 2027-03-14 at 02:00. The
    // sweep runs at 20:00 CST on Saturday.
    const deps = fakeDeps(everyDay());
    deps.config.ghostingDays = 180; // months of silence since the start are not this test's subject
    deps.store.put(
      dealAtStage(
        'target-account-selection',
        new Date(START),
        planWithMilestone('fit-check', { due: '2027-03-15' }),
      ),
    );
    deps.clock.set('2027-03-14T02:00:00.000Z');

    // Act
    await sweepReminders(deps);
    const nudgeAt = deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt ?? fail();
    deps.clock.set(nudgeAt);
    await sweepReminders(deps);

    // Assess: 08:00 CDT is 13:00Z (not 14:00Z, as it would be in CST).
    expect(nudgeAt).toBe('2027-03-14T13:00:00.000Z');
    expect(localTime(new Date(nudgeAt), 'America/Chicago')).toBe('08:00');
    // (One email: the reminder, with early warnings of Ana's later-stage work long past its dates.)
    expect(deps.mailer.to(PEOPLE.ana)).toHaveLength(1);
    expect(deps.mailer.to(PEOPLE.ana)[0]?.text).toContain('Confirm Globex fits both ideal customer profiles');
    expect(deps.ledger.done).toContain(`reminder#${PLAN_ID}#fit-check#2027-03-15`);
  });

  it('holds what is over the recipient’s daily cap until their next local morning', async () => {
    // Prepare: one email a day; Ana already had one today (Wednesday 2 December, Chicago time).
    const deps = fakeDeps(everyDay());
    deps.store.put(
      dealAtStage('target-account-selection', new Date(START), withReminders({ maxPerRecipientPerDay: 1 })),
    );
    deps.clock.set(new Date(FIT_DUE - 47 * HOUR));
    deps.ledger.done.add(`sent#${PEOPLE.ana}#2026-12-02#1`);

    // Act
    const held = await sweepReminders(deps);
    const nudgeAt = deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt ?? fail();
    deps.clock.set(nudgeAt);
    const sent = await sweepReminders(deps);

    // Assess
    expect(held).toMatchObject({ emails: 0, deferred: 1 });
    expect(nudgeAt).toBe('2026-12-03T14:00:00.000Z');
    expect(sent).toMatchObject({ emails: 1, reminders: 1 });
    expect(deps.ledger.done).toContain(`sent#${PEOPLE.ana}#2026-12-03#1`);
  });

  it('counts a gate’s escalations against the same cap, and holds them in quiet hours', async () => {
    // Prepare: stage 1 is past its deadline (17:00 Chicago, 4 December); Ana has had her one email today.
    const deps = fakeDeps(everyDay());
    deps.store.put(
      dealAtStage('target-account-selection', new Date(START), withReminders({ maxPerRecipientPerDay: 1 })),
    );
    deps.ledger.done.add(`sent#${PEOPLE.ana}#2026-12-04#1`);
    deps.clock.set(new Date(FIT_DUE + 60_000));
    const input = { planId: PLAN_ID, stage: 'target-account-selection' as const, escalations: 0 };

    // Act
    const first = await escalateGate(deps, input);
    const toDana = deps.mailer.to(PEOPLE.dana).length;
    deps.clock.set('2026-12-05T02:00:00.000Z'); // 20:00 in Chicago, 21:00 in New York
    const night = await escalateGate(deps, { ...input, escalations: 1 });
    deps.clock.set('2026-12-05T14:00:00.000Z');
    await escalateGate(deps, { ...input, escalations: 2 });

    // Assess: Dana (under her cap) at once; Ana next morning, 08:00 Chicago, when the night's wait ends.
    expect(toDana).toBe(1);
    expect(first.timeoutSeconds).toBe(
      Date.parse('2026-12-05T14:00:00.000Z') / 1000 - Math.ceil((FIT_DUE + 60_000) / 1000),
    );
    expect(night.timeoutSeconds).toBe(12 * 3600);
    expect(deps.mailer.to(PEOPLE.ana).map((e) => e.subject)).toEqual([
      '[Globex platform migration] Overdue: stage 1, Target account selection',
    ]);
  });
});

describe('sweepReminders: one digest per person', () => {
  // discovery-call moved into stage 1 (only the open stage's work is reminded), due with fit-check.
  const twoDueTogether = () =>
    planWith((plan) => {
      const [call] = plan.stages['joint-discovery'].milestones;
      plan.stages['target-account-selection'].milestones.push({ ...(call ?? fail()), due: '2026-12-04' });
      plan.stages['joint-discovery'].milestones = plan.stages['joint-discovery'].milestones.slice(1);
    });

  it('sends several nudges for one person as one email, links per item, each item marked done', async () => {
    // Prepare: fit-check and discovery-call are both Ana's, both due 4 December.
    const deps = fakeDeps(everyDay());
    deps.store.put(dealAtStage('target-account-selection', new Date(START), twoDueTogether()));
    deps.clock.set(new Date(FIT_DUE - 47 * HOUR));

    // Act
    const report = await sweepReminders(deps);
    const again = await sweepReminders(deps);

    // Assess
    expect(report).toMatchObject({ looked: 2, reminders: 2, emails: 1 });
    expect(again).toMatchObject({ looked: 0, emails: 0 });
    expect(deps.mailer.sent).toHaveLength(1);
    const digest = deps.mailer.sent[0] ?? fail();
    expect(digest.to).toEqual([PEOPLE.ana]);
    expect(digest.key).toMatch(/^digest#ana\.ruiz@vendor\.example#/);
    expect(digest.subject).toBe('[Globex platform migration] 2 due soon: your move');
    expect(linksIn(digest).map((l) => `${l.claims.action} ${l.claims.target}`)).toEqual([
      'milestone-done fit-check',
      'milestone-slip fit-check',
      'milestone-stuck fit-check',
      'milestone-done discovery-call',
      'milestone-slip discovery-call',
      'milestone-stuck discovery-call',
    ]);
    expect(deps.ledger.done).toContain(`reminder#${PLAN_ID}#fit-check#2026-12-04`);
    expect(deps.ledger.done).toContain(`reminder#${PLAN_ID}#discovery-call#2026-12-04`);
  });

  it('after a crash part-way, a rerun sends only what had not gone out, and loses nothing', async () => {
    // Prepare: a catch-up sweep owes Sam and Kim fit-check's escalations and Dana warm-intro's reminder;
    // the process dies as it takes Kim's send slot.
    const deps = seeded(WARM_DUE - 47 * HOUR, bothInStageOne());
    const crashing = new FakeEffectLedger();
    let crash = true;
    const ledger = {
      once: (key: string, effect: () => Promise<void>) => {
        if (crash && key.startsWith(`sent#${PEOPLE.kim}`)) {
          crash = false;
          throw new Error('Lambda timed out');
        }
        return crashing.once(key, effect);
      },
    };

    // Act
    await expect(sweepReminders({ ...deps, ledger })).rejects.toThrow('Lambda timed out');
    const afterCrash = deps.mailer.sent.map((e) => e.to[0]);
    await sweepReminders({ ...deps, ledger });
    await sweepReminders({ ...deps, ledger });

    // Assess
    expect(afterCrash).toEqual([PEOPLE.sam]);
    expect(deps.mailer.sent.map((e) => e.to[0]).sort()).toEqual([PEOPLE.dana, PEOPLE.kim, PEOPLE.sam].sort());
    expect(new Set(deps.mailer.sent.map((e) => e.key)).size).toBe(3);
  });
});

describe('sweepReminders: delivery failures', () => {
  it('keeps everything for the next sweep when the mail service fails for now', async () => {
    // Prepare
    const deps = seeded(WARM_DUE - 47 * HOUR, bothInStageOne());
    const mailer = new FailingMailer(new DeliveryDeferredError('Throttling: Maximum sending rate exceeded.'));
    const before = deps.store.milestone(PLAN_ID, 'warm-intro').nudgeAt;

    // Act
    const failed = await sweepReminders({ ...deps, mailer });
    const kept = deps.store.milestone(PLAN_ID, 'warm-intro').nudgeAt;
    const doneAfterFailure = deps.ledger.done.size;
    mailer.error = undefined;
    deps.clock.advanceHours(0.25);
    const retried = await sweepReminders({ ...deps, mailer });

    // Assess: nothing was lost: every owed email went on the retry, once.
    expect(failed).toMatchObject({ emails: 0, reminders: 0, escalations: 0 });
    expect(kept).toBe(before);
    expect(doneAfterFailure).toBe(0);
    expect(retried).toMatchObject({ emails: 3, reminders: 1, escalations: 2 });
    expect(mailer.sent.map((e) => e.to[0]).sort()).toEqual([PEOPLE.dana, PEOPLE.kim, PEOPLE.sam].sort());
  });

  it('records a permanent refusal on the plan and does not try it again', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 47 * HOUR);
    const mailer = new FailingMailer(
      new DeliveryRejectedError('SES refused the email: Email address is not verified.', 'MessageRejected'),
    );

    // Act
    await sweepReminders({ ...deps, mailer });
    mailer.error = undefined;
    deps.clock.advanceHours(1);
    await sweepReminders({ ...deps, mailer });

    // Assess
    expect(deps.store.peek(PLAN_ID)?.deal.deliveryProblems).toEqual([
      {
        at: new Date(FIT_DUE - 47 * HOUR).toISOString(),
        to: PEOPLE.ana,
        code: 'MessageRejected',
        message: 'SES refused the email: Email address is not verified.',
        keys: [`reminder#${PLAN_ID}#fit-check#2026-12-04`],
      },
    ]);
    expect(mailer.sent).toEqual([]);
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBe(
      new Date(FIT_DUE + 24 * HOUR).toISOString(),
    );
  });
});

describe('sweepReminders: handoffs', () => {
  it('escalates a handoff not accepted within 48 h of its stage opening on the receiving side, each rung once', async () => {
    // Prepare: stage 4 opens; security-review passes from the customer to the partner (Dana), pricing
    // approval from the partner to the vendor (Ana).
    const deps = fakeDeps(everyDay());
    deps.store.put(beforeOpening('joint-pursuit-and-proof'));
    deps.clock.set(START);
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'joint-pursuit-and-proof' });
    const nudges = deps.store.peek(PLAN_ID)?.milestones.map((m) => [m.milestoneId, m.nudgeAt]);
    // Ana accepts the pricing approval in time; Dana does not accept the security review.
    const accept = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'accept-handoff',
      target: 'pricing-approval',
      recipient: PEOPLE.ana,
    });
    deps.clock.set('2026-12-02T15:00:00.000Z');
    expect((await actOnLink(deps, accept, {})).kind).toBe('done');

    // Act: 48 h after opening, then again.
    deps.clock.set('2026-12-03T15:00:00.000Z');
    const report = await sweepReminders(deps);
    const again = await sweepReminders(deps);

    // Assess
    expect(nudges).toContainEqual(['security-review', '2026-12-03T15:00:00.000Z']);
    expect(nudges).toContainEqual(['pricing-approval', '2026-12-03T15:00:00.000Z']);
    expect(report).toMatchObject({ escalations: 1, emails: 1 });
    expect(again).toMatchObject({ emails: 0 });
    expect(deps.mailer.sent.map((e) => [e.to, e.cc, e.key])).toEqual([
      [[PEOPLE.raj], [PEOPLE.dana], `handoff#${PLAN_ID}#security-review#2027-01-22#0`],
    ]);
    expect(deps.mailer.sent[0]?.subject).toContain('has not been accepted');
    expect(deps.mailer.to(PEOPLE.sam)).toEqual([]);
  });

  it('offers the accept link in the receiving owner’s reminder', async () => {
    // Prepare
    const deps = fakeDeps(everyDay());
    deps.store.put(dealAtStage('joint-pursuit-and-proof', new Date(START)));
    deps.clock.set(new Date(Date.parse('2027-01-22T22:00:00.000Z') - 47 * HOUR));

    // Act
    await sweepReminders(deps);

    // Assess
    const dana = deps.mailer.to(PEOPLE.dana).find((e) => e.key.startsWith('reminder#'));
    expect(linksIn(dana ?? fail()).map((l) => l.claims.action)).toContain('accept-handoff');
  });
});

describe('sweepReminders: partner ghosting', () => {
  it('tells the partner’s ladder, vendor owner copied, once per quiet period', async () => {
    // Prepare: stage 2 (the partner's warm introduction) opens on 1 December; no one at the partner acts.
    const deps = fakeDeps(everyDay());
    deps.store.put(beforeOpening('door-opener'));
    deps.clock.set(START);
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'door-opener' });

    // Act: seven days later; then the reminder; then Dana says stuck; then seven quiet days again.
    deps.clock.set('2026-12-08T15:00:00.000Z');
    await sweepReminders(deps);
    await sweepReminders(deps);
    deps.clock.set(new Date(WARM_DUE - 48 * HOUR));
    await sweepReminders(deps);
    const stuck = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-stuck',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
    });
    deps.clock.set('2026-12-10T15:00:00.000Z');
    await actOnLink(deps, stuck, { reason: 'Lee is travelling' });
    for (const at of [
      '2026-12-12T22:00:00.000Z',
      '2026-12-16T15:00:00.000Z',
      '2026-12-17T15:00:00.000Z',
      '2026-12-17T16:00:00.000Z',
    ]) {
      deps.clock.set(at);
      await sweepReminders(deps);
    }

    // Assess
    const ghosting = deps.mailer.sent.filter((e) => e.key.startsWith('ghosting#'));
    expect(ghosting.map((e) => [e.to, e.cc, e.key])).toEqual([
      [[PEOPLE.raj], [PEOPLE.ana], `ghosting#${PLAN_ID}#${START}`],
      [[PEOPLE.raj], [PEOPLE.ana], `ghosting#${PLAN_ID}#2026-12-10T15:00:00.000Z`],
    ]);
    expect(ghosting[0]?.subject).toBe(
      '[Globex platform migration] Partner gone quiet: Northwind Integrators',
    );
  });

  it('counts silence only while partner work (a milestone or a confirmation) is open, from the tenant’s setting', async () => {
    // Prepare: two days of silence is enough for this tenant; warm-intro is stage 2's, so it is not
    // watched while stage 1 is open, even past its due date (changed with the current-stage rule: it used
    // to be watched from its reminder on 9 December).
    const deps = fakeDeps(everyDay());
    deps.config.ghostingDays = 2;
    deps.store.put(dealAtStage('target-account-selection', new Date(START)));

    // Act
    deps.clock.set('2026-12-08T15:00:00.000Z');
    await sweepReminders(deps);
    deps.clock.set(new Date(WARM_DUE + HOUR));
    await sweepReminders(deps);
    const early = deps.mailer.to(PEOPLE.raj).length;
    const warned = deps.mailer.sent.filter((e) => e.key.startsWith('early#')).map((e) => e.to[0]);
    const stage1 = deps.store.peek(PLAN_ID) ?? fail();
    deps.store.put({
      ...stage1,
      deal: {
        ...stage1.deal,
        stages: {
          ...stage1.deal.stages,
          'target-account-selection': { ...stage1.deal.stages['target-account-selection'], status: 'passed' },
        },
      },
    });
    deps.clock.set('2026-12-14T15:00:00.000Z');
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'door-opener' });
    deps.clock.set('2026-12-16T16:00:00.000Z');
    await sweepReminders(deps);

    // Assess: only Dana heard of warm-intro while stage 1 was open; two days after stage 2 opened, Raj,
    // in one email with warm-intro's overdue escalation (one message per person per sweep).
    // Changed with issue 15's "ghosting from every side": Dana owes stage 1's confirmation (open work of the
    // open stage), so two days of her silence are ghosting there already: Raj hears it once, about that
    // confirmation. The episode goes on into stage 2 (no partner action since), so it is not told again: Raj
    // then gets warm-intro's overdue escalation alone.
    expect(early).toBe(1);
    expect(warned).toEqual([PEOPLE.dana]);
    expect(deps.ledger.done).toContain(`ghosting#${PLAN_ID}#${START}`);
    const toRaj = deps.mailer.to(PEOPLE.raj);
    expect(toRaj.map((e) => e.key)).toEqual([
      `ghosting#${PLAN_ID}#${START}`,
      `overdue#${PLAN_ID}#warm-intro#2026-12-11#0`,
    ]);
    expect(toRaj[0]?.text).toContain('for 2 days or more');
    expect(toRaj[0]?.text).toContain('their confirmation of stage 1, Target account selection');
  });
});

function fail(): never {
  throw new Error('expected a value');
}
