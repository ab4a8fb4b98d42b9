import {
  type Attachment,
  SESv2Client,
  type SESv2ClientConfig,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { DeliveryDeferredError, DeliveryRejectedError } from '../domain/cadence';
import type { CalendarInvite, InvitationMailer, Mailer, OutboundEmail } from '../domain/ports';

/** Errors SES gives for a message it will never accept as it is: retrying cannot help. */
const PERMANENT = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException']);

/** Errors that pass: throttling, service trouble, the network. */
const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceUnavailable',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
]);

export function isTransientSesError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT.has(e?.name ?? '') || TRANSIENT.has(e?.code ?? '') || status === 429 || status >= 500;
}

export function isPermanentSesError(error: unknown): boolean {
  return PERMANENT.has((error as { name?: string })?.name ?? '');
}

/**
 * Sends through SES v2 `SendEmail` with the tenant's configuration set on every message (event publishing,
 * reputation). Retrying is the SDK's alone (see sesClient): a transient error that outlives its attempts is
 * reported as DeliveryDeferredError, so the caller keeps the work for later; a permanent one as
 * DeliveryRejectedError.
 */
export class SesMailer implements Mailer, InvitationMailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sender: string,
    private readonly configurationSet: string,
    /** The vendor company: an email on behalf of a person comes from "<person> via <vendorName>". */
    private readonly vendorName?: string,
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    await this.sendSimple(email, []);
  }

  /** The email with the invitation as a `text/calendar; method=REQUEST` attachment (`invite.ics`). */
  async sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    await this.sendSimple(email, [
      {
        FileName: 'invite.ics',
        ContentType: `text/calendar; charset=UTF-8; method=${invite.method}`,
        ContentDisposition: 'ATTACHMENT',
        RawContent: new TextEncoder().encode(invite.ics),
      },
    ]);
  }

  private async sendSimple(email: OutboundEmail, attachments: Attachment[]): Promise<void> {
    const command = new SendEmailCommand({
      FromEmailAddress: fromAddress(this.sender, email, this.vendorName),
      ...(email.onBehalfOf ? { ReplyToAddresses: [email.onBehalfOf.email] } : {}),
      Destination: { ToAddresses: email.to, CcAddresses: email.cc },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: email.text, Charset: 'UTF-8' },
            Html: { Data: email.html, Charset: 'UTF-8' },
          },
          ...(attachments.length ? { Attachments: attachments } : {}),
        },
      },
      ConfigurationSetName: this.configurationSet,
    });
    try {
      await this.ses.send(command);
    } catch (error) {
      throw deliveryError(error, email);
    }
  }
}

/**
 * `"Ana Ruiz via Acme" <deals@acme.example>` for an email on behalf of a person, else the sender as it is.
 * The display name is quoted (a quote or backslash in it escaped) and, when not plain ASCII, MIME-encoded.
 */
export function fromAddress(sender: string, email: OutboundEmail, vendorName?: string): string {
  if (!email.onBehalfOf) return sender;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach a header
  const controls = /[\u0000-\u001f\u007f]/g;
  const name = `${email.onBehalfOf.name}${vendorName ? ` via ${vendorName}` : ''}`.replace(controls, ' ');
  const display = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`
    : `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  return `${display} <${sender}>`;
}

/** Permanent refusals become DeliveryRejectedError, transient ones DeliveryDeferredError; others stay. */
function deliveryError(error: unknown, email: OutboundEmail): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const name = (error as { name?: string })?.name ?? 'Error';
  if (isPermanentSesError(error)) {
    return new DeliveryRejectedError(`SES refused the email to ${email.to.join(', ')}: ${message}`, name);
  }
  if (isTransientSesError(error)) {
    return new DeliveryDeferredError(`SES did not take the email for now (${name}): ${message}`, {
      cause: error,
    });
  }
  return error;
}

/** Five attempts in all: the SDK's standard retry strategy retries throttling and 5xx with backoff. */
export const SES_MAX_ATTEMPTS = 5;

export function sesClient(config: SESv2ClientConfig = {}): SESv2Client {
  return new SESv2Client({ maxAttempts: SES_MAX_ATTEMPTS, ...config });
}
