import type { Clock } from '../../lambdas/domain/ports';
import { AwsServiceError } from '../aws-emulator';
import type { Json } from './asl-from-template';
import {
  ABORTED_ERROR,
  isJsonObject,
  isTaskTokenFormat,
  lambdaFunctionError,
  mintTaskToken,
  REARM_ERROR,
  replaceSentinel,
  STATE_INPUT_PARAMETER,
  type TaskPlan,
  TIMEOUT_PARAMETER,
  taskError,
  toJson,
  UncatchableTaskError,
} from './definition-rewrite';

/**
 * The tasks in flight: what the interpreter runs instead of each Task state's resource. It calls the
 * handler, answers as the Lambda integration would, holds a `.waitForTaskToken` task until its callback,
 * and fails a task with `States.Timeout` when the local clock passes its deadline.
 */

/** A Lambda handler as the composition root passes it: the event in, the result out. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** A `.waitForTaskToken` task waiting for its callback. */
export interface WaitingTask {
  readonly executionName: string;
  readonly stateName: string;
  readonly taskToken: string;
  /** When the local clock fails it with States.Timeout; none without a timeout. */
  readonly deadline?: Date;
}

/** What a task needs of its execution. */
export interface TaskExecution {
  readonly name: string;
  readonly status: string;
  /** The task state it runs or waits in (set as the task starts), then the state it ended in. */
  currentState?: string;
  /** The waiting task that handed control back to re-arm the interpreter's timer, to be resumed as is. */
  rearming?: ActiveTask;
  /** Set as an execution resumes (a restart, a redrive): the first run of `stateName` continues from it. */
  resume?: TaskResume;
}

/** Where a resumed execution's first task stands. */
export interface TaskResume {
  readonly stateName: string;
  /** Its handler had returned: wait again for the callback with this token and deadline, without calling it. */
  readonly waiting?: { readonly token: string; readonly deadline?: number };
  /** Its callback had been accepted: this is the task's result. */
  readonly callback?: { readonly output?: Json; readonly error?: string; readonly cause?: string };
}

/** What the runner tells its machine, so the machine can keep each execution where it stands. */
export interface TaskProgress {
  /** A task state began (not a re-arm), with the state's own input. */
  started(execution: TaskExecution, plan: TaskPlan, stateInput: Json): void;
  /** A `.waitForTaskToken` task's handler returned: it now waits for its callback. */
  waiting(execution: TaskExecution, token: string, deadline: number | undefined): void;
  /** A callback was accepted; the promise resolves once that is kept. */
  callback(
    execution: TaskExecution,
    outcome: { output?: Json; error?: string; cause?: string },
  ): Promise<void>;
}

export interface ActiveTask {
  readonly execution: TaskExecution;
  readonly plan: TaskPlan;
  readonly token?: string;
  /** Epoch ms on the local clock. */
  readonly deadline?: number;
  readonly result: Promise<Json>;
  readonly resolve: (value: Json) => void;
  readonly reject: (error: Error) => void;
  /** The handler has returned: a `.waitForTaskToken` task is now only waiting for its callback. */
  handlerDone: boolean;
  settled: boolean;
}

export interface TaskRunnerOptions {
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  readonly clock: Clock;
  /** How long a waiting task holds on before re-arming the interpreter's timer. */
  readonly realTimeGuardMs: number;
  /** True once the machine stops: no task starts, no deadline timer is set. */
  readonly isStopped: () => boolean;
  /** A `.waitForTaskToken` task's handler has returned: its execution may now be idle. */
  readonly onWaiting: () => void;
  readonly progress?: TaskProgress;
}

/** How often deadlines are re-checked on real time, so that a clock moved without `runDue` is noticed. */
const DEADLINE_POLL_MS = 60_000;

export class TaskRunner {
  private readonly active = new Set<ActiveTask>();
  private readonly byToken = new Map<string, ActiveTask>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Tasks started so far (a resumed wait counts too): see `LocalStateMachine.tasksStarted`. */
  started = 0;

  constructor(private readonly options: TaskRunnerOptions) {}

