import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePlanDocument } from '../../../lambdas/domain/plan-document';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';
import { ENV, FIXTURE_PLAN_ID, httpEvent, storedDeal, stubHandlerEnvironment } from './handler-kit';

const REFERENCE_YAML = readFileSync(REFERENCE_PLAN_PATH, 'utf8');
const REFERENCE_PLAN = parsePlanDocument(REFERENCE_YAML, 'yaml');

const ddb = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/plans-api'));
});

afterEach(() => {
  ddb.reset();
  sfn.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function postPlan(body: string, contentType: string | undefined, edit: Partial<HttpEvent> = {}): HttpEvent {
  const event = httpEvent('plans-post', { body, ...edit });
  const { 'content-type': _old, ...headers } = event.headers;
  event.headers = contentType === undefined ? headers : { ...headers, 'content-type': contentType };
  return event;
}

function bodyOf(result: HttpResult): Record<string, unknown> {
  return JSON.parse(result.body ?? '') as Record<string, unknown>;
}

function givenStoreAndWorkflowAccept(): void {
  ddb.on(TransactWriteCommand).resolves({});
  // The duplicate check lists the partner's active deals (none here).
  ddb.on(QueryCommand).resolves({ Items: [] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
}

describe('plans-api POST /plans', () => {
  it('stores the reference plan (JSON), starts its workflow and answers 201 with the plan id', async () => {
    // Prepare
    givenStoreAndWorkflowAccept();
    const event = postPlan(JSON.stringify(REFERENCE_PLAN), 'application/json');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(201);
    const body = bodyOf(result);
    expect(body.planId).toMatch(/^pl_[a-f0-9]{20}$/);
    expect(body).toMatchObject({ name: 'Globex platform migration', status: 'active' });
    expect(result.headers).toMatchObject({ location: `/plans/${body.planId}` });
    const writes = ddb.commandCalls(TransactWriteCommand);
    expect(writes).toHaveLength(1);
    const planPut = writes[0]?.args[0].input.TransactItems?.[0]?.Put;
    expect(planPut?.TableName).toBe(ENV.PLANS_TABLE);
    expect(planPut?.Item).toMatchObject({ planId: body.planId, tenant: ENV.TENANT });
    // The plan document is an item of its own, written once per version.
    expect(writes[0]?.args[0].input.TransactItems?.[1]?.Put?.Item).toMatchObject({
      planId: `${body.planId}#plan#1`,
      plan: REFERENCE_PLAN,
    });
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: ENV.STATE_MACHINE_ARN,
      name: body.planId,
      input: JSON.stringify({ planId: body.planId }),
    });
  });

  it('accepts the same plan as YAML sent as application/yaml', async () => {
    // Prepare
    givenStoreAndWorkflowAccept();
    const event = postPlan(REFERENCE_YAML, 'application/yaml');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(201);
    const planPut = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Put;
    expect(planPut?.Item?.plan).toEqual(REFERENCE_PLAN);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('accepts a base64-encoded body and a content type with parameters', async () => {
    // Prepare
    givenStoreAndWorkflowAccept();
    const body = Buffer.from(JSON.stringify(REFERENCE_PLAN), 'utf8').toString('base64');
    const event = postPlan(body, 'Application/JSON; charset=utf-8', { isBase64Encoded: true });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(201);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 400 with every issue and its path for an invalid plan, and writes nothing', async () => {
    // Prepare
    const { name: _name, ...plan } = structuredClone(REFERENCE_PLAN);
    plan.owners.vendor.email = 'not-an-email';
    const event = postPlan(JSON.stringify(plan), 'application/json');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(400);
    const body = bodyOf(result) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toEqual(expect.any(String));
    expect(body.issues.length).toBeGreaterThanOrEqual(2);
    for (const issue of body.issues) {
      expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
      expect(issue.message).toEqual(expect.any(String));
    }
    expect(body.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'owners.vendor.email']));
    expect(ddb.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 400 for malformed JSON, pointing at the document, and writes nothing', async () => {
    // Prepare
    const event = postPlan('{"apiVersion": "cosell/v1", ', 'application/json');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(400);
    const body = bodyOf(result) as { error: string; issues: { path: string; message: string }[] };
    expect(body.issues[0]).toEqual({ path: '(root)', message: expect.stringMatching(/^invalid JSON/) });
    expect(ddb.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    [undefined],
    ['constructor'],
    ['__proto__'],
  ])('answers 415 for content type %s, and writes nothing', async (contentType) => {
    // Prepare
    const event = postPlan(JSON.stringify(REFERENCE_PLAN), contentType);

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(415);
    expect(bodyOf(result).issues).toEqual([{ path: '(content-type)', message: expect.any(String) }]);
    expect(ddb.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 413 for a body over 256 KB, and writes nothing', async () => {
    // Prepare
    const padding = ' '.repeat(256 * 1024);
    const event = postPlan(`${JSON.stringify(REFERENCE_PLAN)}${padding}`, 'application/json');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(413);
    expect(ddb.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('removes the stored plan again and answers 500 when the workflow cannot start', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    sfn
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    const event = postPlan(JSON.stringify(REFERENCE_PLAN), 'application/json');

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('State Machine Does Not Exist');
    const [create, remove] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems);
    const planId = create?.[0]?.Put?.Item?.planId;
    expect(remove?.[0]?.Delete).toEqual({ TableName: ENV.PLANS_TABLE, Key: { planId } });
    expect(remove).toHaveLength(create?.length ?? -1);
  });
});

describe('plans-api GET /plans/{planId}', () => {
  it('answers 404 for a plan that does not exist', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const result = await handler(httpEvent('plan-get'));

    // Assess
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result).error).toContain(FIXTURE_PLAN_ID);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: ENV.PLANS_TABLE,
      Key: { planId: FIXTURE_PLAN_ID },
    });
  });

  it('answers the plan view, without the task token, for a stored plan', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('door-opener');
    ddb.on(GetCommand).resolves({ Item: { ...deal, taskToken: 'SECRET-TASK-TOKEN' } });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });

    // Act
    const result = await handler(httpEvent('plan-get'));

    // Assess
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    expect(body).toMatchObject({ planId: FIXTURE_PLAN_ID, stage: 'door-opener', status: 'active' });
    expect((body.milestones as unknown[]).length).toBe(milestoneItems.length);
    expect(result.body).not.toContain('SECRET-TASK-TOKEN');
    expect(result.body).not.toContain('openShard');
  });
});

