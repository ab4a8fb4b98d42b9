import { AwsServiceError } from '../aws-emulator';
import type { LocalStateMachine } from './local-machine';

/** The AWS JSON 1.0 operations of Step Functions that the handlers call, for the local AWS emulator. */

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
