import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { aggregateItems, entryItem } from '../../../lambdas/adapters/dynamodb/closed-items';
import { hashOf } from '../../../lambdas/adapters/dynamodb/deal-items';
import { entryKinds, entryOf, rebuildAggregates } from '../../../lambdas/domain/closed-aggregates';
import { programReport, type ReportDeal } from '../../../lambdas/domain/reports';
import type { HttpEvent, HttpResult } from '../../../lambdas/handlers/http';
import { ONE_PAGER_HEADERS } from '../../../lambdas/views/pages/one-pager';
import { REPORT_PAGE_HEADERS } from '../../../lambdas/views/pages/report-page';
import { reportToCsv } from '../../../lambdas/views/reports/report-csv';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  programPartnerPlans,
} from '../../../scripts/lib/program-fixture';
import {
  ENV,
  FIXTURE_PLAN_ID,
  LINK_KEYS_SECRET,
  opsEvent,
  storedDeal,
  stubHandlerEnvironment,
} from './handler-kit';

// reports-api: the program report (JSON, HTML, CSV) over the tables, and the plan one-pager.

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const PROGRAM_DEALS = generateProgram(PROGRAM, PROGRAM_NOW);
const PARTNER_PLANS = programPartnerPlans();

let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/reports-api'));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(PROGRAM_NOW);
});

