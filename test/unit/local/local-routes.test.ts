import { describe, expect, it } from 'vitest';
import type { AwsEmulator } from '../../../local/aws-emulator';
import { FaultPlan } from '../../../local/faults';
import { localRoutes } from '../../../local/local-routes';
import type { OutboxEmail, SesLocal } from '../../../local/ses-local';
import type { LocalStateMachine } from '../../../local/step-functions/local-machine';

const token = (planId: string) =>
  `${Buffer.from(JSON.stringify([1, 'k', planId, 'vw', planId, 'x@y.z', 2e9, 'n'.repeat(22)])).toString('base64url')}.sig`;

function mail(to: string, planId: string, sentAt: string): OutboxEmail {
  return {
    to: [to],
    cc: [],
    subject: '[Deal] Hello',
    text: `See the whole deal: http://127.0.0.1:3000/room/${token(planId)}`,
    html: '<p>Hi</p>',
    attachments: [],
    links: [],
    sentAt,
  };
}

/** An outbox that grows by one email at each read, as one sent between the size and the read would. */
function growingSes(emails: OutboxEmail[]): SesLocal {
  const sent = [...emails];
  return {
    outboxSize: () => sent.length,
    readOutbox: async (from = 0) => {
      sent.push(mail('late@x.example', 'pl_z', '2026-12-01T23:00:00.000Z'));
      return sent.slice(from);
    },
  } as unknown as SesLocal;
}

const outboxRoute = (ses: SesLocal) =>
  localRoutes({
    ses,
    emulator: {} as AwsEmulator,
    machine: {} as LocalStateMachine,
    faults: new FaultPlan(),
    runUntil: async () => undefined,
    sweepOnce: async () => undefined,
    atRest: async () => undefined,
  })['GET /_local/outbox'] as NonNullable<ReturnType<typeof localRoutes>[string]>;

const get = (ses: SesLocal, query: string) =>
  outboxRoute(ses)('', { path: '/_local/outbox', headers: {}, query: new URLSearchParams(query) });

describe('GET /_local/outbox?since=', () => {
  const three = [
    mail('ana@v.example', 'pl_a', '2026-12-01T10:00:00.000Z'),
    mail('lee@c.example', 'pl_a', '2026-12-01T11:00:00.000Z'),
    mail('ana@v.example', 'pl_b', '2026-12-01T12:00:00.000Z'),
  ];

  it('answers only what follows the cursor, and the cursor for the next poll (none twice, none missed)', async () => {
    const ses = growingSes(three);
    const first = await get(ses, '');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(3);
    expect(first.headers).toEqual({ 'x-outbox-cursor': '3' });
    const next = await get(ses, 'since=3');
    expect((next.body as OutboxEmail[]).map((e) => e.to[0])).toEqual(['late@x.example']);
    expect(next.headers).toEqual({ 'x-outbox-cursor': '4' });
  });

  it('keeps the to and planId filters, and takes an ISO instant', async () => {
    const ses = growingSes(three);
    expect((await get(ses, 'since=1&to=ana@v.example')).body).toHaveLength(1);
    expect((await get(ses, 'since=0&planId=pl_a')).body).toHaveLength(2);
    const after = await get(growingSes(three), 'since=2026-12-01T10:30:00Z');
    expect((after.body as OutboxEmail[]).map((e) => e.sentAt)).toEqual([
      '2026-12-01T11:00:00.000Z',
      '2026-12-01T12:00:00.000Z',
    ]);
  });

  it('answers 400 naming the field for a bad since', async () => {
    const res = await get(growingSes(three), 'since=last-tuesday');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ issues: [{ path: 'since' }] });
    expect((await get(growingSes(three), 'since=9')).status).toBe(400);
  });
});