  /** The interpreter's replacement for a Task state's resource. */
  run(execution: TaskExecution, plan: TaskPlan, input: Json): Promise<Json> {
    if (execution.status !== 'RUNNING' || this.options.isStopped()) {
      return Promise.reject(new UncatchableTaskError(ABORTED_ERROR, 'The execution was stopped'));
    }
    execution.currentState = plan.stateName;
    this.started += 1;
    const resumed = execution.rearming;
    execution.rearming = undefined;
    if (resumed && resumed.plan === plan) return this.awaitTask(resumed);

    let parameters = input;
    let stateInput = input;
    if (plan.capturesStateInput && isJsonObject(parameters)) {
      const { [STATE_INPUT_PARAMETER]: captured, ...rest } = parameters;
      parameters = rest;
      stateInput = captured ?? null;
    }
    const resume = execution.resume;
    if (resume?.stateName === plan.stateName) {
      execution.resume = undefined;
      if (resume.callback) {
        const { output, error, cause } = resume.callback;
        return error === undefined
          ? Promise.resolve(toJson(output ?? null))
          : Promise.reject(taskError(error, cause ?? ''));
      }
      if (resume.waiting && plan.integration === 'invoke-wait')
        return this.waitAgain(execution, plan, resume.waiting);
    }
    this.options.progress?.started(execution, plan, stateInput);

    let timeoutSeconds = plan.timeoutSeconds;
    if (plan.timeoutPath !== undefined && isJsonObject(parameters)) {
      const { [TIMEOUT_PARAMETER]: value, ...rest } = parameters;
      parameters = rest;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        // As in AWS: an invalid timeout fails the execution, whatever the state's Catch says.
        return Promise.reject(
          new UncatchableTaskError(
            'States.Runtime',
            `TimeoutSecondsPath '${plan.timeoutPath}' must select a positive integer, got ${JSON.stringify(value)}`,
          ),
        );
      }
      timeoutSeconds = value;
    }

    const token =
      plan.integration === 'invoke-wait' ? mintTaskToken(execution.name, plan.stateName) : undefined;
    if (token) parameters = replaceSentinel(parameters, token);

