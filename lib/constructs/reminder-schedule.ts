import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { CosellFunction, type CosellFunctionProps } from './cosell-function';
import { arnWildcardFinding } from './nag-findings';

export interface ReminderScheduleProps {
  /** How often the sweep runs (EventBridge Scheduler `rate(...)`, at least one minute). */
  readonly interval: Duration;
  /** Environment of the sweep function. */
  readonly environment: Record<string, string>;
  /** Overrides for the sweep function (memory, timeout, log retention). */
  readonly functionProps?: Partial<Omit<CosellFunctionProps, 'handlerName' | 'environment'>>;
}

/**
 * The reminder sweep: `reminder-sweep` run by an EventBridge Scheduler schedule every `interval`. It reads
 * the open milestones due for a nudge from the `open-by-due` index and sends reminders and escalations.
 */
export class ReminderSchedule extends Construct {
  public readonly sweepFunction: CosellFunction;
  public readonly schedule: scheduler.Schedule;
  /** The role EventBridge Scheduler assumes to invoke the sweep (granted lambda:InvokeFunction only). */
  public readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: ReminderScheduleProps) {
    super(scope, id);
    this.sweepFunction = new CosellFunction(this, 'SweepFunction', {
      handlerName: 'reminder-sweep',
      timeout: Duration.seconds(60),
      ...props.functionProps,
      environment: props.environment,
    });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Cosell Flow: EventBridge Scheduler invokes the reminder sweep',
    });
    const target = new targets.LambdaInvoke(this.sweepFunction.lambdaFunction, {
      role: this.schedulerRole, // grantInvoke'd by the target
      // A sweep is idempotent and the next one is never more than `interval` away: retry briefly, then drop.
      retryAttempts: 2,
      maxEventAge: Duration.seconds(Math.max(60, Math.min(props.interval.toSeconds(), 86_400))),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(props.interval),
      target,
      description: `Cosell Flow reminder sweep, every ${props.interval.toHumanString()}`,
    });

    // The scheduler's role gets lambda:InvokeFunction from grantInvoke, which also covers versions/aliases.
    Validations.of(this.schedulerRole).acknowledge({
      id: arnWildcardFinding(this.sweepFunction.lambdaFunction, ':*'),
      reason:
        'grantInvoke on the sweep function also allows its versions and aliases (ARN suffix :*); one function only.',
    });
  }
}
