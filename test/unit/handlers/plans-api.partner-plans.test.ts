import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { load } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePlanDocument } from '../../../lambdas/domain/plan-document';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { parsePartnerPlan } from '../../../lambdas/schemas/partner-plan.schema';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';
import { ENV, opsEvent, stubHandlerEnvironment } from './handler-kit';

// plans-api's partner-plan routes, and the partner-plan check at POST /plans.

const EXAMPLE_URL = new URL('../../../examples/partner-plan-northwind.yaml', import.meta.url);
const PARTNER_YAML = readFileSync(EXAMPLE_URL, 'utf8');
const PARTNER_PLAN = parsePartnerPlan(load(PARTNER_YAML));
const REFERENCE_PLAN = parsePlanDocument(readFileSync(REFERENCE_PLAN_PATH, 'utf8'), 'yaml');

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

const bodyOf = (result: HttpResult) => JSON.parse(result.body ?? '') as Record<string, unknown>;

function putPartnerPlan(body: string, contentType = 'application/yaml'): HttpEvent {
  const event = opsEvent('PUT /partner-plans', '/partner-plans', { body });
  event.headers = { ...event.headers, 'content-type': contentType };
  return event;
}

function postPlan(plan: unknown): HttpEvent {
  const event = opsEvent('POST /plans', '/plans', { body: JSON.stringify(plan) });
  event.headers = { ...event.headers, 'content-type': 'application/json' };
  return event;
}

describe('plans-api PUT /partner-plans', () => {
  it('stores a new partner plan (YAML) under its normalised partner name and answers 201', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    const result = await handler(putPartnerPlan(PARTNER_YAML));

    // Assess
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({
      partner: 'Northwind Integrators',
      targetAccounts: 4,
      quarterlyTarget: { quarter: '2027-Q1', arr: 600000, currency: 'USD' },
      created: true,
    });
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: ENV.PARTNER_PLANS_TABLE,
      Item: { partnerKey: 'northwind integrators', partner: 'Northwind Integrators', plan: PARTNER_PLAN },
      ReturnValues: 'ALL_OLD',
    });
  });

  it('answers 200 when it replaces the partner plan already stored (JSON)', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({ Attributes: { partnerKey: 'northwind integrators' } });

    // Act
    const result = await handler(putPartnerPlan(JSON.stringify(PARTNER_PLAN), 'application/json'));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ partner: 'Northwind Integrators', created: false });
  });

  it('answers 400 with every issue and its path, and writes nothing', async () => {
    // Prepare
    const broken = PARTNER_YAML.replace('arr: 600000', 'arr: -5').replace(
      '  - { name: Initech,                domain: initech.example }',
      '  - { name: Globex Corporation }',
    );

    // Act
    const result = await handler(putPartnerPlan(broken));

    // Assess
    expect(result.statusCode).toBe(400);
    const body = bodyOf(result) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe('the partner plan is not valid');
    expect(body.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['quarterlyTarget.arr', 'targetAccounts[1].name']),
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers 400 for a deal plan sent as a partner plan, and 415 for another media type', async () => {
    const wrongKind = await handler(putPartnerPlan(JSON.stringify(REFERENCE_PLAN), 'application/json'));
    expect(wrongKind.statusCode).toBe(400);
    expect((bodyOf(wrongKind).issues as { path: string }[]).map((i) => i.path)).toContain('kind');

    const plain = await handler(putPartnerPlan(PARTNER_YAML, 'text/plain'));
    expect(plain.statusCode).toBe(415);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('plans-api GET /partner-plans', () => {
  it('lists every partner plan in full, by partner name', async () => {
    // Prepare
    const contoso = { ...PARTNER_PLAN, partner: { name: 'Contoso Partners' } };
    ddb.on(ScanCommand).resolves({ Items: [{ plan: PARTNER_PLAN }, { plan: contoso }] });

    // Act
    const result = await handler(opsEvent('GET /partner-plans', '/partner-plans'));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ partnerPlans: [contoso, PARTNER_PLAN] });
    expect(ddb.commandCalls(ScanCommand)[0]?.args[0].input.TableName).toBe(ENV.PARTNER_PLANS_TABLE);
  });
});

describe('plans-api POST /plans against the partner plan', () => {
  function givenCreateAccepted(partnerPlan: unknown): void {
    ddb
      .on(GetCommand, { TableName: ENV.PARTNER_PLANS_TABLE })
      .resolves(partnerPlan ? { Item: { plan: partnerPlan } } : {});
    ddb.on(TransactWriteCommand).resolves({});
    // The duplicate check reads the list index (no deals here).
    ddb.on(QueryCommand).resolves({ Items: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  }

  const storedDeal = () =>
    ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item;

  it('warns about an account off the partner plan and stores the flag with the reason', async () => {
    // Prepare
    const elsewhere = structuredClone(REFERENCE_PLAN);
    elsewhere.account = { ...elsewhere.account, name: 'Hooli', domain: 'hooli.example' };
    givenCreateAccepted(PARTNER_PLAN);

    // Act
    const result = await handler(postPlan(elsewhere));

    // Assess
    expect(result.statusCode).toBe(201);
    const message = 'Hooli (hooli.example) is not a target account on the Northwind Integrators partner plan';
    expect(bodyOf(result).warnings).toEqual([{ path: 'account', message }]);
    expect(bodyOf(result)).toMatchObject({ offPartnerPlan: true, offPartnerPlanReason: message });
    expect(storedDeal()).toMatchObject({ offPartnerPlan: true, offPartnerPlanReason: message });
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: ENV.PARTNER_PLANS_TABLE,
      Key: { partnerKey: 'northwind integrators' },
    });
  });

  it('records an account on the list without a warning', async () => {
    givenCreateAccepted(PARTNER_PLAN);
    const result = await handler(postPlan(REFERENCE_PLAN));
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).warnings).toEqual([]);
    expect(storedDeal()).toMatchObject({ offPartnerPlan: false });
    expect(storedDeal()).not.toHaveProperty('offPartnerPlanReason');
  });

  it('stores no verdict when the partner has no partner plan', async () => {
    givenCreateAccepted(undefined);
    const result = await handler(postPlan(REFERENCE_PLAN));
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).warnings).toEqual([]);
    expect(storedDeal()).not.toHaveProperty('offPartnerPlan');
  });
});
