import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface RegistrationEventsProps {
  /** @default - `cosell-flow-<tenant>` is passed by the stack; otherwise generated */
  readonly eventBusName?: string;
}

/**
 * The tenant's own EventBridge bus, where registered (won or lost) deals are published for CRMs, partner
 * portals and reporting to subscribe to. Only the registration step may put events on it.
 */
export class RegistrationEvents extends Construct {
  public readonly eventBus: events.EventBus;

  constructor(scope: Construct, id: string, props: RegistrationEventsProps = {}) {
    super(scope, id);
    this.eventBus = new events.EventBus(this, 'Bus', {
      ...(props.eventBusName ? { eventBusName: props.eventBusName } : {}),
      description: 'Cosell Flow registration events (deal won / lost, attribution)',
    });
  }

  /** events:PutEvents on this bus only. */
  public grantPutEventsTo(grantee: iam.IGrantable): iam.Grant {
    return this.eventBus.grantPutEventsTo(grantee);
  }
}
