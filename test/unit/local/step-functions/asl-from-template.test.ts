import { describe, expect, it } from 'vitest';
import { playbookDefinition, TASK_STATE_HANDLERS } from '../../../../lib/workflow/playbook.definition';
import {
  type CfnTemplate,
  loadPlaybookAsl,
  localLambdaArn,
  localPlaybookAsl,
} from '../../../../local/step-functions/asl-from-template';

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

describe('localPlaybookAsl', () => {
  it('is playbookDefinition() with every function ARN placeholder resolved to a local function', () => {
    // Act
    const asl = localPlaybookAsl();

    // Assess
    expect(JSON.stringify(asl)).not.toContain('${');
    expect(asl.StartAt).toBe(playbookDefinition().StartAt);
    expect(Object.keys(asl.States)).toEqual(Object.keys(playbookDefinition().States));
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Parameters).toMatchObject({
        FunctionName: localLambdaArn(TASK_STATE_HANDLERS[name] ?? ''),
      });
    }
  });
});
