import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { AceSync } from './constructs/ace-sync';
import { Announcer } from './constructs/announcer';
import { Channels } from './constructs/channels';
import type { CosellFunction, HandlerName } from './constructs/cosell-function';
import { HttpApi } from './constructs/http-api';
import { arnWildcardFinding } from './constructs/nag-findings';
import { Notifier } from './constructs/notifier';
import { PlanStore } from './constructs/plan-store';
import { PlaybookWorkflow } from './constructs/playbook-workflow';
import { ReminderSchedule } from './constructs/reminder-schedule';
import { SigningKeys } from './constructs/signing-keys';
import { TenantEventBus } from './constructs/tenant-event-bus';
import { WorkflowAlarms } from './constructs/workflow-alarms';
import { functionEnvironment, routeThrottles, type TenantConfig } from './tenant-config';

/** The tables, as FUNCTION_ACCESS names them. */
export type TableAccessName = 'plans' | 'milestones' | 'links' | 'idempotency' | 'partner-plans';

/**
 * What a function may do with a table. `read` and `read-write` are CDK's table grants (every data action,
 * the table's indexes too); the item-level ones name exactly the actions of a function that only touches
 * one deal's items, on the table alone (no index): `read-item` GetItem; `write-item` PutItem, UpdateItem and
 * ConditionCheckItem (single items, in a transaction too; TransactWriteItems has no IAM action of its own);
 * `query` Query on the table (one deal's partition). None of them Scan, DeleteItem or BatchWriteItem.
 */
export type TableAccess = 'read' | 'read-write' | 'read-item' | 'write-item' | 'query';

/** The DynamoDB actions of each item-level table access. */
export const ITEM_LEVEL_ACTIONS: Readonly<Record<Exclude<TableAccess, 'read' | 'read-write'>, string[]>> = {
  'read-item': ['dynamodb:GetItem'],
  'write-item': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  query: ['dynamodb:Query'],
};

/** One permission a function may hold; the names read like docs/design.md's grants table. */
export type Access =
  | `${TableAccessName}:${TableAccess}`
  | 'link-keys:read'
  | 'ses:send'
  | 'workflow:start-execution'
  | 'workflow:task-response'
  | 'workflow:reconcile'
  | 'events:put';

/** docs/design.md, "Lambda functions (entry -> what it may touch)": nothing more, nothing less. */
/** The functions of every tenant's stack; ace-sync exists only with `ace` (ACE_SYNC_ACCESS). */
export type StackHandlerName = Exclude<HandlerName, 'ace-sync'>;

export const FUNCTION_ACCESS: Readonly<Record<StackHandlerName, readonly Access[]>> = {
  'plans-api': [
    'plans:read-write',
    'milestones:read-write',
    'partner-plans:read-write',
    'workflow:start-execution',
    // POST /plans/{planId}/room-link signs a view link for the vendor owner.
    'link-keys:read',
    // The living plan: amendments email new links (ledger, SES), complete gates and publish Plan Amended;
    // each deal's history is an item of the idempotency table.
    'idempotency:read-write',
    'ses:send',
    'workflow:task-response',
    'events:put',
  ],
  // The dashboard page links each deal's room: a view link signed for its vendor owner.
  'reports-api': ['plans:read', 'milestones:read', 'partner-plans:read', 'link-keys:read'],
  // Public: only the item-level actions it uses, on one deal's items (no Scan, DeleteItem or BatchWriteItem).
  'action-link': [
    'plans:read-item',
    'plans:write-item',
    'milestones:query',
    'milestones:write-item',
    'links:read-item',
    'links:write-item',
    'idempotency:read-item',
    'idempotency:write-item',
    'link-keys:read',
    'ses:send',
    'workflow:task-response',
    'events:put',
  ],
  // Public and read-only: one deal's items (its state and plan document, its milestones, its history entry) to
  // show its room, and the link keys to verify the view token and sign the reader's action links.
  'deal-room': ['plans:read-item', 'milestones:query', 'idempotency:read-item', 'link-keys:read'],
  // The first gate's opening publishes Plan Started, the next ones a missed Stage Advanced, once each. Opening
  // a stage brings some milestones' first nudge forward, or holds a silence watch: it writes milestones.
  // link-keys: its events (Plan Started, Stage Advanced) carry deal-room view links for the channels.
  'gate-deadline': [
    'plans:read-write',
    'milestones:read-write',
    'idempotency:read-write',
    'events:put',
    'link-keys:read',
  ],
  'gate-open': [
    'plans:read-write',
    'milestones:read',
    'idempotency:read-write',
    'link-keys:read',
    'ses:send',
    'workflow:task-response',
  ],
  'gate-escalate': [
    'plans:read-write',
    'milestones:read',
    'idempotency:read-write',
    'link-keys:read',
    'ses:send',
    'events:put',
  ],
  // The partner plan's credit rule is checked against the deal at registration (attributionCheck).
  // link-keys: the registration event carries the vendor and partner owners' deal-room view links.
  'register-deal': [
    'plans:read-write',
    'milestones:read',
    'partner-plans:read',
    'idempotency:read-write',
    'events:put',
    'link-keys:read',
  ],
  // plans read-write: the weekly review, run after each sweep, moves a plan's next review date. The reconciler
  // (after the sweep) checks each active deal's execution: it redrives or starts one, or completes a gate.
  'reminder-sweep': [
    'milestones:read-write',
    'plans:read-write',
    'idempotency:read-write',
    'link-keys:read',
    'ses:send',
    'events:put',
    'workflow:reconcile',
    'workflow:task-response',
  ],
  // Suppression records live in the idempotency table; plans and milestones are read to find who to tell.
  'ses-events': ['plans:read', 'milestones:read', 'idempotency:read-write', 'ses:send'],
  // One deal's items: its state and milestones, its held announcements (milestones table, settled or held
  // again), the ledger, send slots and history (idempotency); a refused send is recorded on the deal.
  announce: [
    'plans:read-item',
    'plans:write-item',
    'milestones:query',
    'milestones:write-item',
    'idempotency:read-item',
    'idempotency:write-item',
    'link-keys:read',
    'ses:send',
  ],
};

