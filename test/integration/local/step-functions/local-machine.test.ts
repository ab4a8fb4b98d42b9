import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PLAYBOOK_STAGE_KEYS } from '../../../../lib/workflow/playbook.definition';
import { type AwsEmulator, startAwsEmulator } from '../../../../local/aws-emulator';
import { type AslJson, localPlaybookAsl } from '../../../../local/step-functions/asl-from-template';
import {
  type LocalLogger,
  LocalStateMachine,
  type LocalStateMachineOptions,
  type TaskHandler,
} from '../../../../local/step-functions/local-machine';
import { stepFunctionsRoutes } from '../../../../local/step-functions/sfn-routes';

// The playbook ASL the local runner runs (localPlaybookAsl()), run by aws-local-stepfunctions, its callbacks
// sent by the AWS SDK through the local AWS emulator, with handlers that only record what they are asked.

const HOUR = 3600;
const DAY = 24 * HOUR;

interface TaskEvent {
  planId: string;
  stage?: string;
  taskToken?: string;
  escalations?: number;
  outcome?: string;
}

class TestClock {
  private current = Date.parse('2026-12-01T15:00:00.000Z');
  now = (): Date => new Date(this.current);
  advance(seconds: number): void {
    this.current += seconds * 1000;
  }
}

/** Fake task handlers: each records its events; gate timeouts come from `timeouts` (default 3 days). */
function recordingHandlers(timeouts: Partial<Record<string, number>> = {}) {
  const calls: { handler: string; event: TaskEvent }[] = [];
  const record = (handler: string, event: unknown) => {
    calls.push({ handler, event: event as TaskEvent });
    return event as TaskEvent;
  };
  const handlers: Record<string, TaskHandler> = {
    'gate-deadline': async (event) => {
      const { stage = '' } = record('gate-deadline', event);
      return { timeoutSeconds: timeouts[stage] ?? 3 * DAY, escalations: 0 };
    },
    'gate-open': async (event) => {
      record('gate-open', event);
      return { notified: true };
    },
    'gate-escalate': async (event) => {
      const { stage = '', escalations = 0 } = record('gate-escalate', event);
      return { timeoutSeconds: timeouts[stage] ?? 3 * DAY, escalations: escalations + 1 };
    },
    'register-deal': async (event) => {
      const { outcome } = record('register-deal', event);
      return { registered: outcome };
    },
  };
  const of = (handler: string, planId: string) =>
    calls
      .filter((call) => call.handler === handler && call.event.planId === planId)
      .map((call) => call.event);
  /** The token of the latest gate-open for this plan. */
  const latestToken = (planId: string) => {
    const token = of('gate-open', planId).at(-1)?.taskToken;
    if (!token) throw new Error(`no gate opened for ${planId}`);
    return token;
  };
  return { calls, handlers, of, latestToken };
}

const quietLogger = (): LocalLogger & { errors: unknown[] } => {
  const errors: unknown[] = [];
  return { errors, info: () => {}, error: (message, details) => errors.push({ message, ...details }) };
};

let definition: AslJson;
let emulator: AwsEmulator;
let stateDir: string;
let sfn: SFNClient;
const machines: LocalStateMachine[] = [];

beforeAll(async () => {
  definition = localPlaybookAsl();
  stateDir = await mkdtemp(join(tmpdir(), 'cosell-sfn-'));
  emulator = await startAwsEmulator({ stateDir });
  sfn = new SFNClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterEach(async () => {
  await Promise.all(machines.splice(0).map((machine) => machine.stop()));
});

afterAll(async () => {
  sfn?.destroy();
  await emulator?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

function startMachine(
  options: Partial<LocalStateMachineOptions> & Pick<LocalStateMachineOptions, 'handlers'>,
) {
  const machine = new LocalStateMachine({
    definition,
    logger: quietLogger(),
    // The definition retries with 2 s backoff and full jitter; keep the tests quick.
    retryIntervalOverrides: Object.fromEntries(
      Object.keys(definition.States).map((state) => [state, 5] as const),
    ),
    ...options,
  });
  for (const [target, handler] of Object.entries(stepFunctionsRoutes(machine)))
    emulator.route(target, handler);
  machines.push(machine);
  return machine;
}

const sendOutcome = (taskToken: string, outcome: 'passed' | 'lost') =>
  sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ outcome }) }));

