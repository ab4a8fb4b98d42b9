import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  ACTIVE_BY_REVIEW_INDEX,
  OPEN_BY_DUE_INDEX,
  OPEN_SHARD_COUNT,
  REVIEW_SHARD_COUNT,
} from '../../../lib/table-definitions';
import type { Deal, MilestoneState } from '../../domain/deal';
import { ConcurrentUpdateError, LinkUsedError } from '../../domain/errors';
import type {
  DealSnapshot,
  DealStore,
  DealSummary,
  LinkUse,
  PlanListPage,
  PlanListQuery,
  ReportReader,
  ReviewDue,
  ReviewSchedule,
} from '../../domain/ports';
import type { ReportDeal } from '../../domain/reports';
import type { Plan } from '../../schemas/plan.schema';
import { dealFrom, hashOf, isPlanItemKey, planItem, planItemKey, stateItem } from './deal-items';
import { allItems } from './document-client';
import { listAll, listPage } from './plan-list';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface TableNames {
  plans: string;
  milestones: string;
  links: string;
  idempotency: string;
}

/**
 * Deals, milestones and link uses in DynamoDB. Every write is conditional on the version it read. It also
 * answers the review index (ReviewSchedule) and loads the program report's input (ReportReader).
 */
export class DynamoDealStore implements DealStore, ReviewSchedule, ReportReader {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  /** Plan documents by item key, as JSON: immutable per version, so a warm function reads each once. */
  private readonly plans = new Map<string, string>();
  /**
   * Deals read from an item of before the split (plan inline), with that plan as JSON: saved as they were
   * (plan inline, one item) until their plan changes, so a deal is never left without its plan document.
   */
  private readonly inline = new Map<string, string>();

  async create({ deal, milestones }: DealSnapshot): Promise<void> {
    const plan = planItem(deal);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
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
        }),
      );
    } catch (error) {
      if (lostRace(error)) throw new ConcurrentUpdateError(`plan ${deal.planId} already exists`);
      throw error;
    }
    this.remember(String(plan.planId), deal.plan);
  }

  async remove({ deal, milestones }: DealSnapshot): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
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
      }),
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
    if (!state.Item) return undefined;
    if (state.Item.plan) this.keep(this.inline, planId, JSON.stringify(state.Item.plan));
    const plan = state.Item.plan
      ? undefined
      : await this.planDocument(planId, state.Item.planVersion as number | undefined);
    return { deal: dealFrom(state.Item, plan), milestones: inPlanOrder(milestones) };
  }

  async list(): Promise<DealSummary[]> {
    return listAll(this.db, this.tables.plans);
  }

  async listPage(query: PlanListQuery): Promise<PlanListPage> {
    return listPage(this.db, this.tables.plans, query);
  }

  async save({
    deal,
    milestones = [],
    linkUse,
  }: {
    deal: Deal;
    milestones?: MilestoneState[];
    linkUse?: LinkUse;
  }) {
    // The plan document is written only when this version of it is not the one stored (a new version).
    const plan = this.changedPlan(deal);
    const inline = plan === 'inline';
    const statePut: TransactItem = {
      Put: {
        TableName: this.tables.plans,
        Item: { ...stateItem(deal, deal.version + 1), ...(inline ? { plan: deal.plan } : {}) },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': deal.version },
      },
    };
    const items: TransactItem[] = [
      statePut,
      ...(plan && !inline ? [{ Put: { TableName: this.tables.plans, Item: plan.item } }] : []),
      ...milestones.map((m) => this.putMilestone(m)),
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
      // One item: one conditional Put (half the units of a transaction of one).
      if (items.length === 1) await this.db.send(new PutCommand(statePut.Put as never));
      else await this.db.send(new TransactWriteCommand({ TransactItems: items }));
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

  async plansDueForReview(until: Date): Promise<ReviewDue[]> {
    const shards = Array.from({ length: REVIEW_SHARD_COUNT }, (_, i) => `review#${i}`);
    const pages = await Promise.all(
      shards.map((shard) =>
        this.queryAll({
          TableName: this.tables.plans,
          IndexName: ACTIVE_BY_REVIEW_INDEX,
          KeyConditionExpression: 'reviewShard = :s AND nextReviewAt <= :t',
          ExpressionAttributeValues: { ':s': shard, ':t': until.toISOString() },
        }),
      ),
    );
    return pages
      .flat()
      .map((i) => ({ planId: String(i.planId), nextReviewAt: String(i.nextReviewAt) }))
      .sort((a, b) => a.nextReviewAt.localeCompare(b.nextReviewAt));
  }

  /**
   * The program report's input: one paginated Scan of the plans table (deal states and plan documents,
   * joined here; the task token dropped), then one Query of the milestones table per ACTIVE deal, a few at
   * a time. Won and lost deals need no milestones. For on-demand reports, never on a hot path.
   */
  async reportDeals(): Promise<ReportDeal[]> {
    const names = Object.fromEntries(REPORT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    const items = await allItems(
      paginateScan(
        { client: this.db },
        {
          TableName: this.tables.plans,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
        },
      ),
    );
    const documents = new Map<string, Plan>();
    for (const i of items)
      if (isPlanItemKey(String(i.planId))) documents.set(String(i.planId), i.plan as Plan);
    const deals = items
      .filter((i) => !isPlanItemKey(String(i.planId)))
      .map((i) => {
        const { taskToken: _t, ...rest } = i;
        const key = planItemKey(String(i.planId), i.planVersion as number | undefined);
        return dealFrom(rest, documents.get(key));
      });
    const active = deals.filter((d) => d.status === 'active');
    const milestones = new Map<string, MilestoneState[]>();
    for (let i = 0; i < active.length; i += MILESTONE_QUERIES_AT_ONCE) {
      await Promise.all(
        active.slice(i, i + MILESTONE_QUERIES_AT_ONCE).map(async (d) => {
          const items = await this.queryAll({
            TableName: this.tables.milestones,
            KeyConditionExpression: 'planId = :p',
            ExpressionAttributeValues: { ':p': d.planId },
          });
          milestones.set(d.planId, inPlanOrder(items));
        }),
      );
    }
    return deals
      .sort((a, b) => a.planId.localeCompare(b.planId))
      .map((deal) => {
        const own = milestones.get(deal.planId);
        return own ? { deal, milestones: own } : { deal };
      });
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

  private remember(key: string, plan: Plan): void {
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

/** Plan documents kept per function (each about 3 KB as JSON). */
const PLAN_CACHE_SIZE = 256;

/** Milestone queries in flight at once while loading a report (each is one partition, a few items). */
const MILESTONE_QUERIES_AT_ONCE = 8;

/**
 * What the report's Scan reads: every attribute of a deal but `taskToken`, which never leaves the
 * workflow's path (plan document items have `planId`, `plan` and `planVersion`). The type below fails to
 * compile when Deal gains an attribute that is not listed here.
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

function fromMilestoneItem(item: Record<string, unknown>): MilestoneState {
  const { openShard: _shard, ...rest } = item;
  return rest as unknown as MilestoneState;
}

function inPlanOrder(items: Record<string, unknown>[]): MilestoneState[] {
  return items.map(fromMilestoneItem).sort((a, b) => a.seq - b.seq);
}

function shardOf(key: string): number {
  return hashOf(key, OPEN_SHARD_COUNT);
}