afterEach(() => {
  vi.useRealTimers();
  ddb.reset();
  secrets.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/**
 * The tables as they hold the generated program: the plans-by-status index with the active deals' keys and
 * the closed deals' aggregates and entries (as closes wrote them), deal states by key, milestones per deal.
 */
function givenTheProgramStored(): void {
  const items = new Map(
    PROGRAM_DEALS.map((d) => [d.deal.planId, { ...d.deal, taskToken: 'SECRET-TASK-TOKEN' }]),
  );
  const closed = PROGRAM_DEALS.map((d) => d.deal).filter((d) => d.status !== 'active');
  const index: Record<string, unknown>[] = [
    ...PROGRAM_DEALS.filter((d) => d.deal.status === 'active').map(({ deal }) => ({
      planId: deal.planId,
      listShard: `active#${hashOf(deal.planId, 4)}`,
      listKey: `${deal.createdAt}#${deal.planId}`,
    })),
    ...rebuildAggregates(closed).flatMap((agg) => aggregateItems(agg)),
    ...closed.flatMap((deal) => {
      const entry = entryOf(deal);
      return entry ? entryKinds(entry).map((kind) => entryItem(kind, entry)) : [];
    }),
  ];
  ddb.on(QueryCommand, { TableName: ENV.PLANS_TABLE }).callsFake((input) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const prefix = values[':p'] ?? '';
    return {
      Items: index.filter((i) => i.listShard === values[':s'] && String(i.listKey).startsWith(prefix)),
    };
  });
  ddb.on(BatchGetCommand).callsFake((input) => ({
    Responses: {
      [ENV.PLANS_TABLE]: (input.RequestItems[ENV.PLANS_TABLE].Keys as { planId: string }[]).flatMap(
        (k) => items.get(k.planId) ?? [],
      ),
    },
  }));
  ddb.on(ScanCommand, { TableName: ENV.PARTNER_PLANS_TABLE }).resolves({
    Items: PARTNER_PLANS.map((plan) => ({ plan })),
  });
  const milestones = new Map(PROGRAM_DEALS.map((d) => [d.deal.planId, d.milestones]));
  ddb.on(QueryCommand, { TableName: ENV.MILESTONES_TABLE }).callsFake((input) => ({
    Items: milestones.get(input.ExpressionAttributeValues[':p']) ?? [],
  }));
}

/** What the report must be: the pure function over the same deals (milestones of active deals only). */
function expectedReport(options: Parameters<typeof programReport>[3] = {}) {
  // In plan id order, as the store returns them (so lists such as off-list accounts come out the same).
  const deals: ReportDeal[] = [...PROGRAM_DEALS]
    .sort((a, b) => a.deal.planId.localeCompare(b.deal.planId))
    .map(({ deal, milestones }) => (deal.status === 'active' ? { deal, milestones } : { deal }));
  return programReport(deals, PARTNER_PLANS, PROGRAM_NOW, {
    defaultTimezone: ENV.DEFAULT_TIMEZONE,
    ...options,
  });
}

const report = (path: string, query?: Record<string, string>) =>
  handler(opsEvent(`GET ${path}`, path, query ? { queryStringParameters: query } : {}));

describe('reports-api GET /reports/program', () => {
  it('answers the program report over every deal, exactly as computed from the tables', async () => {
    // Prepare
    givenTheProgramStored();

    // Act
    const result = await report('/reports/program');

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(result.body ?? '')).toEqual(JSON.parse(JSON.stringify(expectedReport())));
    expect(result.body).not.toContain('SECRET-TASK-TOKEN');
  });

  it('reads active deals without the task token and closed ones as aggregates, never scanning the plans', async () => {
    // Prepare
    givenTheProgramStored();

    // Act
    await report('/reports/program');

    // Assess
    expect(ddb.commandCalls(ScanCommand, { TableName: ENV.PLANS_TABLE })).toHaveLength(0);
    const active = PROGRAM_DEALS.filter((d) => d.deal.status === 'active').map((d) => d.deal.planId);
    const gets = ddb
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.[ENV.PLANS_TABLE]);
    const read = gets.flatMap((g) => (g?.Keys ?? []).map((k) => String(k.planId)));
    expect(read.sort()).toEqual([...active].sort());
    for (const g of gets) {
      expect(Object.values(g?.ExpressionAttributeNames ?? {})).not.toContain('taskToken');
      expect(Object.values(g?.ExpressionAttributeNames ?? {})).toEqual(
        expect.arrayContaining(['planId', 'status', 'plan', 'stages', 'outcome', 'offPartnerPlan']),
      );
    }
    const queried = ddb
      .commandCalls(QueryCommand, { TableName: ENV.MILESTONES_TABLE })
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':p'] as string);
    expect(queried.sort()).toEqual([...active].sort());
    const shards = ddb
      .commandCalls(QueryCommand, { TableName: ENV.PLANS_TABLE })
      .map((c) => String(c.args[0].input.ExpressionAttributeValues?.[':s']));
    // The aggregates, the listed closed deals, and those of other currencies or of partners checked now.
    const others = shards.filter((s) => !s.startsWith('active#'));
    expect(others).toEqual(expect.arrayContaining(['report#listed', 'report#partner', 'report#reason']));
    for (const s of others) expect(s).toMatch(/^report#(partner|reason|listed|unchecked|currency#[A-Z]{3})$/);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('passes partner, stallDays and currency through', async () => {
    // Prepare
    givenTheProgramStored();

    // Act
    const result = await report('/reports/program', {
      partner: 'contoso partners',
      stallDays: '30',
      currency: 'eur',
    });

    // Assess
    expect(result.statusCode).toBe(200);
    const expected = expectedReport({ partner: 'contoso partners', stallDays: 30, currency: 'EUR' });
    expect(JSON.parse(result.body ?? '')).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('answers 400 naming each bad query parameter, and reads nothing', async () => {
    const result = await report('/reports/program', { stallDays: 'two weeks', currency: 'dollars' });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').issues.map((i: { path: string }) => i.path)).toEqual([
      'stallDays',
      'currency',
    ]);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('filters the dashboard rows by owner, stage and health, and answers 400 for an unknown one', async () => {
    givenTheProgramStored();
    const result = await report('/reports/program', {
      owner: 'ANA.RUIZ@vendor.example',
      stage: 'joint-discovery',
      health: 'stalled',
    });
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body ?? '');
    expect(body.dashboard.filters).toEqual({
      owner: 'ana.ruiz@vendor.example',
      stage: 'joint-discovery',
      health: 'stalled',
    });
    expect(body.dashboard.rows.length).toBeGreaterThan(0);
    for (const row of body.dashboard.rows)
      expect([row.stage, row.health]).toEqual(['joint-discovery', 'stalled']);
    // The figures still cover every deal.
    expect(body.total).toEqual(JSON.parse(JSON.stringify(expectedReport().total)));
    const bad = await report('/reports/program', { stage: 'stage-9', health: 'fine', table: 'all' });
    expect(JSON.parse(bad.body ?? '').issues.map((i: { path: string }) => i.path)).toEqual([
      'table',
      'stage',
      'health',
    ]);
  });

  it('answers 500 without details when a table cannot be read', async () => {
    ddb.on(ScanCommand).rejects(new Error('AccessDeniedException: not authorized on arn:aws:dynamodb:...'));
    ddb.on(QueryCommand).rejects(new Error('AccessDeniedException: not authorized on arn:aws:dynamodb:...'));
    const result = await report('/reports/program');
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('arn:aws');
  });
});

