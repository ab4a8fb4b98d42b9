import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  eventsFor,
  getJson,
  getPlan,
  type LocalStackProcess,
  localNow,
  matching,
  outbox,
  postBody,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  waitFor,
} from './helpers/local-stack';
import { M, PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// The red-team's fault paths on the local stack, through HTTP only: SES throttling and refusals at a gate,
// a lost SendTaskSuccess, a failed PutEvents at registration, and a failed execution across a restart.

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

const faults = (body: unknown) =>
  postBody(`${stack.url}/_local/faults`, JSON.stringify(body), 'application/json');
const settle = () => postBody(`${stack.url}/_local/settle`, '', 'application/json');
const sweep = () => postBody(`${stack.url}/_local/sweep`, '', 'application/json');

interface Execution {
  name: string;
  status: string;
  state?: string;
  redriveCount: number;
}
const attentionOf = async (deal: ReferenceDeal) =>
  ((await deal.plan()) as { needsAttention?: { what: string; error: string; since: string } }).needsAttention;
const executionOf = async (planId: string) =>
  (await getJson<Execution[]>(`${stack.url}/_local/executions`)).body.find((e) => e.name === planId);

async function newDeal(name: string): Promise<ReferenceDeal> {
  return ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
}

describe('SES at the gate', () => {
  it('throttling 10 sends in a row (two SES attempts of five each): the task is retried and every gate email goes out once', async () => {
    expect((await faults({ ses: { throttle: 10 } })).status).toBe(200);
    const deal = await newDeal('Faults - throttled gate');

    await deal.waitForOpen(1);
    await settle();

    const emails = matching(await outbox(stack.url), { to: PEOPLE.ana, subject: deal.gateSubject(1) });
    expect(emails).toHaveLength(1);
    expect(matching(await outbox(stack.url), { to: PEOPLE.dana, subject: deal.gateSubject(1) })).toHaveLength(
      1,
    );
    expect((await executionOf(deal.planId))?.status).toBe('RUNNING');
    const left = (await getJson<{ left: { ses: { throttle: number } } }>(`${stack.url}/_local/faults`)).body;
    expect(left.left.ses.throttle).toBe(0);
  });

  it('a refusal: needsAttention on the deal and in the list, the other recipient mailed, and a retry sends it once', async () => {
    await faults({ ses: { reject: 1 } });
    const deal = await newDeal('Faults - refused gate');
    await settle();

    const refused = await waitFor('needsAttention', () => attentionOf(deal));
    expect(refused).toMatchObject({
      what: expect.stringMatching(/gate email to .* was refused/),
      error: expect.stringMatching(/MessageRejected/),
    });
    const list = await getJson<{ plans: { planId: string; needsAttention?: unknown }[] }>(
      `${stack.url}/plans`,
    );
    expect(list.body.plans.find((p) => p.planId === deal.planId)?.needsAttention).toBeDefined();
    const mailed = await outbox(stack.url);
    const got = [PEOPLE.ana, PEOPLE.dana].filter(
      (to) => matching(mailed, { to, subject: deal.gateSubject(1) }).length === 1,
    );
    expect(got).toHaveLength(1); // the other one still got theirs
    expect((await executionOf(deal.planId))?.status).toBe('RUNNING'); // waiting at the same gate

    // A sweep alone sends nothing more: the refusal waits for a fix.
    await sweep();
    const again = await outbox(stack.url);
    expect(
      [PEOPLE.ana, PEOPLE.dana].filter((to) => matching(again, { to, subject: deal.gateSubject(1) }).length),
    ).toHaveLength(1);

    // `cosell plan retry`, then the next sweep.
    const retry = await postBody(`${stack.url}/plans/${deal.planId}/retry`, '', 'application/json');
    expect(retry.status).toBe(200);
    await sweep();

    for (const to of [PEOPLE.ana, PEOPLE.dana])
      expect(matching(await outbox(stack.url), { to, subject: deal.gateSubject(1) })).toHaveLength(1);
    expect(await attentionOf(deal)).toBeUndefined();
  });
});

describe('a gate passed whose SendTaskSuccess is lost', () => {
  it('stalls only until the reconciler in the next sweep completes the stored task', async () => {
    const deal = await newDeal('Faults - lost callback');
    await deal.waitForOpen(1);
    await deal.confirm(PEOPLE.ana, 1, { note: 'ok' });
    await deal.markDone(PEOPLE.ana, 1, M.fitCheck);
    // Both of the click's tries, each with the SDK's three attempts.
    await faults({ sfn: { failCallbacks: 6 } });
    await deal.confirm(PEOPLE.dana, 1, {});
    await settle();

    const stalled = await deal.plan();
    expect(stalled.stages[0]?.status).toBe('passed');
    expect(stalled.stages[1]?.status).not.toBe('open'); // the workflow has not moved
    expect((await executionOf(deal.planId))?.state).toBe('Await gate: target-account-selection');

    await sweep();

    await deal.waitForOpen(2);
    for (const to of [PEOPLE.dana, PEOPLE.ana])
      expect(matching(await outbox(stack.url), { to, subject: deal.gateSubject(2) })).toHaveLength(1);
    expect(await eventsFor(stack.url, deal.planId, 'CoSell Stage Advanced')).toHaveLength(1);
  });
});

describe('a failed PutEvents at registration', () => {
  it('is retried: exactly one CoSell Deal Registered', async () => {
    const deal = await newDeal('Faults - registration');
    await deal.driveToStage5();
    await deal.finishStage5Milestones();
    await faults({ events: { fail: 2 } });
    await deal.confirm(PEOPLE.ana, 5, {
      outcome: 'won',
      finalArr: '95000',
      lesson: 'Start the security review earlier.',
    });

    await deal.waitForStatus('won');
    await waitFor('the registration', async () => {
      const registered = await eventsFor(stack.url, deal.planId, 'CoSell Deal Registered');
      return registered.length ? registered : undefined;
    });
    await settle();
    expect(await eventsFor(stack.url, deal.planId, 'CoSell Deal Registered')).toHaveLength(1);
    expect((await executionOf(deal.planId))?.status).toBe('SUCCEEDED');
  });
});

describe('a failed execution across a restart', () => {
  it('stays failed (no fresh start) until the reconciler redrives it', async () => {
    const deal = await newDeal('Faults - failed execution');
    await deal.waitForOpen(1);
    // Every DynamoDB call fails while the gate times out: the Escalate task exhausts its retries (and the
    // sweeps of those two hours fail too, so no reconciler acts yet).
    const milestones = (await deal.plan()).milestones as { id: string; dueAt?: string }[];
    const deadline = Date.parse(milestones.find((m) => m.id === 'fit-check')?.dueAt ?? 'no fit-check');
    const now = (await localNow(stack.url)).getTime();
    await advanceClock(stack.url, `PT${Math.floor((deadline - now) / 60_000) - 60}M`);
    await faults({ dynamodb: { throttle: 1000 } });
    await advanceClock(stack.url, 'PT2H');
    await faults({ dynamodb: { throttle: 0 } });
    await settle();
    const failed = await executionOf(deal.planId);
    expect(failed).toMatchObject({ status: 'FAILED', state: 'Escalate: target-account-selection' });

    // Ctrl-C and start again: the failed execution is still failed, and nothing started it afresh.
    const stateDir = stack.stateDir;
    const port = stack.port;
    await stopAndAssertClean(stack);
    stack = await startStack({ stateDir, port });
    await settle();
    expect(await executionOf(deal.planId)).toMatchObject({ status: 'FAILED', redriveCount: 0 });
    // Nothing ran it again on its own: the gate escalated nobody yet.
    expect((await executionOf(deal.planId))?.state).toBe('Escalate: target-account-selection');

    await sweep();

    // Redriven from the state that failed: Escalate ran, and the gate waits again.
    await settle();
    expect(await executionOf(deal.planId)).toMatchObject({
      status: 'RUNNING',
      redriveCount: 1,
      state: 'Await gate: target-account-selection',
    });
    const plan = await getPlan(stack.url, deal.planId);
    expect(plan.status).toBe('active');
  });
});
