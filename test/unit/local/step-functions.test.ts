import '../../../local/polyfills';

import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  LocalStateMachine,
  loadPlaybookAsl,
  localLambdaArn,
  UnsupportedDefinitionError,
} from '../../../local/step-functions';

const lambdaInvoke = (functionName: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  End: true,
});

/** `${name}`, as CloudFormation DefinitionSubstitutions placeholders are written. */
const placeholder = (name: string) => `\${${name}}`;

function templateWith(
  properties: Record<string, unknown>,
  extra: CfnTemplate['Resources'] = {},
): CfnTemplate {
  return {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'named-fn' } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: properties },
      ...extra,
    },
  };
}

describe('loadPlaybookAsl', () => {
  it('applies DefinitionSubstitutions: function ARN placeholders become local functions named after the handler', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { ...lambdaInvoke(placeholder('GateOpenFunctionArn')), End: undefined, Next: 'B' },
        B: { ...lambdaInvoke(placeholder('SomeOtherFunctionArn')), End: undefined, Next: 'C' },
        C: {
          Type: 'Pass',
          Result: {
            table: placeholder('TableArn'),
            literal: placeholder('Literal'),
            kept: placeholder('NotSubstituted'),
          },
          End: true,
        },
      },
    };
    const asl = loadPlaybookAsl(
      templateWith({
        DefinitionString: JSON.stringify(definition),
        DefinitionSubstitutions: {
          GateOpenFunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
          SomeOtherFunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] },
          TableArn: { 'Fn::GetAtt': ['Table', 'Arn'] },
          Literal: 'as "given"',
        },
      }),
    );

    expect(asl.States.A?.Parameters).toMatchObject({ FunctionName: localLambdaArn('gate-open') });
    expect(asl.States.B?.Parameters).toMatchObject({ FunctionName: localLambdaArn('some-other') });
    expect(asl.States.C?.Result).toEqual({
      table: 'arn:aws:local:us-east-1:000000000000:Table',
      literal: 'as "given"',
      kept: placeholder('NotSubstituted'),
    });
    expect(localLambdaArn('gate-open')).toBe('arn:aws:lambda:us-east-1:000000000000:function:gate-open');
  });

  it('resolves a DefinitionString built with Fn::Join, Ref and Fn::GetAtt', () => {
    const asl = loadPlaybookAsl(
      templateWith({
        DefinitionString: {
          'Fn::Join': [
            '',
            [
              '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
              { 'Fn::GetAtt': ['Fn', 'Arn'] },
              '","Comment":"in ',
              { Ref: 'AWS::Region' },
              '","End":true}}}',
            ],
          ],
        },
      }),
    );
    expect(asl.States.A).toEqual({
      Type: 'Task',
      Resource: localLambdaArn('named-fn'),
      Comment: 'in us-east-1',
      End: true,
    });
  });

  it('needs exactly one state machine, or its logical id', () => {
    const other = {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: { Definition: { StartAt: 'X', States: {} } },
    };
    const two = templateWith({ DefinitionString: '{"StartAt":"A","States":{}}' }, { Other: other });

    expect(() => loadPlaybookAsl({ Resources: {} })).toThrow(/found 0/);
    expect(() => loadPlaybookAsl(two)).toThrow(/found 2 \(Machine, Other\): pass logicalId/);
    expect(loadPlaybookAsl(two, { logicalId: 'Other' }).StartAt).toBe('X');
    expect(() => loadPlaybookAsl(templateWith({ DefinitionS3Location: {} }))).toThrow(/S3 definition/);
  });
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

describe('Promise.withResolvers polyfill', () => {
  it('exists and settles its promise', async () => {
    const { promise, resolve } = (
      Promise as unknown as { withResolvers: <T>() => { promise: Promise<T>; resolve: (v: T) => void } }
    ).withResolvers<number>();
    resolve(42);
    await expect(promise).resolves.toBe(42);
  });
});

// Canaries: the interpreter quirks local/step-functions.ts works around. If one fails, the library changed and
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
