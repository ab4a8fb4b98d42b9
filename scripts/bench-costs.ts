/**
 * What the deal store costs per request kind, against DynamoDB Local with consumed capacity on:
 * `npm run bench:costs [-- --json] [-- --plans N]`.
 *
 * It drives the reference deal (plan-example.yaml) through the store calls its requests make, in the order
 * of the reference run (19 clicks: 14 ordinary, 5 gate-passing; a link GET before each), then the sweep's
 * and the report's reads, and prints per request kind the DynamoDB calls and read/write units (table and
 * each index), the per-deal totals and the DynamoDB cost per deal at the on-demand list prices below.
 *
 * Units: as DynamoDB Local reports them (ReturnConsumedCapacity INDEXES), per table and index; it counts
 * a transaction's writes twice, as DynamoDB bills them (prepare + commit), its index updates too. Email, event and workflow calls are
 * not driven here (see the note in the README's performance section): this measures the store.
 */
import { DynamoDBDocumentClient as DocumentClient, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoReadingDealStore } from '../lambdas/adapters/dynamodb/reading-deal-store.adapter';
import type { Deal, MilestoneState } from '../lambdas/domain/deal';
import type { DealSnapshot, LinkUse } from '../lambdas/domain/ports';
import { STAGE_KEYS, type StageKey } from '../lambdas/domain/vocabulary';
import { TABLE_DEFINITIONS, type TableKey, tableName } from '../lib/table-definitions';
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { dealAtStage } from './lib/reference-plan';

/** On-demand list prices (us-east-1), USD. */
export const PRICES = {
  writeRequestUnit: 1.25 / 1_000_000,
  readRequestUnit: 0.25 / 1_000_000,
} as const;

interface Use {
  calls: number;
  read: number;
  write: number;
  /** Write units by table or index name. */
  where: Record<string, number>;
}

const empty = (): Use => ({ calls: 0, read: 0, write: 0, where: {} });
const READS = /^(Get|BatchGet|Query|Scan|TransactGet)/;

interface Capacity {
  TableName?: string;
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** A document client that asks for consumed capacity on every call and adds it to `meter.current`. */
export function metered(db: DynamoDBDocumentClient, meter: { current: Use }): DynamoDBDocumentClient {
  db.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      const name = String(context.commandName ?? '');
      const raw = (out.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
      const use = meter.current;
      use.calls++;
      for (const c of Array.isArray(raw) ? raw : raw ? [raw] : []) {
        const total = c.CapacityUnits ?? 0;
        if (READS.test(name)) {
          use.read += total;
          continue;
        }
        // As DynamoDB Local reports them: a transaction's items (and their index updates) count twice.
        const table = String(c.TableName ?? '').replace(/^cosell-flow-bench-/, '');
        const indexes = Object.entries(c.GlobalSecondaryIndexes ?? {});
        const own =
          c.Table?.CapacityUnits ?? total - indexes.reduce((n, [, v]) => n + (v.CapacityUnits ?? 0), 0);
        use.write += own;
        use.where[table] = (use.where[table] ?? 0) + own;
        for (const [index, v] of indexes) {
          use.write += v.CapacityUnits ?? 0;
          use.where[`${table}/${index}`] = (use.where[`${table}/${index}`] ?? 0) + (v.CapacityUnits ?? 0);
        }
      }
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return db;
}

/** The reference run's clicks per stage: [ordinary clicks, then the gate-passing one]. */
const CLICKS: Record<StageKey, number> = {
  'target-account-selection': 3,
  'door-opener': 2,
  'joint-discovery': 4,
  'joint-pursuit-and-proof': 6,
  'close-register-review': 4,
};

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const plansArg = process.argv.indexOf('--plans');
  const reportPlans = plansArg > 0 ? Number(process.argv[plansArg + 1]) : 100;
  const db = await startDynamoDbLocal({ inMemory: true });
  const admin = localDynamoDbClient(db.endpoint);
  try {
    await ensureTables(admin, TABLE_DEFINITIONS, (key: TableKey) => tableName('bench', key));
    const meter = { current: empty() };
    const client = metered(
      DocumentClient.from(localDynamoDbClient(db.endpoint), {
        marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
      }),
      meter,
    );
    const store = new DynamoReadingDealStore(client, {
      plans: tableName('bench', 'plans'),
      milestones: tableName('bench', 'milestones'),
      links: tableName('bench', 'links'),
      idempotency: tableName('bench', 'idempotency'),
    });
    const kinds = new Map<string, { n: number; use: Use }>();
    const measure = async <T>(kind: string, fn: () => Promise<T>): Promise<T> => {
      meter.current = empty();
      const out = await fn();
      const entry = kinds.get(kind) ?? { n: 0, use: empty() };
      entry.n++;
      entry.use.calls += meter.current.calls;
      entry.use.read += meter.current.read;
      entry.use.write += meter.current.write;
      for (const [k, v] of Object.entries(meter.current.where))
        entry.use.where[k] = (entry.use.where[k] ?? 0) + v;
      kinds.set(kind, entry);
      return out;
    };

    // The reference deal, created as POST /plans creates it.
    const start = dealAtStage('target-account-selection', new Date('2026-12-01T15:00:00Z'));
    const planId = 'pl_bench000000000000001';
    const first: DealSnapshot = {
      deal: { ...start.deal, planId, version: 0, planVersion: 1 },
      milestones: start.milestones.map((m) => ({ ...m, planId, version: 0 })),
    };
    await measure('create (POST /plans)', () => store.create(first));
    let nonce = 0;
    const use = (): LinkUse => ({
      nonce: `n${++nonce}`,
      planId,
      action: 'milestone-done',
      target: 'x',
      usedAt: new Date().toISOString(),
      usedBy: 'ana.ruiz@vendor.example',
      expiresAt: 1_900_000_000,
    });
    const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 15, s)).toISOString();
    let tick = 0;
    for (const [i, stage] of STAGE_KEYS.entries()) {
      const clicks = CLICKS[stage];
      for (let c = 0; c < clicks; c++) {
        const gate = c === clicks - 1;
        await measure('link GET', () => store.get(planId));
        const snap = await measure(gate ? 'gate-passing POST' : 'ordinary POST', async () => {
          const now = await store.get(planId);
          if (!now) throw new Error('deal missing');
          const open = now.milestones.find((m) => m.stage === stage && m.status === 'open');
          const changed: MilestoneState[] = open
            ? [{ ...open, status: 'done', doneAt: at(++tick), doneBy: open.owner.email }]
            : [];
          let deal: Deal = {
            ...now.deal,
            updatedAt: at(++tick),
            lastActivity: { ...now.deal.lastActivity, vendor: at(tick) },
          };
          if (gate) {
            const next = STAGE_KEYS[i + 1];
            const stages = {
              ...deal.stages,
              [stage]: { ...deal.stages[stage], status: 'passed' as const, passedAt: at(tick) },
            };
            if (next) stages[next] = { ...stages[next], status: 'open', openedAt: at(tick) };
            deal = { ...deal, stages, ...(next ? { stage: next } : {}) };
          }
          await store.save({ deal, milestones: changed, linkUse: use() });
          return deal;
        });
        if (gate) {
          // The workflow: Set deadline (opens the next stage) and Await gate (records the task token).
          await measure('task (gate-deadline + gate-open)', async () => {
            const now = await store.get(planId);
            if (!now) throw new Error('deal missing');
            await store.save({ deal: { ...now.deal, taskToken: `token-${i}`, updatedAt: at(++tick) } });
          });
        }
        void snap;
      }
    }
    await measure('register (won)', async () => {
      const now = await store.get(planId);
      if (!now) throw new Error('deal missing');
      await store.save({
        deal: { ...now.deal, status: 'won', registeredAt: at(++tick), updatedAt: at(tick) },
      });
    });
    await measure('one sweep (index reads)', async () => {
      await store.milestonesDue(new Date('2026-12-20T00:00:00Z'));
      await store.plansDueForReview(new Date('2026-12-20T00:00:00Z'));
    });
    await measure('GET /plans (one page)', () => store.listPage({ limit: 50 }));

