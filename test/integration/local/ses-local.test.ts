import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyEnv, localAwsEnv } from '../../../local/aws-env';
import { extractActionLinks, type SesLocal, startSesLocal } from '../../../local/ses-local';

const BASE = 'http://127.0.0.1:3000';
const tokenA = 'eyJ2IjoxLCJraWQiOiJrMSJ9.c2lnbmF0dXJlLWE';
const tokenB = 'eyJ2IjoxLCJraWQiOiJrMiJ9.c2lnbmF0dXJlLWI';

function gateEmail(
  to: string[],
  attachments?: { FileName: string; ContentType: string; RawContent: Uint8Array }[],
) {
  return new SendEmailCommand({
    FromEmailAddress: 'Cosell Flow <deals@example.com>',
    Destination: { ToAddresses: to },
    ConfigurationSetName: 'cosell-flow-it',
    EmailTags: [{ Name: 'stage', Value: 'target-account-selection' }],
    Content: {
      Simple: {
        Subject: { Data: 'Confirm stage 1 for Acme', Charset: 'UTF-8' },
        Body: {
          Text: {
            Data: `Confirm: ${BASE}/a/${tokenA}.\nReport stuck: ${BASE}/a/${tokenB}\nPlan: ${BASE}/plans/p-1`,
          },
          Html: {
            Data: `<p><a href="${BASE}/a/${tokenA}">Confirm</a> <a href="${BASE}/a/${tokenB}?x=1&amp;y=2">Stuck</a></p>`,
          },
        },
        ...(attachments ? { Attachments: attachments } : {}),
      },
    },
  });
}

describe('SES emulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosell-ses-'));
  const outboxFile = join(dir, 'outbox.jsonl');
  let clock = new Date('2026-03-02T09:00:00.000Z');
  let ses: SesLocal;
  let restoreEnv: () => void = () => {};

  beforeAll(async () => {
    ses = await startSesLocal({ outboxFile, now: () => clock });
    // The same way the handlers find it: a default client, endpoint from AWS_ENDPOINT_URL_SESV2.
    restoreEnv = applyEnv(
      localAwsEnv({ dynamodb: 'http://127.0.0.1:1', ses: ses.url, emulator: 'http://127.0.0.1:1' }),
    );
  });

  afterEach(() => {
    clock = new Date(clock.getTime() + 60_000);
  });

  afterAll(async () => {
    await ses.stop();
    restoreEnv();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records an SES v2 SendEmail (Html, Text, configuration set) with its action links', async () => {
    // Prepare
    const client = new SESv2Client({});

    // Act
    const { MessageId } = await client.send(gateEmail(['ann@partner.example']));
    const outbox = await ses.readOutbox();

    // Assess
    expect(MessageId).toEqual(expect.any(String));
    expect(outbox).toEqual([
      {
        to: ['ann@partner.example'],
        cc: [],
        attachments: [],
        subject: 'Confirm stage 1 for Acme',
        text: expect.stringContaining(`${BASE}/a/${tokenA}`),
        html: expect.stringContaining('<a href='),
        links: [`${BASE}/a/${tokenA}`, `${BASE}/a/${tokenB}`, `${BASE}/a/${tokenB}?x=1&y=2`],
        sentAt: '2026-03-02T09:00:00.000Z',
      },
    ]);
    client.destroy();
  });

  it('keeps every one of several ToAddresses (SES v2; over v1 the emulator kept only the first)', async () => {
    // Prepare
    const client = new SESv2Client({});

    // Act
    await client.send(gateEmail(['ann@partner.example', 'bob@vendor.example']));
    const outbox = await ses.readOutbox();

    // Assess
    expect(outbox.map((email) => email.to)).toEqual([
      ['ann@partner.example'],
      ['ann@partner.example', 'bob@vendor.example'],
    ]);
    client.destroy();
  });

  it('keeps the outbox, oldest first, across a restart', async () => {
    // Prepare
    await ses.stop();

    // Act
    ses = await startSesLocal({ outboxFile, now: () => clock });
    restoreEnv();
    restoreEnv = applyEnv(
      localAwsEnv({ dynamodb: 'http://127.0.0.1:1', ses: ses.url, emulator: 'http://127.0.0.1:1' }),
    );
    const client = new SESv2Client({});
    await client.send(gateEmail(['carol@customer.example']));
    const outbox = await ses.readOutbox();

    // Assess
    expect(outbox.map((email) => [email.to[0], email.sentAt])).toEqual([
      ['ann@partner.example', '2026-03-02T09:00:00.000Z'],
      ['ann@partner.example', '2026-03-02T09:01:00.000Z'],
      ['carol@customer.example', '2026-03-02T09:02:00.000Z'],
    ]);
    client.destroy();
  });

  it('shows a copied recipient', async () => {
    // Prepare
    const client = new SESv2Client({});
    const command = gateEmail(['raj@partner.example']);
    command.input.Destination = {
      ToAddresses: ['raj@partner.example'],
      CcAddresses: ['dana@partner.example'],
    };

    // Act
    await client.send(command);
    const outbox = await ses.readOutbox();

    // Assess
    expect(outbox.at(-1)).toMatchObject({ to: ['raj@partner.example'], cc: ['dana@partner.example'] });
    client.destroy();
  });

  it('lists a simple email’s attachments (the calendar invitation) in the outbox, without their content', async () => {
    // Prepare
    const client = new SESv2Client({});
    const ics = 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';
    const invite = {
      FileName: 'invite.ics',
      ContentType: 'text/calendar; charset=UTF-8; method=REQUEST',
      RawContent: new TextEncoder().encode(ics),
    };

    // Act
    await client.send(gateEmail(['una@partner.example'], [invite]));
    const outbox = await ses.readOutbox();

    // Assess
    expect(outbox.at(-1)).toMatchObject({
      to: ['una@partner.example'],
      attachments: [{ filename: 'invite.ics', contentType: invite.ContentType, size: ics.length }],
    });
    client.destroy();
  });

  it('answers the next sends with a throttling error when told to, then accepts mail again', async () => {
    // Prepare
    const client = new SESv2Client({ maxAttempts: 1 });
    const before = (await ses.readOutbox()).length;
    ses.throttleNextSends(1);

    // Act
    const throttled = await client.send(gateEmail(['tia@partner.example'])).catch((error: Error) => error);
    await client.send(gateEmail(['tia@partner.example']));

    // Assess
    expect((throttled as Error).name).toBe('TooManyRequestsException');
    expect((throttled as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(429);
    expect((await ses.readOutbox()).length).toBe(before + 1);
    client.destroy();
  });

  it('refuses a second emulator in the same process', async () => {
    await expect(startSesLocal()).rejects.toThrow(/already running/);
  });
});

describe('extractActionLinks', () => {
  it('finds absolute /a/ links once each, without trailing punctuation or entities', () => {
    expect(
      extractActionLinks(
        `Open https://deals.example.com/a/x.y, or http://localhost:3000/a/z! Not https://x.example/b/a/q`,
        `<a href="https://deals.example.com/a/x.y">x</a><a href='http://h/a/p?q=1&amp;r=2'>p</a> /a/relative`,
      ),
    ).toEqual(['https://deals.example.com/a/x.y', 'http://localhost:3000/a/z', 'http://h/a/p?q=1&r=2']);
  });
});
