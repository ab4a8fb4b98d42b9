// First: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import '../polyfills';

import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { systemClock } from '../../lambdas/adapters/clock.adapter';
import type { Clock } from '../../lambdas/domain/ports';
import { TASK_STATE_HANDLERS } from '../../lib/workflow/playbook.definition';
import { AwsServiceError, LOCAL_ACCOUNT_ID } from '../aws-emulator';
import { LOCAL_REGION } from '../aws-env';
import type { AslLike, Json } from './asl-from-template';
import {
  isJsonObject,
  prepareDefinition,
  TASK_TOKEN_SENTINEL,
  type TaskPlan,
  toJson,
} from './definition-rewrite';
import { type TaskExecution, type TaskHandler, TaskRunner, type WaitingTask } from './task-runner';

export type { TaskHandler, WaitingTask } from './task-runner';

/**
 * The playbook state machine, run in-process by the ASL interpreter `aws-local-stepfunctions`, with each
 * Task state mapped to the same handler code that runs in Lambda (how, and why: definition-rewrite.ts).
 * Executions live in memory: after a restart the runtime starts each active plan again at its stage.
 */

/** A waiting task hands control back (and is retried at once) before the interpreter's timer can fire. */
const DEFAULT_REAL_TIME_GUARD_MS = 20 * 24 * 60 * 60 * 1000;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly input: unknown;
  readonly output?: unknown;
  /** The error name and cause of a FAILED execution, as DescribeExecution reports them. */
  readonly error?: string;
  readonly cause?: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** The state it is in, or ended in. */
  readonly currentState?: string;
}

export interface LocalLogger {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface LocalStateMachineOptions {
  /** The ASL, e.g. `localPlaybookAsl()`. */
  readonly definition: AslLike;
  /** Handler entry name (`gate-open`, ...) -> the handler. */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Task state name -> handler entry name. Default TASK_STATE_HANDLERS, then the function name in the ARN. */
  readonly taskStateHandlers?: Readonly<Record<string, string>>;
  /** Deadlines are on this clock. Default the shared `systemClock` that `advanceClock` moves. */
  readonly clock?: Clock;
  /** Default `cosell-flow-local-playbook`. */
  readonly stateMachineName?: string;
  /**
   * Milliseconds to wait before each retry, by state name (a number for all of a state's retriers, or one
   * per retrier), instead of the definition's backoff. For tests; the definition's backoff otherwise.
   */
  readonly retryIntervalOverrides?: Readonly<Record<string, number | readonly number[]>>;
  /** Default: one JSON line per message on stdout/stderr. */
  readonly logger?: LocalLogger;
  /** Tests only: how long a waiting task holds on before re-arming the interpreter's timer. */
  readonly realTimeGuardMs?: number;
}

interface ExecutionRecord extends TaskExecution {
  readonly arn: string;
  readonly input: Json;
  readonly startDate: Date;
  status: ExecutionStatus;
  output?: Json;
  error?: string;
  cause?: string;
  stopDate?: Date;
  /** From the interpreter's event log, which is read asynchronously: lags behind. */
  lastEnteredState?: string;
  abort: () => void;
  done: Promise<void>;
}

type LocalTaskFunction = NonNullable<
  NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
>[string];

const consoleLogger: LocalLogger = {
  info: (message, details) => console.log(JSON.stringify({ level: 'INFO', message, ...details })),
  error: (message, details) => console.error(JSON.stringify({ level: 'ERROR', message, ...details })),
};

export class LocalStateMachine {
  readonly stateMachineArn: string;
  readonly stateMachineName: string;

