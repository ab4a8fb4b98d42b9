import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';
import { FIXTURE_PLAN_ID, opsEvent, storedDeal, stubHandlerEnvironment } from './handler-kit';

const REFERENCE_YAML = readFileSync(REFERENCE_PLAN_PATH, 'utf8');
const ddb = mockClient(DynamoDBDocumentClient);

let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/plans-api'));
});

afterEach(() => {
  ddb.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function givenStoredDeal(): void {
  const { deal, milestoneItems } = storedDeal('door-opener');
  ddb.on(GetCommand).resolves({ Item: deal });
  ddb.on(QueryCommand).resolves({ Items: milestoneItems });
}

function put(ifMatch: string): HttpEvent {
  const event = opsEvent('PUT /plans/{planId}', `/plans/${FIXTURE_PLAN_ID}`, {
    pathParameters: { planId: FIXTURE_PLAN_ID },
    body: REFERENCE_YAML,
    queryStringParameters: { dryRun: 'true' },
  });
  event.headers = { ...event.headers, 'content-type': 'application/yaml', 'if-match': ifMatch };
  return event;
}

function close(body: string, contentType = 'application/json'): HttpEvent {
  const event = opsEvent('POST /plans/{planId}/close', `/plans/${FIXTURE_PLAN_ID}/close`, {
    pathParameters: { planId: FIXTURE_PLAN_ID },
    body,
  });
  event.headers = { ...event.headers, 'content-type': contentType };
  return event;
}

const bodyOf = (r: HttpResult) => JSON.parse(r.body ?? '') as Record<string, unknown>;

describe('plans-api PUT /plans/{planId}: If-Match', () => {
  it('answers a stale version with 412 and the current one with 200', async () => {
    givenStoredDeal();
    const stale = await handler(put('"7"'));
    expect(stale.statusCode).toBe(412);
    expect(bodyOf(stale).issues).toEqual([expect.objectContaining({ path: '(if-match)' })]);
    const current = await handler(put('"1"'));
    expect(current.statusCode).toBe(200);
    expect(bodyOf(current)).toMatchObject({ planId: FIXTURE_PLAN_ID, version: 1, changes: [], dryRun: true });
  });

  it('takes If-Match: * as "any version of an existing deal" (RFC 9110), and refuses what is no version', async () => {
    givenStoredDeal();
    expect((await handler(put('*'))).statusCode).toBe(200);
    const bad = await handler(put('v1'));
    expect(bad.statusCode).toBe(400);
    expect(bodyOf(bad).issues).toEqual([expect.objectContaining({ path: '(if-match)' })]);
  });
});

describe('plans-api POST /plans/{planId}/close: the body', () => {
  it('names each missing or unknown field, and reads nothing before the body is valid', async () => {
    const missing = await handler(close(JSON.stringify({ outcome: 'lost', reason: '   ' })));
    expect(missing.statusCode).toBe(400);
    expect(bodyOf(missing).issues).toEqual([expect.objectContaining({ path: 'reason' })]);
    const unknown = await handler(close(JSON.stringify({ outcome: 'won', reason: 'x', extra: 1 })));
    expect(unknown.statusCode).toBe(400);
    const issues = bodyOf(unknown).issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['outcome']));
    expect(issues.map((i) => i.message).join(' ')).toMatch(/"extra"/);
    expect((await handler(close('{"outcome":"lost",', 'application/json'))).statusCode).toBe(400);
    expect((await handler(close('{}', 'text/plain'))).statusCode).toBe(415);
    expect(ddb.calls()).toHaveLength(0);
  });
});
