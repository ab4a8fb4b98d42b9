import { Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  FUNCTION_ARN_PLACEHOLDERS,
  type FunctionArnPlaceholder,
  playbookDefinition,
  type TaskHandlerName,
} from '../workflow/playbook.definition';
import { CosellFunction, type CosellFunctionProps } from './cosell-function';
import { arnWildcardFinding, executionWildcardFinding } from './nag-findings';

export interface PlaybookWorkflowProps {
  /** Physical name of the state machine; also how task functions address it (see `grantTaskResponse`). */
  readonly stateMachineName: string;
  /** Environment of the task functions. */
  readonly environment: Record<string, string>;
  /** @default RetentionDays.ONE_MONTH (state machine and task function logs) */
  readonly logRetention?: logs.RetentionDays;
  /** Overrides for the task functions (memory, timeout). */
  readonly functionProps?: Partial<Omit<CosellFunctionProps, 'handlerName' | 'environment' | 'logRetention'>>;
}

const TASK_HANDLERS: readonly TaskHandlerName[] = [
  'gate-deadline',
  'gate-open',
  'gate-escalate',
  'register-deal',
];

/**
 * The playbook: a Standard state machine rendered from `playbookDefinition()`, plus the four Lambda
 * functions its Task states invoke. Logs errors only and never execution data (state input and output hold
 * every task token and the plan's names and emails); traces with X-Ray. Execution history keeps the data,
 * readable by whoever may call states:GetExecutionHistory.
 */
export class PlaybookWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  /** The task functions by handler name: gate-deadline, gate-open, gate-escalate, register-deal. */
  public readonly functions: Readonly<Record<TaskHandlerName, CosellFunction>>;
  /**
   * The same state machine addressed by its name rather than by reference. A function the state machine
   * invokes cannot be granted on `stateMachine` itself: its policy would reference the state machine, whose
   * definition references the function (a CloudFormation dependency cycle).
   */
  public readonly stateMachineByName: sfn.IStateMachine;

  constructor(scope: Construct, id: string, props: PlaybookWorkflowProps) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.functions = Object.fromEntries(
      TASK_HANDLERS.map((handlerName) => [
        handlerName,
        new CosellFunction(this, pascal(handlerName), {
          ...props.functionProps,
          handlerName,
          environment: props.environment,
          logRetention: retention,
        }),
      ]),
    ) as Record<TaskHandlerName, CosellFunction>;

    // The vendedlogs prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy.
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention,
    });

    const definitionSubstitutions = Object.fromEntries(
      (Object.entries(FUNCTION_ARN_PLACEHOLDERS) as [FunctionArnPlaceholder, TaskHandlerName][]).map(
        ([placeholder, handlerName]) => [placeholder, this.functions[handlerName].lambdaFunction.functionArn],
      ),
    );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(JSON.stringify(playbookDefinition())),
      definitionSubstitutions,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: false },
      tracingEnabled: true,
    });

    for (const fn of Object.values(this.functions)) {
      fn.lambdaFunction.grantInvoke(this.stateMachine);
      Validations.of(this.stateMachine).acknowledge({
        id: arnWildcardFinding(fn.lambdaFunction, ':*'),
        reason: `grantInvoke on the ${fn.handlerName} task function also allows its versions and aliases (ARN suffix :*).`,
      });
    }

    this.stateMachineByName = sfn.StateMachine.fromStateMachineName(
      this,
      'StateMachineByName',
      props.stateMachineName,
    );

    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF1',
      reason:
        'Logs ERROR events only, without execution data: state input and output carry every task token (a ' +
        'capability to pass a gate) and the names and emails of the plan. Each execution history keeps them.',
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK grants for Step Functions logging (logs:CreateLogDelivery, ... which support only Resource "*") ' +
        'and X-Ray tracing (xray:PutTraceSegments, ... Resource "*").',
    });
  }

  /** states:StartExecution, for the API that starts one execution per plan. */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /**
   * What the reconciler in the reminder sweep needs to find and restart a deal's execution: StartExecution
   * and ListExecutions on the state machine; DescribeExecution, GetExecutionHistory and RedriveExecution on
   * its executions. Not for a task function (it would need the name, as in `grantTaskResponse`).
   */
  public grantReconcile(grantee: CosellFunction): iam.Grant {
    const machine = this.stateMachine.grant(grantee, 'states:StartExecution', 'states:ListExecutions');
    const executions = this.stateMachine.grantExecution(
      grantee,
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:RedriveExecution',
    );
    Validations.of(grantee.role).acknowledge({
      id: executionWildcardFinding(this.stateMachine),
      reason:
        'The reconciler describes and redrives the executions of the playbook state machine, whose names ' +
        '(one per plan) are not known at deploy time: execution:<state machine name>:*, this state machine only.',
    });
    return machine.combine(executions);
  }

  /**
   * states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat, for whoever completes a gate. Granted on the
   * state machine by name, so it also works for the task functions themselves (no dependency cycle).
   */
  public grantTaskResponse(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachineByName.grantTaskResponse(grantee);
  }
}

const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
