import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ANNOUNCE_TIMEOUT_SECONDS } from '../../lambdas/domain/defaults';
import { ANNOUNCE_DETAIL_TYPES } from '../../lambdas/schemas/announce.schema';
import { CosellFunction } from './cosell-function';
import type { TenantEventBus } from './tenant-event-bus';

export interface AnnouncerProps {
  readonly tenantBus: TenantEventBus;
  /** The functions' shared environment (functionEnvironment()). */
  readonly environment: Record<string, string>;
}

/**
 * The `announce` function: the deal's owners told that a stage passed or the deal closed, as soon as the
 * change's deal event is on the tenant bus. The change held each announcement in its own save; this sends
 * it, once (the effect ledger), within the recipient's hours and daily cap. Its timeout stays under the
 * hand-off it is given (ANNOUNCE_MARGIN_MS), so it never sends one the reminder sweep may be sending.
 * The target retries into the bus's dead-letter queue; what it never took, the sweep sends after the
 * hand-off. Its grants are the stack's FUNCTION_ACCESS['announce'].
 */
export class Announcer extends Construct {
  public readonly function: CosellFunction;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: AnnouncerProps) {
    super(scope, id);
    this.function = new CosellFunction(this, 'Function', {
      handlerName: 'announce',
      timeout: Duration.seconds(ANNOUNCE_TIMEOUT_SECONDS),
      // EventBridge invokes asynchronously: Lambda retries a failed run twice, then the event lands in the
      // bus's dead-letter queue beside the rules' own, whose alarm says so.
      retryAttempts: 2,
      deadLetterQueue: props.tenantBus.deadLetterQueue,
      description: 'Cosell Flow: tell the deal owners a stage passed or the deal closed',
      environment: props.environment,
    });
    this.rule = new events.Rule(this, 'DealMoments', {
      eventBus: props.tenantBus.eventBus,
      description: 'Cosell Flow stage passes and closes, announced to the deal owners',
      eventPattern: { source: ['cosell.flow'], detailType: [...ANNOUNCE_DETAIL_TYPES] },
      targets: [
        new targets.LambdaFunction(this.function.lambdaFunction, props.tenantBus.targetDefaults(this)),
      ],
    });
  }
}
