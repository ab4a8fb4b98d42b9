import { randomBytes } from 'node:crypto';
import type { AslJson, AslLike, Json, JsonObject } from './asl-from-template';

/**
 * The definition as the ASL interpreter `aws-local-stepfunctions` gets it, and the errors and task tokens
 * that the local task functions (task-runner.ts) hand back to it.
 *
 * What the interpreter does not do as AWS does, and how the local machine makes up for it:
 * - It runs Lambda tasks only and knows nothing of service integrations: every Task is replaced, by state
 *   name, by a local function (`taskResourceLocalHandlers`) that calls the handler with the `lambda:invoke`
 *   Payload, wraps the result as the integration does (`{Payload, StatusCode: 200}`), and simulates
 *   `.waitForTaskToken` (a minted token, completed by SendTaskSuccess/SendTaskFailure through
 *   `stepFunctionsRoutes`).
 * - It has no `$$.Task.Token`: the context object carries a sentinel that the local function swaps for the
 *   minted token.
 * - Its task timeout is a real-time `setTimeout` (default 60 s instead of none; `TimeoutSecondsPath` read from
 *   the effective Parameters instead of the state input; anything over 24.8 days overflows and fires at
 *   once). Deadlines belong to the local clock instead: the definition is rewritten so the interpreter's own
 *   timer is the longest it accepts and never reached (a waiting task re-arms it well before), and a gate
 *   fails with `States.Timeout` when the local clock passes its deadline (`runDue`, or a background timer).
 */

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** The longest task timeout the interpreter's setTimeout takes without overflowing: 2^31-1 ms, 24.8 days. */
const INTERPRETER_TASK_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);
export const REARM_ERROR = 'LocalStepFunctions.Rearm';
export const ABORTED_ERROR = 'LocalStepFunctions.Aborted';
/** Carries the TimeoutSecondsPath value, read from the state input, into the local task function. */
export const TIMEOUT_PARAMETER = '__localTimeoutSeconds';
/** Carries the state's raw input into the local task function, which keeps it so a restart resumes there. */
export const STATE_INPUT_PARAMETER = '__localStateInput';
/** `$$.Task.Token` as the interpreter resolves it; replaced by the minted token. */
export const TASK_TOKEN_SENTINEL = '__LOCAL_TASK_TOKEN__';

export type Integration = 'invoke' | 'invoke-wait' | 'lambda';

export interface TaskPlan {
  readonly stateName: string;
  readonly integration: Integration;
  readonly handlerName: string;
  readonly timeoutSeconds?: number;
  readonly timeoutPath?: string;
  /** The state's own retriers (the rewritten definition puts the re-arm retrier before them). */
  readonly retriers: number;
  /** Whether the Parameters carry the state input (STATE_INPUT_PARAMETER); else the task input is it. */
  readonly capturesStateInput: boolean;
}

export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

