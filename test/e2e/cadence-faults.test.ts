import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  createPlan,
  getJson,
  type LocalStackProcess,
  outbox,
  postBody,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';

// The sweep against the real local stack when SES throttles, and when the schedule's event arrives twice.

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  if (stack) {
    await stopAndAssertClean(stack);
    removeStateDir(stack.stateDir);
  }
});

/** Reminders for deal `name`: alone (`[name] Due soon: ...`) or in a digest (`[name; ...] 1 due soon ...`). */
const reminders = async (name: string) =>
  (await outbox(stack.url)).filter((m) => m.subject.includes(name) && /due soon/i.test(m.subject));

describe('the reminder sweep on the local stack', () => {
  it('loses nothing when SES throttles, and sends nothing twice when the sweep runs again', async () => {
    // Prepare: a plan whose first reminder (fit-check, 2 days before it is due) is 9 days away.
    const name = 'Throttled deal';
    await createPlan(stack.url, await referencePlanVariant(stack.url, name));
    await advanceClock(stack.url, 'P8D');
    expect(await reminders(name)).toEqual([]);

    // Act: SES throttles the next 15 sends (the SDK's 5 attempts, three sweeps over: each sweep's send is
    // deferred and the reminder kept) while the reminder falls due; a later tick, 15 minutes on, sends it.
    const faults = `${stack.url}/_local/ses/faults`;
    expect((await postBody(faults, JSON.stringify({ throttle: 15 }), 'application/json')).status).toBe(200);
    await advanceClock(stack.url, 'P2D');
    const sent = await reminders(name);

    // Assess: every throttle was met (the first attempt failed in full), and the reminder arrived, once.
    expect((await getJson<{ throttle: number }>(faults)).body.throttle).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(['ana.ruiz@vendor.example']);

    // Act 3: the schedule's event delivered twice more at the same instant.
    const before = await outbox(stack.url);
    for (let i = 0; i < 2; i++) {
      expect((await postBody(`${stack.url}/_local/sweep`, '{}', 'application/json')).status).toBe(200);
    }

    // Assess 3: nothing was sent again.
    expect(await outbox(stack.url)).toEqual(before);
  });
});
