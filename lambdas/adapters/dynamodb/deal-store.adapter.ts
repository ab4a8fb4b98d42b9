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
import { ACTIVE_BY_REVIEW_INDEX, OPEN_BY_DUE_INDEX, OPEN_SHARD_COUNT } from '../../../lib/table-definitions';
import type { Deal, MilestoneState } from '../../domain/deal';
import { ConcurrentUpdateError, LinkUsedError } from '../../domain/errors';
import type {
  DealSnapshot,
  DealStore,
  DealSummary,
  LinkUse,
  ReportReader,
  ReviewDue,
  ReviewSchedule,
} from '../../domain/ports';
import type { ReportDeal } from '../../domain/reports';
import { allItems } from './document-client';

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

  async create({ deal, milestones }: DealSnapshot): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.plans,
                Item: { ...deal, version: deal.version + 1 },
                ConditionExpression: 'attribute_not_exists(planId)',
              },
            },
            ...milestones.map((m) => this.putMilestone(m)),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(error)) throw new ConcurrentUpdateError(`plan ${deal.planId} already exists`);
      throw error;
    }
  }

  async remove({ deal, milestones }: DealSnapshot): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tables.plans, Key: { planId: deal.planId } } },
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
    const [deal, milestones] = await Promise.all([
      this.db.send(new GetCommand({ TableName: this.tables.plans, Key: { planId }, ConsistentRead: true })),
      this.queryAll({
        TableName: this.tables.milestones,
        KeyConditionExpression: 'planId = :p',
        ExpressionAttributeValues: { ':p': planId },
        ConsistentRead: true,
      }),
    ]);
    if (!deal.Item) return undefined;
    return { deal: deal.Item as Deal, milestones: inPlanOrder(milestones) };
  }

  async list(): Promise<DealSummary[]> {
    const items = await allItems(
      paginateScan(
        { client: this.db },
        {
          TableName: this.tables.plans,
          // `plan`, `status` and `name` are DynamoDB reserved words: they must go through aliases.
          ProjectionExpression: 'planId, #s, stage, updatedAt, #p.#n, #p.partner.#n, #p.account.#n',
          ExpressionAttributeNames: { '#s': 'status', '#n': 'name', '#p': 'plan' },
        },
      ),
    );
    return items
      .map((i) => {
        const d = i as unknown as Deal;
        return {
          planId: d.planId,
          name: d.plan.name,
          partner: d.plan.partner.name,
          account: d.plan.account.name,
          stage: d.stage,
          status: d.status,
          updatedAt: d.updatedAt,
        };
      })
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
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
    const dealPut: TransactItem = {
      Put: {
        TableName: this.tables.plans,
        Item: { ...deal, version: deal.version + 1 },
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': deal.version },
      },
    };
    const items: TransactItem[] = [
      dealPut,
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
      if (items.length === 1) await this.db.send(new PutCommand(dealPut.Put as never));
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
    const items = await this.queryAll({
      TableName: this.tables.plans,
      IndexName: ACTIVE_BY_REVIEW_INDEX,
      KeyConditionExpression: '#s = :active AND nextReviewAt <= :t',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':active': 'active', ':t': until.toISOString() },
      ProjectionExpression: 'planId, nextReviewAt',
    });
    return items.map((i) => ({ planId: String(i.planId), nextReviewAt: String(i.nextReviewAt) }));
  }

  /**
   * The program report's input: one paginated Scan of the plans table (every deal, without the task token),
   * then one Query of the milestones table per ACTIVE deal, a few at a time. Won and lost deals need no
   * milestones. Reads the whole plans table: for on-demand reports, never on a hot path.
   */
  async reportDeals(): Promise<ReportDeal[]> {
    const names = Object.fromEntries(REPORT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    const deals = (await allItems(
      paginateScan(
        { client: this.db },
        {
          TableName: this.tables.plans,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
        },
      ),
    )) as unknown as Deal[];
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

/**
 * Every attribute of a deal but `taskToken`, which never leaves the workflow's path: what the report reads.
 * The deal-store contract test checks that a report's deal is the stored deal without its token.
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
] as const satisfies readonly Exclude<keyof Deal, 'taskToken'>[];

/** Milestone queries in flight at once while loading a report (each is one partition, a few items). */
const MILESTONE_QUERIES_AT_ONCE = 8;

function fromMilestoneItem(item: Record<string, unknown>): MilestoneState {
  const { openShard: _shard, ...rest } = item;
  return rest as unknown as MilestoneState;
}

function inPlanOrder(items: Record<string, unknown>[]): MilestoneState[] {
  return items.map(fromMilestoneItem).sort((a, b) => a.seq - b.seq);
}

function shardOf(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % OPEN_SHARD_COUNT;
}