    // The report's read with more plans in the table.
    for (let n = 0; n < reportPlans; n++) {
      const id = `pl_benchr${String(n).padStart(14, '0')}`;
      await store.create({
        deal: { ...first.deal, planId: id },
        milestones: first.milestones.map((m) => ({ ...m, planId: id })),
      });
    }
    await measure(`report (${reportPlans + 1} plans, all active but one)`, () =>
      Promise.all([
        store.activeReportDeals(),
        store.closedAggregates(),
        store.closedEntries({ uncheckedPartners: [], currencies: [] }),
      ]),
    );

    const perDeal = empty();
    const dealKinds = [...kinds].filter(
      ([k]) => !k.startsWith('report') && !k.startsWith('GET /plans') && !k.startsWith('one sweep'),
    );
    for (const [, { use }] of dealKinds) {
      perDeal.calls += use.calls;
      perDeal.read += use.read;
      perDeal.write += use.write;
    }
    const cost = perDeal.write * PRICES.writeRequestUnit + perDeal.read * PRICES.readRequestUnit;
    const rows = [...kinds].map(([kind, { n, use }]) => ({
      kind,
      requests: n,
      callsEach: +(use.calls / n).toFixed(2),
      readUnitsEach: +(use.read / n).toFixed(2),
      writeUnitsEach: +(use.write / n).toFixed(2),
      writeUnitsWhere: Object.fromEntries(
        Object.entries(use.where).map(([k, v]) => [k, +(v / n).toFixed(2)]),
      ),
    }));
    const result = {
      prices: PRICES,
      kinds: rows,
      perDeal: {
        calls: perDeal.calls,
        readUnits: perDeal.read,
        writeUnits: perDeal.write,
        dynamodbUsd: cost,
      },
    };
    if (json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    console.log(
      'DynamoDB per request kind (reference deal; units per request, as DynamoDB Local reports them):\n',
    );
    for (const r of rows) {
      const where = Object.entries(r.writeUnitsWhere)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      console.log(
        `${r.kind.padEnd(40)} x${String(r.requests).padStart(2)}  calls ${String(r.callsEach).padStart(5)}  ` +
          `read ${String(r.readUnitsEach).padStart(6)}  write ${String(r.writeUnitsEach).padStart(6)}  ${where ? `(${where})` : ''}`,
      );
    }
    console.log(
      `\nper deal (create, link GETs, clicks, tasks, registration): ${perDeal.calls} DynamoDB calls, ` +
        `${perDeal.read} read units, ${perDeal.write} write units, $${cost.toFixed(6)} at list prices`,
    );
  } finally {
    admin.destroy();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
