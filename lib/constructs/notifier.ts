import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface NotifierProps {
  /** The From address of every email. Its SES identity (address or domain) is verified outside this stack. */
  readonly senderAddress: string;
  /** Overrides for the configuration set (name, dedicated IP pool, ...). */
  readonly configurationSetProps?: ses.ConfigurationSetProps;
}

/**
 * Email sending: an SES configuration set for the tenant's mail (reputation metrics, TLS required,
 * account-level suppression of bounces and complaints) and the permission to send as the sender through it.
 * The sender's email identity is not created here: verifying a domain is an out-of-band DNS step.
 */
export class Notifier extends Construct {
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly senderAddress: string;
  /** ARNs of the SES identities that may authorize the sender: the address itself and its domain. */
  public readonly identityArns: string[];
  public readonly configurationSetArn: string;

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
  }

  /**
   * ses:SendEmail and ses:SendRawEmail as the sender only, through this configuration set only. SES has no
   * CDK grant for this, so it is written here, scoped to those resources and to the From address.
   */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [...this.identityArns, this.configurationSetArn],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderAddress } },
    });
  }
}
