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
}

/** How often deadlines are re-checked on real time, so that a clock moved without `runDue` is noticed. */
const DEADLINE_POLL_MS = 60_000;

export class TaskRunner {
  private readonly active = new Set<ActiveTask>();
  private readonly byToken = new Map<string, ActiveTask>();
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TaskRunnerOptions) {}

  /** The interpreter's replacement for a Task state's resource. */
  run(execution: TaskExecution, plan: TaskPlan, input: Json): Promise<Json> {
    if (execution.status !== 'RUNNING' || this.options.isStopped()) {
      return Promise.reject(new UncatchableTaskError(ABORTED_ERROR, 'The execution was stopped'));
    }
    execution.currentState = plan.stateName;
    const resumed = execution.rearming;
    execution.rearming = undefined;
    if (resumed && resumed.plan === plan) return this.awaitTask(resumed);

    let parameters = input;
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

  sendTaskSuccess(taskToken: string, output: unknown): void {
    this.settle(this.taskFor(taskToken), { value: toJson(output) });
  }

  sendTaskFailure(taskToken: string, error: string, cause: string): void {
    this.settle(this.taskFor(taskToken), { error: taskError(error, cause) });
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
      task.handlerDone = true;
      this.options.onWaiting();
    } else if (task.plan.integration === 'invoke') {
      this.settle(task, { value: { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } });
    } else {
      this.settle(task, { value: result });
    }
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
