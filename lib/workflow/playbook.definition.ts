/**
 * The playbook as Amazon States Language: a pure function with no CDK import, so tests and the local
 * runtime render exactly what the stack deploys (docs/design.md, "The state machine").
 *
 * Function ARNs are `${...FunctionArn}` placeholders: the PlaybookWorkflow construct resolves them through
 * `definitionSubstitutions`; the local runtime maps Task states to handler code with TASK_STATE_HANDLERS.
 */

import { STAGE_KEYS, type StageKey } from '../../lambdas/domain/vocabulary';

/** The five stage keys in playbook order (the one list lives in lambdas/schemas/plan.schema.ts). */
export const PLAYBOOK_STAGE_KEYS = STAGE_KEYS;
export type PlaybookStageKey = StageKey;

/** The handler entries (`lambdas/handlers/<name>.ts`) that run as state machine tasks. */
export type TaskHandlerName = 'gate-deadline' | 'gate-open' | 'gate-escalate' | 'register-deal';

/** Placeholder name (as in `${GateOpenFunctionArn}`) -> the handler whose function ARN replaces it. */
export const FUNCTION_ARN_PLACEHOLDERS = {
  GateDeadlineFunctionArn: 'gate-deadline',
  GateOpenFunctionArn: 'gate-open',
  GateEscalateFunctionArn: 'gate-escalate',
  RegisterDealFunctionArn: 'register-deal',
} as const satisfies Record<string, TaskHandlerName>;

export type FunctionArnPlaceholder = keyof typeof FUNCTION_ARN_PLACEHOLDERS;

export const STATE_NAMES = {
  start: 'Start',
  setDeadline: (stage: PlaybookStageKey) => `Set deadline: ${stage}`,
  awaitGate: (stage: PlaybookStageKey) => `Await gate: ${stage}`,
  escalate: (stage: PlaybookStageKey) => `Escalate: ${stage}`,
  gateOutcome: (stage: PlaybookStageKey) => `Gate outcome: ${stage}`,
  registerWon: 'Register won deal',
  registerLost: 'Register lost deal',
  dealWon: 'Deal won',
  dealLost: 'Deal lost',
} as const;

/** Task state name -> handler entry name; the local runtime runs this handler for that state. */
export const TASK_STATE_HANDLERS: Readonly<Record<string, TaskHandlerName>> = Object.fromEntries([
  ...PLAYBOOK_STAGE_KEYS.flatMap((stage) => [
    [STATE_NAMES.setDeadline(stage), 'gate-deadline'],
    [STATE_NAMES.awaitGate(stage), 'gate-open'],
    [STATE_NAMES.escalate(stage), 'gate-escalate'],
  ]),
  [STATE_NAMES.registerWon, 'register-deal'],
  [STATE_NAMES.registerLost, 'register-deal'],
]);

// ---- A small typed subset of ASL: the parts this definition uses. ----

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  BackoffRate: number;
  MaxAttempts: number;
  MaxDelaySeconds?: number;
  JitterStrategy: 'FULL' | 'NONE';
}

export interface AslCatcher {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

export interface AslTaskState {
  Type: 'Task';
  Comment?: string;
  Resource: string;
  Parameters: Record<string, unknown>;
  ResultSelector?: Record<string, string>;
  ResultPath: string | null;
  TimeoutSecondsPath?: string;
  Retry: AslRetrier[];
  Catch?: AslCatcher[];
  Next: string;
}

export interface AslChoiceRule {
  Variable?: string;
  StringEquals?: string;
  IsPresent?: boolean;
  Not?: AslChoiceRule;
  Next?: string;
}

export interface AslChoiceState {
  Type: 'Choice';
  Comment?: string;
  Choices: AslChoiceRule[];
  Default: string;
}

export interface AslSucceedState {
  Type: 'Succeed';
  Comment?: string;
}

export type AslState = AslTaskState | AslChoiceState | AslSucceedState;

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_INVOKE_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** Transient Lambda service errors, retried on every lambda:invoke task (2 s, x2, 6 attempts, full jitter). */
export const LAMBDA_RETRY: AslRetrier = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  JitterStrategy: 'FULL',
};

