import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer, sesClient } from '../../../lambdas/adapters/ses.adapter';
import type { OutboundEmail } from '../../../lambdas/domain/emails';

const ses = mockClient(SESClient);

afterEach(() => {
  ses.reset();
});

function email(overrides: Partial<OutboundEmail> = {}): OutboundEmail {
  return {
    key: 'gate-open#pl_0123456789abcdef0123#door-opener#dana.whit@northwind.example',
    to: ['dana.whit@northwind.example'],
    cc: ['sam.ortiz@vendor.example'],
    subject: 'Globex: the door-opener gate is open — your move',
    text: 'Hello Dana,\n\n    Confirm the gate: https://links.acme.example/a/abc.def\n',
    html: '<p>Hello Dana,</p><p><a href="https://links.acme.example/a/abc.def">Confirm the gate</a></p>',
    ...overrides,
  };
}

describe('SesMailer', () => {
  it('sends from the sender, to and cc, subject, text and HTML in UTF-8, with the configuration set', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: '0100019-example' });
    const mailer = new SesMailer(sesClient(), 'Cosell Flow <deals@vendor.example>', 'cosell-flow-acme');

    // Act
    await mailer.send(email());

    // Assess
    expect(ses.calls()).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      Source: 'Cosell Flow <deals@vendor.example>',
      Destination: {
        ToAddresses: ['dana.whit@northwind.example'],
        CcAddresses: ['sam.ortiz@vendor.example'],
      },
      Message: {
        Subject: { Data: 'Globex: the door-opener gate is open — your move', Charset: 'UTF-8' },
        Body: {
          Text: { Data: email().text, Charset: 'UTF-8' },
          Html: { Data: email().html, Charset: 'UTF-8' },
        },
      },
      ConfigurationSetName: 'cosell-flow-acme',
    });
  });

  it('lets a send failure through, so the effect ledger releases its claim and the task retries', async () => {
    // Prepare
    const failure = Object.assign(new Error('Daily message quota exceeded.'), { name: 'Throttling' });
    ses.on(SendEmailCommand).rejects(failure);
    const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme');

    // Act
    const sending = mailer.send(email());

    // Assess
    await expect(sending).rejects.toThrow('Daily message quota exceeded.');
  });

  it('builds its client with five attempts in all, so throttling is retried with backoff', async () => {
    // Prepare
    const client = sesClient();

    // Act
    const attempts = await client.config.maxAttempts();

    // Assess
    expect(attempts).toBe(5);
  });
});