/**
 * ace-sync reads a deal (its item and milestones), writes its ACE id or needsAttention, publishes Needs Attention
 * and emails the vendor owner once each (the ledger, and the email's history, in the idempotency table). Its
 * mail and link-key grants come from the AceSync construct (notifier.grantSend, signingKeys.grantRead).
 */
export const ACE_SYNC_ACCESS: readonly Access[] = [
  'plans:read-item',
  'plans:write-item',
  'milestones:query',
  'idempotency:read-item',
  'idempotency:write-item',
  'events:put',
];

/** Functions whose environment names the state machine (STATE_MACHINE_ARN). */
export const STATE_MACHINE_CLIENTS: readonly HandlerName[] = ['plans-api', 'reminder-sweep'];

export interface CosellFlowStackProps extends StackProps {
  readonly config: TenantConfig;
}

/** One tenant's Cosell Flow: composes the constructs and applies FUNCTION_ACCESS. */
export class CosellFlowStack extends Stack {
  public readonly config: TenantConfig;
  public readonly planStore: PlanStore;
  public readonly signingKeys: SigningKeys;
  public readonly notifier: Notifier;
  public readonly tenantBus: TenantEventBus;
  public readonly workflow: PlaybookWorkflow;
  public readonly api: HttpApi;
  public readonly reminders: ReminderSchedule;
  public readonly alarms: WorkflowAlarms;
  /** Every function by handler name. */
  public readonly functions: Readonly<Record<StackHandlerName, CosellFunction>>;
  /** Slack / Teams / webhook channels (tenants with `channels`). */
  public readonly channels?: Channels;
  /** AWS Partner Central sync (tenants with `ace`). */
  public readonly aceSync?: AceSync;

