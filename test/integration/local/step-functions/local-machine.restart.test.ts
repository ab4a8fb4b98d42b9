import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../../local/aws-emulator';
import {
  type DynamoDbLocal,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../../../local/dynamodb-local';
import { FaultPlan } from '../../../../local/faults';
import { localPlaybookAsl } from '../../../../local/step-functions/asl-from-template';
import {
  DynamoExecutionStore,
  type ExecutionStore,
  MemoryExecutionStore,
  type StoredExecution,
} from '../../../../local/step-functions/execution-store';
import { LocalStateMachine, type TaskHandler } from '../../../../local/step-functions/local-machine';
import { stepFunctionsRoutes } from '../../../../local/step-functions/sfn-routes';

// The local state machine keeps its executions as AWS does across a restart of the local stack: running
// ones continue where they waited, failed ones stay failed until redriven, names stay taken.

const DAY = 86_400;

interface TaskEvent {
  planId: string;
  stage?: string;
  taskToken?: string;
  executionArn?: string;
}

function recording() {
  const calls: { handler: string; event: TaskEvent }[] = [];
  let failDeadlineFor = new Set<string>();
  const handlers: Record<string, TaskHandler> = {
    'gate-deadline': async (event) => {
      const e = event as TaskEvent;
      calls.push({ handler: 'gate-deadline', event: e });
      if (failDeadlineFor.has(`${e.planId}/${e.stage}`))
        throw Object.assign(new Error('a bug'), { name: 'TypeError' });
      return { timeoutSeconds: 3 * DAY, escalations: 0 };
    },
    'gate-open': async (event) => {
      calls.push({ handler: 'gate-open', event: event as TaskEvent });
      return {};
    },
    'gate-escalate': async (event) => {
      calls.push({ handler: 'gate-escalate', event: event as TaskEvent });
      return { timeoutSeconds: 3 * DAY, escalations: 1 };
    },
    'register-deal': async (event) => {
      calls.push({ handler: 'register-deal', event: event as TaskEvent });
      return {};
    },
  };
  const of = (handler: string, planId: string) =>
    calls.filter((c) => c.handler === handler && c.event.planId === planId).map((c) => c.event);
  return {
    handlers,
    of,
    failDeadline: (keys: string[]) => {
      failDeadlineFor = new Set(keys);
    },
    token: (planId: string) => of('gate-open', planId).at(-1)?.taskToken ?? '',
  };
}

const quiet = { info: () => {}, error: () => {} };
let emulator: AwsEmulator;
let stateDir: string;
let sfn: SFNClient;
const machines: LocalStateMachine[] = [];

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'cosell-sfn-restart-'));
  emulator = await startAwsEmulator({ stateDir });
  sfn = new SFNClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  await Promise.all(machines.splice(0).map((m) => m.stop()));
});

afterAll(async () => {
  sfn?.destroy();
  await emulator?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** A machine on `store`, its routes on the emulator (a "process" of the local stack). */
function machineOn(store: ExecutionStore, handlers: Record<string, TaskHandler>, faults?: FaultPlan) {
  const machine = new LocalStateMachine({
    definition: localPlaybookAsl(),
    handlers,
    logger: quiet,
    store,
    retryIntervalOverrides: Object.fromEntries(
      Object.keys(localPlaybookAsl().States).map((state) => [state, 5] as const),
    ),
  });
  for (const [target, route] of Object.entries(stepFunctionsRoutes(machine, { faults })))
    emulator.route(target, route);
  machines.push(machine);
  return machine;
}

const pass = (taskToken: string) =>
  sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ outcome: 'passed' }) }));

