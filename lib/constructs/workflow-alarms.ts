import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RECONCILED_LOG } from '../../lambdas/domain/defaults';

export interface WorkflowAlarmsProps {
  readonly tenant: string;
  /** The playbook state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** The reminder sweep's log group: its reconciler logs the count of deals needing attention. */
  readonly sweepLogGroup: logs.ILogGroup;
  /** How often the sweep runs: the needs-attention metric has one value per sweep. */
  readonly sweepInterval: Duration;
}

/**
 * No deal silently stuck: an alarm on the playbook's failed executions (Step Functions' own
 * `ExecutionsFailed`) and one on the deals needing attention, a metric the reminder sweep's one
 * `deals reconciled` log line feeds through a metric filter. Both metrics are exposed for dashboards; add
 * an action (an SNS topic, a chat channel) to each alarm to be told.
 */
export class WorkflowAlarms extends Construct {
  public readonly failedExecutions: cloudwatch.Metric;
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  public readonly dealsNeedingAttention: cloudwatch.Metric;
  public readonly needsAttentionAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkflowAlarmsProps) {
    super(scope, id);
    this.failedExecutions = props.stateMachine.metricFailed({
      period: Duration.minutes(5),
      statistic: 'Sum',
    });
    this.failedExecutionsAlarm = this.failedExecutions.createAlarm(this, 'FailedExecutions', {
      alarmDescription:
        'A playbook execution failed (its retries ran out). The reconciler in the next reminder sweep redrives it; ' +
        'a deal that stays stuck shows needsAttention in GET /plans/{planId} and cosell plan list.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const namespace = `${RECONCILED_LOG.metricNamespace}/${props.tenant}`;
    new logs.MetricFilter(this, 'NeedsAttentionFilter', {
      logGroup: props.sweepLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', RECONCILED_LOG.message),
      metricNamespace: namespace,
      metricName: RECONCILED_LOG.metricName,
      metricValue: `$.${RECONCILED_LOG.countField}`,
    });
    this.dealsNeedingAttention = new cloudwatch.Metric({
      namespace,
      metricName: RECONCILED_LOG.metricName,
      statistic: 'Maximum',
      period: Duration.minutes(Math.max(5, props.sweepInterval.toMinutes())),
    });
    this.needsAttentionAlarm = this.dealsNeedingAttention.createAlarm(this, 'NeedsAttention', {
      alarmDescription:
        'At least one active deal needs attention (an email refused for good, a workflow that cannot continue). ' +
        'cosell plan list shows which; fix the address or the suppression, or run cosell plan retry ID.',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
