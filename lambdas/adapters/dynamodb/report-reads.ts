import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { LIST_SHARD_COUNT, PLANS_BY_STATUS_INDEX } from '../../../lib/table-definitions';
import type { Deal, MilestoneState } from '../../domain/deal';
import type { ReportDeal } from '../../domain/report-input';
import type { Plan } from '../../schemas/plan.schema';
import { dealFrom, inPlanOrder, planItemKey } from './deal-items';
import { allItems } from './document-client';

/**
 * The program report's active deals (ReportReader.activeReportDeals): the `active#0..3` shards of the
 * `plans-by-status` index for their ids, one BatchGetItem per 100 deal states and per 100 plan documents
 * not in the function's cache, then one Query of the milestones table per active deal, a few at a time.
 * Closed deals are never read: their figures come from the running aggregates (closed-items.ts).
 */

/** Milestone queries in flight at once while loading a report (each is one partition, a few items). */
const MILESTONE_QUERIES_AT_ONCE = 8;

export interface PlanCache {
  cached(key: string): Plan | undefined;
  remember(key: string, plan: Plan): void;
}

export async function activeReportDeals(
  db: DynamoDBDocumentClient,
  tables: { plans: string; milestones: string },
  plans: PlanCache,
): Promise<ReportDeal[]> {
  const shards = Array.from({ length: LIST_SHARD_COUNT }, (_, i) => `active#${i}`);
  const ids = (
    await Promise.all(
      shards.map((s) =>
        allItems(
          paginateQuery(
            { client: db },
            {
              TableName: tables.plans,
              IndexName: PLANS_BY_STATUS_INDEX,
              KeyConditionExpression: 'listShard = :s',
              ExpressionAttributeValues: { ':s': s },
              ProjectionExpression: 'planId',
            },
          ),
        ),
      ),
    )
  )
    .flat()
    .map((i) => String(i.planId));
  const names = Object.fromEntries(REPORT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
  const states = await batchGet(
    db,
    tables.plans,
    ids.map((planId) => ({ planId })),
    { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names },
  );
  const wanted = states
    .filter((s) => !s.plan)
    .map((s) => planItemKey(String(s.planId), s.planVersion as number | undefined))
    .filter((key) => !plans.cached(key));
  for (const item of await batchGet(
    db,
    tables.plans,
    [...new Set(wanted)].map((planId) => ({ planId })),
    {},
  ))
    plans.remember(String(item.planId), item.plan as Plan);
  // An index entry is eventually consistent: a deal that closed meanwhile is left to the aggregates.
  const deals = states
    .map((s) => dealFrom(s, plans.cached(planItemKey(String(s.planId), s.planVersion as number | undefined))))
    .filter((d) => d.status === 'active');
  const milestones = new Map<string, MilestoneState[]>();
  for (let i = 0; i < deals.length; i += MILESTONE_QUERIES_AT_ONCE) {
    await Promise.all(
      deals.slice(i, i + MILESTONE_QUERIES_AT_ONCE).map(async (d) => {
        const items = await allItems(
          paginateQuery(
            { client: db },
            {
              TableName: tables.milestones,
              KeyConditionExpression: 'planId = :p',
              ExpressionAttributeValues: { ':p': d.planId },
            },
          ),
        );
        milestones.set(d.planId, inPlanOrder(items));
      }),
    );
  }
  return deals
    .sort((a, b) => a.planId.localeCompare(b.planId))
    .map((deal) => ({ deal, milestones: milestones.get(deal.planId) ?? [] }));
}

/** Every item for `keys`, 100 keys a call, unprocessed keys tried again. */
export async function batchGet(
  db: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  extra: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let batch: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; batch?.length && attempt < 8; attempt++) {
      const got: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: batch, ...extra } } }),
      );
      out.push(...(got.Responses?.[table] ?? []));
      batch = got.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return out;
}

/**
 * What the report reads of a deal state: every attribute of a deal but `taskToken`, which never leaves the
 * workflow's path. The type below fails to compile when Deal gains an attribute that is not listed here.
 */
const REPORT_ATTRIBUTES = [
  'planId',
  'tenant',
  'version',
  'status',
  'stage',
  'plan',
  'stages',
  'createdAt',
  'updatedAt',
  'outcome',
  'registeredAt',
  'lastActivity',
  'offPartnerPlan',
  'offPartnerPlanReason',
  'nextReviewAt',
  'reviewInvitedOn',
  'deliveryProblems',
  'slipProposal',
  'lastSlipDecision',
  'closeDateMoves',
  'needsAttention',
  'ace',
  'aceReview',
  'retryRequestedAt',
  'workflow',
  'planVersion',
  'linkRevisions',
  'lastAmendment',
  'closed',
  'idempotencyKey',
  'attributionCheck',
] as const satisfies readonly Exclude<keyof Deal, 'taskToken'>[];
type Unlisted = Exclude<keyof Deal, 'taskToken' | (typeof REPORT_ATTRIBUTES)[number]>;
const _everyAttributeListed: [Unlisted] extends [never] ? true : Unlisted = true;
