import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newNonce, signViewLink } from '../../../lambdas/domain/links';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { ROOM_PAGE_HEADERS } from '../../../lambdas/views/pages/room-page';
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

// deal-room: the public, read-only `GET|HEAD /room/{token}` (its own function, apart from action-link).

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/deal-room'));
});

afterEach(() => {
  ddb.reset();
  secrets.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  ddb.restore();
  secrets.restore();
});

function roomEvent(method: 'GET' | 'HEAD' | 'POST', token: string): HttpEvent {
  const event = linkEvent('get', token);
  event.routeKey = `${method} /room/{token}`;
  event.requestContext.routeKey = event.routeKey;
  event.requestContext.http.method = method;
  event.rawPath = `/room/${token}`;
  event.requestContext.http.path = event.rawPath;
  return event;
}

function viewToken(recipient: string): string {
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  return signViewLink(
    ENV.TENANT,
    { kid: LINK_KID, planId: FIXTURE_PLAN_ID, recipient, exp, nonce: newNonce() },
    Buffer.from(LINK_KEY, 'utf8'),
  );
}

describe('deal-room handler', () => {
  it('answers 405 to anything but GET and HEAD, reading nothing', async () => {
    const result = await handler(roomEvent('POST', 'x.y'));
    expect(result.statusCode).toBe(405);
    expect(result.headers).toMatchObject({ allow: 'GET, HEAD' });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses a token that is not valid with 404, reading no deal', async () => {
    secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
    const result = await handler(roomEvent('GET', 'not-a-token.sig'));
    expect(result.statusCode).toBe(404);
    expect(result.headers).toEqual(ROOM_PAGE_HEADERS);
    expect(result.body).toContain('Link not valid');
    expect(ddb.commandCalls(GetCommand, { TableName: ENV.PLANS_TABLE })).toHaveLength(0);
  });

  it('shows the deal to a person on it, and HEAD answers the same status with no body, writing nothing', async () => {
    const { deal, milestoneItems } = storedDeal('target-account-selection');
    secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
    ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
    ddb.on(GetCommand, { TableName: ENV.IDEMPOTENCY_TABLE }).resolves({});
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    const vendor = deal.plan.owners.vendor?.email ?? '';
    const page = await handler(roomEvent('GET', viewToken(vendor)));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(deal.plan.name);
    const head = await handler(roomEvent('HEAD', viewToken(vendor)));
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const commands = ddb.calls().map((c) => c.args[0].constructor.name);
    expect(new Set(commands)).toEqual(new Set(['GetCommand', 'QueryCommand']));
  });
});