/** A copy of `source` the interpreter can run as AWS would, and the plan of each Task state, by name. */
export function prepareDefinition(
  source: AslLike,
  taskStateHandlers: Readonly<Record<string, string>>,
): { definition: AslJson; tasks: Map<string, TaskPlan> } {
  const definition = JSON.parse(JSON.stringify(source)) as AslJson;
  const unsupported = (what: string) =>
    new UnsupportedDefinitionError(`Not supported by the local runner: ${what}`);
  if (definition.QueryLanguage === 'JSONata') throw unsupported('JSONata');
  // The execution timeout would be a real-time setTimeout again; the playbook has none.
  if (definition.TimeoutSeconds !== undefined) throw unsupported('a state machine TimeoutSeconds');

  const tasks = new Map<string, TaskPlan>();
  for (const [stateName, state] of Object.entries(definition.States)) {
    const where = `state '${stateName}'`;
    if (state.QueryLanguage === 'JSONata') throw unsupported(`JSONata (${where})`);
    if (state.Type === 'Wait' || state.Type === 'Map' || state.Type === 'Parallel') {
      throw unsupported(`${state.Type} states (${where}): the playbook has none`);
    }
    if (state.Type !== 'Task') continue;
    if (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined) {
      throw unsupported(`HeartbeatSeconds (${where})`);
    }

    const resource = String(state.Resource);
    const parameters = state.Parameters ?? null;
    let integration: Integration;
    let functionName: Json | undefined;
    if (resource === LAMBDA_INVOKE || resource === LAMBDA_INVOKE_WAIT) {
      integration = resource === LAMBDA_INVOKE ? 'invoke' : 'invoke-wait';
      functionName = isJsonObject(parameters) ? parameters.FunctionName : undefined;
    } else if (resource.startsWith('arn:aws:lambda:')) {
      integration = 'lambda';
      functionName = resource;
    } else {
      throw unsupported(`Resource ${resource} (${where}): only Lambda invocations run locally`);
    }
    const handlerName =
      taskStateHandlers[stateName] ??
      (typeof functionName === 'string' ? functionNameOf(functionName) : undefined);
    if (!handlerName) throw unsupported(`${where} names no function and has no entry in taskStateHandlers`);

    let timeoutSeconds: number | undefined;
    let timeoutPath: string | undefined;
    if (typeof state.TimeoutSeconds === 'number') timeoutSeconds = state.TimeoutSeconds;
    if (typeof state.TimeoutSecondsPath === 'string') {
      // AWS reads it from the state input; the interpreter would read it from the Parameters' output. The
      // path joins the Parameters so the local task function receives the value as AWS would see it.
      if (!isJsonObject(parameters)) throw unsupported(`TimeoutSecondsPath without Parameters (${where})`);
      timeoutPath = state.TimeoutSecondsPath;
      parameters[`${TIMEOUT_PARAMETER}.$`] = timeoutPath;
    }
    delete state.TimeoutSecondsPath;
    state.TimeoutSeconds = INTERPRETER_TASK_TIMEOUT_SECONDS;
    // The state input, as AWS keeps it for a redrive: the local machine persists it with the execution.
    if (isJsonObject(parameters)) parameters[`${STATE_INPUT_PARAMETER}.$`] = '$';

    const retry = Array.isArray(state.Retry) ? state.Retry : [];
    if (integration === 'invoke-wait') {
      // First, so that no States.ALL / States.TaskFailed retrier or catcher sees the re-arm error.
      state.Retry = [
        { ErrorEquals: [REARM_ERROR], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 99_999_999 },
        ...retry,
      ];
    }
    tasks.set(stateName, {
      stateName,
      integration,
      handlerName,
      timeoutSeconds,
      timeoutPath,
      retriers: retry.length,
      capturesStateInput: isJsonObject(parameters),
    });
  }
  return { definition, tasks };
}

/** `name`, or the name in `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
function functionNameOf(nameOrArn: string): string | undefined {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return /:function:([^:]+)/.exec(nameOrArn)?.[1];
}

// ---- Errors handed to the interpreter (it matches Retry/Catch on `name`) ----

export function taskError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** An error the interpreter neither retries nor catches: it reads these two properties. */
export class UncatchableTaskError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A handler's exception as the lambda:invoke integration reports it: Error = errorType, Cause = the JSON. */
export function lambdaFunctionError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return taskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

// ---- Task tokens ----

/** Opaque to callers; self-describing so that a stale token (e.g. from before a restart) is told from garbage. */
export function mintTaskToken(executionName: string, stateName: string): string {
  const body = { v: 1, e: executionName, s: stateName, n: randomBytes(24).toString('base64url') };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function isTaskTokenFormat(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return false;
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; n?: unknown };
    return body.v === 1 && typeof body.n === 'string';
  } catch {
    return false;
  }
}

export function replaceSentinel(value: Json, token: string): Json {
  if (value === TASK_TOKEN_SENTINEL) return token;
  if (Array.isArray(value)) return value.map((item) => replaceSentinel(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceSentinel(item, token)]),
    );
  }
  return value;
}

// ---- JSON ----

export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

export function isJsonObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
