import { load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventsFor,
  type LocalStackProcess,
  referencePlanVariant,
  referencePlanYaml,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  waitFor,
} from './helpers/local-stack';
import { PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// One local stack (`npm start`) for the file; each test its own deal on it.

const REGISTERED = 'CoSell Deal Registered';
const CLOSED_LOST = 'CoSell Deal Closed Lost';

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
    // Exactly one, and no other registration for this deal.
    expect(await eventsFor(stack.url, deal.planId)).toHaveLength(1);
    expect(registered).toHaveLength(1);
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
    expect(await eventsFor(stack.url, deal.planId)).toHaveLength(1);
    expect((await deal.plan()).status).toBe('lost');
  });
});
