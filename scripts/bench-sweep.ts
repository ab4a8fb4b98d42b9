/**
 * What one reminder sweep reads, against DynamoDB Local: 100 and then 10,000 active plans, the same few
 * milestones due now in both. The sweep reads the due-time index and the deals it needs, so the two read
 * figures should be within 10% of each other. `npx tsx scripts/bench-sweep.ts [due=5]`
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAnnouncementSchedule } from '../lambdas/adapters/dynamodb/announcement-schedule.adapter';
import { DynamoDealStore } from '../lambdas/adapters/dynamodb/deal-store.adapter';
import { DynamoEffectLedger } from '../lambdas/adapters/dynamodb/effect-ledger.adapter';
import { type MilestoneState, startDeal } from '../lambdas/domain/deal';
import { parsePlanDocument } from '../lambdas/domain/plan-document';
import type { Clock, OutboundEmail, TenantConfig } from '../lambdas/domain/ports';
import { sweepReminders } from '../lambdas/domain/use-cases/reminders';
import { messageViews } from '../lambdas/views/emails/message-views';
import { OPEN_SHARD_COUNT, TABLE_DEFINITIONS, type TableKey, tableName } from '../lib/table-definitions';
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';

const NOW = new Date('2026-12-03T00:00:00.000Z'); // 18:00 in Chicago: fit-check's reminder fell due at 17:00
const FAR = '2027-06-01T00:00:00.000Z';
const DUE = Number(process.argv[2] ?? 5);
const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

interface Meter {
  readUnits: number;
  writeUnits: number;
  reads: number;
}

/** A document client that asks for consumed capacity on every call and adds it up. */
function meteredClient(endpoint: string, meter: Meter): DynamoDBDocumentClient {
  const db = DynamoDBDocumentClient.from(localDynamoDbClient(endpoint), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
        (sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0),
        0,
      );
      if (READS.has(context.commandName ?? '')) {
        meter.readUnits += units;
        meter.reads++;
      } else meter.writeUnits += units;
      return out;
    },
    { step: 'initialize', name: 'consumedCapacityMeter' },
  );
  return db;
}

function shardOf(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % OPEN_SHARD_COUNT;
}

/** The milestone item as the store writes it (version, and the sparse index's shard while a nudge is pending). */
function milestoneItem(m: MilestoneState): Record<string, unknown> {
  return { ...m, version: 1, openShard: `open#${shardOf(`${m.planId}/${m.milestoneId}`)}` };
}

async function batchWrite(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = (batches[next++] ?? []).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function run(
  endpoint: string,
  plans: number,
): Promise<{ meter: Meter; looked: number; emails: number }> {
  const tenant = `bench${plans}`;
  const client = localDynamoDbClient(endpoint);
  await ensureTables(client, TABLE_DEFINITIONS, (key) => tableName(tenant, key));
  const names = Object.fromEntries(
    (Object.keys(TABLE_DEFINITIONS) as TableKey[]).map((k) => [k, tableName(tenant, k)]),
  ) as Record<TableKey, string>;
  const loader = meteredClient(endpoint, { readUnits: 0, writeUnits: 0, reads: 0 });
  const text = readFileSync(resolve(import.meta.dirname, '../../shared/plan-example.yaml'), 'utf8');
  const plan = parsePlanDocument(text, 'yaml');
  const dealItems: Record<string, unknown>[] = [];
  const milestoneItems: Record<string, unknown>[] = [];
  const created = new Date('2026-11-30T15:00:00.000Z');
  for (let i = 0; i < plans; i++) {
    const planId = `pl_bench${String(i).padStart(14, '0')}`;
    const { deal, milestones } = startDeal(
      plan,
      { planId, tenant, defaultTimezone: 'America/Chicago' },
      created,
    );
    // The partner acted yesterday, so no ghosting notice muddies the figures.
    dealItems.push({ ...deal, version: 1, lastActivity: { partner: '2026-12-02T15:00:00.000Z' } });
    for (const m of milestones) {
      // Only the first DUE plans have their fit-check reminder due now; every other nudge lies ahead.
      const dueNow = i < DUE && m.milestoneId === 'fit-check';
      milestoneItems.push(milestoneItem({ ...m, nudgeAt: dueNow ? (m.nudgeAt as string) : FAR }));
    }
  }
  const t0 = performance.now();
  await batchWrite(loader, names.plans, dealItems);
  await batchWrite(loader, names.milestones, milestoneItems);
  const loadMs = performance.now() - t0;

  const meter: Meter = { readUnits: 0, writeUnits: 0, reads: 0 };
  const db = meteredClient(endpoint, meter);
  const clock: Clock = { now: () => NOW };
  const sent: OutboundEmail[] = [];
  const config: TenantConfig = {
    tenant,
    publicBaseUrl: 'https://links.bench.example',
    defaultTimezone: 'America/Chicago',
    linkTtlDays: 14,
  };
  const key = new Uint8Array(32).fill(7);
  const report = await sweepReminders({
    clock,
    config,
    store: new DynamoDealStore(db, names),
    announcements: new DynamoAnnouncementSchedule(db, names.milestones),
    ledger: new DynamoEffectLedger(db, names.idempotency, clock),
    mailer: { send: async (e) => void sent.push(e) },
    views: messageViews,
    keys: { current: async () => ({ kid: 'bench', key }), byId: async () => key },
    // Events count in the ledger's units like any effect; the bus itself is not measured.
    events: { publish: async () => undefined },
  });
  console.log(
    `${String(plans).padStart(6)} plans (${milestoneItems.length} milestones, loaded in ${(loadMs / 1000).toFixed(1)} s): ` +
      `${report.looked} due, ${sent.length} email(s); ${meter.reads} reads = ${meter.readUnits} RCU, ${meter.writeUnits} WCU`,
  );
  return { meter, looked: report.looked, emails: sent.length };
}

const dynamo = await startDynamoDbLocal({ inMemory: true });
try {
  const small = await run(dynamo.endpoint, 100);
  const large = await run(dynamo.endpoint, 10_000);
  const ratio = large.meter.readUnits / small.meter.readUnits;
  console.log(
    `read units: ${small.meter.readUnits} (100 plans) vs ${large.meter.readUnits} (10,000 plans): ${(ratio * 100).toFixed(1)}% ` +
      `${Math.abs(ratio - 1) <= 0.1 ? 'within' : 'NOT within'} 10%`,
  );
  if (small.looked !== DUE || large.looked !== DUE || Math.abs(ratio - 1) > 0.1) process.exitCode = 1;
} finally {
  await dynamo.stop();
}
