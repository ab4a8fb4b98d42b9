import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  eventsFor,
  type LocalStackProcess,
  localNow,
  outbox,
  referencePlanVariant,
  referencePlanYaml,
  removeStateDir,
  settle,
  startStack,
  stopAndAssertClean,
  toWorkingDay1700Z,
  waitFor,
} from './helpers/local-stack';
import { CUSTOMER_TITLES, PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// One local stack (`npm start`) for the file; each test its own deal on it.

const REGISTERED = 'CoSell Deal Registered';
const CLOSED_LOST = 'CoSell Deal Closed Lost';
const PLAN_STARTED = 'CoSell Plan Started';
const STAGE_ADVANCED = 'CoSell Stage Advanced';

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack();
  console.log(
    `e2e deal-lifecycle: the local stack answered GET /plans after ${Math.round(stack.startupMs)} ms`,
  );
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

describe('a deal on the reference plan, driven only through HTTP and the outbox', () => {
  it('runs all five stages to a registered win', async () => {
    const t0 = performance.now();
    const yaml = referencePlanYaml();
    const reference = parseYaml(yaml) as { name: string; economicSplit: unknown };
    const deal = await ReferenceDeal.create(stack.url, yaml, reference.name);

    await deal.passStage1();
    await deal.passStage2();
    await deal.passStage3();
    await deal.passStage4();

    await deal.finishStage5Milestones();
    await deal.confirm(PEOPLE.ana, 5, {
      outcome: 'won',
      finalArr: '95000',
      lesson: 'Lead with the partner: the warm intro saved a quarter.',
    });

    const won = await deal.waitForStatus('won');
    expect(won.stages.map((s) => s.status)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
    expect(won.outcome).toMatchObject({ result: 'won', finalArr: 95000 });
    const registered = await waitFor('the registration event', async () => {
      const found = await eventsFor(stack.url, deal.planId, REGISTERED);
      return found.length ? found : undefined;
    });
    await waitFor('registeredAt on the deal', async () =>
      (await deal.plan()).registeredAt ? true : undefined,
    );
    // Exactly one registration for this deal, beside one Plan Started and a Stage Advanced per gate of
    // stages 1 to 4 (stage 5's pass is the registration), in that order.
    expect(registered).toHaveLength(1);
    expect(await eventsFor(stack.url, deal.planId, CLOSED_LOST)).toEqual([]);
    const all = await eventsFor(stack.url, deal.planId);
    expect(all.filter((e) => e['detail-type'] === PLAN_STARTED)).toHaveLength(1);
    const advanced = all.filter((e) => e['detail-type'] === STAGE_ADVANCED);
    expect(advanced.map((e) => [e.detail.from, e.detail.to])).toEqual([
      ['target-account-selection', 'door-opener'],
      ['door-opener', 'joint-discovery'],
      ['joint-discovery', 'joint-pursuit-and-proof'],
      ['joint-pursuit-and-proof', 'close-register-review'],
    ]);
    expect(new Set(all.map((e) => e.detail.eventId ?? e.detail.registrationId)).size).toBe(all.length);
    const event = registered[0];
    expect(event?.source).toBe('cosell.flow');
    expect(event?.detail).toMatchObject({
      planId: deal.planId,
      outcome: 'won',
      attribution: 'sourced',
      arr: { amount: 95000, currency: 'USD' },
      lesson: 'Lead with the partner: the warm intro saved a quarter.',
    });
    expect(event?.detail.economicSplit).toEqual(reference.economicSplit);
    expect(event?.detail).toMatchObject({
      schemaVersion: '1.2',
      partnerCentral: {
        stage: 'Launched',
        stageHistory: [
          { stage: 'target-account-selection', partnerCentralStage: 'Prospect' },
          { stage: 'door-opener', partnerCentralStage: 'Qualified' },
          { stage: 'joint-discovery', partnerCentralStage: 'Technical Validation' },
          { stage: 'joint-pursuit-and-proof', partnerCentralStage: 'Business Validation' },
          { stage: 'close-register-review', partnerCentralStage: 'Committed' },
        ],
      },
    });

    const ms = performance.now() - t0;
    console.log(`e2e happy path: plan loaded to registered win in ${(ms / 1000).toFixed(1)} s`);
  });

  it('ends a lost deal with one Closed Lost event and no registration', async () => {
    const name = 'Globex platform migration (lost)';
    const deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
    await deal.driveToStage5();

    // Lost: the vendor confirms the outcome with its lesson (stage 5's own milestones may stay open).
    await deal.confirm(PEOPLE.ana, 5, {
      outcome: 'lost',
      finalArr: '0',
      lesson: 'The incumbent matched on price; we engaged procurement too late.',
    });
    const lost = await deal.waitForStatus('lost');
    expect(lost.outcome).toMatchObject({ result: 'lost' });
    const closed = await waitFor('the Closed Lost event', async () => {
      const found = await eventsFor(stack.url, deal.planId, CLOSED_LOST);
      return found.length ? found : undefined;
    });
    await waitFor('registeredAt on the deal', async () =>
      (await deal.plan()).registeredAt ? true : undefined,
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]?.detail).toMatchObject({
      planId: deal.planId,
      outcome: 'lost',
      lesson: 'The incumbent matched on price; we engaged procurement too late.',
    });
    expect(await eventsFor(stack.url, deal.planId, REGISTERED)).toEqual([]);
    expect((await deal.plan()).status).toBe('lost');
  });

  it('announces a passed stage right after the click, with no move of the clock (in working hours)', async () => {
    // Prepare: a weekday at 17:00Z, working hours for Ana (Chicago), Dana (New York) and Lee (Los Angeles).
    await advanceClock(stack.url, toWorkingDay1700Z(await localNow(stack.url)));
    const before = await localNow(stack.url);
    const name = 'Globex platform migration (announced)';
    const deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);

    // Act: stage 1 passes by its last confirmation; the stack settles (the workflow, then announce).
    await deal.passStage1();
    await settle(stack.url);

    // Assess: each owner's own stage-passed email is there, the clock where it was.
    const subjects = (await outbox(stack.url))
      .filter((e) => e.subject.startsWith(`[${name}]`))
      .map((e) => [e.to[0], e.subject.slice(name.length + 3)]);
    expect(subjects).toEqual(
      expect.arrayContaining([
        [PEOPLE.ana, 'Stage passed: Target account selection'],
        [PEOPLE.dana, 'Stage passed: Target account selection'],
        [PEOPLE.lee, `Agreed: ${CUSTOMER_TITLES[0]}`],
      ]),
    );
    expect((await localNow(stack.url)).getTime() - before.getTime()).toBeLessThan(60_000);
  });
});
