import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PLANS_BY_STATUS_INDEX } from '../../../lib/table-definitions';
import type { ClosedAggregate, ClosedChange, ClosedEntry, EntryKind } from '../../domain/closed-aggregates';
import { hashOf } from './deal-items';
import { allItems } from './document-client';
import { batchGet } from './report-reads';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The closed deals' report items in the plans table, under reserved keys (`#report#…`: deal ids never start
 * with `#`), all in the `plans-by-status` index under shards of their own (never a `<status>#n` shard, so
 * `GET /plans` never sees them), with the content as JSON in `reportEntry` (projected by the index):
 * - `#report#partner#<key>`: one partner's running aggregate (shard `report#partner`), with `aggVersion`,
 *   the optimistic lock a close takes on it; its loss reasons (free text, so unbounded) apart, in buckets
 *   `#report#reason#<key>#<bucket>` (shard `report#reason`, a hash of the reason: a close rewrites one
 *   bucket, and no item outgrows DynamoDB's 400 KB).
 * - `#report#<kind>#<planId>`: a closed deal's entry for the per-deal lists (shards `report#listed`,
 *   `report#unchecked`, `report#currency#<currency>`; sort key `<key>#<planId>`).
 * A close writes these in the deal's own transaction (deal-store.adapter.ts).
 */

export const AGGREGATE_SHARD = 'report#partner';
const REASON_SHARD = 'report#reason';
/** Reason buckets per partner: a hash of the reason key picks one. */
const REASON_BUCKETS = 4096;
const enc = encodeURIComponent;

export const aggregateKey = (partnerKey: string) => `#report#partner#${enc(partnerKey)}`;
const entryKey = (kind: EntryKind, planId: string) => `#report#${kind}#${planId}`;
const entryShard = (kind: EntryKind, entry: Pick<ClosedEntry, 'currency'>) =>
  kind === 'currency' ? `report#currency#${entry.currency}` : `report#${kind}`;

/** Whether a plans-table key is one of these report items. */
export const isReportItemKey = (key: string) => key.startsWith('#report#');

const reasonKey = (partnerKey: string, bucket: number) => `#report#reason#${enc(partnerKey)}#${bucket}`;
const bucketOf = (reason: string) => hashOf(reason, REASON_BUCKETS);

type Reasons = ClosedAggregate['reasons'];

/** A partner's aggregate item, without its loss reasons. */
function partnerItem(agg: ClosedAggregate, version: number): Record<string, unknown> {
  return {
    planId: aggregateKey(agg.partnerKey),
    listShard: AGGREGATE_SHARD,
    listKey: enc(agg.partnerKey),
    reportEntry: JSON.stringify({ ...agg, reasons: {} }),
    aggVersion: version,
  };
}

function reasonItem(partnerKey: string, bucket: number, reasons: Reasons, version: number) {
  return {
    planId: reasonKey(partnerKey, bucket),
    listShard: REASON_SHARD,
    listKey: `${enc(partnerKey)}#${bucket}`,
    reportEntry: JSON.stringify({ partnerKey, reasons }),
    aggVersion: version,
  };
}

/** The items of one partner's aggregate, as first written (a rebuild): the partner's and its reason buckets'. */
export function aggregateItems(agg: ClosedAggregate, version = 1): Record<string, unknown>[] {
  const buckets = new Map<number, Reasons>();
  for (const [key, value] of Object.entries(agg.reasons)) {
    const bucket = buckets.get(bucketOf(key)) ?? {};
    bucket[key] = value;
    buckets.set(bucketOf(key), bucket);
  }
  return [
    partnerItem(agg, version),
    ...[...buckets].map(([b, reasons]) => reasonItem(agg.partnerKey, b, reasons, version)),
  ];
}

export function entryItem(kind: EntryKind, entry: ClosedEntry): Record<string, unknown> {
  return {
    planId: entryKey(kind, entry.planId),
    listShard: entryShard(kind, entry),
    listKey: `${enc(entry.partnerKey)}#${entry.planId}`,
    reportEntry: JSON.stringify(entry),
  };
}

/** A consistent read of one report item: its JSON and its version (0 when absent). */
async function readLocked(db: DynamoDBDocumentClient, table: string, planId: string) {
  const out = await db.send(new GetCommand({ TableName: table, Key: { planId }, ConsistentRead: true }));
  const item = out?.Item;
  return {
    exists: item !== undefined,
    version: item ? Number(item.aggVersion ?? 0) : 0,
    json: item?.reportEntry === undefined ? undefined : JSON.parse(String(item.reportEntry)),
  };
}

/** A Put of a locked report item: on the version read, or on its absence. */
function lockedPut(table: string, item: Record<string, unknown>, read: { exists: boolean; version: number }) {
  return {
    Put: {
      TableName: table,
      Item: item,
      ...(read.exists
        ? { ConditionExpression: 'aggVersion = :r', ExpressionAttributeValues: { ':r': read.version } }
        : { ConditionExpression: 'attribute_not_exists(planId)' }),
    },
  };
}