describe('the playbook on the local interpreter', () => {
  it('runs five gates to Deal won and registers the deal once', async () => {
    const fake = recordingHandlers();
    const machine = startMachine({ handlers: fake.handlers });

    machine.startExecution({ name: 'plan-won', input: { planId: 'plan-won' } });
    await machine.whenIdle();
    for (const stage of PLAYBOOK_STAGE_KEYS) {
      expect(fake.of('gate-open', 'plan-won').at(-1)).toMatchObject({
        planId: 'plan-won',
        stage,
        escalations: 0,
      });
      await sendOutcome(fake.latestToken('plan-won'), 'passed');
      await machine.whenIdle();
    }

    const execution = machine.describeExecution('plan-won');
    expect(execution).toMatchObject({ status: 'SUCCEEDED', currentState: 'Deal won' });
    expect(fake.of('gate-deadline', 'plan-won').map((event) => event.stage)).toEqual([
      ...PLAYBOOK_STAGE_KEYS,
    ]);
    expect(fake.of('register-deal', 'plan-won')).toEqual([{ planId: 'plan-won', outcome: 'won' }]);
    // ResultSelector read `$.Payload.*` from the wrapped invoke result.
    expect(execution?.output).toMatchObject({
      planId: 'plan-won',
      gate: { timeoutSeconds: 3 * DAY, escalations: 0 },
      gateResult: { outcome: 'passed' },
      registration: { result: { registered: 'won' } },
    });

    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution?.executionArn }));
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'plan-won' });
    expect(described.startDate).toBeInstanceOf(Date);
  });

  it.each(PLAYBOOK_STAGE_KEYS.map((stage, index) => [stage, index] as const))(
    'ends at Deal lost when the %s gate reports lost',
    async (lostAt, index) => {
      const fake = recordingHandlers();
      const machine = startMachine({ handlers: fake.handlers });
      const planId = `plan-lost-${index}`;

      machine.startExecution({ name: planId, input: { planId } });
      await machine.whenIdle();
      for (const stage of PLAYBOOK_STAGE_KEYS.slice(0, index)) {
        expect(fake.of('gate-open', planId).at(-1)?.stage).toBe(stage);
        await sendOutcome(fake.latestToken(planId), 'passed');
        await machine.whenIdle();
      }
      expect(fake.of('gate-open', planId).at(-1)?.stage).toBe(lostAt);
      await sendOutcome(fake.latestToken(planId), 'lost');
      await machine.whenIdle();

      expect(machine.describeExecution(planId)).toMatchObject({
        status: 'SUCCEEDED',
        currentState: 'Deal lost',
      });
      expect(fake.of('register-deal', planId)).toEqual([{ planId, outcome: 'lost' }]);
      expect(fake.of('gate-deadline', planId)).toHaveLength(index + 1);
    },
  );

  it('escalates a gate whose deadline passes on the local clock, then waits again with a new token', async () => {
    const clock = new TestClock();
    const fake = recordingHandlers({ 'target-account-selection': 72 * HOUR });
    const machine = startMachine({ handlers: fake.handlers, clock });

    machine.startExecution({ name: 'plan-late', input: { planId: 'plan-late' } });
    await machine.whenIdle();
    const firstToken = fake.latestToken('plan-late');
    expect(machine.listWaitingTasks()).toEqual([
      {
        executionName: 'plan-late',
        stateName: 'Await gate: target-account-selection',
        taskToken: firstToken,
        deadline: new Date(clock.now().getTime() + 72 * HOUR * 1000),
      },
    ]);

    clock.advance(71 * HOUR);
    await machine.runDue();
    expect(fake.of('gate-escalate', 'plan-late')).toEqual([]);

    clock.advance(2 * HOUR);
    await machine.runDue();
    expect(fake.of('gate-escalate', 'plan-late')).toEqual([
      { planId: 'plan-late', stage: 'target-account-selection', escalations: 0 },
    ]);
    const reopened = fake.of('gate-open', 'plan-late');
    expect(reopened).toHaveLength(2);
    expect(reopened[1]).toMatchObject({ stage: 'target-account-selection', escalations: 1 });
    const secondToken = fake.latestToken('plan-late');
    expect(secondToken).not.toBe(firstToken);
    expect(machine.describeExecution('plan-late')).toMatchObject({
      status: 'RUNNING',
      currentState: 'Await gate: target-account-selection',
    });

    // As AWS answers: a finished task's token is TaskTimedOut, a token it never issued is InvalidToken.
    await expect(sendOutcome(firstToken, 'passed')).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(sendOutcome('not-a-token', 'passed')).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: secondToken, output: '{not json' })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });

    await sendOutcome(secondToken, 'passed');
    await machine.whenIdle();
    expect(fake.of('gate-open', 'plan-late').at(-1)?.stage).toBe('door-opener');
  });

  it('does not fire a 30-day gate timeout early (the interpreter timer would overflow)', async () => {
    const clock = new TestClock();
    const fake = recordingHandlers({ 'target-account-selection': 30 * DAY });
    const machine = startMachine({ handlers: fake.handlers, clock });

    machine.startExecution({ name: 'plan-slow', input: { planId: 'plan-slow' } });
    await machine.whenIdle();
    // An overflowing setTimeout fires after 1 ms.
    await new Promise((resolve) => setTimeout(resolve, 250));
    clock.advance(30 * DAY - 60);
    await machine.runDue();
    expect(fake.of('gate-escalate', 'plan-slow')).toEqual([]);
    expect(machine.listWaitingTasks()).toHaveLength(1);

    clock.advance(60);
    await machine.runDue();
    expect(fake.of('gate-escalate', 'plan-slow')).toHaveLength(1);
  });

  it('fires a due deadline on real time too, without runDue', async () => {
    const fake = recordingHandlers({ 'target-account-selection': 1 });
    const machine = startMachine({ handlers: fake.handlers, clock: { now: () => new Date() } });

    machine.startExecution({ name: 'plan-realtime', input: { planId: 'plan-realtime' } });
    await machine.whenIdle();
    await expect
      .poll(() => fake.of('gate-escalate', 'plan-realtime').length, { timeout: 5_000 })
      .toBeGreaterThan(0);
  });

  it('keeps a gate waiting past the real-time guard: same token, handler not called again', async () => {
    const fake = recordingHandlers();
    const machine = startMachine({ handlers: fake.handlers, realTimeGuardMs: 20 });

    machine.startExecution({ name: 'plan-rearm', input: { planId: 'plan-rearm' } });
    await machine.whenIdle();
    const token = fake.latestToken('plan-rearm');
    await new Promise((resolve) => setTimeout(resolve, 150)); // several re-arms
    expect(fake.of('gate-open', 'plan-rearm')).toHaveLength(1);
    expect(machine.listWaitingTasks().map((task) => task.taskToken)).toEqual([token]);

    await sendOutcome(token, 'passed');
    await machine.whenIdle();
    expect(fake.of('gate-open', 'plan-rearm').at(-1)?.stage).toBe('door-opener');
  });

  it('starts at resumeStage', async () => {
    const fake = recordingHandlers();
    const machine = startMachine({ handlers: fake.handlers });

    machine.startExecution({
      name: 'plan-resume',
      input: { planId: 'plan-resume', resumeStage: 'joint-discovery' },
    });
    await machine.whenIdle();

    expect(fake.of('gate-deadline', 'plan-resume')).toEqual([
      { planId: 'plan-resume', stage: 'joint-discovery' },
    ]);
    expect(fake.of('gate-open', 'plan-resume')).toMatchObject([{ stage: 'joint-discovery' }]);
  });

  it('retries a Lambda.ServiceException as the definition says', async () => {
    const fake = recordingHandlers();
    let failures = 2;
    const flaky: TaskHandler = async (event) => {
      if (failures-- > 0)
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.ServiceException' });
      return fake.handlers['gate-deadline']?.(event);
    };
    const machine = startMachine({ handlers: { ...fake.handlers, 'gate-deadline': flaky } });

    machine.startExecution({ name: 'plan-flaky', input: { planId: 'plan-flaky' } });
    await machine.whenIdle();

    expect(machine.describeExecution('plan-flaky')?.status).toBe('RUNNING');
    expect(fake.of('gate-open', 'plan-flaky')).toHaveLength(1);
  });

  it('retries a waiting task whose handler failed with a fresh token; the first one is stale', async () => {
    const fake = recordingHandlers();
    const tokens: string[] = [];
    let failures = 1;
    const flakyOpen: TaskHandler = async (event) => {
      tokens.push((event as TaskEvent).taskToken ?? '');
      if (failures-- > 0)
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      return fake.handlers['gate-open']?.(event);
    };
    const machine = startMachine({ handlers: { ...fake.handlers, 'gate-open': flakyOpen } });

    machine.startExecution({ name: 'plan-flaky-open', input: { planId: 'plan-flaky-open' } });
    await machine.whenIdle();

    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    await expect(sendOutcome(tokens[0] ?? '', 'passed')).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await sendOutcome(tokens[1] ?? '', 'passed');
    await machine.whenIdle();
    expect(fake.of('gate-open', 'plan-flaky-open').at(-1)?.stage).toBe('door-opener');
  });

  it('fails the execution after the last retry, and at once on an error no retrier names', async () => {
    const fake = recordingHandlers();
    let attempts = 0;
    const logger = quietLogger();
    const machine = startMachine({
      handlers: {
        ...fake.handlers,
        'gate-deadline': async (event) => {
          attempts++;
          const { planId } = event as TaskEvent;
          throw Object.assign(new Error('down'), {
            name: planId === 'plan-down' ? 'Lambda.ServiceException' : 'ConditionalCheckFailedException',
          });
        },
      },
      logger,
    });

    machine.startExecution({ name: 'plan-down', input: { planId: 'plan-down' } });
    await machine.whenIdle();
    expect(attempts).toBe(7); // the first call and 6 retries
    const failed = machine.describeExecution('plan-down');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(JSON.parse(failed?.cause ?? '')).toMatchObject({
      errorType: 'Lambda.ServiceException',
      errorMessage: 'down',
    });

    attempts = 0;
    machine.startExecution({ name: 'plan-conflict', input: { planId: 'plan-conflict' } });
    await machine.whenIdle();
    expect(attempts).toBe(1);
    expect(machine.describeExecution('plan-conflict')).toMatchObject({
      status: 'FAILED',
      error: 'ConditionalCheckFailedException',
    });
    expect(logger.errors).toMatchObject([
      { message: 'execution failed', execution: 'plan-down' },
      { message: 'execution failed', execution: 'plan-conflict' },
    ]);
  });

  it('fails the execution with States.Runtime when the gate timeout is not a positive integer', async () => {
    const fake = recordingHandlers({ 'target-account-selection': 0 });
    const machine = startMachine({ handlers: fake.handlers });

    machine.startExecution({ name: 'plan-zero', input: { planId: 'plan-zero' } });
    await machine.whenIdle();

    expect(machine.describeExecution('plan-zero')).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
    });
    expect(fake.of('gate-open', 'plan-zero')).toEqual([]);
  });

  it('fails the task with SendTaskFailure', async () => {
    const fake = recordingHandlers();
    const machine = startMachine({ handlers: fake.handlers });

    machine.startExecution({ name: 'plan-fail', input: { planId: 'plan-fail' } });
    await machine.whenIdle();
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: fake.latestToken('plan-fail'),
        error: 'Gate.Broken',
        cause: 'why',
      }),
    );
    await machine.whenIdle();

    expect(machine.describeExecution('plan-fail')).toMatchObject({
      status: 'FAILED',
      error: 'Gate.Broken',
      cause: 'why',
    });
  });

  it('starts through StartExecution; the same name while running is the same execution', async () => {
    const fake = recordingHandlers();
    const machine = startMachine({ handlers: fake.handlers });
    const input = JSON.stringify({ planId: 'plan-api' });

    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'plan-api', input }),
    );
    await machine.whenIdle();
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'plan-api', input }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(machine.startExecution({ name: 'plan-api', input: { planId: 'plan-api' } }).executionArn).toBe(
      first.executionArn,
    );
    await machine.whenIdle();
    expect(fake.of('gate-deadline', 'plan-api')).toHaveLength(1);
    expect(machine.listExecutions()).toHaveLength(1);

    await expect(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: machine.stateMachineArn,
          name: 'plan-api',
          input: JSON.stringify({ planId: 'plan-api', resumeStage: 'door-opener' }),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${machine.stateMachineArn}-other`, input })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${first.executionArn}-nope` })),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('stops every execution; after a restart the same name starts again and old tokens are stale', async () => {
    const fake = recordingHandlers();
    const before = startMachine({ handlers: fake.handlers });
    before.startExecution({ name: 'plan-restart', input: { planId: 'plan-restart' } });
    await before.whenIdle();
    const staleToken = fake.latestToken('plan-restart');

    await before.stop();
    expect(before.describeExecution('plan-restart')?.status).toBe('ABORTED');
    expect(before.listWaitingTasks()).toEqual([]);

    // The composition root resumes the plan at its stored stage in a new process (here: a new machine).
    const after = startMachine({ handlers: fake.handlers });
    after.startExecution({
      name: 'plan-restart',
      input: { planId: 'plan-restart', resumeStage: 'door-opener' },
    });
    await after.whenIdle();
    expect(fake.of('gate-open', 'plan-restart').map((event) => event.stage)).toEqual([
      'target-account-selection',
      'door-opener',
    ]);
    await expect(sendOutcome(staleToken, 'passed')).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await sendOutcome(fake.latestToken('plan-restart'), 'passed');
    await after.whenIdle();
    expect(fake.of('gate-open', 'plan-restart').at(-1)?.stage).toBe('joint-discovery');
  });

  it('stop() during a retry pause and during a running handler leaves nothing behind', async () => {
    const fake = recordingHandlers();
    let calls = 0;
    let release: () => void = () => {};
    const machine = startMachine({
      handlers: {
        ...fake.handlers,
        'gate-deadline': async (event) => {
          calls++;
          if ((event as TaskEvent).planId === 'plan-hang') {
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            return { timeoutSeconds: 60, escalations: 0 };
          }
          throw Object.assign(new Error('down'), { name: 'Lambda.ServiceException' });
        },
      },
      retryIntervalOverrides: { 'Set deadline: target-account-selection': 60_000 },
    });
    machine.startExecution({ name: 'plan-retrying', input: { planId: 'plan-retrying' } });
    machine.startExecution({ name: 'plan-hang', input: { planId: 'plan-hang' } });
    await expect.poll(() => calls).toBe(2);

    await machine.stop();
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(machine.listExecutions().map((execution) => execution.status)).toEqual(['ABORTED', 'ABORTED']);
    expect(calls).toBe(2);
    expect(fake.of('gate-open', 'plan-hang')).toEqual([]);
    expect(() => machine.startExecution({ name: 'plan-late-start' })).toThrow(/stopped/);
  });
});
