import { AwsServiceError } from '../aws-emulator';
import type { FaultPlan } from '../faults';
import type { ExecutionDescription, ExecutionStatus, LocalStateMachine } from './local-machine';

/** The AWS JSON 1.0 operations of Step Functions that the handlers call, for the local AWS emulator. */

export type StepFunctionsTarget =
  | 'AWSStepFunctions.StartExecution'
  | 'AWSStepFunctions.DescribeExecution'
  | 'AWSStepFunctions.ListExecutions'
  | 'AWSStepFunctions.RedriveExecution'
  | 'AWSStepFunctions.SendTaskSuccess'
  | 'AWSStepFunctions.SendTaskFailure';

/** What ListExecutions accepts as statusFilter (the local machine has no TIMED_OUT or PENDING_REDRIVE ones). */
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/**
 * Handlers for `emulator.route(target, handler)`: the request body in, the response body out; errors are
 * AwsServiceError with AWS's type (TaskTimedOut, InvalidToken, InvalidOutput, ExecutionAlreadyExists, ...).
 * `faults.sfn.failCallbacks` makes the next callbacks answer 500 ServiceUnavailable, without effect.
 */
export function stepFunctionsRoutes(
  machine: LocalStateMachine,
  options: { faults?: FaultPlan } = {},
): Record<StepFunctionsTarget, (body: unknown) => Promise<unknown>> {
  const failCallback = () => {
    if (options.faults?.take('sfn', 'failCallbacks')) {
      throw new AwsServiceError(
        'ServiceUnavailable',
        'Service Unavailable (injected by POST /_local/faults)',
        500,
      );
    }
  };
  const executionOf = (body: unknown) => {
    const executionArn = requiredString(requestObject(body), 'executionArn');
    const execution = executionArn.startsWith('arn:') ? machine.describeExecution(executionArn) : undefined;
    if (!execution) {
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    return execution;
  };
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
      await machine.flush(); // kept before it is acknowledged
      return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
    },
    'AWSStepFunctions.DescribeExecution': async (body) => {
      const execution = executionOf(body);
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
        redriveCount: execution.redriveCount,
        ...(execution.redriveDate ? { redriveDate: epochSeconds(execution.redriveDate) } : {}),
        redriveStatus: redrivable(execution) ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
        ...(redrivable(execution) ? {} : { redriveStatusReason: `Execution is ${execution.status}` }),
      };
    },
    'AWSStepFunctions.ListExecutions': async (body) => {
      const request = requestObject(body);
      const stateMachineArn = requiredString(request, 'stateMachineArn');
      if (stateMachineArn !== machine.stateMachineArn) {
        throw new AwsServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${stateMachineArn}'`,
        );
      }
      const statusFilter = optionalString(request, 'statusFilter');
      if (statusFilter !== undefined && !STATUSES.includes(statusFilter))
        throw validationError('statusFilter');
      const max = request.maxResults === undefined ? 100 : Number(request.maxResults);
      if (!Number.isInteger(max) || max < 0 || max > 1000) throw validationError('maxResults');
      const from = Number(optionalString(request, 'nextToken') ?? 0);
      // Newest first, as AWS lists them; nextToken is the offset of the next page.
      const all = machine.listExecutions(statusFilter as ExecutionStatus | undefined).reverse();
      const page = all.slice(from, from + (max || 100));
      const next = from + page.length < all.length ? String(from + page.length) : undefined;
      return {
        executions: page.map((execution) => ({
          executionArn: execution.executionArn,
          stateMachineArn: execution.stateMachineArn,
          name: execution.name,
          status: execution.status,
          startDate: epochSeconds(execution.startDate),
          ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
          redriveCount: execution.redriveCount,
          ...(execution.redriveDate ? { redriveDate: epochSeconds(execution.redriveDate) } : {}),
        })),
        ...(next ? { nextToken: next } : {}),
      };
    },
    'AWSStepFunctions.RedriveExecution': async (body) => {
      const execution = executionOf(body);
      const { redriveDate } = machine.redriveExecution(execution.executionArn);
      await machine.flush();
      return { redriveDate: epochSeconds(redriveDate) };
    },
    'AWSStepFunctions.SendTaskSuccess': async (body) => {
      const request = requestObject(body);
      const taskToken = requiredTaskToken(request);
      if (request.output === undefined) throw validationError('output');
      const output = parseJsonMember(request, 'output', 'InvalidOutput');
      failCallback();
      await machine.sendTaskSuccess(taskToken, output);
      return {};
    },
    'AWSStepFunctions.SendTaskFailure': async (body) => {
      const request = requestObject(body);
      const taskToken = requiredTaskToken(request);
      failCallback();
      await machine.sendTaskFailure(
        taskToken,
        optionalString(request, 'error'),
        optionalString(request, 'cause'),
      );
      return {};
    },
  };
}

const redrivable = (execution: ExecutionDescription) =>
  execution.status === 'FAILED' || execution.status === 'ABORTED';

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
