// First: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import '../polyfills';

import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { systemClock } from '../../lambdas/adapters/clock.adapter';
import type { Clock } from '../../lambdas/domain/ports';
import { TASK_STATE_HANDLERS } from '../../lib/workflow/playbook.definition';
import { AwsServiceError, LOCAL_ACCOUNT_ID } from '../aws-emulator';
import { LOCAL_REGION } from '../aws-env';
import type { AslJson, AslLike, Json } from './asl-from-template';
import { prepareDefinition, TASK_TOKEN_SENTINEL, type TaskPlan, toJson } from './definition-rewrite';
import {
  describeRecord,
  type ExecutionDescription,
  type ExecutionRecord,
  failureOf,
  fromStored,
  isEqualJson,
  isValidExecutionName,
  toStored,
  trackProgress,
} from './execution-record';
import {
  type ExecutionStatus,
  type ExecutionStore,
  MemoryExecutionStore,
  OrderedSaves,
} from './execution-store';
import { type TaskHandler, TaskRunner, type WaitingTask } from './task-runner';
import { validatedInterpreter } from './validation-cache';

export type { ExecutionDescription } from './execution-record';
export type { ExecutionStatus } from './execution-store';
export type { TaskHandler, WaitingTask } from './task-runner';

/**
 * The playbook state machine, run in-process by the ASL interpreter `aws-local-stepfunctions`, with each
 * Task state mapped to the same handler code that runs in Lambda (how, and why: definition-rewrite.ts).
 * Executions are kept in an ExecutionStore (DynamoDB Local in the local stack): after a restart `resume()`
 * continues the running ones where they were (a waiting gate with its same token and deadline), failed ones
 * stay failed until `redriveExecution`, and names stay taken, as in AWS.
 */

