import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AceSetting } from '../integration-settings';
import { CosellFunction } from './cosell-function';
import type { Notifier } from './notifier';
import type { SigningKeys } from './signing-keys';
import type { TenantEventBus } from './tenant-event-bus';

/** The Partner Central Selling actions ace-sync calls: nothing more. */
export const ACE_SYNC_ACTIONS = [
  'partnercentral:CreateOpportunity',
  'partnercentral:AssociateOpportunity',
  'partnercentral:GetOpportunity',
  'partnercentral:UpdateOpportunity',
] as const;

/** The deal events ace-sync follows on the tenant bus. */
export const ACE_SYNC_DETAIL_TYPES = [
  'CoSell Plan Started',
  'CoSell Stage Advanced',
  'CoSell Deal Registered',
  'CoSell Deal Closed Lost',
] as const;

export interface AceSyncProps {
  readonly ace: AceSetting;
  readonly tenantBus: TenantEventBus;
  /** The functions' shared environment (functionEnvironment()). */
  readonly environment: Record<string, string>;
  /** The tenant's mail: ACE's review is emailed to the vendor owner (ses:SendEmail as the sender only). */
  readonly notifier: Pick<Notifier, 'grantSend'>;
  /** The link keys: that email carries the vendor owner's view link to the deal room (read the secret). */
  readonly signingKeys: Pick<SigningKeys, 'grantRead'>;
}

/**
 * The `ace-sync` function: one AWS Partner Central (ACE) opportunity per qualifying deal, kept in step by
 * a rule on the tenant bus, and ACE's review coming back by a rule on the account's default bus, where
 * Partner Central puts its `aws.partnercentral-selling` events (in us-east-1). Both targets retry into the
 * tenant bus's dead-letter queue. Its IAM allows only the four Partner Central actions it calls, on the
 * tenant's catalog alone (`partnercentral:Catalog`), so a Sandbox tenant can never touch the AWS catalog;
 * sending mail as the tenant's sender and reading the link keys (the vendor owner's review email and its room
 * link). Its table access (the deal, the effect ledger) is the stack's ACE_SYNC_ACCESS.
 */
export class AceSync extends Construct {
  public readonly function: CosellFunction;
  public readonly dealRule: events.Rule;
  public readonly reviewRule: events.Rule;

  constructor(scope: Construct, id: string, props: AceSyncProps) {
    super(scope, id);
    const { ace } = props;
    this.function = new CosellFunction(this, 'Function', {
      handlerName: 'ace-sync',
      timeout: Duration.seconds(30),
      // EventBridge invokes asynchronously: Lambda retries a failed sync twice, then the event lands in the
      // bus's dead-letter queue beside the rules' own, whose alarm says so.
      retryAttempts: 2,
      deadLetterQueue: props.tenantBus.deadLetterQueue,
      description: `Cosell Flow: sync deals to AWS Partner Central (${ace.catalog} catalog)`,
      environment: {
        ...props.environment,
        ACE_CATALOG: ace.catalog,
        ACE_ONLY_PAPER: ace.onlyPaper.join(','),
        ...(ace.solutionId ? { ACE_SOLUTION_ID: ace.solutionId } : {}),
      },
    });

    iam.Grant.addToPrincipal({
      grantee: this.function,
      actions: [...ACE_SYNC_ACTIONS],
      resourceArns: ['*'],
      conditions: { StringEquals: { 'partnercentral:Catalog': ace.catalog } },
    });
    // The review email: sent as the tenant's sender, with the vendor owner's room link signed in.
    props.notifier.grantSend(this.function);
    props.signingKeys.grantRead(this.function);
    Validations.of(this.function.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Partner Central Selling: CreateOpportunity names no resource yet; every action is held to the ' +
        "tenant's catalog by the partnercentral:Catalog condition.",
    });

    const target = (scope: Construct) =>
      new targets.LambdaFunction(this.function.lambdaFunction, props.tenantBus.targetDefaults(scope));
    this.dealRule = new events.Rule(this, 'DealEvents', {
      eventBus: props.tenantBus.eventBus,
      description: 'Cosell Flow deal moments to AWS Partner Central',
      eventPattern: { source: ['cosell.flow'], detailType: [...ACE_SYNC_DETAIL_TYPES] },
      targets: [target(this)],
    });
    this.reviewRule = new events.Rule(this, 'PartnerCentralReview', {
      description: `AWS Partner Central opportunity reviews (${ace.catalog}) back to Cosell Flow`,
      eventPattern: {
        source: ['aws.partnercentral-selling'],
        detailType: ['Opportunity Updated'],
        detail: { catalog: [ace.catalog] },
      },
      targets: [target(this)],
    });
  }
}
