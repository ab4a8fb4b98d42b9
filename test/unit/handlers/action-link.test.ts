import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clearSecretCache as clearCaches } from '../../../lambdas/adapters/secrets.adapter';
import { type LinkClaims, newNonce, signLink } from '../../../lambdas/domain/links';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { PEOPLE } from '../../helpers/plan';
import {
  ENV,
  FIXTURE_PLAN_ID,
  LINK_KEY,
  LINK_KEYS_SECRET,
  LINK_KID,
  linkEvent,
  storedDeal,
  stubHandlerEnvironment,
} from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
// Events the use cases publish (escalations, stage advanced, slips); no test here reaches a real bus.
const events = mockClient(EventBridgeClient);
events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
const sfn = mockClient(SFNClient);

let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/action-link'));
});

afterEach(() => {
  ddb.reset();
  secrets.reset();
  ses.reset();
  events.resetHistory();
  sfn.reset();
  clearCaches();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function writesSent(): number {
  return (
    ddb.commandCalls(PutCommand).length +
    ddb.commandCalls(TransactWriteCommand).length +
    ddb.commandCalls(UpdateCommand).length +
    ddb.commandCalls(DeleteCommand).length
  );
}

/** A link to mark `fit-check` done, sent to its owner, signed with the tenant's current key. */
function fitCheckDoneLink(
  edit: Partial<LinkClaims> = {},
  key = LINK_KEY,
): { token: string; claims: LinkClaims } {
  const claims: LinkClaims = {
    kid: LINK_KID,
    planId: FIXTURE_PLAN_ID,
    action: 'milestone-done',
    target: 'fit-check',
    recipient: PEOPLE.ana,
    exp: Math.floor(Date.now() / 1000) + 86_400,
    nonce: newNonce(),
    ...edit,
  };
  return { token: signLink(ENV.TENANT, claims, Buffer.from(key, 'utf8')), claims };
}

/** The deal open at its first stage, as the tables hold it; no link used yet. */
function givenOpenDeal(): void {
  const { deal, milestoneItems } = storedDeal('target-account-selection');
  secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
  ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
  ddb.on(GetCommand, { TableName: ENV.LINKS_TABLE }).resolves({});
  ddb.on(QueryCommand).resolves({ Items: milestoneItems });
}

function expectSecurityHeaders(result: HttpResult): void {
  expect(result.headers).toMatchObject({
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': expect.stringContaining("default-src 'none'"),
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  expect(String(result.headers?.['content-security-policy'])).toContain("frame-ancestors 'none'");
}

describe('action-link GET and HEAD', () => {
  it('answers 404 HTML with the security headers for a garbage token, touching nothing', async () => {
    // Prepare
    const event = linkEvent('get', 'not-a-token');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(404);
    expectSecurityHeaders(result);
    expect(result.body).toMatch(/^<!doctype html>/);
    expect(result.body).toContain('This link is not valid');
    expect(ddb.calls()).toHaveLength(0);
    expect(secrets.calls()).toHaveLength(0);
    expect(ses.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers HEAD with the same status and headers and an empty body', async () => {
    // Prepare
    const event = linkEvent('head', 'not-a-token');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(404);
    expectSecurityHeaders(result);
    expect(result.body).toBe('');
    expect(writesSent()).toBe(0);
  });

  it('shows the form for a valid link and changes nothing (mail scanners fetch every link)', async () => {
    // Prepare
    givenOpenDeal();
    const { token } = fitCheckDoneLink();

    // Act
    const result = await handler(linkEvent('get', token));

    // Assess
    expect(result.statusCode).toBe(200);
    expectSecurityHeaders(result);
    expect(result.body).toContain('<form method="post"');
    expect(writesSent()).toBe(0);
    expect(ses.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers HEAD for a valid link with an empty body and no write', async () => {
    // Prepare
    givenOpenDeal();
    const { token } = fitCheckDoneLink();

    // Act
    const result = await handler(linkEvent('head', token));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(writesSent()).toBe(0);
  });

  it('refuses a link signed with the wrong key as not valid (404)', async () => {
    // Prepare
    givenOpenDeal();
    const { token } = fitCheckDoneLink({}, 'some-other-key-that-is-not-the-tenants-key-0000000000000000000');

    // Act
    const result = await handler(linkEvent('get', token));

    // Assess
    expect(result.statusCode).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each(['constructor', 'toString', '__proto__'])(
    'refuses a token whose kid names an Object property (%s) as not valid (404), not as a server error',
    async (kid) => {
      // Prepare
      givenOpenDeal();
      const { token } = fitCheckDoneLink({ kid });

      // Act
      const result = await handler(linkEvent('get', token));

      // Assess
      expect(result.statusCode).toBe(404);
      expect(writesSent()).toBe(0);
    },
  );
});

describe('action-link POST', () => {
  it('answers 415 for a body that is not the form, before reading anything', async () => {
    // Prepare
    const { token } = fitCheckDoneLink();
    const event = linkEvent('post', token, { body: '{"note":"done"}' });
    event.headers = { ...event.headers, 'content-type': 'application/json' };

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(415);
    expectSecurityHeaders(result);
    expect(ddb.calls()).toHaveLength(0);
    expect(secrets.calls()).toHaveLength(0);
  });

  it('answers 413 for a form over 256 KB, before reading anything', async () => {
    // Prepare
    const { token } = fitCheckDoneLink();
    const event = linkEvent('post', token, { body: `note=${'x'.repeat(256 * 1024)}` });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(413);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 405 to any other method', async () => {
    // Prepare
    const { token } = fitCheckDoneLink();
    const event = linkEvent('post', token);
    event.requestContext.http.method = 'PUT';

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(405);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('acts once: saves deal, milestone and the link nonce in one transaction', async () => {
    // Prepare
    givenOpenDeal();
    ddb.on(TransactWriteCommand).resolves({});
    const { token, claims } = fitCheckDoneLink();
    const event = linkEvent('post', token, { body: 'note=Both+ICPs+confirmed' });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('Done');
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const puts = (writes[0]?.args[0].input.TransactItems ?? []).map((i) => i.Put);
    const [dealPut, milestonePut, watchPut] = puts;
    const linkPut = puts.at(-1);
    // Issue 15: the click leaves stage 1 waiting only on confirmations, so a silence watch is held with it
    // (announcement-schedule.adapter.ts); the link use stays the transaction's last item.
    expect(puts).toHaveLength(4);
    expect(watchPut).toMatchObject({
      TableName: ENV.MILESTONES_TABLE,
      Item: {
        planId: `${FIXTURE_PLAN_ID}#announce`,
        milestoneId: `watch#silence#${FIXTURE_PLAN_ID}#target-account-selection`,
        kind: 'HeldAnnouncement',
      },
    });
    expect(dealPut).toMatchObject({
      TableName: ENV.PLANS_TABLE,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: { planId: FIXTURE_PLAN_ID, version: 2 },
    });
    expect(milestonePut).toMatchObject({
      TableName: ENV.MILESTONES_TABLE,
      Item: { milestoneId: 'fit-check', status: 'done', doneBy: PEOPLE.ana, version: 2 },
    });
    expect(milestonePut?.Item).not.toHaveProperty('openShard');
    expect(linkPut).toMatchObject({
      TableName: ENV.LINKS_TABLE,
      ConditionExpression: 'attribute_not_exists(nonce)',
      Item: { nonce: claims.nonce, planId: FIXTURE_PLAN_ID, usedBy: PEOPLE.ana, action: 'milestone-done' },
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 409 "already used" when another click claimed the nonce first', async () => {
    // Prepare
    givenOpenDeal();
    const { token, claims } = fitCheckDoneLink();
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    ddb
      .on(GetCommand, { TableName: ENV.LINKS_TABLE })
      .resolvesOnce({})
      .resolves({
        Item: {
          nonce: claims.nonce,
          planId: FIXTURE_PLAN_ID,
          action: claims.action,
          target: claims.target,
          usedAt: '2026-12-02T15:00:00.000Z',
          usedBy: PEOPLE.ana,
          expiresAt: claims.exp + 86_400,
        },
      });

    // Act
    const result = await handler(linkEvent('post', token, { body: 'note=' }));

    // Assess
    expect(result.statusCode).toBe(409);
    expect(result.body).toContain('already used');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 500 with a page that says nothing changed when the store fails', async () => {
    // Prepare
    givenOpenDeal();
    ddb.on(TransactWriteCommand).rejects(new Error('InternalServerError'));
    const { token } = fitCheckDoneLink();

    // Act
    const result = await handler(linkEvent('post', token, { body: 'note=' }));

    // Assess
    expect(result.statusCode).toBe(500);
    expectSecurityHeaders(result);
    expect(result.body).toContain('nothing was changed');
    expect(result.body).not.toContain(token);
  });
});