    let resolve!: (value: Json) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<Json>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => {}); // observed through awaitTask; this only keeps a late rejection from being "unhandled"
    const task: ActiveTask = {
      execution,
      plan,
      token,
      deadline:
        timeoutSeconds === undefined ? undefined : this.options.clock.now().getTime() + timeoutSeconds * 1000,
      result,
      resolve,
      reject,
      handlerDone: false,
      settled: false,
    };
    this.active.add(task);
    if (token) this.byToken.set(token, task);
    this.scheduleDeadlines();

    const event =
      plan.integration === 'lambda' ? parameters : isJsonObject(parameters) ? (parameters.Payload ?? {}) : {};
    void this.invokeHandler(task, event);
    return this.awaitTask(task);
  }

  /** `.waitForTaskToken` tasks whose handler has run and that wait for SendTaskSuccess/SendTaskFailure. */
  waiting(): WaitingTask[] {
    return [...this.active]
      .filter((task) => task.token !== undefined && task.handlerDone)
      .map((task) => ({
        executionName: task.execution.name,
        stateName: task.plan.stateName,
        taskToken: task.token as string,
        ...(task.deadline === undefined ? {} : { deadline: new Date(task.deadline) }),
      }));
  }

  /** Whether `execution` has a task that only waits for its callback. */
  isWaiting(execution: TaskExecution): boolean {
    for (const task of this.active) {
      if (task.execution === execution && task.token !== undefined && task.handlerDone) return true;
    }
    return false;
  }

  /** Resolves once the callback is kept (so a restart right after it answers still honours it). */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    const task = this.taskFor(taskToken);
    const value = toJson(output);
    const kept = this.options.progress?.callback(task.execution, { output: value });
    this.settle(task, { value });
    return kept ?? Promise.resolve();
  }

  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    const task = this.taskFor(taskToken);
    const kept = this.options.progress?.callback(task.execution, { error, cause });
    this.settle(task, { error: taskError(error, cause) });
    return kept ?? Promise.resolve();
  }

  /** Ends, uncatchably, the tasks of `execution` (every task without one). */
  abort(execution: TaskExecution | undefined, message: string): void {
    for (const task of [...this.active]) {
      if (execution === undefined || task.execution === execution) {
        this.settle(task, { error: new UncatchableTaskError(ABORTED_ERROR, message) });
      }
    }
  }

  clearDeadlineTimer(): void {
    clearTimeout(this.deadlineTimer);
  }

  /** Fails with States.Timeout every task whose deadline the local clock has passed. */
  fireDue(): void {
    const now = this.options.clock.now().getTime();
    for (const task of [...this.active]) {
      if (task.deadline !== undefined && task.deadline <= now) {
        this.settle(task, { error: taskError('States.Timeout', `Task timed out (${task.plan.stateName})`) });
      }
    }
  }

  private async invokeHandler(task: ActiveTask, event: Json): Promise<void> {
    const handler = this.options.handlers[task.plan.handlerName] as TaskHandler;
    let result: Json;
    try {
      result = toJson(await handler(structuredClone(event)));
    } catch (error) {
      this.settle(task, { error: lambdaFunctionError(error) });
      return;
    }
    if (task.plan.integration === 'invoke-wait') {
      // The invocation's result is not the task's: the callback's output is.
      if (task.settled) return; // completed (or aborted) while its handler ran
      task.handlerDone = true;
      this.options.progress?.waiting(task.execution, task.token as string, task.deadline);
      this.options.onWaiting();
    } else if (task.plan.integration === 'invoke') {
      this.settle(task, { value: { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } });
    } else {
      this.settle(task, { value: result });
    }
  }

  /** A resumed `.waitForTaskToken` task: the same token and deadline as before, its handler not called again. */
  private waitAgain(
    execution: TaskExecution,
    plan: TaskPlan,
    waiting: { readonly token: string; readonly deadline?: number },
  ): Promise<Json> {
    let resolve!: (value: Json) => void;
    let reject!: (error: Error) => void;
    const result = new Promise<Json>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => {});
    const task: ActiveTask = {
      execution,
      plan,
      token: waiting.token,
      ...(waiting.deadline === undefined ? {} : { deadline: waiting.deadline }),
      result,
      resolve,
      reject,
      handlerDone: true,
      settled: false,
    };
    this.active.add(task);
    this.byToken.set(waiting.token, task);
    this.scheduleDeadlines();
    this.options.onWaiting();
    return this.awaitTask(task);
  }

  /**
   * The task's result, for the interpreter. A waiting task gives up after `realTimeGuardMs` with the re-arm
   * error, which the (first) re-arm retrier retries at once; the retry resumes this same task.
   */
  private awaitTask(task: ActiveTask): Promise<Json> {
    if (task.plan.integration !== 'invoke-wait') return task.result;
    return new Promise<Json>((resolve, reject) => {
      const guard = setTimeout(() => {
        task.execution.rearming = task;
        reject(taskError(REARM_ERROR, 'Re-arming the interpreter task timer'));
      }, this.options.realTimeGuardMs);
      guard.unref();
      task.result.then(
        (value) => {
          clearTimeout(guard);
          resolve(value);
        },
        (error: Error) => {
          clearTimeout(guard);
          reject(error);
        },
      );
    });
  }

  private taskFor(taskToken: string): ActiveTask {
    const task = this.byToken.get(taskToken);
    if (task) return task;
    if (isTaskTokenFormat(taskToken)) {
      throw new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
  }

  private settle(task: ActiveTask, outcome: { value: Json } | { error: Error }): void {
    if (task.settled) return;
    task.settled = true;
    this.active.delete(task);
    if (task.token) this.byToken.delete(task.token);
    if ('error' in outcome) task.reject(outcome.error);
    else task.resolve(outcome.value);
    this.scheduleDeadlines();
  }

  /** Real time passes too: fire the next deadline when it comes, re-checking at least every minute. */
  private scheduleDeadlines(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (this.options.isStopped()) return;
    let next = Number.POSITIVE_INFINITY;
    for (const task of this.active) if (task.deadline !== undefined) next = Math.min(next, task.deadline);
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(next - this.options.clock.now().getTime(), 0), DEADLINE_POLL_MS);
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      this.fireDue();
      this.scheduleDeadlines();
    }, delay);
    this.deadlineTimer.unref();
  }
}
