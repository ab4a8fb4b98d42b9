import { Arn, ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CosellFunction, type CosellFunctionProps } from './cosell-function';

export interface NotifierProps {
  /** The From address of every email. Its SES identity (address or domain) is verified outside this stack. */
  readonly senderAddress: string;
  /** Overrides for the configuration set (name, dedicated IP pool, ...). */
  readonly configurationSetProps?: ses.ConfigurationSetProps;
}

/**
 * Email sending: an SES configuration set for the tenant's mail (reputation metrics, TLS required,
 * account-level suppression of bounces and complaints) and the permission to send as the sender through it.
 * Its bounce, complaint and reject events are published to an encrypted SNS topic, which
 * `addEventsHandler` subscribes the `ses-events` function to (the tenant's own suppression list).
 * Delivery events only count: they go to CloudWatch metrics (no Lambda runs per delivered email).
 * The sender's email identity is not created here: verifying a domain is an out-of-band DNS step.
 */
export class Notifier extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly senderAddress: string;
  /** ARNs of the SES identities that may authorize the sender: the address itself and its domain. */
  public readonly identityArns: string[];
  public readonly configurationSetArn: string;
  /** SES event publishing: bounce, complaint and reject events of the configuration set. */
  public readonly eventsTopic: sns.Topic;
  /**
   * The topic's key. A customer managed key, because SES must be allowed to use it in the key policy, which
   * the AWS managed SNS key does not allow.
   */
  public readonly eventsKey: kms.Key;
  public readonly eventDestination: ses.ConfigurationSetEventDestination;
  /** Delivery events as CloudWatch metrics (namespace AWS/SES, dimension `ses:configuration-set`). */
  public readonly deliveryMetrics: ses.ConfigurationSetEventDestination;

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      ...props.configurationSetProps,
    });

    const stack = Stack.of(this);
    const domain = props.senderAddress.slice(props.senderAddress.lastIndexOf('@') + 1);
    // SES authorizes a send against whichever identity is verified: the address, or its whole domain.
    this.identityArns = [props.senderAddress, domain].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );
    this.configurationSetArn = Arn.format(
      {
        service: 'ses',
        resource: 'configuration-set',
        resourceName: this.configurationSet.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    );

    this.eventsKey = new kms.Key(this, 'EventsKey', {
      description: 'Cosell Flow: encrypts the SES events topic (bounces, complaints)',
      enableKeyRotation: true,
    });
    // SES publishes to the encrypted topic: it needs the key, for this configuration set and account only.
    this.eventsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.configurationSetArn },
        },
      }),
    );
    this.eventsTopic = new sns.Topic(this, 'EventsTopic', {
      displayName: 'Cosell Flow SES events',
      masterKey: this.eventsKey,
      enforceSSL: true,
    });
    // Adds the topic policy that lets SES (this configuration set, this account) publish.
    this.eventDestination = this.configurationSet.addEventDestination('EventsToTopic', {
      destination: ses.EventDestination.snsTopic(this.eventsTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    // A delivery says nothing about the address: count it, run nothing for it.
    this.deliveryMetrics = this.configurationSet.addEventDestination('DeliveriesToMetrics', {
      destination: ses.EventDestination.cloudWatchDimensions([
        {
          name: 'ses:configuration-set',
          source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: 'none',
        },
      ]),
      events: [ses.EmailSendingEvent.DELIVERY],
    });
  }

  /**
   * The `ses-events` function, subscribed to the events topic: suppresses bounced and complaining addresses
   * for this tenant and tells the vendor owner. Its data access is granted by the stack.
   */
  public addEventsHandler(
    props: Omit<CosellFunctionProps, 'handlerName'> & { environment: Record<string, string> },
  ): CosellFunction {
    const fn = new CosellFunction(this, 'EventsFunction', {
      timeout: Duration.seconds(30),
      ...props,
      handlerName: 'ses-events',
    });
    this.eventsTopic.addSubscription(new subscriptions.LambdaSubscription(fn.lambdaFunction));
    return fn;
  }

  /**
   * ses:SendEmail (SES v2 SendEmail, the invitation's attachment included) as the sender only, through
   * this configuration set only. SES has no CDK grant for this, so it is written here, scoped to those
   * resources and to the From address.
   */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail'],
      resourceArns: [...this.identityArns, this.configurationSetArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderAddress } },
    });
  }
}