  constructor(scope: Construct, id: string, props: CosellFlowStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const prefix = `cosell-flow-${config.tenant}`;
    Tags.of(this).add('app', 'cosell-flow');
    Tags.of(this).add('tenant', config.tenant);

    this.planStore = new PlanStore(this, 'PlanStore', { tenant: config.tenant });
    this.signingKeys = new SigningKeys(this, 'SigningKeys', { secretName: `${prefix}/link-keys` });
    this.notifier = new Notifier(this, 'Notifier', { senderAddress: config.senderAddress });
    // Construct ids keep their first names (RegistrationEvents, ActionLinks) so a deployed tenant's logical ids,
    // its bus and its API URL (in every link already mailed) survive the rename.
    this.tenantBus = new TenantEventBus(this, 'RegistrationEvents', { eventBusName: prefix });

    const environment = functionEnvironment(config, {
      tables: this.planStore.environment(),
      sesConfigurationSet: this.notifier.configurationSet.configurationSetName,
      eventBusName: this.tenantBus.eventBus.eventBusName,
      linkKeysSecretArn: this.signingKeys.secret.secretArn,
    });

    this.workflow = new PlaybookWorkflow(this, 'PlaybookWorkflow', {
      stateMachineName: `${prefix}-playbook`,
      environment,
    });
    const stateMachineEnvironment = { STATE_MACHINE_ARN: this.workflow.stateMachine.stateMachineArn };
    this.api = new HttpApi(this, 'ActionLinks', {
      environment,
      plansApiEnvironment: stateMachineEnvironment,
      throttles: routeThrottles(config),
    });
    const sweepInterval = Duration.minutes(config.reminderSweepMinutes);
    this.reminders = new ReminderSchedule(this, 'ReminderSchedule', {
      interval: sweepInterval,
      // The reconciler describes, redrives and starts executions of the state machine.
      environment: { ...environment, ...stateMachineEnvironment },
    });
    this.alarms = new WorkflowAlarms(this, 'WorkflowAlarms', {
      tenant: config.tenant,
      stateMachine: this.workflow.stateMachine,
      sweepLogGroup: this.reminders.sweepFunction.logGroup,
      sweepInterval,
    });
    const sesEvents = this.notifier.addEventsHandler({ environment });

    this.functions = {
      'plans-api': this.api.plansApiFunction,
      'reports-api': this.api.reportsApiFunction,
      'action-link': this.api.actionLinkFunction,
      'deal-room': this.api.dealRoomFunction,
      'gate-deadline': this.workflow.functions['gate-deadline'],
      'gate-open': this.workflow.functions['gate-open'],
      'gate-escalate': this.workflow.functions['gate-escalate'],
      'register-deal': this.workflow.functions['register-deal'],
      'reminder-sweep': this.reminders.sweepFunction,
      'ses-events': sesEvents,
      announce: new Announcer(this, 'Announcer', { tenantBus: this.tenantBus, environment }).function,
    };
    for (const [name, fn] of Object.entries(this.functions) as [StackHandlerName, CosellFunction][]) {
      for (const access of FUNCTION_ACCESS[name]) this.grant(fn, access);
    }
    const channels = config.channels ?? [];
    if (channels.length > 0) {
      this.channels = new Channels(this, 'Channels', { channels, tenantBus: this.tenantBus });
    }
    if (config.ace) {
      this.aceSync = new AceSync(this, 'AceSync', {
        ace: config.ace,
        tenantBus: this.tenantBus,
        environment,
        notifier: this.notifier,
        signingKeys: this.signingKeys,
      });
      for (const access of ACE_SYNC_ACCESS) this.grant(this.aceSync.function, access);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'HTTP API invoke URL' });
    new CfnOutput(this, 'PublicBaseUrl', {
      value: config.publicBaseUrl,
      description: 'Base of emailed links',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: this.tenantBus.eventBus.eventBusName });
    new CfnOutput(this, 'EventArchiveArn', { value: this.tenantBus.archive.archiveArn });
    new CfnOutput(this, 'EventDeadLetterQueueArn', {
      value: this.tenantBus.deadLetterQueue.queueArn,
      description: 'Dead-letter queue for the targets of rules on the event bus',
    });
    new CfnOutput(this, 'FailedExecutionsAlarmName', { value: this.alarms.failedExecutionsAlarm.alarmName });
    new CfnOutput(this, 'NeedsAttentionAlarmName', { value: this.alarms.needsAttentionAlarm.alarmName });
    new CfnOutput(this, 'LinkKeysSecretArn', { value: this.signingKeys.secret.secretArn });
    for (const [key, table] of Object.entries(this.planStore.tables)) {
      new CfnOutput(this, `${key[0]?.toUpperCase()}${key.slice(1)}TableName`, { value: table.tableName });
    }
  }

  private grant(fn: CosellFunction, access: Access): void {
    switch (access) {
      case 'link-keys:read':
        this.signingKeys.grantRead(fn);
        return;
      case 'ses:send':
        this.notifier.grantSend(fn);
        return;
      case 'workflow:start-execution':
        this.workflow.grantStartExecution(fn);
        return;
      case 'workflow:task-response':
        this.workflow.grantTaskResponse(fn);
        return;
      case 'workflow:reconcile':
        this.workflow.grantReconcile(fn);
        return;
      case 'events:put':
        this.tenantBus.grantPutEventsTo(fn);
        return;
      default:
        this.grantTable(fn, access);
    }
  }

  private grantTable(fn: CosellFunction, access: `${TableAccessName}:${TableAccess}`): void {
    const [name, kind] = access.split(':') as [TableAccessName, TableAccess];
    const tables: Record<TableAccessName, dynamodb.Table> = {
      plans: this.planStore.plans,
      milestones: this.planStore.milestones,
      links: this.planStore.links,
      idempotency: this.planStore.idempotency,
      'partner-plans': this.planStore.partnerPlans,
    };
    const table = tables[name];
    if (kind === 'read' || kind === 'read-write') {
      if (kind === 'read') table.grantReadData(fn);
      else table.grantReadWriteData(fn);
      if (name === 'plans' || name === 'milestones') {
        // The table's grant also covers its indexes (`<table>/index/*`): the sweep queries them.
        Validations.of(fn.role).acknowledge({
          id: arnWildcardFinding(table, '/index/*'),
          reason: `${fn.handlerName}: the ${name} table grant covers its indexes (${name === 'plans' ? 'active-by-review' : 'open-by-due'}), this table only.`,
        });
      }
      return;
    }
    // Item-level: the table itself, never its indexes.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ITEM_LEVEL_ACTIONS[kind],
      resourceArns: [table.tableArn],
    });
  }
}
