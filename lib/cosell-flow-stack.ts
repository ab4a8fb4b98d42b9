import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ActionLinks } from './constructs/action-links';
import type { CosellFunction, HandlerName } from './constructs/cosell-function';
import { arnWildcardFinding } from './constructs/nag-findings';
import { Notifier } from './constructs/notifier';
import { PlanStore } from './constructs/plan-store';
import { PlaybookWorkflow } from './constructs/playbook-workflow';
import { RegistrationEvents } from './constructs/registration-events';
import { ReminderSchedule } from './constructs/reminder-schedule';
import { SigningKeys } from './constructs/signing-keys';
import { functionEnvironment, type TenantConfig } from './tenant-config';

/** One permission a function may hold; the names read like docs/design.md's grants table. */
export type Access =
  | 'plans:read'
  | 'plans:read-write'
  | 'milestones:read'
  | 'milestones:read-write'
  | 'links:read-write'
  | 'idempotency:read-write'
  | 'partner-plans:read'
  | 'partner-plans:read-write'
  | 'link-keys:read'
  | 'ses:send'
  | 'workflow:start-execution'
  | 'workflow:task-response'
  | 'events:put';

/** docs/design.md, "Lambda functions (entry -> what it may touch)": nothing more, nothing less. */
export const FUNCTION_ACCESS: Readonly<Record<HandlerName, readonly Access[]>> = {
  'plans-api': [
    'plans:read-write',
    'milestones:read-write',
    'partner-plans:read-write',
    'workflow:start-execution',
  ],
  'reports-api': ['plans:read', 'milestones:read', 'partner-plans:read'],
  'action-link': [
    'plans:read-write',
    'milestones:read-write',
    'links:read-write',
    'idempotency:read-write',
    'link-keys:read',
    'ses:send',
    'workflow:task-response',
    'events:put',
  ],
  // The first gate's opening publishes Plan Started, the next ones a missed Stage Advanced, once each.
  'gate-deadline': ['plans:read-write', 'milestones:read', 'idempotency:read-write', 'events:put'],
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
  'register-deal': ['plans:read-write', 'idempotency:read-write', 'events:put'],
  // plans read-write: the weekly review, run after each sweep, moves a plan's next review date.
  'reminder-sweep': [
    'milestones:read-write',
    'plans:read-write',
    'idempotency:read-write',
    'link-keys:read',
    'ses:send',
    'events:put',
  ],
  // Suppression records live in the idempotency table; plans and milestones are read to find who to tell.
  'ses-events': ['plans:read', 'milestones:read', 'idempotency:read-write', 'ses:send'],
};

export interface CosellFlowStackProps extends StackProps {
  readonly config: TenantConfig;
}

/** One tenant's Cosell Flow: composes the constructs and applies FUNCTION_ACCESS. */
export class CosellFlowStack extends Stack {
  public readonly config: TenantConfig;
  public readonly planStore: PlanStore;
  public readonly signingKeys: SigningKeys;
  public readonly notifier: Notifier;
  public readonly registrationEvents: RegistrationEvents;
  public readonly workflow: PlaybookWorkflow;
  public readonly actionLinks: ActionLinks;
  public readonly reminders: ReminderSchedule;
  /** Every function by handler name. */
  public readonly functions: Readonly<Record<HandlerName, CosellFunction>>;

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
    this.registrationEvents = new RegistrationEvents(this, 'RegistrationEvents', { eventBusName: prefix });

    const environment = functionEnvironment(config, {
      tables: this.planStore.environment(),
      sesConfigurationSet: this.notifier.configurationSet.configurationSetName,
      eventBusName: this.registrationEvents.eventBus.eventBusName,
      linkKeysSecretArn: this.signingKeys.secret.secretArn,
    });

    this.workflow = new PlaybookWorkflow(this, 'PlaybookWorkflow', {
      stateMachineName: `${prefix}-playbook`,
      environment,
    });
    this.actionLinks = new ActionLinks(this, 'ActionLinks', {
      environment,
      plansApiEnvironment: { STATE_MACHINE_ARN: this.workflow.stateMachine.stateMachineArn },
    });
    this.reminders = new ReminderSchedule(this, 'ReminderSchedule', {
      interval: Duration.minutes(config.reminderSweepMinutes),
      environment,
    });
    const sesEvents = this.notifier.addEventsHandler({ environment });

    this.functions = {
      'plans-api': this.actionLinks.plansApiFunction,
      'reports-api': this.actionLinks.reportsApiFunction,
      'action-link': this.actionLinks.actionLinkFunction,
      'gate-deadline': this.workflow.functions['gate-deadline'],
      'gate-open': this.workflow.functions['gate-open'],
      'gate-escalate': this.workflow.functions['gate-escalate'],
      'register-deal': this.workflow.functions['register-deal'],
      'reminder-sweep': this.reminders.sweepFunction,
      'ses-events': sesEvents,
    };
    for (const [name, fn] of Object.entries(this.functions) as [HandlerName, CosellFunction][]) {
      for (const access of FUNCTION_ACCESS[name]) this.grant(fn, access);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.actionLinks.url, description: 'HTTP API invoke URL' });
    new CfnOutput(this, 'PublicBaseUrl', {
      value: config.publicBaseUrl,
      description: 'Base of emailed links',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: this.registrationEvents.eventBus.eventBusName });
    new CfnOutput(this, 'EventArchiveArn', { value: this.registrationEvents.archive.archiveArn });
    new CfnOutput(this, 'EventDeadLetterQueueArn', {
      value: this.registrationEvents.deadLetterQueue.queueArn,
      description: 'Dead-letter queue for the targets of rules on the event bus',
    });
    new CfnOutput(this, 'LinkKeysSecretArn', { value: this.signingKeys.secret.secretArn });
    for (const [key, table] of Object.entries(this.planStore.tables)) {
      new CfnOutput(this, `${key[0]?.toUpperCase()}${key.slice(1)}TableName`, { value: table.tableName });
    }
  }

  private grant(fn: CosellFunction, access: Access): void {
    const { plans, milestones, links, idempotency } = this.planStore;
    switch (access) {
      case 'plans:read':
      case 'plans:read-write':
        if (access === 'plans:read') plans.grantReadData(fn);
        else plans.grantReadWriteData(fn);
        // The table's grant also covers its indexes (`<table>/index/*`): the sweep queries active-by-review.
        Validations.of(fn.role).acknowledge({
          id: arnWildcardFinding(plans, '/index/*'),
          reason: `${fn.handlerName}: the plans table grant covers its indexes (active-by-review), this table only.`,
        });
        return;
      case 'milestones:read':
      case 'milestones:read-write':
        if (access === 'milestones:read') milestones.grantReadData(fn);
        else milestones.grantReadWriteData(fn);
        // The table's grant also covers its indexes (`<table>/index/*`): the open-by-due sweep queries one.
        Validations.of(fn.role).acknowledge({
          id: arnWildcardFinding(milestones, '/index/*'),
          reason: `${fn.handlerName}: the milestones table grant covers its indexes (open-by-due), this table only.`,
        });
        return;
      case 'links:read-write':
        links.grantReadWriteData(fn);
        return;
      case 'idempotency:read-write':
        idempotency.grantReadWriteData(fn);
        return;
      case 'partner-plans:read':
        this.planStore.partnerPlans.grantReadData(fn);
        return;
      case 'partner-plans:read-write':
        this.planStore.partnerPlans.grantReadWriteData(fn);
        return;
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
      case 'events:put':
        this.registrationEvents.grantPutEventsTo(fn);
        return;
    }
  }
}