  private readonly interpreter: StateMachine;
  private readonly tasks: ReadonlyMap<string, TaskPlan>;
  private readonly runner: TaskRunner;
  private readonly clock: Clock;
  private readonly logger: LocalLogger;
  private readonly retryIntervalOverrides: Record<string, number[]>;
  private readonly executions = new Map<string, ExecutionRecord>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(options: LocalStateMachineOptions) {
    const { definition, tasks } = prepareDefinition(
      options.definition,
      options.taskStateHandlers ?? TASK_STATE_HANDLERS,
    );
    const missing = [...new Set([...tasks.values()].map((task) => task.handlerName))].filter(
      (name) => typeof options.handlers[name] !== 'function',
    );
    if (missing.length > 0) throw new Error(`No handler passed for: ${missing.join(', ')}`);

    this.interpreter = new StateMachine(definition as unknown as StateMachineDefinition);
    this.tasks = tasks;
    this.clock = options.clock ?? systemClock;
    this.runner = new TaskRunner({
      handlers: options.handlers,
      clock: this.clock,
      realTimeGuardMs: options.realTimeGuardMs ?? DEFAULT_REAL_TIME_GUARD_MS,
      isStopped: () => this.stopped,
      onWaiting: () => this.checkIdle(),
    });
    this.logger = options.logger ?? consoleLogger;
    this.stateMachineName = options.stateMachineName ?? 'cosell-flow-local-playbook';
    this.stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${this.stateMachineName}`;

    // One interval per retrier, -1 meaning "the definition's"; the re-arm retrier (first) retries at once.
    this.retryIntervalOverrides = {};
    for (const task of tasks.values()) {
      const given = options.retryIntervalOverrides?.[task.stateName];
      const own = Array.from({ length: task.retriers }, (_, i) =>
        given === undefined ? -1 : typeof given === 'number' ? given : (given[i] ?? -1),
      );
      if (task.integration === 'invoke-wait') this.retryIntervalOverrides[task.stateName] = [0, ...own];
      else if (given !== undefined) this.retryIntervalOverrides[task.stateName] = own;
    }
  }

  /**
   * Starts an execution, as StartExecution does: the same name and input as a running execution returns
   * that execution; a name already used otherwise is ExecutionAlreadyExists. Nothing is persisted, so after
   * a restart the same name starts afresh (resume: `{planId, resumeStage}`).
   */
  startExecution(request: { name?: string; input?: unknown } = {}): ExecutionDescription {
    if (this.stopped) throw new Error('The local state machine is stopped');
    const name = request.name ?? randomUUID();
    if (!isValidExecutionName(name)) {
      throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    }
    const input = toJson(request.input ?? {});
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.status === 'RUNNING' && isEqualJson(existing.input, input)) return this.describe(existing);
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }

    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${this.stateMachineName}:${name}`;
    const record: ExecutionRecord = {
      name,
      arn,
      input,
      startDate: this.clock.now(),
      status: 'RUNNING',
      abort: () => {},
      done: Promise.resolve(),
    };
    this.executions.set(name, record);

    const taskResourceLocalHandlers: Record<string, LocalTaskFunction> = {};
    for (const plan of this.tasks.values()) {
      taskResourceLocalHandlers[plan.stateName] = (taskInput) =>
        this.runner.run(record, plan, taskInput as Json);
    }
    const run = this.interpreter.run(input as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides: this.retryIntervalOverrides },
      context: {
        Execution: { Id: arn, Name: name, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local` },
        StateMachine: { Id: this.stateMachineArn, Name: this.stateMachineName },
        Task: { Token: TASK_TOKEN_SENTINEL },
      },
    });
    record.abort = run.abort;
    // The event log ends with the execution; reading it to the end first makes `currentState` the last state.
    const events = this.followEvents(record, run.eventLogs);
    record.done = run.result.then(
      async (output) => {
        await events;
        this.finish(record, 'SUCCEEDED', { output: output as Json });
      },
      async (error: unknown) => {
        await events;
        if (error instanceof ExecutionAbortedError) this.finish(record, 'ABORTED', {});
        else this.finish(record, 'FAILED', failureOf(error));
      },
    );
    this.logger.info('execution started', { execution: name, input });
    return this.describe(record);
  }

  /** By name or execution ARN. */
  describeExecution(nameOrArn: string): ExecutionDescription | undefined {
    const record =
      this.executions.get(nameOrArn) ??
      [...this.executions.values()].find((execution) => execution.arn === nameOrArn);
    return record && this.describe(record);
  }

  listExecutions(): ExecutionDescription[] {
    return [...this.executions.values()].map((record) => this.describe(record));
  }

  /** `.waitForTaskToken` tasks whose handler has run and that wait for SendTaskSuccess/SendTaskFailure. */
  listWaitingTasks(): WaitingTask[] {
    return this.runner.waiting();
  }

  /** SendTaskSuccess: `output` (already parsed JSON) becomes the task's result. */
  sendTaskSuccess(taskToken: string, output: unknown): void {
    this.runner.sendTaskSuccess(taskToken, output);
  }

  /** SendTaskFailure: the task fails with Error `error` and Cause `cause` (Retry/Catch match on `error`). */
  sendTaskFailure(taskToken: string, error = '', cause = ''): void {
    this.runner.sendTaskFailure(taskToken, error, cause);
  }

  /**
   * Fails with States.Timeout every task whose deadline the local clock has passed, then resolves when the
   * work that follows has settled (every execution waits for a callback again, or has ended).
   */
  async runDue(): Promise<void> {
    this.runner.fireDue();
    await this.whenIdle();
  }

  /** Resolves when every execution waits for a callback or has ended. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every running execution (status ABORTED); no handler is called after this resolves. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.runner.clearDeadlineTimer();
    const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.abort();
    this.runner.abort(undefined, 'The execution was stopped');
    await Promise.all(running.map((execution) => execution.done));
    this.checkIdle();
  }

  private finish(
    record: ExecutionRecord,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    result: { output?: Json; error?: string; cause?: string },
  ): void {
    record.status = status;
    record.stopDate = this.clock.now();
    record.output = result.output;
    record.error = result.error;
    record.cause = result.cause;
    record.rearming = undefined;
    record.currentState = record.lastEnteredState ?? record.currentState;
    this.runner.abort(record, 'The execution has ended');
    if (status === 'FAILED') {
      this.logger.error('execution failed', {
        execution: record.name,
        state: record.currentState,
        error: record.error,
        cause: record.cause,
      });
    } else {
      this.logger.info(`execution ${status.toLowerCase()}`, {
        execution: record.name,
        state: record.currentState,
      });
    }
    this.checkIdle();
  }

  private async followEvents(
    record: ExecutionRecord,
    events: ReturnType<StateMachine['run']>['eventLogs'],
  ): Promise<void> {
    try {
      for await (const event of events) {
        if (event.type === 'StateEntered') record.lastEnteredState = event.state.name;
      }
    } catch {
      // The log ends with the execution; nothing to report beyond what `finish` logs.
    }
  }

  private describe(record: ExecutionRecord): ExecutionDescription {
    return {
      executionArn: record.arn,
      stateMachineArn: this.stateMachineArn,
      name: record.name,
      status: record.status,
      input: structuredClone(record.input),
      startDate: record.startDate,
      ...(record.output === undefined ? {} : { output: structuredClone(record.output) }),
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
      ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
      ...(record.currentState === undefined ? {} : { currentState: record.currentState }),
    };
  }

  // ---- idleness ----

  private isIdle(): boolean {
    for (const execution of this.executions.values()) {
      if (execution.status === 'RUNNING' && !this.runner.isWaiting(execution)) return false;
    }
    return true;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function failureOf(error: unknown): { error: string; cause: string } {
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { error: cause.name, cause: cause.message };
  return { error: 'Error', cause: String(cause) };
}

function isEqualJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => isEqualJson(v, b[i] ?? null))
    );
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && isEqualJson(a[key] ?? null, b[key] ?? null))
  );
}

/** StartExecution's rule: 1-80 characters, no whitespace, brackets, wildcards, special or control characters. */
function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
    if (/\s/.test(char) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(char)) return false;
  }
  return true;
}
