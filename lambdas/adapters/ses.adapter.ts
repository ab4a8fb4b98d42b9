import { randomBytes } from 'node:crypto';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { DeliveryDeferredError, DeliveryRejectedError } from '../domain/cadence';
import type { OutboundEmail } from '../domain/emails';
import { calendarMimeMessage } from '../domain/ics';
import type { CalendarInvite, Mailer } from '../domain/ports';

/** Errors SES gives for a message it will never accept as it is: retrying cannot help. */
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerified',
  'MailFromDomainNotVerifiedException',
  'InvalidParameterValue',
]);

/** Errors that pass: throttling, service trouble, the network. */
const TRANSIENT = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
]);

export interface RetryPolicy {
  /** Attempts in all, for a transient error. */
  attempts: number;
  /** First backoff; doubled each time, with full jitter. */
  baseDelayMs: number;
  sleep(ms: number): Promise<void>;
}

const DEFAULT_RETRY: RetryPolicy = {
  attempts: 3,
  baseDelayMs: 200,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export function isTransientSesError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return TRANSIENT.has(e?.name ?? '') || TRANSIENT.has(e?.code ?? '') || status === 429 || status >= 500;
}

export function isPermanentSesError(error: unknown): boolean {
  return PERMANENT.has((error as { name?: string })?.name ?? '');
}

/**
 * Sends through SES with the tenant's configuration set on every message (event publishing, reputation).
 * A transient error is retried with backoff (on top of the SDK's own retries) and then reported as
 * DeliveryDeferredError, so the caller keeps the work for later; a permanent one as DeliveryRejectedError.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly sender: string,
    private readonly configurationSet: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    const command = new SendEmailCommand({
      Source: this.sender,
      Destination: { ToAddresses: email.to, CcAddresses: email.cc },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: email.text, Charset: 'UTF-8' },
          Html: { Data: email.html, Charset: 'UTF-8' },
        },
      },
      ConfigurationSetName: this.configurationSet,
    });
    await this.sendWithRetry(() => this.ses.send(command), email);
  }

  /**
   * The email with a calendar invitation: a raw MIME message (SendRawEmail), multipart/mixed with the text
   * and HTML parts and a `text/calendar; method=REQUEST` part, through the same configuration set.
   */
  async sendRaw(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    const message = calendarMimeMessage({
      from: this.sender,
      to: email.to,
      cc: email.cc,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ics: invite.ics,
      boundarySeed: randomBytes(12).toString('hex'),
      date: new Date(),
    });
    const command = new SendRawEmailCommand({
      Source: this.sender,
      Destinations: [...email.to, ...email.cc],
      RawMessage: { Data: Buffer.from(message, 'utf8') },
      ConfigurationSetName: this.configurationSet,
    });
    await this.sendWithRetry(() => this.ses.send(command), email);
  }

  /**
   * Transient refusals (throttling, 5xx) are retried with jittered backoff, then reported as deferred;
   * permanent ones are reported as rejected at once; anything else is rethrown as it is.
   */
  private async sendWithRetry(attemptSend: () => Promise<unknown>, email: OutboundEmail): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await attemptSend();
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const name = (error as { name?: string })?.name ?? 'Error';
        if (isPermanentSesError(error)) {
          throw new DeliveryRejectedError(
            `SES refused the email to ${email.to.join(', ')}: ${message}`,
            name,
          );
        }
        if (!isTransientSesError(error)) throw error;
        if (attempt >= this.retry.attempts) {
          throw new DeliveryDeferredError(`SES did not take the email for now (${name}): ${message}`, {
            cause: error,
          });
        }
        const cap = this.retry.baseDelayMs * 2 ** (attempt - 1);
        await this.retry.sleep(cap / 2 + Math.random() * (cap / 2));
      }
    }
  }
}

export function sesClient(): SESClient {
  // Throttling is also retried by the SDK's standard retry strategy with backoff; five attempts in all.
  return new SESClient({ maxAttempts: 5 });
}
