import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer, sesClient } from '../../../lambdas/adapters/ses.adapter';
import { DeliveryDeferredError, DeliveryRejectedError } from '../../../lambdas/domain/cadence';
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

  it('retries throttling with backoff, and sends once it passes', async () => {
    // Prepare
    const throttle = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    ses.on(SendEmailCommand).rejectsOnce(throttle).resolves({ MessageId: 'm' });
    const waits: number[] = [];
    const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme', {
      attempts: 3,
      baseDelayMs: 200,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    // Act
    await mailer.send(email());

    // Assess
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(100);
    expect(waits[0]).toBeLessThanOrEqual(200);
  });

  it.each([
    ['Throttling', undefined],
    ['TooManyRequestsException', undefined],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ])('reports %s as deferred after its attempts, so the ledger releases its claim', async (name, status) => {
    // Prepare
    const failure = Object.assign(new Error('Daily message quota exceeded.'), {
      name,
      ...(status ? { $metadata: { httpStatusCode: status } } : {}),
    });
    ses.on(SendEmailCommand).rejects(failure);
    const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme', {
      attempts: 3,
      baseDelayMs: 1,
      sleep: async () => undefined,
    });

    // Act
    const sending = mailer.send(email());

    // Assess
    await expect(sending).rejects.toBeInstanceOf(DeliveryDeferredError);
    await expect(sending).rejects.toThrow('Daily message quota exceeded.');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it.each(['MessageRejected', 'MailFromDomainNotVerifiedException', 'InvalidParameterValue'])(
    'reports %s as a refusal at once, without retrying',
    async (name) => {
      // Prepare
      ses.on(SendEmailCommand).rejects(Object.assign(new Error('Email address is not verified.'), { name }));
      const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme');

      // Act
      const sending = mailer.send(email());

      // Assess
      await expect(sending).rejects.toBeInstanceOf(DeliveryRejectedError);
      await expect(sending).rejects.toMatchObject({ code: name });
      expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    },
  );

  it('lets an unknown error through as it is', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('boom'), { name: 'AccessDenied' }));
    const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme');

    // Act / Assess
    await expect(mailer.send(email())).rejects.toThrow('boom');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
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