/**
 * The name a task handler gives an error that passes (lambdas/domain/errors.ts `TransientError`): AWS
 * throttling, a 5xx or a timeout from any service, an email SES deferred, a lost optimistic-lock race, an
 * effect another invocation holds. The lambda:invoke integration reports a function's error by its name.
 */
export const TRANSIENT_ERROR = 'TransientError';

/**
 * Application errors that pass, retried on every task with a longer backoff than Lambda's own (5 s, x2, up
 * to 2 minutes apart, 8 attempts: about 8 minutes in all). `TransientError` is what the handlers throw;
 * the others are the same conditions when they escape unwrapped, and the function dying or timing out.
 * A permanent failure is never thrown: the handler records `needsAttention` on the deal and returns, so
 * the execution waits at the same gate. If the retries run out the execution fails; the failed-executions
 * alarm fires and the reconciler in the reminder sweep redrives it (docs/design.md, "The state machine").
 */
export const TRANSIENT_RETRY: AslRetrier = {
  ErrorEquals: [
    TRANSIENT_ERROR,
    'DeliveryDeferredError',
    'EffectInProgressError',
    'ConcurrentUpdateError',
    'ThrottlingException',
    'ProvisionedThroughputExceededException',
    'RequestLimitExceeded',
    'TransactionConflictException',
    'InternalServerError',
    'ServiceUnavailable',
    'InternalFailure',
    'TimeoutError',
    'Sandbox.Timedout',
    'Lambda.Unknown',
  ],
  IntervalSeconds: 5,
  BackoffRate: 2,
  MaxAttempts: 8,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
};

/**
 * Sent as a task failure by the reconciler to a waiting gate after a fix (`cosell plan retry`, an amended
 * address): the gate's task runs again at once with a new token, and sends what is still unsent.
 */
export const GATE_RETRY_ERROR = 'GateRetry';
export const GATE_RETRY: AslRetrier = {
  ErrorEquals: [GATE_RETRY_ERROR],
  IntervalSeconds: 1,
  BackoffRate: 1,
  MaxAttempts: 20,
  JitterStrategy: 'NONE',
};

/** What every Task state retries: Lambda's own errors, then the transient application errors. */
const taskRetry = (): AslRetrier[] => [
  { ...LAMBDA_RETRY, ErrorEquals: [...LAMBDA_RETRY.ErrorEquals] },
  { ...TRANSIENT_RETRY, ErrorEquals: [...TRANSIENT_RETRY.ErrorEquals] },
];

const placeholder = (name: FunctionArnPlaceholder) => `\${${name}}`;

/** `{timeoutSeconds, escalations}` from gate-deadline / gate-escalate, stored in `$.gate`. */
const GATE_RESULT_SELECTOR = {
  'timeoutSeconds.$': '$.Payload.timeoutSeconds',
  'escalations.$': '$.Payload.escalations',
};

