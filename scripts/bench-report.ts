/**
 * What the program report reads, against DynamoDB Local with consumed capacity on:
 * `npm run bench:report [-- --plans 10000] [-- --active 100] [-- --json]`.
 *
 * Two tenants, each with 5 partner plans and `--active` active deals (the reference deal at stages 1 to 5,
 * created through the store): one with nothing else, one with `--plans` deals in all, the rest closed (won
 * and lost, batch-written with the report items their closes would have left: closed-items.ts). Prints,
 * for the report's read (loadProgramReport, as reports-api runs it, in a cold function: no plan cached),
 * the DynamoDB calls and read units, and the ratio of the two; then, for the larger tenant, what the read
 * of before these aggregates cost (one Scan of the plans table plus a Query per active deal), and whether
 * the report equals the one computed over every deal.
 */
import {
  DynamoDBDocumentClient as DocumentClient,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { planItem, stateItem } from '../lambdas/adapters/dynamodb/deal-items';
import { DynamoPartnerPlanStore } from '../lambdas/adapters/dynamodb/partner-plan-store.adapter';
import { DynamoReadingDealStore } from '../lambdas/adapters/dynamodb/reading-deal-store.adapter';
import type { Deal } from '../lambdas/domain/deal';
import { closeDeal } from '../lambdas/domain/plan-close';
import type { DealSnapshot } from '../lambdas/domain/ports';
import { programReport } from '../lambdas/domain/reports';
import { loadProgramReport } from '../lambdas/domain/use-cases/reports';
import { STAGE_KEYS } from '../lambdas/domain/vocabulary';
import { TABLE_DEFINITIONS, type TableKey, tableName } from '../lib/table-definitions';
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { partnerPlanFixture } from './lib/program-fixture';
import { dealAtStage } from './lib/reference-plan';
import { batchWrite, reportItemsOf, scanPlans } from './lib/report-aggregates';

const PARTNERS = ['Northwind Integrators', 'Contoso Partners', 'Fabrikam Cloud', 'Litware Group', 'Tailspin'];
const NOW = new Date('2027-03-20T12:00:00Z');

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Deal n of a tenant: active at stage (n mod 5) + 1, or closed: won, lost at a gate, or closed by ops. */
function dealOf(n: number, active: boolean): DealSnapshot {
  const planId = `pl_benchrep${String(n).padStart(12, '0')}`;
  const stage = STAGE_KEYS[n % STAGE_KEYS.length] ?? 'target-account-selection';
  const start = dealAtStage(active ? stage : 'close-register-review', new Date('2026-12-01T15:00:00Z'));
  const plan = {
    ...start.deal.plan,
    partner: { ...start.deal.plan.partner, name: PARTNERS[n % PARTNERS.length] as string },
    attribution: n % 3 === 0 ? ('influenced' as const) : ('sourced' as const),
  };
  const deal: Deal = {
    ...start.deal,
    planId,
    version: 0,
    planVersion: 1,
    plan,
    // A verdict stored at loading (the partners have plans); one deal in a hundred off the list.
    offPartnerPlan: n % 100 === 7,
    ...(n % 100 === 7 ? { offPartnerPlanReason: 'not a target account' } : {}),
  };
  const milestones = start.milestones.map((m) => ({ ...m, planId, version: 0 }));
  if (active) return { deal, milestones };
  const at = new Date(Date.UTC(2026, 6 + (n % 9), 1 + (n % 27), 12)).toISOString();
  if (n % 3 === 1) {
    const out = closeDeal(
      deal,
      milestones,
      { outcome: 'lost', reason: `reason ${n % 4}` },
      { now: new Date(at), by: 'ops' },
    );
    return { deal: out.deal, milestones };
  }
  const stages = { ...deal.stages };
  const last = STAGE_KEYS[STAGE_KEYS.length - 1] as (typeof STAGE_KEYS)[number];
  stages[last] = { ...stages[last], status: 'passed', passedAt: at };
  const won = n % 3 === 0;
  const outcome = {
    result: won ? ('won' as const) : ('lost' as const),
    finalArr: won ? 100_000 + (n % 10) * 1_000 : 0,
    currency: 'USD',
    lesson: won ? 'Joint pursuit worked' : 'Lost on price',
    at,
    by: 'ops',
  };
  return { deal: { ...deal, status: outcome.result, stages, outcome, updatedAt: at }, milestones };
}

interface Use {
  calls: number;
  read: number;
}
const empty = (): Use => ({ calls: 0, read: 0 });

/** A document client that asks for consumed capacity on every call and adds calls and units to the meter. */
function metered(db: DynamoDBDocumentClient, meter: { current: Use }): DynamoDBDocumentClient {
  db.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const raw = (
        out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
      ).ConsumedCapacity;
      meter.current.calls++;
      for (const c of Array.isArray(raw) ? raw : raw ? [raw] : []) meter.current.read += c.CapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'benchReportCapacity' },
  );
  return db;
}