/**
 * The transaction items that carry `change` (a save's effect on the closed aggregates and entries): each
 * partner aggregate, and the reason buckets the change touches, read consistently and put back on the
 * version read (the first `locked` items); then the entries.
 */
export async function closedItems(
  db: DynamoDBDocumentClient,
  table: string,
  planId: string,
  change: ClosedChange,
): Promise<{ items: TransactItem[]; locked: number }> {
  const items: TransactItem[] = [];
  for (const key of change.partners) {
    const buckets = [...new Set(change.reasonKeys(key).map(bucketOf))];
    const [partner, ...reasons] = await Promise.all([
      readLocked(db, table, aggregateKey(key)),
      ...buckets.map((b) => readLocked(db, table, reasonKey(key, b))),
    ]);
    if (!partner) continue;
    const stored = partner.json as ClosedAggregate | undefined;
    const touched: Reasons = Object.assign(
      {},
      ...reasons.map((r) => (r.json as { reasons?: Reasons })?.reasons),
    );
    const next = change.apply(stored && { ...stored, reasons: touched }, key);
    items.push(lockedPut(table, partnerItem(next, partner.version + 1), partner));
    buckets.forEach((b, i) => {
      const own = Object.fromEntries(Object.entries(next.reasons).filter(([k]) => bucketOf(k) === b));
      const read = reasons[i] as { exists: boolean; version: number };
      items.push(lockedPut(table, reasonItem(key, b, own, read.version + 1), read));
    });
  }
  const locked = items.length;
  if (change.entry) {
    const entry = change.entry;
    for (const kind of change.put) items.push({ Put: { TableName: table, Item: entryItem(kind, entry) } });
  }
  // An entry no longer of a kind is put back bare (out of the index) rather than deleted: the public
  // action-link function, which closes deals at the last gate, has no DeleteItem.
  for (const kind of change.remove)
    items.push({ Put: { TableName: table, Item: { planId: entryKey(kind, planId) } } });
  return { items, locked };
}

function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  return allItems(paginateQuery({ client: db }, input));
}

/**
 * The items' `reportEntry`, parsed. An index created before `reportEntry` was projected (a local table of an
 * older version) answers keys without it: those are read from the table (one BatchGetItem per 100).
 */
async function parsed<T>(db: DynamoDBDocumentClient, table: string, items: Record<string, unknown>[]) {
  const missing = items.filter((i) => i.reportEntry === undefined).map((i) => ({ planId: i.planId }));
  const read = missing.length
    ? await batchGet(db, table, missing, { ProjectionExpression: 'planId, reportEntry' })
    : [];
  return [...items.filter((i) => i.reportEntry !== undefined), ...read].map(
    (i) => JSON.parse(String(i.reportEntry)) as T,
  );
}

/** Every partner's closed aggregate: two Queries of the index (the partners', their reason buckets). */
export async function readAggregates(db: DynamoDBDocumentClient, table: string): Promise<ClosedAggregate[]> {
  const shard = (s: string) =>
    queryAll(db, {
      TableName: table,
      IndexName: PLANS_BY_STATUS_INDEX,
      KeyConditionExpression: 'listShard = :s',
      ExpressionAttributeValues: { ':s': s },
    });
  const [partners, buckets] = await Promise.all([shard(AGGREGATE_SHARD), shard(REASON_SHARD)]);
  const aggregates = await parsed<ClosedAggregate>(db, table, partners);
  const byKey = new Map(aggregates.map((a) => [a.partnerKey, a]));
  for (const bucket of await parsed<{ partnerKey: string; reasons: Reasons }>(db, table, buckets)) {
    const agg = byKey.get(bucket.partnerKey);
    if (agg) Object.assign(agg.reasons, bucket.reasons);
  }
  return aggregates;
}

/** Closed entries: every `listed` one, the `unchecked` ones of the given partners, all of the given currencies. */
export async function readEntries(
  db: DynamoDBDocumentClient,
  table: string,
  query: { uncheckedPartners: readonly string[]; currencies: readonly string[] },
): Promise<ClosedEntry[]> {
  const shard = (s: string, prefix?: string) =>
    queryAll(db, {
      TableName: table,
      IndexName: PLANS_BY_STATUS_INDEX,
      KeyConditionExpression: prefix ? 'listShard = :s AND begins_with(listKey, :p)' : 'listShard = :s',
      ExpressionAttributeValues: { ':s': s, ...(prefix ? { ':p': prefix } : {}) },
    });
  const pages = await Promise.all([
    shard('report#listed'),
    ...query.uncheckedPartners.map((key) => shard('report#unchecked', `${enc(key)}#`)),
    ...query.currencies.map((c) => shard(entryShard('currency', { currency: c }))),
  ]);
  return parsed<ClosedEntry>(db, table, pages.flat());
}
