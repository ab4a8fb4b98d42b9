import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer, sesClient } from '../../../lambdas/adapters/ses.adapter';
import { DeliveryRejectedError } from '../../../lambdas/domain/cadence';
import type { OutboundEmail } from '../../../lambdas/domain/ports';

const ses = mockClient(SESv2Client);

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
      FromEmailAddress: 'Cosell Flow <deals@vendor.example>',
      Destination: {
        ToAddresses: ['dana.whit@northwind.example'],
        CcAddresses: ['sam.ortiz@vendor.example'],
      },
      Content: {
        Simple: {
          Subject: { Data: 'Globex: the door-opener gate is open — your move', Charset: 'UTF-8' },
          Body: {
            Text: { Data: email().text, Charset: 'UTF-8' },
            Html: { Data: email().html, Charset: 'UTF-8' },
          },
        },
      },
      ConfigurationSetName: 'cosell-flow-acme',
    });
  });

  it('sends a calendar invitation as a text/calendar attachment of the same simple email', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const mailer = new SesMailer(sesClient(), 'deals@vendor.example', 'cosell-flow-acme');
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';

    // Act
    await mailer.sendWithInvitation(email(), { method: 'REQUEST', ics });

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Content?.Raw).toBeUndefined();
    expect(input?.Content?.Simple?.Body?.Text?.Data).toBe(email().text);
    expect(input?.ConfigurationSetName).toBe('cosell-flow-acme');
    const [attachment, ...others] = input?.Content?.Simple?.Attachments ?? [];
    expect(others).toEqual([]);
    expect(attachment).toMatchObject({
      FileName: 'invite.ics',
      ContentType: 'text/calendar; charset=UTF-8; method=REQUEST',
      ContentDisposition: 'ATTACHMENT',
    });
    expect(new TextDecoder().decode(attachment?.RawContent)).toBe(ics);
  });

  it.each(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException'])(
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
