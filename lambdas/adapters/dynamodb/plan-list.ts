import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  paginateQuery,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { LIST_SHARD_COUNT, PLANS_BY_STATUS_INDEX } from '../../../lib/table-definitions';
import { InvalidCursorError } from '../../domain/errors';
import { partnerKey } from '../../domain/partner-plans';
import type { DealSummary, PlanListPage, PlanListQuery } from '../../domain/ports';
import { decodeCursor, encodeCursor, summaryOf } from './deal-items';
import { allItems } from './document-client';

/**
 * The plan list (`GET /plans`, DealStore.list/listPage) through the `plans-by-status` index: PK `listShard`
 * (`<status>#0..3`), SK `listKey` (`<createdAt>#<planId>`). A page reads each shard backwards from the
 * cursor (the last listed `listKey`) until it has `limit` matches, merges them and keeps the newest `limit`.
 */

const STATUSES = ['active', 'won', 'lost'] as const;

const listShards = (status: string) => Array.from({ length: LIST_SHARD_COUNT }, (_, i) => `${status}#${i}`);

function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  return allItems(paginateQuery({ client: db }, input));
}

/** Every deal's summary, newest change first: every list shard to its end. */
export async function listAll(db: DynamoDBDocumentClient, table: string): Promise<DealSummary[]> {
  const items: Record<string, unknown>[] = [];
  for (const status of STATUSES) {
    const pages = await Promise.all(
      listShards(status).map((shard) =>
        queryAll(db, {
          TableName: table,
          IndexName: PLANS_BY_STATUS_INDEX,
          KeyConditionExpression: 'listShard = :s',
          ExpressionAttributeValues: { ':s': shard },
        }),
      ),
    );
    items.push(...pages.flat());
  }
  return (await withUpdatedAt(db, table, items))
    .map(summaryOf)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** One page of summaries through the list index, newest created first (see DealStore.listPage). */
export async function listPage(
  db: DynamoDBDocumentClient,
  table: string,
  query: PlanListQuery,
): Promise<PlanListPage> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && after === undefined) throw new InvalidCursorError('invalid cursor');
  const limit = Math.max(1, Math.min(100, Math.floor(query.limit)));
  const filters: string[] = [];
  const values: Record<string, unknown> = {};
  if (query.partner !== undefined) {
    filters.push('partnerKey = :pk');
    values[':pk'] = partnerKey(query.partner);
  }
  if (query.stage !== undefined) {
    filters.push('#stage = :st');
    values[':st'] = query.stage;
  }
  const shards = (query.status ? [query.status] : STATUSES).flatMap(listShards);
  const found = await Promise.all(
    shards.map((shard) =>
      firstMatches(db, limit, {
        TableName: table,
        IndexName: PLANS_BY_STATUS_INDEX,
        KeyConditionExpression: `listShard = :s${after === undefined ? '' : ' AND listKey < :after'}`,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(query.stage !== undefined ? { ExpressionAttributeNames: { '#stage': 'stage' } } : {}),
        ExpressionAttributeValues: {
          ':s': shard,
          ...(after === undefined ? {} : { ':after': after }),
          ...values,
        },
        ScanIndexForward: false,
      }),
    ),
  );
  const merged = found
    .flatMap((f) => f.items)
    .sort((a, b) => String(b.listKey).localeCompare(String(a.listKey)));
  const page = merged.slice(0, limit);
  const more = merged.length > limit || found.some((f) => f.more);
  const last = page.at(-1);
  return {
    plans: (await withUpdatedAt(db, table, page)).map(summaryOf),
    ...(more && last ? { nextCursor: encodeCursor(String(last.listKey)) } : {}),
  };
}

/** Index items with each deal's `updatedAt` (not projected) from its state item, 100 keys a call. */
async function withUpdatedAt(
  db: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const updated = new Map<string, unknown>();
  // needsAttention too: it changes more often than the list index should be written (cosell plan list).
  const attention = new Map<string, unknown>();
  for (let i = 0; i < items.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = items
      .slice(i, i + 100)
      .map((x) => ({ planId: x.planId }));
    for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
      const out: BatchGetCommandOutput | undefined = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: { Keys: keys, ProjectionExpression: 'planId, updatedAt, needsAttention' },
          },
        }),
      );
      for (const got of out?.Responses?.[table] ?? []) {
        updated.set(String(got.planId), got.updatedAt);
        if (got.needsAttention) attention.set(String(got.planId), got.needsAttention);
      }
      keys = out?.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items.map((x) => {
    const needsAttention = attention.get(String(x.planId));
    return {
      ...x,
      updatedAt: updated.get(String(x.planId)) ?? x.updatedAt,
      ...(needsAttention ? { needsAttention } : {}),
    };
  });
}

/** Up to `limit` items of a Query that match its filter, and whether the partition holds more. */
async function firstMatches(db: DynamoDBDocumentClient, limit: number, input: QueryCommandInput) {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery({ client: db }, { ...input, Limit: limit })) {
    for (const item of page.Items ?? []) {
      if (items.length === limit) return { items, more: true };
      items.push(item);
    }
    if (items.length === limit) return { items, more: page.LastEvaluatedKey !== undefined };
  }
  return { items, more: false };
}