describe('plans-api GET /plans and unknown routes', () => {
  it('lists the plans through the list index, never a Scan', async () => {
    // Prepare: the deal is in one shard of the active partition.
    const { deal } = storedDeal();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': 'active#1' } })
      .resolves({ Items: [{ ...deal, listKey: `${deal.createdAt}#${deal.planId}` }] });
    // updatedAt is not in the index: one BatchGetItem reads it for the page.
    ddb.on(BatchGetCommand).resolves({
      Responses: { [ENV.PLANS_TABLE]: [{ planId: deal.planId, updatedAt: '2026-12-09T10:00:00.000Z' }] },
    });

    // Act
    const result = await handler(httpEvent('plans-list'));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).plans).toEqual([
      expect.objectContaining({ planId: FIXTURE_PLAN_ID, name: 'Globex platform migration' }),
    ]);
    expect((bodyOf(result).plans as { updatedAt: string }[])[0]?.updatedAt).toBe('2026-12-09T10:00:00.000Z');
    expect(bodyOf(result).nextCursor).toBeUndefined();
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(12);
    expect(queries.every((q) => q.IndexName === 'plans-by-status' && q.ScanIndexForward === false)).toBe(
      true,
    );
  });

  it('filters by status, partner and stage, and answers 400 for a bad query or cursor', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });
    const query = { status: 'active', partner: 'Northwind Integrators', stage: 'door-opener', limit: '10' };

    // Act
    const ok = await handler(httpEvent('plans-list', { queryStringParameters: query }));
    const badLimit = await handler(httpEvent('plans-list', { queryStringParameters: { limit: '1000' } }));
    const badCursor = await handler(httpEvent('plans-list', { queryStringParameters: { cursor: '%%%' } }));

    // Assess
    expect(ok.statusCode).toBe(200);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':s'])).toEqual([
      'active#0',
      'active#1',
      'active#2',
      'active#3',
    ]);
    expect(queries[0]).toMatchObject({
      FilterExpression: 'partnerKey = :pk AND #stage = :st',
      ExpressionAttributeValues: { ':pk': 'northwind integrators', ':st': 'door-opener' },
      Limit: 10,
    });
    expect(badLimit.statusCode).toBe(400);
    expect(badCursor.statusCode).toBe(400);
  });

  it('answers 404 for a route it does not serve', async () => {
    // Prepare
    const event = httpEvent('plans-list', { routeKey: 'DELETE /plans/{planId}' });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});
