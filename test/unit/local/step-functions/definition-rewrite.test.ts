import '../../../../local/polyfills';

import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { localLambdaArn } from '../../../../local/step-functions/asl-from-template';
import { UnsupportedDefinitionError } from '../../../../local/step-functions/definition-rewrite';
import { LocalStateMachine } from '../../../../local/step-functions/local-machine';

const lambdaInvoke = (functionName: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  End: true,
});

describe('LocalStateMachine definition checks', () => {
  const handlers = { fn: async () => ({}) };
  const machineWith = (states: Record<string, object>, extra: Record<string, unknown> = {}) =>
    new LocalStateMachine({
      definition: { StartAt: Object.keys(states)[0] ?? '', States: states, ...extra },
      handlers,
    });

  it('accepts lambda:invoke, .waitForTaskToken and plain Lambda ARN tasks', () => {
    expect(() =>
      machineWith({
        A: { ...lambdaInvoke(localLambdaArn('fn')), End: undefined, Next: 'B' },
        B: {
          ...lambdaInvoke('fn'),
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          End: undefined,
          Next: 'C',
        },
        C: { Type: 'Task', Resource: localLambdaArn('fn'), End: true },
      }),
    ).not.toThrow();
  });

  it('names the handlers that were not passed', () => {
    expect(() => machineWith({ A: lambdaInvoke(localLambdaArn('missing')) })).toThrow(
      /No handler passed for: missing/,
    );
  });

  it.each([
    ['Wait states', { A: { Type: 'Wait', Seconds: 5, End: true } }, {}],
    ['Map states', { A: { Type: 'Map', ItemProcessor: { StartAt: 'B', States: {} }, End: true } }, {}],
    ['HeartbeatSeconds', { A: { ...lambdaInvoke('fn'), HeartbeatSeconds: 60 } }, {}],
    ['only Lambda', { A: { ...lambdaInvoke('fn'), Resource: 'arn:aws:states:::dynamodb:putItem' } }, {}],
    ['JSONata', { A: lambdaInvoke('fn') }, { QueryLanguage: 'JSONata' }],
    ['TimeoutSeconds', { A: lambdaInvoke('fn') }, { TimeoutSeconds: 60 }],
  ])('refuses what it cannot run as AWS does: %s', (message, states, extra) => {
    expect(() => machineWith(states, extra)).toThrow(UnsupportedDefinitionError);
    expect(() => machineWith(states, extra)).toThrow(message);
  });
});

// Canaries: the interpreter quirks definition-rewrite.ts works around. If one fails, the library changed and
// the workaround may go.
describe('aws-local-stepfunctions quirks', () => {
  const waitingTask = (extra: object): StateMachineDefinition => ({
    StartAt: 'Wait',
    States: {
      Wait: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: 'fn', Payload: {} },
        ...extra,
        End: true,
      },
    },
  });
  const never = () => new Promise<never>(() => {});

  it('fires a task timeout above 24.8 days at once (setTimeout overflow)', async () => {
    const run = new StateMachine(waitingTask({ TimeoutSeconds: 30 * 24 * 3600 })).run(
      {},
      { overrides: { taskResourceLocalHandlers: { Wait: never } } },
    );
    await expect(run.result).rejects.toMatchObject({ cause: { name: 'States.Timeout' } });
  });

  it('reads TimeoutSecondsPath from the Parameters output, not the state input', async () => {
    const run = new StateMachine(waitingTask({ TimeoutSecondsPath: '$.gate.timeoutSeconds' })).run(
      { gate: { timeoutSeconds: 60 } },
      { overrides: { taskResourceLocalHandlers: { Wait: never } } },
    );
    await expect(run.result).rejects.toMatchObject({ cause: { name: 'States.Runtime' } });
  });
});
