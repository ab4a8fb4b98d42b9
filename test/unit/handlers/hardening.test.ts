import { readFileSync } from 'node:fs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';
import { httpEvent, linkEvent, stubHandlerEnvironment } from './handler-kit';

// Red-team findings at the HTTP edge: bodies are UTF-8 or refused, JSON keys are never silently
// overwritten, a garbled path is a 400, and a service's passing trouble is a 503, never a 500.

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const REFERENCE_JSON = JSON.stringify(
  (await import('../../../lambdas/domain/plan-document')).readPlanDocument(
    readFileSync(REFERENCE_PLAN_PATH, 'utf8'),
    'yaml',
  ),
);

let plansApi: (event: HttpEvent) => Promise<HttpResult>;
let actionLink: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler: plansApi } = await import('../../../lambdas/handlers/plans-api'));
  ({ handler: actionLink } = await import('../../../lambdas/handlers/action-link'));
});

afterEach(() => {
  ddb.reset();
  sfn.reset();
  secrets.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function postPlan(body: Buffer | string, contentType: string): HttpEvent {
  const event = httpEvent('plans-post');
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    ...event,
    headers: { ...event.headers, 'content-type': contentType },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
}

const bodyOf = (result: HttpResult) =>
  JSON.parse(result.body ?? '{}') as { error: string; issues: unknown[] };

describe('request bodies', () => {
  it('answers 415 to a declared charset other than UTF-8, storing nothing', async () => {
    const latin1 = Buffer.from(REFERENCE_JSON.replace('Globex', 'Glöbex'), 'latin1');

    const result = await plansApi(postPlan(latin1, 'application/json; charset=ISO-8859-1'));

    expect(result.statusCode).toBe(415);
    expect(bodyOf(result).error).toMatch(/charset=iso-8859-1 is not supported: send the body as UTF-8/);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 400 with a clear message to bytes that are not UTF-8, instead of storing U+FFFD', async () => {
    const broken = Buffer.concat([Buffer.from(REFERENCE_JSON.slice(0, 40)), Buffer.from([0xc3, 0x28])]);

    const result = await plansApi(postPlan(broken, 'application/json; charset=utf-8'));

    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).error).toBe('the body is not valid UTF-8 (at byte 40)');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('refuses duplicate JSON keys as YAML refuses duplicated mapping keys', async () => {
    const duplicated = REFERENCE_JSON.replace('"name":', '"name": "first", "name":');

    const result = await plansApi(postPlan(duplicated, 'application/json'));

    expect(result.statusCode).toBe(400);
    expect(JSON.stringify(bodyOf(result).issues)).toMatch(
      /invalid JSON: duplicated key \\"name\\" in \(root\)/,
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers the link form in another charset with 415, before reading any token', async () => {
    const event = linkEvent('post', 'whatever', {
      body: Buffer.from('briefUrl=caf\xe9', 'latin1').toString('base64'),
      isBase64Encoded: true,
    });
    event.headers = { ...event.headers, 'content-type': 'application/x-www-form-urlencoded; charset=latin1' };

    const result = await actionLink(event);

    expect(result.statusCode).toBe(415);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('link paths', () => {
  it('answers 400, not 500, to a token that is not valid percent-encoding (/a/%ZZ as it arrives)', async () => {
    const result = await actionLink(linkEvent('get', '%ZZ'));

    expect(result.statusCode).toBe(400);
  });
});

describe('passing trouble', () => {
  it('answers 503 with Retry-After when DynamoDB throttles past the SDK retries', async () => {
    ddb.onAnyCommand().rejects(
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const event = httpEvent('plan-get');

    const result = await plansApi(event);

    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('5');
  });
});
