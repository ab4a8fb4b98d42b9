import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { OutboundEmail } from '../domain/emails';
import type { Mailer } from '../domain/ports';

/** Sends through SES with the tenant's configuration set on every message (event publishing, reputation). */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly sender: string,
    private readonly configurationSet: string,
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
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
      }),
    );
  }
}

export function sesClient(): SESClient {
  // Throttling is retried by the SDK's standard retry strategy with backoff; five attempts in all.
  return new SESClient({ maxAttempts: 5 });
}
