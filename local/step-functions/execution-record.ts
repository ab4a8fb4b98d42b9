import { ExecutionError } from 'aws-local-stepfunctions';
import type { Json } from './asl-from-template';
import { isJsonObject } from './definition-rewrite';
import type { ExecutionStatus, StoredExecution } from './execution-store';
import type { TaskExecution, TaskProgress } from './task-runner';

/** One execution of the local state machine: in memory, as described, and as kept in the store. */

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
  readonly redriveCount: number;
  readonly redriveDate?: Date;
}

export interface ExecutionRecord extends TaskExecution {
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
  /** The Task state it runs, waits or failed in, and its input (what a restart or a redrive starts from). */
  taskState?: string;
  stateInput?: Json;
  waiting?: StoredExecution['waiting'];
  callback?: StoredExecution['callback'];
  redriveCount: number;
  redriveDate?: Date;
  abort: () => void;
  done: Promise<void>;
}

export function describeRecord(stateMachineArn: string, record: ExecutionRecord): ExecutionDescription {
  return {
    executionArn: record.arn,
    stateMachineArn,
    name: record.name,
    status: record.status,
    input: structuredClone(record.input),
    startDate: record.startDate,
    ...(record.output === undefined ? {} : { output: structuredClone(record.output) }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
    ...(record.stopDate === undefined ? {} : { stopDate: record.stopDate }),
    ...(record.currentState === undefined ? {} : { currentState: record.currentState }),
    redriveCount: record.redriveCount,
    ...(record.redriveDate === undefined ? {} : { redriveDate: record.redriveDate }),
  };
}

export function toStored(record: ExecutionRecord): StoredExecution {
  const iso = (date: Date | undefined) => date?.toISOString();
  return JSON.parse(
    JSON.stringify({
      name: record.name,
      arn: record.arn,
      input: record.input,
      status: record.status,
      startDate: iso(record.startDate),
      stopDate: iso(record.stopDate),
      output: record.output,
      error: record.error,
      cause: record.cause,
      state: record.taskState,
      stateInput: record.stateInput,
      waiting: record.waiting,
      callback: record.callback,
      redriveCount: record.redriveCount,
      redriveDate: iso(record.redriveDate),
    }),
  ) as StoredExecution;
}

export function fromStored(stored: StoredExecution): ExecutionRecord {
  const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));
  return {
    name: stored.name,
    arn: stored.arn,
    input: stored.input,
    status: stored.status,
    startDate: new Date(stored.startDate),
    stopDate: date(stored.stopDate),
    output: stored.output,
    error: stored.error,
    cause: stored.cause,
    taskState: stored.state,
    currentState: stored.state,
    stateInput: stored.stateInput,
    waiting: stored.waiting,
    callback: stored.callback,
    redriveCount: stored.redriveCount ?? 0,
    redriveDate: date(stored.redriveDate),
    abort: () => {},
    done: Promise.resolve(),
  };
}

export function failureOf(error: unknown): { error: string; cause: string } {
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { error: cause.name, cause: cause.message };
  return { error: 'Error', cause: String(cause) };
}

export function isEqualJson(a: Json, b: Json): boolean {
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
export function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
    if (/\s/.test(char) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(char)) return false;
  }
  return true;
}

/** The runner's progress kept on the execution's record: where a restart or a redrive continues from. */
export function trackProgress(
  recordOf: (execution: TaskExecution) => ExecutionRecord | undefined,
  persist: (record: ExecutionRecord) => Promise<void>,
): TaskProgress {
  return {
    started: (execution, plan, stateInput) => {
      const record = recordOf(execution);
      if (!record) return;
      record.taskState = plan.stateName;
      record.stateInput = stateInput;
      record.waiting = undefined;
      record.callback = undefined;
      void persist(record);
    },
    waiting: (execution, token, deadline) => {
      const record = recordOf(execution);
      if (!record) return;
      record.waiting = { token, ...(deadline === undefined ? {} : { deadline }) };
      void persist(record);
    },
    callback: (execution, outcome) => {
      const record = recordOf(execution);
      if (!record) return Promise.resolve();
      record.waiting = undefined;
      record.callback = outcome;
      return persist(record);
    },
  };
}
