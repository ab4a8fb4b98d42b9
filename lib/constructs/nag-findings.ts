import { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledges each finding by its exact id, e.g. `AwsSolutions-IAM5[Resource::<Fn1234.Arn>:*]`,
 * where `<Fn1234.Arn>` is how cdk-nag prints `Fn::GetAtt` of the resource. These helpers build those ids
 * from the constructs themselves so acknowledgements follow renamed constructs.
 */

/** CloudFormation logical id of a construct (an L1, or an L2 through its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to name`);
  }
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** IAM5 finding for a wildcard on an ARN attribute: `arnWildcardFinding(table, '/index/*')`. */
export function arnWildcardFinding(construct: IConstruct, suffix: string): string {
  return `AwsSolutions-IAM5[Resource::<${logicalIdOf(construct)}.Arn>${suffix}]`;
}

/** IAM5 finding for `stateMachine.grantExecution(...)`: every execution of that one state machine. */
export function executionWildcardFinding(stateMachine: IConstruct): string {
  const name = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(stateMachine)}"}]}]}`;
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${name}:*]`;
}
