import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { aggregateItems, entryItem, isReportItemKey } from '../../lambdas/adapters/dynamodb/closed-items';
import { dealFrom, isPlanItemKey, planItemKey } from '../../lambdas/adapters/dynamodb/deal-items';
import { allItems } from '../../lambdas/adapters/dynamodb/document-client';
import { entryKinds, entryOf, rebuildAggregates } from '../../lambdas/domain/closed-aggregates';
import type { Deal } from '../../lambdas/domain/deal';
import type { Plan } from '../../lambdas/schemas/plan.schema';

/**
 * The closed deals' report items (closed-items.ts) rebuilt from scratch: from every deal in the plans table
 * (a Scan: for a backfill, never for a report), or from a list of deals. Used by `npm run report:rebuild`
 * and by `npm run bench:report`.
 */

/** The report items (aggregates and entries) that `deals` should have left in the plans table. */
export function reportItemsOf(deals: readonly Deal[]): Record<string, unknown>[] {
  const closed = deals.filter((d) => d.status !== 'active');
  return [
    ...rebuildAggregates(closed).flatMap((agg) => aggregateItems(agg)),
    ...closed.flatMap((deal) => {
      const entry = entryOf(deal);
      return entry ? entryKinds(entry).map((kind) => entryItem(kind, entry)) : [];
    }),
  ];
}

/** Puts and deletes, 25 a call and 4 calls at a time, unprocessed ones tried again. */
export async function batchWrite(
  db: DynamoDBDocumentClient,
  table: string,
  requests: (
    | { PutRequest: { Item: Record<string, unknown> } }
    | { DeleteRequest: { Key: Record<string, unknown> } }
  )[],
): Promise<void> {
  const one = async (first: typeof requests) => {
    let batch: typeof requests | undefined = first;
    for (let attempt = 0; batch?.length; attempt++) {
      if (attempt > 20) throw new Error('batch write: items left unprocessed');
      const out: BatchWriteCommandOutput = await db.send(
        new BatchWriteCommand({ RequestItems: { [table]: batch } }),
      );
      batch = out.UnprocessedItems?.[table] as typeof requests | undefined;
      if (batch?.length) await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  };
  for (let i = 0; i < requests.length; i += 100) {
    const group = [0, 25, 50, 75].map((k) => requests.slice(i + k, Math.min(i + k + 25, i + 100)));
    await Promise.all(group.filter((b) => b.length > 0).map(one));
  }
}

/** Every deal in the plans table (states joined with their plan documents), and the report items' keys. */
export async function scanPlans(db: DynamoDBDocumentClient, table: string) {
  const items = await allItems(paginateScan({ client: db }, { TableName: table }));
  const documents = new Map<string, Plan>();
  for (const i of items) if (isPlanItemKey(String(i.planId))) documents.set(String(i.planId), i.plan as Plan);
  const deals: Deal[] = [];
  const reportKeys: string[] = [];
  for (const i of items) {
    const key = String(i.planId);
    if (isReportItemKey(key)) reportKeys.push(key);
    else if (!isPlanItemKey(key))
      deals.push(dealFrom(i, documents.get(planItemKey(key, i.planVersion as number | undefined))));
  }
  return { deals, reportKeys };
}

/**
 * Rebuilds a tenant's report items: deletes every `#report#…` item, then writes those computed from every
 * deal. Run it while no deal is closing (a close in between could be lost): after deploying this version,
 * or to repair.
 */
export async function rebuildReportItems(
  db: DynamoDBDocumentClient,
  table: string,
): Promise<{ deals: number; closed: number; items: number }> {
  const { deals, reportKeys } = await scanPlans(db, table);
  const items = reportItemsOf(deals);
  await batchWrite(
    db,
    table,
    reportKeys.map((planId) => ({ DeleteRequest: { Key: { planId } } })),
  );
  await batchWrite(
    db,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
  return {
    deals: deals.length,
    closed: deals.filter((d) => d.status !== 'active').length,
    items: items.length,
  };
}
