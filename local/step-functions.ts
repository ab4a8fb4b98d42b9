// First: aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
import './polyfills';

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import {
  ExecutionAbortedError,
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { systemClock } from '../lambdas/adapters/clock.adapter';
import type { Clock } from '../lambdas/domain/ports';
import { CosellFlowStack } from '../lib/cosell-flow-stack';
import { loadTenantConfig } from '../lib/tenant-config';
import { FUNCTION_ARN_PLACEHOLDERS, TASK_STATE_HANDLERS } from '../lib/workflow/playbook.definition';
import { AwsServiceError, LOCAL_ACCOUNT_ID } from './aws-emulator';
import { LOCAL_REGION } from './aws-env';

/**
 * The playbook state machine, run in-process by the ASL interpreter `aws-local-stepfunctions`, with each
 * Task state mapped to the same handler code that runs in Lambda.
 *
 * What the interpreter does not do as AWS does, and how this module makes up for it:
 * - It runs Lambda tasks only and knows nothing of service integrations: every Task is replaced by a local
 *   function (`taskResourceLocalHandlers`) that calls the handler with the `lambda:invoke` Payload, wraps
 *   the result as the integration does (`{Payload, StatusCode: 200}`), and simulates `.waitForTaskToken`
 *   (a minted token, completed by SendTaskSuccess/SendTaskFailure through `stepFunctionsRoutes`).
 * - It has no `$$.Task.Token`: the context object carries a sentinel that the local function swaps for the
 *   minted token.
 * - Its task timeout is a real-time `setTimeout` (default 60 s instead of none; `TimeoutSecondsPath` read from
 *   the effective Parameters instead of the state input; anything over 24.8 days overflows and fires at
 *   once). Deadlines belong to the local clock instead: the definition is rewritten so the interpreter's own
 *   timer is the longest it accepts and never reached (a waiting task re-arms it well before), and a gate
 *   fails with `States.Timeout` when the local clock passes its deadline (`runDue`, or a background timer).
 */

// ---------------------------------------------------------------------------------------------------------
// The ASL from the synthesized CloudFormation template
// ---------------------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

/** An ASL document as JSON. */
export interface AslJson {
  StartAt: string;
  States: Record<string, JsonObject>;
  [field: string]: Json;
}

/** Any ASL definition object: the loaded JSON, or the typed one `playbookDefinition()` returns. */
export interface AslLike {
  StartAt: string;
  States: Record<string, object>;
}

/** Tenant settings of the local stack, as CDK context (a `tenants/local.json` would take precedence). */
export const LOCAL_TENANT_CONTEXT = {
  senderAddress: 'deals@cosell-flow.localhost',
  publicBaseUrl: 'http://127.0.0.1:3000',
  defaultTimezone: 'UTC',
} as const;

/**
 * Synthesizes the CDK app's stack for tenant `local` in-process and returns its CloudFormation template.
 * Context `aws:cdk:bundling-stacks: []` makes every stack skip asset bundling (CDK's Stack.bundlingRequired),
 * so no esbuild run: the synth takes seconds and the template's state machine is exactly the deployed one.
 */
export async function synthesizeLocalTemplate(
  options: { tenant?: string; context?: Record<string, unknown> } = {},
): Promise<CfnTemplate> {
  const tenant = options.tenant ?? 'local';
  const context: Record<string, unknown> = {
    'aws:cdk:bundling-stacks': [],
    tenant,
    ...LOCAL_TENANT_CONTEXT,
    ...options.context,
  };
  const outdir = await mkdtemp(join(tmpdir(), 'cosell-flow-synth-'));
  try {
    const app = new App({ outdir, context });
    const config = loadTenantConfig({
      tenant,
      context: (key) => app.node.tryGetContext(key),
      rootDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    const stack = new CosellFlowStack(app, `CosellFlow-${tenant}`, { config });
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** The fake ARN a local function gets: `arn:aws:lambda:us-east-1:000000000000:function:<name>`. */
export function localLambdaArn(functionName: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
}

/**
 * The state machine definition as deployed: the `AWS::StepFunctions::StateMachine` resource's
 * `DefinitionString` with its `DefinitionSubstitutions` applied. `${XxxFunctionArn}` placeholders become
 * local Lambda ARNs named after the handler (`${GateOpenFunctionArn}` -> `...:function:gate-open`).
 */
export function loadPlaybookAsl(template: CfnTemplate, options: { logicalId?: string } = {}): AslJson {
  const resources = template.Resources ?? {};
  const machines = Object.entries(resources).filter(
    ([id, resource]) =>
      resource.Type === 'AWS::StepFunctions::StateMachine' &&
      (!options.logicalId || id === options.logicalId),
  );
  const [found] = machines;
  if (!found || machines.length > 1) {
    const which = options.logicalId ? ` with logical id ${options.logicalId}` : '';
    throw new Error(
      `Expected one AWS::StepFunctions::StateMachine${which} in the template, found ${machines.length}` +
        (machines.length > 1 ? ` (${machines.map(([id]) => id).join(', ')}): pass logicalId` : ''),
    );
  }
  const [logicalId, machine] = found;
  const props = machine.Properties ?? {};

  let text: string;
  if (props.DefinitionString !== undefined) {
    const resolved = resolveIntrinsic(props.DefinitionString, resources);
    if (typeof resolved !== 'string')
      throw new Error(`${logicalId}.DefinitionString does not resolve to a string`);
    text = resolved;
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolveIntrinsic(props.Definition, resources));
  } else {
    throw new Error(
      `${logicalId} has no DefinitionString or Definition (an S3 definition cannot be run locally)`,
    );
  }

  // As CloudFormation does: `${name}` is replaced when `name` is a substitution, left alone otherwise.
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const substituted = text.replace(/\$\{([^}]+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(substitutions, name)
      ? JSON.stringify(substitutionValue(name, substitutions[name], resources)).slice(1, -1)
      : placeholder,
  );

  const asl = JSON.parse(substituted) as AslJson;
  if (typeof asl?.StartAt !== 'string' || typeof asl.States !== 'object' || asl.States === null) {
    throw new Error(`${logicalId}'s definition is not an ASL document (no StartAt or States)`);
  }
  return asl;
}

function substitutionValue(name: string, value: unknown, resources: Record<string, CfnResource>): string {
  if (typeof value === 'string') return value;
  const handler =
    (FUNCTION_ARN_PLACEHOLDERS as Record<string, string>)[name] ??
    /^(.+)FunctionArn$/
      .exec(name)?.[1]
      ?.replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase();
  if (handler) return localLambdaArn(handler);
  const resolved = resolveIntrinsic(value, resources);
  if (typeof resolved !== 'string' && typeof resolved !== 'number') {
    throw new Error(`DefinitionSubstitutions.${name} does not resolve to a string`);
  }
  return String(resolved);
}

/** Resolves the intrinsic functions a definition may hold (Ref, Fn::GetAtt, Fn::Join) to local values. */
function resolveIntrinsic(value: unknown, resources: Record<string, CfnResource>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsic(item, resources));
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [fn, arg] = first;
    if (fn === 'Ref') return resolveRef(String(arg), resources);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
      return resolveGetAtt(String(id), String(attribute), resources);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts
        .map((part) => {
          const resolved = resolveIntrinsic(part, resources);
          if (typeof resolved !== 'string' && typeof resolved !== 'number') {
            throw new Error(`Fn::Join part ${JSON.stringify(part)} does not resolve to a string`);
          }
          return String(resolved);
        })
        .join(separator);
    }
    if (fn.startsWith('Fn::'))
      throw new Error(`${fn} in a state machine definition is not supported locally`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsic(item, resources)]));
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT_ID,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

function resolveRef(id: string, resources: Record<string, CfnResource>): string {
  const pseudo = PSEUDO_PARAMETERS[id];
  if (pseudo) return pseudo;
  if (!resources[id]) throw new Error(`Ref to unknown resource ${id}`);
  return physicalName(id, resources);
}

function resolveGetAtt(id: string, attribute: string, resources: Record<string, CfnResource>): string {
  const resource = resources[id];
  if (!resource) throw new Error(`Fn::GetAtt on unknown resource ${id}`);
  if (attribute !== 'Arn') return `${physicalName(id, resources)}.${attribute}`;
  if (resource.Type === 'AWS::Lambda::Function') return localLambdaArn(physicalName(id, resources));
  return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${physicalName(id, resources)}`;
}

function physicalName(id: string, resources: Record<string, CfnResource>): string {
  const props = resources[id]?.Properties ?? {};
  const name = props.FunctionName ?? props.StateMachineName ?? props.TableName;
  return typeof name === 'string' ? name : id;
}

// ---------------------------------------------------------------------------------------------------------
// The definition as the interpreter gets it
// ---------------------------------------------------------------------------------------------------------

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/** The longest task timeout the interpreter's setTimeout takes without overflowing: 2^31-1 ms, 24.8 days. */
const INTERPRETER_TASK_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);
/** A waiting task hands control back (and is retried at once) before the interpreter's timer can fire. */
const DEFAULT_REAL_TIME_GUARD_MS = 20 * 24 * 60 * 60 * 1000;
const REARM_ERROR = 'LocalStepFunctions.Rearm';
const ABORTED_ERROR = 'LocalStepFunctions.Aborted';
/** Carries the TimeoutSecondsPath value, read from the state input, into the local task function. */
const TIMEOUT_PARAMETER = '__localTimeoutSeconds';
/** `$$.Task.Token` as the interpreter resolves it; replaced by the minted token. */
const TASK_TOKEN_SENTINEL = '__LOCAL_TASK_TOKEN__';
/** How often deadlines are re-checked on real time, so that a clock moved without `runDue` is noticed. */
const DEADLINE_POLL_MS = 60_000;

type Integration = 'invoke' | 'invoke-wait' | 'lambda';

interface TaskPlan {
  readonly stateName: string;
  readonly integration: Integration;
  readonly handlerName: string;
  readonly timeoutSeconds?: number;
  readonly timeoutPath?: string;
  /** The state's own retriers (the rewritten definition puts the re-arm retrier before them). */
  readonly retriers: number;
}

export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}

function prepareDefinition(
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
    });
  }
  return { definition, tasks };
}

/** `name`, or the name in `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`. */
function functionNameOf(nameOrArn: string): string | undefined {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return /:function:([^:]+)/.exec(nameOrArn)?.[1];
}

// ---------------------------------------------------------------------------------------------------------
// Errors handed to the interpreter (it matches Retry/Catch on `name`)
// ---------------------------------------------------------------------------------------------------------

function taskError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** An error the interpreter neither retries nor catches: it reads these two properties. */
class UncatchableTaskError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A handler's exception as the lambda:invoke integration reports it: Error = errorType, Cause = the JSON. */
function lambdaFunctionError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return taskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

// ---------------------------------------------------------------------------------------------------------
// Task tokens
// ---------------------------------------------------------------------------------------------------------

/** Opaque to callers; self-describing so that a stale token (e.g. from before a restart) is told from garbage. */
function mintTaskToken(executionName: string, stateName: string): string {
  const body = { v: 1, e: executionName, s: stateName, n: randomBytes(24).toString('base64url') };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

function isTaskTokenFormat(token: string): boolean {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return false;
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; n?: unknown };
    return body.v === 1 && typeof body.n === 'string';
  } catch {
    return false;
  }
}

function replaceSentinel(value: Json, token: string): Json {
  if (value === TASK_TOKEN_SENTINEL) return token;
  if (Array.isArray(value)) return value.map((item) => replaceSentinel(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceSentinel(item, token)]),
    );
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------------------------------------

/** A Lambda handler as the composition root passes it: the event in, the result out. */
export type TaskHandler = (event: unknown) => Promise<unknown>;

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

/** A `.waitForTaskToken` task waiting for its callback. */
export interface WaitingTask {
  readonly executionName: string;
  readonly stateName: string;
  readonly taskToken: string;
  /** When the local clock fails it with States.Timeout; none without a timeout. */
  readonly deadline?: Date;
}

export interface LocalLogger {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface LocalStateMachineOptions {
  /** The ASL, e.g. `loadPlaybookAsl(await synthesizeLocalTemplate())`. */
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

interface ExecutionRecord {
  readonly name: string;
  readonly arn: string;
  readonly input: Json;
  readonly startDate: Date;
  status: ExecutionStatus;
  output?: Json;
  error?: string;
  cause?: string;
  stopDate?: Date;
  /** The task state it runs or waits in (set as the task starts), then the state it ended in. */
  currentState?: string;
  /** From the interpreter's event log, which is read asynchronously: lags behind. */
  lastEnteredState?: string;
  abort: () => void;
  done: Promise<void>;
  /** The waiting task that handed control back to re-arm the interpreter's timer, to be resumed as is. */
  rearming?: ActiveTask;
}

interface ActiveTask {
  readonly execution: ExecutionRecord;
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
  private readonly handlers: Readonly<Record<string, TaskHandler>>;
  private readonly clock: Clock;
  private readonly logger: LocalLogger;
  private readonly realTimeGuardMs: number;
  private readonly retryIntervalOverrides: Record<string, number[]>;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly active = new Set<ActiveTask>();
  private readonly byToken = new Map<string, ActiveTask>();
  private idleWaiters: (() => void)[] = [];
  private deadlineTimer: NodeJS.Timeout | undefined;
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
    this.handlers = options.handlers;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger;
    this.realTimeGuardMs = options.realTimeGuardMs ?? DEFAULT_REAL_TIME_GUARD_MS;
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
        this.runTask(record, plan, taskInput as Json);
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
    return [...this.active]
      .filter((task) => task.token !== undefined && task.handlerDone)
      .map((task) => ({
        executionName: task.execution.name,
        stateName: task.plan.stateName,
        taskToken: task.token as string,
        ...(task.deadline === undefined ? {} : { deadline: new Date(task.deadline) }),
      }));
  }

  /** SendTaskSuccess: `output` (already parsed JSON) becomes the task's result. */
  sendTaskSuccess(taskToken: string, output: unknown): void {
    this.settle(this.taskFor(taskToken), { value: toJson(output) });
  }

  /** SendTaskFailure: the task fails with Error `error` and Cause `cause` (Retry/Catch match on `error`). */
  sendTaskFailure(taskToken: string, error = '', cause = ''): void {
    this.settle(this.taskFor(taskToken), { error: taskError(error, cause) });
  }

  /**
   * Fails with States.Timeout every task whose deadline the local clock has passed, then resolves when the
   * work that follows has settled (every execution waits for a callback again, or has ended).
   */
  async runDue(): Promise<void> {
    this.fireDue();
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
    clearTimeout(this.deadlineTimer);
    const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.abort();
    for (const task of [...this.active]) {
      this.settle(task, { error: new UncatchableTaskError(ABORTED_ERROR, 'The execution was stopped') });
    }
    await Promise.all(running.map((execution) => execution.done));
    this.checkIdle();
  }

  // ---- tasks ----

  /** The interpreter's replacement for a Task state's resource. */
  private runTask(execution: ExecutionRecord, plan: TaskPlan, input: Json): Promise<Json> {
    if (execution.status !== 'RUNNING' || this.stopped) {
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
      deadline: timeoutSeconds === undefined ? undefined : this.clock.now().getTime() + timeoutSeconds * 1000,
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

  private async invokeHandler(task: ActiveTask, event: Json): Promise<void> {
    const handler = this.handlers[task.plan.handlerName] as TaskHandler;
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
      this.checkIdle();
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
      }, this.realTimeGuardMs);
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

  // ---- deadlines on the local clock ----

  private fireDue(): void {
    const now = this.clock.now().getTime();
    for (const task of [...this.active]) {
      if (task.deadline !== undefined && task.deadline <= now) {
        this.settle(task, { error: taskError('States.Timeout', `Task timed out (${task.plan.stateName})`) });
      }
    }
  }

  /** Real time passes too: fire the next deadline when it comes, re-checking at least every minute. */
  private scheduleDeadlines(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    for (const task of this.active) if (task.deadline !== undefined) next = Math.min(next, task.deadline);
    if (next === Number.POSITIVE_INFINITY) return;
    const delay = Math.min(Math.max(next - this.clock.now().getTime(), 0), DEADLINE_POLL_MS);
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      this.fireDue();
      this.scheduleDeadlines();
    }, delay);
    this.deadlineTimer.unref();
  }

  // ---- executions ----

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
    for (const task of [...this.active]) {
      if (task.execution === record) {
        this.settle(task, { error: new UncatchableTaskError(ABORTED_ERROR, 'The execution has ended') });
      }
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
      if (execution.status !== 'RUNNING') continue;
      let waiting = false;
      for (const task of this.active) {
        if (task.execution === execution && task.token !== undefined && task.handlerDone) waiting = true;
      }
      if (!waiting) return false;
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

function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

function isJsonObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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

// ---------------------------------------------------------------------------------------------------------
// The AWS JSON 1.0 operations, for the local AWS emulator
// ---------------------------------------------------------------------------------------------------------

export type StepFunctionsTarget =
  | 'AWSStepFunctions.StartExecution'
  | 'AWSStepFunctions.DescribeExecution'
  | 'AWSStepFunctions.SendTaskSuccess'
  | 'AWSStepFunctions.SendTaskFailure';

/**
 * Handlers for `emulator.route(target, handler)`: the request body in, the response body out; errors are
 * AwsServiceError with AWS's type (TaskTimedOut, InvalidToken, InvalidOutput, ExecutionAlreadyExists, ...).
 */
export function stepFunctionsRoutes(
  machine: LocalStateMachine,
): Record<StepFunctionsTarget, (body: unknown) => Promise<unknown>> {
  return {
    'AWSStepFunctions.StartExecution': async (body) => {
      const request = requestObject(body);
      const stateMachineArn = requiredString(request, 'stateMachineArn');
      if (stateMachineArn !== machine.stateMachineArn) {
        throw new AwsServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${stateMachineArn}'`,
        );
      }
      const name = optionalString(request, 'name');
      const input = parseJsonMember(request, 'input', 'InvalidExecutionInput') ?? {};
      const execution = machine.startExecution({ ...(name === undefined ? {} : { name }), input });
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },
    'AWSStepFunctions.DescribeExecution': async (body) => {
      const executionArn = requiredString(requestObject(body), 'executionArn');
      const execution = executionArn.startsWith('arn:') ? machine.describeExecution(executionArn) : undefined;
      if (!execution) {
        throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
      }
      return {
        executionArn: execution.executionArn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
        input: JSON.stringify(execution.input),
        inputDetails: { included: true },
        ...(execution.output === undefined
          ? {}
          : { output: JSON.stringify(execution.output), outputDetails: { included: true } }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      };
    },
    'AWSStepFunctions.SendTaskSuccess': async (body) => {
      const request = requestObject(body);
      const taskToken = requiredTaskToken(request);
      if (request.output === undefined) throw validationError('output');
      machine.sendTaskSuccess(taskToken, parseJsonMember(request, 'output', 'InvalidOutput'));
      return {};
    },
    'AWSStepFunctions.SendTaskFailure': async (body) => {
      const request = requestObject(body);
      const taskToken = requiredTaskToken(request);
      machine.sendTaskFailure(taskToken, optionalString(request, 'error'), optionalString(request, 'cause'));
      return {};
    },
  };
}

const epochSeconds = (date: Date) => date.getTime() / 1000;

const validationError = (member: string) =>
  new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint`,
  );

function requestObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AwsServiceError('SerializationException', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function requiredString(request: Record<string, unknown>, member: string): string {
  const value = request[member];
  if (typeof value !== 'string' || value === '') throw validationError(member);
  return value;
}

function optionalString(request: Record<string, unknown>, member: string): string | undefined {
  const value = request[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(member);
  return value;
}

function requiredTaskToken(request: Record<string, unknown>): string {
  const taskToken = requiredString(request, 'taskToken');
  if (taskToken.length > 2048) throw validationError('taskToken');
  return taskToken;
}

function parseJsonMember(request: Record<string, unknown>, member: string, errorType: string): unknown {
  const value = optionalString(request, member);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new AwsServiceError(errorType, `Invalid ${member}: '${member}' is not valid JSON`);
  }
}
