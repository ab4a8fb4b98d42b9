import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { OPEN_BY_DUE_INDEX, OPEN_SHARD_COUNT } from '../../../lib/table-definitions';
import { type ClosedChange, closedChange } from '../../domain/closed-aggregates';
import type { Deal, MilestoneState } from '../../domain/deal';
import { ConcurrentUpdateError, LinkUsedError } from '../../domain/errors';
import type { DealSnapshot, DealStore, HeldAnnouncement, LinkUse } from '../../domain/ports';
import type { Plan } from '../../schemas/plan.schema';
import { heldAnnouncementItem } from './announcement-schedule.adapter';
import { closedItems } from './closed-items';
import {
  dealFrom,
  fromMilestoneItem,
  hashOf,
  inPlanOrder,
  planItem,
  planItemKey,
  stateItem,
} from './deal-items';
import { allItems } from './document-client';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface TableNames {
  plans: string;
  milestones: string;
  links: string;
  idempotency: string;
}

/**
 * Deals, milestones and link uses in DynamoDB. Every write is conditional on the version it read. Only
 * what every function that reads or saves a deal needs: the list (DynamoListedDealStore), the review index
 * (DynamoReviewDealStore) and the report's reads (DynamoReportDealStore) extend it in their own files, so a
 * function's bundle carries them only when it constructs them (class methods are never tree-shaken).
 * DynamoReadingDealStore has them all (scripts, contract tests).
 */