describe('a restart of the local state machine', () => {
  it('continues a waiting gate with the same token, without calling its handler again', async () => {
    const store = new MemoryExecutionStore();
    const fake = recording();
    const before = machineOn(store, fake.handlers);
    before.startExecution({ name: 'pl-wait', input: { planId: 'pl-wait' } });
    await before.whenIdle();
    const token = fake.token('pl-wait');
    expect(fake.of('gate-open', 'pl-wait')[0]?.executionArn).toBe(
      before.describeExecution('pl-wait')?.executionArn,
    );
    await before.stop();

    const after = machineOn(store, fake.handlers);
    expect(await after.resume()).toBe(1);
    await after.whenIdle();
    expect(after.listWaitingTasks()).toMatchObject([
      { executionName: 'pl-wait', stateName: 'Await gate: target-account-selection', taskToken: token },
    ]);
    expect(fake.of('gate-open', 'pl-wait')).toHaveLength(1);
    await pass(token);
    await after.whenIdle();
    expect(fake.of('gate-open', 'pl-wait').map((e) => e.stage)).toEqual([
      'target-account-selection',
      'door-opener',
    ]);
  });

  it('keeps the waiting deadline across the restart', async () => {
    const store = new MemoryExecutionStore();
    const fake = recording();
    const before = machineOn(store, fake.handlers);
    before.startExecution({ name: 'pl-deadline', input: { planId: 'pl-deadline' } });
    await before.whenIdle();
    const deadline = before.listWaitingTasks()[0]?.deadline;
    await before.stop();
    const after = machineOn(store, fake.handlers);
    await after.resume();
    await after.whenIdle();
    expect(after.listWaitingTasks()[0]?.deadline).toEqual(deadline);
  });

  it('honours a callback it accepted before the restart, though the next state had not begun', async () => {
    const store = new MemoryExecutionStore();
    const fake = recording();
    const first = machineOn(store, fake.handlers);
    first.startExecution({ name: 'pl-cb', input: { planId: 'pl-cb' } });
    await first.whenIdle();
    await first.stop();
    // As the store holds it when the process dies just after answering SendTaskSuccess.
    const [kept] = (await store.load()) as [StoredExecution];
    await store.save({ ...kept, waiting: undefined, callback: { output: { outcome: 'passed' } } });

    const after = machineOn(store, fake.handlers);
    await after.resume();
    await after.whenIdle();
    expect(fake.of('gate-open', 'pl-cb').map((e) => e.stage)).toEqual([
      'target-account-selection',
      'door-opener',
    ]);
  });

  it('keeps a failed execution failed; StartExecution of its name is refused; a redrive continues from the failed state', async () => {
    const store = new MemoryExecutionStore();
    const fake = recording();
    fake.failDeadline(['pl-fail/door-opener']);
    const before = machineOn(store, fake.handlers);
    before.startExecution({ name: 'pl-fail', input: { planId: 'pl-fail' } });
    await before.whenIdle();
    await pass(fake.token('pl-fail'));
    await before.whenIdle();
    expect(before.describeExecution('pl-fail')).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    await before.stop();

    const after = machineOn(store, fake.handlers);
    expect(await after.resume()).toBe(0);
    await after.whenIdle();
    const arn = after.describeExecution('pl-fail')?.executionArn ?? '';
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).toMatchObject({
      status: 'FAILED',
      error: 'TypeError',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    const failed = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: after.stateMachineArn, statusFilter: 'FAILED' }),
    );
    expect(failed.executions?.map((e) => e.name)).toEqual(['pl-fail']);
    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: after.stateMachineArn,
          name: 'pl-fail',
          input: JSON.stringify({ planId: 'pl-fail' }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    expect(fake.of('gate-deadline', 'pl-fail')).toHaveLength(2); // nothing ran again on its own

    fake.failDeadline([]);
    await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    await after.whenIdle();
    expect(after.describeExecution('pl-fail')).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    // From the failed state (stage 2's Set deadline), not from the start.
    expect(fake.of('gate-deadline', 'pl-fail').map((e) => e.stage)).toEqual([
      'target-account-selection',
      'door-opener',
      'door-opener',
    ]);
    expect(fake.of('gate-open', 'pl-fail').at(-1)?.stage).toBe('door-opener');
    await expect(sfn.send(new RedriveExecutionCommand({ executionArn: arn }))).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
    });
  });

  it('answers a callback with ServiceUnavailable, changing nothing, while failCallbacks faults are left', async () => {
    const fake = recording();
    const faults = new FaultPlan();
    const machine = machineOn(new MemoryExecutionStore(), fake.handlers, faults);
    machine.startExecution({ name: 'pl-cbfault', input: { planId: 'pl-cbfault' } });
    await machine.whenIdle();
    faults.add({ sfn: { failCallbacks: 1 } });
    await expect(pass(fake.token('pl-cbfault'))).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect(machine.listWaitingTasks()).toHaveLength(1);
    await pass(fake.token('pl-cbfault'));
    await machine.whenIdle();
    expect(fake.of('gate-open', 'pl-cbfault').at(-1)?.stage).toBe('door-opener');
    expect(faults.report().injected.sfn.failCallbacks).toBe(1);
  });
});

describe('the execution store in DynamoDB Local', () => {
  let dynamodb: DynamoDbLocal;

  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal({ inMemory: true });
  });

  afterAll(async () => {
    await dynamodb?.stop();
  });

  it('keeps executions across machines: a waiting one resumes with its token', async () => {
    const store = new DynamoExecutionStore(localDynamoDbClient(dynamodb.endpoint), 'it-sfn-executions');
    expect(await store.ensureTable()).toBe(true);
    expect(await store.ensureTable()).toBe(false);
    const fake = recording();
    const before = machineOn(store, fake.handlers);
    before.startExecution({ name: 'pl-ddb', input: { planId: 'pl-ddb' } });
    await before.whenIdle();
    await before.stop();

    const kept = await store.load();
    expect(kept).toMatchObject([
      { name: 'pl-ddb', status: 'RUNNING', state: 'Await gate: target-account-selection', waiting: {} },
    ]);
    const after = machineOn(store, fake.handlers);
    expect(await after.resume()).toBe(1);
    await after.whenIdle();
    expect(after.listWaitingTasks()[0]?.taskToken).toBe(fake.token('pl-ddb'));
  });
});