function stageStates(stage: PlaybookStageKey, next: string): Record<string, AslState> {
  return {
    [STATE_NAMES.setDeadline(stage)]: {
      Type: 'Task',
      Comment: `Opens stage ${stage} and computes how long its gate may wait before escalating.`,
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: placeholder('GateDeadlineFunctionArn'),
        Payload: { 'planId.$': '$.planId', stage },
      },
      ResultSelector: GATE_RESULT_SELECTOR,
      ResultPath: '$.gate',
      Retry: taskRetry(),
      Next: STATE_NAMES.awaitGate(stage),
    },
    [STATE_NAMES.awaitGate(stage)]: {
      Type: 'Task',
      Comment: `Sends the gate links and waits for the callback {"outcome": "passed" | "lost"}.`,
      Resource: LAMBDA_INVOKE_WAIT,
      Parameters: {
        FunctionName: placeholder('GateOpenFunctionArn'),
        Payload: {
          'planId.$': '$.planId',
          stage,
          'taskToken.$': '$$.Task.Token',
          'escalations.$': '$.gate.escalations',
          // Stored with the token, so the reconciler knows which execution waits at this gate.
          'executionArn.$': '$$.Execution.Id',
        },
      },
      TimeoutSecondsPath: '$.gate.timeoutSeconds',
      ResultPath: '$.gateResult',
      Retry: [...taskRetry(), { ...GATE_RETRY, ErrorEquals: [...GATE_RETRY.ErrorEquals] }],
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: STATE_NAMES.escalate(stage) },
      ],
      Next: STATE_NAMES.gateOutcome(stage),
    },
    [STATE_NAMES.escalate(stage)]: {
      Type: 'Task',
      Comment: 'The gate timed out: escalate up the escalation path, then wait again (never fails the deal).',
      Resource: LAMBDA_INVOKE,
      Parameters: {
        FunctionName: placeholder('GateEscalateFunctionArn'),
        Payload: { 'planId.$': '$.planId', stage, 'escalations.$': '$.gate.escalations' },
      },
      ResultSelector: GATE_RESULT_SELECTOR,
      ResultPath: '$.gate',
      Retry: taskRetry(),
      Next: STATE_NAMES.awaitGate(stage),
    },
    [STATE_NAMES.gateOutcome(stage)]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.gateResult.outcome', StringEquals: 'lost', Next: STATE_NAMES.registerLost }],
      Default: next,
    },
  };
}

function registerState(outcome: 'won' | 'lost', next: string): AslTaskState {
  return {
    Type: 'Task',
    Comment: `Records the ${outcome} outcome and publishes the registration event.`,
    Resource: LAMBDA_INVOKE,
    Parameters: {
      FunctionName: placeholder('RegisterDealFunctionArn'),
      Payload: { 'planId.$': '$.planId', outcome },
    },
    ResultSelector: { 'result.$': '$.Payload' },
    ResultPath: '$.registration',
    Retry: taskRetry(),
    Next: next,
  };
}

/** The playbook state machine. Execution input: `{"planId": "...", "resumeStage"?: "<stage key>"}`. */
export function playbookDefinition(): AslDefinition {
  const first = PLAYBOOK_STAGE_KEYS[0];
  const states: Record<string, AslState> = {
    [STATE_NAMES.start]: {
      Type: 'Choice',
      Comment: 'Resume at $.resumeStage when given, else start at the first stage.',
      Choices: [
        // Checked first: a Choice rule on an absent path is a runtime error, and rules are tried in order.
        { Not: { Variable: '$.resumeStage', IsPresent: true }, Next: STATE_NAMES.setDeadline(first) },
        ...PLAYBOOK_STAGE_KEYS.map((stage) => ({
          Variable: '$.resumeStage',
          StringEquals: stage,
          Next: STATE_NAMES.setDeadline(stage),
        })),
      ],
      Default: STATE_NAMES.setDeadline(first),
    },
  };

  PLAYBOOK_STAGE_KEYS.forEach((stage, i) => {
    const following = PLAYBOOK_STAGE_KEYS[i + 1];
    Object.assign(
      states,
      stageStates(stage, following ? STATE_NAMES.setDeadline(following) : STATE_NAMES.registerWon),
    );
  });

  states[STATE_NAMES.registerWon] = registerState('won', STATE_NAMES.dealWon);
  states[STATE_NAMES.registerLost] = registerState('lost', STATE_NAMES.dealLost);
  states[STATE_NAMES.dealWon] = { Type: 'Succeed' };
  states[STATE_NAMES.dealLost] = { Type: 'Succeed' };

  return {
    Comment: 'Cosell Flow playbook: five gated stages, escalation on gate timeout, registration at the end.',
    StartAt: STATE_NAMES.start,
    States: states,
  };
}