export class DynamoDealStore implements DealStore {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tables: TableNames,
  ) {}

  /** Plan documents by item key, as JSON: immutable per version, so a warm function reads each once. */
  protected readonly plans = new Map<string, string>();
  /**
   * Deals read from an item of before the split (plan inline), with that plan as JSON: saved as they were
   * (plan inline, one item) until their plan changes, so a deal is never left without its plan document.
   */
  private readonly inline = new Map<string, string>();
  /**
   * Each deal as this function last read or wrote it, by plan id: a save at that version knows what it
   * changes in the closed deals' aggregates without reading the deal again (closedChange).
   */
  private readonly seen = new Map<string, Deal>();

  async create({ deal, milestones }: DealSnapshot): Promise<void> {
    const plan = planItem(deal);
    try {
      await this.send(
        [
          {
            Put: {
              TableName: this.tables.plans,
              Item: stateItem(deal, deal.version + 1),
              ConditionExpression: 'attribute_not_exists(planId)',
            },
          },
          { Put: { TableName: this.tables.plans, Item: plan } },
          ...milestones.map((m) => this.putMilestone(m)),
        ],
        deal.planId,
        closedChange(undefined, deal),
      );
    } catch (error) {
      if (lostRace(error)) throw new ConcurrentUpdateError(`plan ${deal.planId} already exists`);
      throw error;
    }
    this.remember(String(plan.planId), deal.plan);
    this.see({ ...deal, version: deal.version + 1 });
  }

  async remove({ deal, milestones }: DealSnapshot): Promise<void> {
    this.seen.delete(deal.planId);
    await this.send(
      [
        { Delete: { TableName: this.tables.plans, Key: { planId: deal.planId } } },
        {
          Delete: {
            TableName: this.tables.plans,
            Key: { planId: planItemKey(deal.planId, deal.planVersion) },
          },
        },
        ...milestones.map((m) => ({
          Delete: {
            TableName: this.tables.milestones,
            Key: { planId: m.planId, milestoneId: m.milestoneId },
          },
        })),
      ],
      deal.planId,
      closedChange(deal, undefined),
    );
  }

  async get(planId: string): Promise<DealSnapshot | undefined> {
    const [state, milestones] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tables.plans, Key: { planId }, ConsistentRead: true })),
      this.queryAll({
        TableName: this.tables.milestones,
        KeyConditionExpression: 'planId = :p',
        ExpressionAttributeValues: { ':p': planId },
        ConsistentRead: true,
      }),
    ]);
    const deal = await this.dealOf(state.Item);
    return deal && { deal, milestones: inPlanOrder(milestones) };
  }

  private async dealOf(item: Record<string, unknown> | undefined): Promise<Deal | undefined> {
    if (!item) return undefined;
    const planId = String(item.planId);
    if (item.plan) this.keep(this.inline, planId, JSON.stringify(item.plan));
    const plan = item.plan
      ? undefined
      : await this.planDocument(planId, item.planVersion as number | undefined);
    const deal = dealFrom(item, plan);
    this.see(deal);
    return deal;
  }

  /** The stored deal a save at `deal.version` replaces, as far as the closed aggregates care. */
  private async before(deal: Deal): Promise<Deal | undefined> {
    const seen = this.seen.get(deal.planId);
    if (seen?.version === deal.version) return seen;
    // A deal never goes back to active: an active deal was active, and counts in no aggregate.
    if (deal.status === 'active') return undefined;
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.plans, Key: { planId: deal.planId }, ConsistentRead: true }),
    );
    return this.dealOf(out.Item);
  }

  private see(deal: Deal): void {
    if (this.seen.size >= PLAN_CACHE_SIZE) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.delete(deal.planId);
    this.seen.set(deal.planId, structuredClone(deal));
  }

  /**
   * Writes `items` (the deal's state item first) in one transaction, with what `change` does to the closed
   * aggregates and entries (closed-items.ts) right after the state item. The state item's condition makes
   * it count once: a retried save of the same version fails as a whole. When only an aggregate's lock was
   * lost (another close of the same partner got in), reads that aggregate again and retries.
   */
  private async send(items: TransactItem[], planId: string, change: ClosedChange | undefined): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const closed = change
        ? await closedItems(this.db, this.tables.plans, planId, change)
        : { items: [], locked: 0 };
      const all = [...items.slice(0, 1), ...closed.items, ...items.slice(1)];
      try {
        // One item: one conditional Put (half the units of a transaction of one).
        if (all.length === 1 && all[0]?.Put) await this.db.send(new PutCommand(all[0].Put as never));
        else await this.db.send(new TransactWriteCommand({ TransactItems: all }));
        return;
      } catch (error) {
        const reasons =
          error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        const lockLost =
          reasons[0]?.Code === 'None' && reasons.slice(1, 1 + closed.locked).some((r) => r.Code !== 'None');
        if (!lockLost || attempt >= AGGREGATE_ATTEMPTS - 1) throw error;
      }
    }
  }

  async save({
    deal,
    milestones = [],
    linkUse,
    announcements = [],
  }: {
    deal: Deal;
    milestones?: MilestoneState[];
    linkUse?: LinkUse;
    announcements?: HeldAnnouncement[];
  }) {
    // The plan document is written only when this version of it is not the one stored (a new version).
    const plan = this.changedPlan(deal);
    const inline = plan === 'inline';
    const before = await this.before(deal);
    const change = closedChange(before, deal);
    const statePut: TransactItem = {
      Put: {
        TableName: this.tables.plans,
        Item: { ...stateItem(deal, deal.version + 1), ...(inline ? { plan: deal.plan } : {}) },
        // With a change to the aggregates, also on the status it changes from (the transition counted).
        ConditionExpression: change && before ? 'version = :v AND #status = :was' : 'version = :v',
        ...(change && before ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: {
          ':v': deal.version,
          ...(change && before ? { ':was': before.status } : {}),
        },
      },
    };
    const items: TransactItem[] = [
      statePut,
      ...(plan && !inline ? [{ Put: { TableName: this.tables.plans, Item: plan.item } }] : []),
      ...milestones.map((m) => this.putMilestone(m)),
      // What the change announces, held with it (announcement-schedule.adapter.ts).
      ...announcements.map((a) => ({
        Put: { TableName: this.tables.milestones, Item: heldAnnouncementItem(a) },
      })),
      ...(linkUse
        ? [
            {
              Put: {
                TableName: this.tables.links,
                Item: linkUse,
                ConditionExpression: 'attribute_not_exists(nonce)',
              },
            },
          ]
        : []),
    ];
    try {
      await this.send(items, deal.planId, change);
    } catch (error) {
      if (error instanceof TransactionCanceledException && linkUse) {
        // The link use is the transaction's last item.
        if (error.CancellationReasons?.at(-1)?.Code === 'ConditionalCheckFailed')
          throw new LinkUsedError('link already used');
      }
      if (lostRace(error)) throw new ConcurrentUpdateError('the deal changed meanwhile');
      throw error;
    }
    if (plan && !inline) {
      this.keep(this.plans, plan.key, plan.json);
      this.inline.delete(deal.planId);
    }
    this.see({ ...deal, version: deal.version + 1 });
  }

  async saveMilestone(milestone: MilestoneState): Promise<void> {
    try {
      await this.db.send(new PutCommand(this.putMilestone(milestone).Put as never));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new ConcurrentUpdateError('the milestone changed meanwhile');
      throw error;
    }
  }

  async linkUse(nonce: string): Promise<LinkUse | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.links, Key: { nonce }, ConsistentRead: true }),
    );
    return out.Item as LinkUse | undefined;
  }

  async milestonesDue(until: Date): Promise<MilestoneState[]> {
    const shards = Array.from({ length: OPEN_SHARD_COUNT }, (_, i) => `open#${i}`);
    const pages = await Promise.all(
      shards.map((shard) =>
        this.queryAll({
          TableName: this.tables.milestones,
          IndexName: OPEN_BY_DUE_INDEX,
          KeyConditionExpression: 'openShard = :s AND nudgeAt <= :t',
          ExpressionAttributeValues: { ':s': shard, ':t': until.toISOString() },
        }),
      ),
    );
    return pages.flat().map(fromMilestoneItem);
  }

  /** The plan document in force, from this function's cache or one consistent GetItem. */
  private async planDocument(planId: string, planVersion: number | undefined): Promise<Plan> {
    const key = planItemKey(planId, planVersion);
    const cached = this.plans.get(key);
    if (cached !== undefined) return JSON.parse(cached) as Plan;
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.plans, Key: { planId: key }, ConsistentRead: true }),
    );
    const plan = out.Item?.plan as Plan | undefined;
    if (!plan) throw new Error(`plan ${planId}: no plan document ${key}`);
    this.remember(key, plan);
    return plan;
  }

  /** The plan item to write with a save, or none when this exact document is the stored version. */
  private changedPlan(deal: Deal) {
    const key = planItemKey(deal.planId, deal.planVersion);
    const json = JSON.stringify(deal.plan);
    if (this.inline.get(deal.planId) === json) return 'inline' as const;
    return this.plans.get(key) === json ? undefined : { key, json, item: planItem(deal) };
  }

  protected remember(key: string, plan: Plan): void {
    this.keep(this.plans, key, JSON.stringify(plan));
  }

  private keep(map: Map<string, string>, key: string, json: string): void {
    if (map.size >= PLAN_CACHE_SIZE) map.delete(map.keys().next().value as string);
    map.set(key, json);
  }

  private putMilestone(m: MilestoneState): TransactItem {
    const item: Record<string, unknown> = { ...m, version: m.version + 1 };
    // The sparse index holds a milestone only while it is open and has a nudge pending.
    if (m.status === 'open' && m.nudgeAt) item.openShard = `open#${shardOf(`${m.planId}/${m.milestoneId}`)}`;
    else delete item.nudgeAt;
    return {
      Put: {
        TableName: this.tables.milestones,
        Item: item,
        ConditionExpression: m.version === 0 ? 'attribute_not_exists(planId)' : 'version = :v',
        ...(m.version === 0 ? {} : { ExpressionAttributeValues: { ':v': m.version } }),
      },
    };
  }

  /** Every page of a Query (the paginator follows LastEvaluatedKey). */
  private queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    return allItems(paginateQuery({ client: this.db }, input));
  }
}

/** A condition failed (an item changed, or already exists) or another transaction got in first. */
function lostRace(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some(
    (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
  );
}

/** Plan documents kept per function (each about 3 KB as JSON); as many deals for `seen`. */
const PLAN_CACHE_SIZE = 256;

/** Tries of a save whose closed aggregate another close of the same partner changed meanwhile. */
const AGGREGATE_ATTEMPTS = 5;

function shardOf(key: string): number {
  return hashOf(key, OPEN_SHARD_COUNT);
}
