import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface TenantEventBusProps {
  /** @default - `cosell-flow-<tenant>` is passed by the stack; otherwise generated */
  readonly eventBusName?: string;
  /** How long the archive keeps every event for replay. @default Duration.days(365) */
  readonly archiveRetention?: Duration;
}

/**
 * The tenant's own EventBridge bus, where Cosell Flow publishes its events (plan started, stage advanced,
 * milestone slipped, escalated, deal registered or closed lost) for CRMs, partner portals and reporting.
 * Every event is archived for replay. Cosell Flow's own rules (announce; channels and ACE when configured)
 * and a tenant's give their targets `targetDefaults(scope)`, so an event a target cannot take lands in the
 * dead-letter queue, whose alarm says so.
 */
export class TenantEventBus extends Construct {
  public readonly eventBus: events.EventBus;
  /** Every event put on the bus, kept `archiveRetention` for `aws events start-replay`. */
  public readonly archive: events.Archive;
  /** Where EventBridge puts an event a rule's target did not take after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** In alarm while the dead-letter queue holds any message. Add an action (SNS, chat) to be told. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TenantEventBusProps = {}) {
    super(scope, id);
    this.eventBus = new events.EventBus(this, 'Bus', {
      ...(props.eventBusName ? { eventBusName: props.eventBusName } : {}),
      description:
        'Cosell Flow deal events (plan started, stage advanced, slips, escalations, registrations)',
    });

    this.archive = this.eventBus.archive('Archive', {
      description: 'Every Cosell Flow event on this bus, for replay to a new or repaired consumer',
      eventPattern: { account: [Stack.of(this).account] },
      retention: props.archiveRetention ?? Duration.days(365),
    });

    // SSE-SQS, not KMS: EventBridge cannot use the AWS managed aws/sqs key, and this queue holds only
    // copies of events that the archive keeps anyway.
    this.deadLetterQueue = new sqs.Queue(this, 'TargetDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the event bus rules’ targets.',
    });
    // Any rule on this bus (and only on it) may dead-letter here, whichever stack defines the rule: CDK's
    // own per-rule grant cannot reach this queue's policy from another stack without a dependency cycle.
    const rules = Stack.of(this).formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: `${this.eventBus.eventBusName}/*`,
    });
    this.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'RulesOnTheTenantBusDeadLetter',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.deadLetterQueue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': rules } },
      }),
    );

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'An event on the Cosell Flow bus did not reach a target after its retries: see the dead-letter ' +
        'queue (each message carries the error in its attributes), fix the target, then replay from the archive ' +
        "to that rule alone. The announce function's need no replay: the reminder sweep sends what it could not.",
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The retry policy and dead-letter queue for the target of a rule on this bus defined in `scope`:
   * `new targets.X(resource, { ...eventBus.targetDefaults(this) })`. From another stack the queue
   * is imported by ARN, so CDK does not add a per-rule statement to its policy (that would make the stacks
   * depend on each other both ways); the policy above already admits every rule on the bus.
   */
  public targetDefaults(scope: Construct): targets.TargetBaseProps {
    const local = Stack.of(scope) === Stack.of(this);
    const id = 'CosellFlowEventsDeadLetterQueue';
    const deadLetterQueue = local
      ? this.deadLetterQueue
      : ((scope.node.tryFindChild(id) as sqs.IQueue | undefined) ??
        sqs.Queue.fromQueueArn(scope, id, this.deadLetterQueue.queueArn));
    return { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) };
  }

  /** events:PutEvents on this bus only. */
  public grantPutEventsTo(grantee: iam.IGrantable): iam.Grant {
    return this.eventBus.grantPutEventsTo(grantee);
  }
}