/** A waiting task hands control back (and is retried at once) before the interpreter's timer can fire. */
const DEFAULT_REAL_TIME_GUARD_MS = 20 * 24 * 60 * 60 * 1000;

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
  /** Where executions are kept. Default: in memory (gone with the machine). */
  readonly store?: ExecutionStore;
  /** Remembers definitions that passed validation (validation-cache.ts). Default: validate every time. */
  readonly validationCacheDir?: string;
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
  private readonly definition: AslJson;
  private readonly interpreters = new Map<string, StateMachine>();
  private readonly store: ExecutionStore;
  private readonly saves: OrderedSaves;
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

    this.definition = definition;
    this.interpreter = validatedInterpreter(definition, options.validationCacheDir);
    this.tasks = tasks;
    this.clock = options.clock ?? systemClock;
    this.runner = new TaskRunner({
      handlers: options.handlers,
      clock: this.clock,
      realTimeGuardMs: options.realTimeGuardMs ?? DEFAULT_REAL_TIME_GUARD_MS,
      isStopped: () => this.stopped,
      onWaiting: () => this.checkIdle(),
      progress: trackProgress(
        (execution) => this.executions.get(execution.name),
        (record) => this.persist(record),
      ),
    });
    this.logger = options.logger ?? consoleLogger;
    this.store = options.store ?? new MemoryExecutionStore();
    this.saves = new OrderedSaves(this.store, (error, execution) =>
      this.logger.error('could not keep the execution', {
        execution: execution.name,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
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
   * that execution; a name already used otherwise (by any execution the store keeps) is
   * ExecutionAlreadyExists. `flush()` resolves once it is kept.
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
      if (existing.status === 'RUNNING' && isEqualJson(existing.input, input))
        return describeRecord(this.stateMachineArn, existing);
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
    }

    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:execution:${this.stateMachineName}:${name}`;
    const record: ExecutionRecord = {
      name,
      arn,
      input,
      startDate: this.clock.now(),
      status: 'RUNNING',
      redriveCount: 0,
      abort: () => {},
      done: Promise.resolve(),
    };
    this.executions.set(name, record);
    this.persist(record);
    this.launch(record, this.definition.StartAt, input);
    this.logger.info('execution started', { execution: name, input });
    return describeRecord(this.stateMachineArn, record);
  }

  /**
   * Loads the kept executions (once, before anything starts): running ones continue where they were, the
   * others are there to describe, list and redrive. Resolves with how many were running.
   */
  async resume(): Promise<number> {
    const kept = await this.store.load();
    let running = 0;
    for (const stored of kept) {
      if (this.executions.has(stored.name)) continue;
      const record = fromStored(stored);
      this.executions.set(record.name, record);
      if (record.status !== 'RUNNING') continue;
      running++;
      this.continueFrom(record);
      this.logger.info('execution resumed', { execution: record.name, state: record.taskState });
    }
    return running;
  }

  /**
   * RedriveExecution: a FAILED or ABORTED execution continues from the state it failed in, with that state's
   * input, as AWS redrives a Standard execution; anything else is ExecutionNotRedrivable.
   */
  redriveExecution(nameOrArn: string): { redriveDate: Date } {
    if (this.stopped) throw new Error('The local state machine is stopped');
    const record = this.find(nameOrArn);
    if (!record)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${nameOrArn}'`);
    if (record.status !== 'FAILED' && record.status !== 'ABORTED') {
      throw new AwsServiceError(
        'ExecutionNotRedrivable',
        `Execution is ${record.status}: only FAILED, ABORTED or TIMED_OUT executions can be redriven`,
      );
    }
    record.status = 'RUNNING';
    record.redriveCount++;
    record.redriveDate = this.clock.now();
    record.stopDate = undefined;
    record.error = undefined;
    record.cause = undefined;
    // A redrive runs the failed state afresh: no waiting task or callback is carried over.
    record.waiting = undefined;
    record.callback = undefined;
    this.persist(record);
    this.continueFrom(record);
    this.logger.info('execution redriven', { execution: record.name, state: record.taskState });
    return { redriveDate: record.redriveDate };
  }

  /** Resolves when every change so far is kept in the store. */
  flush(): Promise<void> {
    return this.saves.flush();
  }

  /** By name or execution ARN. */
  describeExecution(nameOrArn: string): ExecutionDescription | undefined {
    const record = this.find(nameOrArn);
    return record && describeRecord(this.stateMachineArn, record);
  }

  /** Oldest first; only those of `status` when given. */
  listExecutions(status?: ExecutionStatus): ExecutionDescription[] {
    return [...this.executions.values()]
      .filter((record) => status === undefined || record.status === status)
      .map((record) => describeRecord(this.stateMachineArn, record));
  }

  /** `.waitForTaskToken` tasks whose handler has run and that wait for SendTaskSuccess/SendTaskFailure. */
  listWaitingTasks(): WaitingTask[] {
    return this.runner.waiting();
  }

  /** SendTaskSuccess: `output` (already parsed JSON) becomes the task's result; resolves once kept. */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    return this.runner.sendTaskSuccess(taskToken, output);
  }

  /** SendTaskFailure: the task fails with Error `error` and Cause `cause` (Retry/Catch match on `error`). */
  sendTaskFailure(taskToken: string, error = '', cause = ''): Promise<void> {
    return this.runner.sendTaskFailure(taskToken, error, cause);
  }

  /**
   * Fails with States.Timeout every task whose deadline the local clock has passed, then resolves when the
   * work that follows has settled (every execution waits for a callback again, or has ended).
   */
  async runDue(): Promise<void> {
    this.runner.fireDue();
    await this.whenIdle();
  }

  /** How many tasks have started so far: a change tells the clock's driver that work ran meanwhile. */
  tasksStarted(): number {
    return this.runner.started;
  }

  /** Resolves when every execution waits for a callback or has ended. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops the machine: no handler is called after this resolves. In memory the running executions end as
   * ABORTED; the store keeps them running where they were, for `resume()` after a restart (the local stack
   * stopping is not an execution being stopped).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.runner.clearDeadlineTimer();
    const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.abort();
    this.runner.abort(undefined, 'The execution was stopped');
    await Promise.all(running.map((execution) => execution.done));
    await this.saves.flush();
    this.checkIdle();
  }

  /** Runs the interpreter for `record` from `startAt` (the definition's start, or a resumed Task state). */
  private launch(record: ExecutionRecord, startAt: string, input: Json): void {
    const taskResourceLocalHandlers: Record<string, LocalTaskFunction> = {};
    for (const plan of this.tasks.values()) {
      taskResourceLocalHandlers[plan.stateName] = (taskInput) =>
        this.runner.run(record, plan, taskInput as Json);
    }
    const run = this.interpreterAt(startAt).run(input as Parameters<StateMachine['run']>[0], {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides: this.retryIntervalOverrides },
      context: {
        Execution: {
          Id: record.arn,
          Name: record.name,
          RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/local`,
        },
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
  }

  /** A kept or redriven execution continues at the Task state it was in, or from the start. */
  private continueFrom(record: ExecutionRecord): void {
    const state = record.taskState;
    if (state === undefined || !this.tasks.has(state)) {
      this.launch(record, this.definition.StartAt, record.input);
      return;
    }
    record.resume = {
      stateName: state,
      ...(record.waiting ? { waiting: record.waiting } : {}),
      ...(record.callback ? { callback: record.callback } : {}),
    };
    this.launch(record, state, record.stateInput ?? record.input);
  }

  /** The interpreter, starting at `startAt` (one per state, made when first needed). */
  private interpreterAt(startAt: string): StateMachine {
    if (startAt === this.definition.StartAt) return this.interpreter;
    let interpreter = this.interpreters.get(startAt);
    if (!interpreter) {
      const definition = { ...this.definition, StartAt: startAt } as unknown as StateMachineDefinition;
      // The states before `startAt` are unreachable from it, which the validator would refuse.
      interpreter = new StateMachine(definition, { validationOptions: { noValidate: true } });
      this.interpreters.set(startAt, interpreter);
    }
    return interpreter;
  }

  /** Keeps the record as it is now; nothing once the machine stops (see `stop`). */
  private persist(record: ExecutionRecord): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.saves.save(toStored(record));
  }

  private find(nameOrArn: string): ExecutionRecord | undefined {
    return (
      this.executions.get(nameOrArn) ??
      [...this.executions.values()].find((execution) => execution.arn === nameOrArn)
    );
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
    record.resume = undefined;
    record.currentState = record.lastEnteredState ?? record.currentState;
    this.runner.abort(record, 'The execution has ended');
    if (status !== 'ABORTED' || !this.stopped) {
      record.waiting = undefined;
      record.callback = undefined;
      this.persist(record);
    }
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