describe('reports-api GET /reports/program.html and .csv', () => {
  it('renders the printable page with its strict headers and the three SVG charts', async () => {
    givenTheProgramStored();
    const result = await report('/reports/program.html');
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual(REPORT_PAGE_HEADERS);
    expect(result.body?.match(/<svg class="chart"/g)).toHaveLength(3);
    expect(result.body).not.toMatch(/<script/i);
  });

  it("links each active deal's room with a view link for its vendor owner, never in the JSON", async () => {
    givenTheProgramStored();
    secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
    const page = await report('/reports/program.html');
    const rooms = page.body?.match(/<a class="room" href="[^"]+\/room\/[^"]+">room<\/a>/g) ?? [];
    expect(rooms).toHaveLength(expectedReport().dashboard.rows.length);
    expect(rooms[0]).toContain(`href="${ENV.PUBLIC_BASE_URL}/room/`);
    // No view link in the JSON: it is a credential.
    ddb.reset();
    givenTheProgramStored();
    expect((await report('/reports/program')).body).not.toContain('/room/');
  });

  it('answers the summary CSV, or the stalled deals with ?table=stalled', async () => {
    givenTheProgramStored();
    const summary = await report('/reports/program.csv');
    expect(summary.statusCode).toBe(200);
    expect(summary.headers).toMatchObject({
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': 'attachment; filename="program-2027-03-20.csv"',
    });
    expect(summary.body).toBe(reportToCsv(expectedReport()));

    ddb.reset();
    givenTheProgramStored();
    const stalled = await report('/reports/program.csv', { table: 'stalled' });
    expect(stalled.body).toBe(reportToCsv(expectedReport(), 'stalled'));
  });

  it('answers the dashboard, forecast, return and method CSVs', async () => {
    for (const table of ['deals', 'forecast', 'return', 'method'] as const) {
      ddb.reset();
      givenTheProgramStored();
      const answer = await report('/reports/program.csv', { table });
      expect(answer.headers?.['content-disposition']).toBe(
        `attachment; filename="program-${table}-2027-03-20.csv"`,
      );
      expect(answer.body).toBe(reportToCsv(expectedReport(), table));
    }
  }, 30_000);
});

describe('reports-api GET /plans/{planId}/one-pager', () => {
  const onePager = () =>
    handler(
      opsEvent('GET /plans/{planId}/one-pager', `/plans/${FIXTURE_PLAN_ID}/one-pager`, {
        pathParameters: { planId: FIXTURE_PLAN_ID },
      }),
    );

  it('renders the deal as a printable page, without the task token', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('joint-discovery');
    ddb.on(GetCommand).resolves({ Item: { ...deal, taskToken: 'SECRET-TASK-TOKEN' } });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });

    // Act
    const result = await onePager();

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toEqual(ONE_PAGER_HEADERS);
    expect(result.body).toContain(deal.plan.name);
    expect(result.body).not.toContain('SECRET-TASK-TOKEN');
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: ENV.PLANS_TABLE,
      Key: { planId: FIXTURE_PLAN_ID },
    });
  });

  it('answers 404 for a plan that does not exist', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    const result = await onePager();
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body ?? '').error).toContain(FIXTURE_PLAN_ID);
  });

  it('answers 404 for a route it does not serve', async () => {
    const result = await handler(opsEvent('DELETE /reports/program', '/reports/program'));
    expect(result.statusCode).toBe(404);
    expect(ddb.calls()).toHaveLength(0);
  });
});