async function tenant(
  db: { endpoint: string },
  name: string,
  plans: number,
  active: number,
): Promise<{ report: Use; before?: Use; identical?: boolean; listed: number }> {
  const admin = localDynamoDbClient(db.endpoint);
  await ensureTables(admin, TABLE_DEFINITIONS, (key: TableKey) => tableName(name, key));
  admin.destroy();
  const meter = { current: empty() };
  const client = (): DynamoDBDocumentClient =>
    DocumentClient.from(localDynamoDbClient(db.endpoint, 10), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  const writer = client();
  const tables = {
    plans: tableName(name, 'plans'),
    milestones: tableName(name, 'milestones'),
    links: tableName(name, 'links'),
    idempotency: tableName(name, 'idempotency'),
  };
  const partnerPlans = new DynamoPartnerPlanStore(writer, tableName(name, 'partnerPlans'));
  for (const p of PARTNERS)
    await partnerPlans.put(partnerPlanFixture(p, { quarter: '2027-Q1', arr: 1_000_000 }), NOW);
  const store = new DynamoReadingDealStore(writer, tables);
  for (let n = 0; n < active; n++) await store.create(dealOf(n, true));
  const closed = Array.from({ length: plans - active }, (_, i) => dealOf(active + i, false).deal);
  const written = closed.map((d) => ({ ...d, version: 1 }));
  await batchWrite(
    writer,
    tables.plans,
    written.flatMap((d) => [
      { PutRequest: { Item: stateItem(d, 1) } },
      { PutRequest: { Item: planItem(d) } },
    ]),
  );
  const reportItems = reportItemsOf(written);
  await batchWrite(
    writer,
    tables.plans,
    reportItems.map((Item) => ({ PutRequest: { Item } })),
  );

  // The report as reports-api reads it, in a cold function (a fresh store: no plan document cached).
  const reader = metered(client(), meter);
  const deps = {
    store: new DynamoReadingDealStore(reader, tables),
    partnerPlans: new DynamoPartnerPlanStore(reader, tableName(name, 'partnerPlans')),
    clock: { now: () => NOW },
    config: { defaultTimezone: 'UTC' },
  };
  const report = await loadProgramReport(deps);
  const used = meter.current;
  const listed = reportItems.filter((i) => String(i.listShard) === 'report#listed').length;
  if (plans === active) return { report: used, listed };

  // Before: one Scan of the plans table, then one milestones Query per active deal.
  meter.current = empty();
  const { deals } = await scanPlans(reader, tables.plans);
  for (const d of deals.filter((x) => x.status === 'active'))
    await reader.send(
      new QueryCommand({
        TableName: tables.milestones,
        KeyConditionExpression: 'planId = :p',
        ExpressionAttributeValues: { ':p': d.planId },
      }),
    );
  const before = meter.current;
  const everyDeal = await Promise.all(
    deals
      .sort((a, b) => a.planId.localeCompare(b.planId))
      .map(async (deal) => {
        if (deal.status !== 'active') return { deal };
        const snap = await store.get(deal.planId);
        const { taskToken: _t, ...rest } = deal;
        return { deal: rest, milestones: snap?.milestones ?? [] };
      }),
  );
  const expected = programReport(everyDeal, await partnerPlans.list(), NOW, { defaultTimezone: 'UTC' });
  const identical = JSON.stringify(report) === JSON.stringify(expected);
  return { report: used, before, identical, listed };
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const plans = arg('plans', 10_000);
  const active = arg('active', 100);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const small = await tenant(db, 'benchsmall', active, active);
    const large = await tenant(db, 'benchlarge', plans, active);
    const ratio = {
      calls: large.report.calls / small.report.calls,
      readUnits: large.report.read / small.report.read,
    };
    const result = {
      [`${active} plans, all active`]: { calls: small.report.calls, readUnits: small.report.read },
      [`${plans} plans, ${active} active`]: {
        calls: large.report.calls,
        readUnits: large.report.read,
        listedClosedDeals: large.listed,
      },
      ratio: { calls: +ratio.calls.toFixed(3), readUnits: +ratio.readUnits.toFixed(3) },
      before: large.before && {
        calls: large.before.calls,
        readUnits: large.before.read,
        vsAllActive: +(large.before.read / small.report.read).toFixed(1),
      },
      identicalToReportOverEveryDeal: large.identical,
    };
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(
      'Program report reads (loadProgramReport as reports-api runs it, cold function, DynamoDB Local):',
    );
    console.log(
      `  ${active} plans, all active:        ${small.report.calls} calls, ${small.report.read} read units`,
    );
    console.log(
      `  ${plans} plans, ${active} active:   ${large.report.calls} calls, ${large.report.read} read units` +
        ` (${large.listed} closed deals listed one by one)`,
    );
    console.log(
      `  ratio:                        calls ${result.ratio.calls}x, read units ${result.ratio.readUnits}x`,
    );
    if (large.before)
      console.log(
        `  before (Scan + a Query per active deal) at ${plans} plans: about ${large.before.calls} calls, ` +
          `${large.before.read} read units (${result.before?.vsAllActive}x)`,
      );
    console.log(`  report identical to the one over every deal: ${large.identical ? 'yes' : 'NO'}`);
  } finally {
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
