import { describe, expect, it } from 'vitest';
import { verifyLink } from '../../../../lambdas/domain/links';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import { fakeDeps, linksIn, signedToken } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

/** fit-check: vendor (Ana, Chicago), due 2026-12-04 17:00 CST = 23:00Z; first nudge two days before. */
const FIT_DUE = Date.parse('2026-12-04T23:00:00.000Z');
/** warm-intro: partner (Dana, New York), due 2026-12-11 17:00 EST = 22:00Z. */
const WARM_DUE = Date.parse('2026-12-11T22:00:00.000Z');
const HOUR = 3_600_000;

function seeded(at: number) {
  const deps = fakeDeps();
  deps.store.put(dealAtStage('target-account-selection', new Date('2026-12-01T15:00:00.000Z')));
  deps.clock.set(new Date(at));
  return deps;
}

describe('sweepReminders', () => {
  it('reminds the one owner before the milestone is due, with done, slip and stuck links', async () => {
    // Prepare
    const deps = seeded(FIT_DUE - 47 * HOUR);

    // Act
    const report = await sweepReminders(deps);

    // Assess
    expect(report).toEqual({ looked: 1, reminders: 1, escalations: 0 });
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
    expect(report).toEqual({ looked: 0, reminders: 0, escalations: 0 });
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
    expect(first).toEqual({ looked: 1, reminders: 0, escalations: 1 });
    expect(repeat).toEqual({ looked: 0, reminders: 0, escalations: 0 });
    expect(second).toEqual({ looked: 1, reminders: 0, escalations: 1 });
    const fitCheck = deps.mailer.sent.filter((e) => e.key.includes('#fit-check#'));
    expect(fitCheck.slice(1).map((e) => [e.to, e.cc, e.key])).toEqual([
      [[PEOPLE.sam], [PEOPLE.ana], `overdue#${PLAN_ID}#fit-check#2026-12-04#0`],
      [[PEOPLE.kim], [PEOPLE.ana], `overdue#${PLAN_ID}#fit-check#2026-12-04#1`],
    ]);
    expect(deps.mailer.sent[1]?.subject).toBe(
      '[Globex platform migration] Escalation: “Confirm Globex fits both ideal customer profiles” is overdue (due 2026-12-04).',
    );
    expect(deps.store.milestone(PLAN_ID, 'fit-check').nudgeAt).toBeUndefined();
  });

  it('catches up after a missed sweep: no late reminder, every rung already due, once', async () => {
    // Prepare: nothing ran until 80 h after fit-check's due time (warm-intro's nudge is not due yet).
    const deps = seeded(FIT_DUE + 80 * HOUR);

    // Act
    const report = await sweepReminders(deps);
    const again = await sweepReminders(deps);

    // Assess
    expect(report).toEqual({ looked: 1, reminders: 0, escalations: 2 });
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
      (await actOnLink(deps, slip, { newDue: '2026-12-11', reason: 'Waiting on the ICP review' })).kind,
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
    const deps = fakeDeps();
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

  it('clears the nudge of a customer milestone whose side has no ladder once it is due', async () => {
    // Prepare
    const deps = fakeDeps();
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
    expect(deps.store.milestone(PLAN_ID, 'proof-of-concept').nudgeAt).toBeUndefined();
  });

  it('sends no reminder for a milestone done after the index was read, and goes on with the others', async () => {
    // Prepare: both stage-1 and stage-2 milestones are due a nudge; the index answer is a moment old,
    // and meanwhile Ana marked fit-check done.
    const deps = seeded(WARM_DUE - 47 * HOUR);
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
    const deps = seeded(WARM_DUE - 47 * HOUR);
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

function fail(): never {
  throw new Error('expected a value');
}
