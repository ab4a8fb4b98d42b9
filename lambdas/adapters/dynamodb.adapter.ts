import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ACTIVE_BY_REVIEW_INDEX, OPEN_BY_DUE_INDEX, OPEN_SHARD_COUNT } from '../../lib/table-definitions';
import type { Deal, MilestoneState } from '../domain/deal';
import { ConcurrentUpdateError, LinkUsedError } from '../domain/errors';
import { partnerKey } from '../domain/partner-plans';
import type {
  Clock,
  DealSnapshot,
  DealStore,
  DealSummary,
  EffectLedger,
  LinkUse,
  PartnerPlanStore,
  ReviewDue,
  Suppression,
  SuppressionList,
} from '../domain/ports';
import type { ReportDeal } from '../domain/reports';
import type { PartnerPlan } from '../schemas/partner-plan.schema';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface TableNames {
  plans: string;
  milestones: string;
  links: string;
  idempotency: string;
}

let shared: DynamoDBDocumentClient | undefined;

/** Built once per module: every store of a function shares it, and warm invocations reuse its connections. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return shared;
}

/** Deals, milestones and link uses in DynamoDB. Every write is conditional on the version it read. */
export class DynamoDealStore implements DealStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async create({ deal, milestones }: DealSnapshot): Promise<void> {
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
    return {
      deal: deal.Item as Deal,
      milestones: milestones.map(fromMilestoneItem).sort((a, b) => a.seq - b.seq),
    };
  }

  async list(): Promise<DealSummary[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tables.plans,
          // `plan`, `status` and `name` are DynamoDB reserved words: they must go through aliases.
          ProjectionExpression: 'planId, #s, stage, updatedAt, #p.#n, #p.partner.#n, #p.account.#n',
          ExpressionAttributeNames: { '#s': 'status', '#n': 'name', '#p': 'plan' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
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
      if (error instanceof ConditionalCheckFailedException)
        throw new ConcurrentUpdateError('the deal changed meanwhile');
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        if (linkUse && reasons.at(-1)?.Code === 'ConditionalCheckFailed')
          throw new LinkUsedError('link already used');
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          throw new ConcurrentUpdateError('the deal changed meanwhile');
        }
      }
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
    const deals: Deal[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tables.plans,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ExclusiveStartKey: start,
        }),
      );
      deals.push(...((page.Items ?? []) as Deal[]));
      start = page.LastEvaluatedKey;
    } while (start);
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
          milestones.set(
            d.planId,
            items.map(fromMilestoneItem).sort((a, b) => a.seq - b.seq),
          );
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

  private async queryAll(
    input: ConstructorParameters<typeof QueryCommand>[0],
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

/** Every attribute of a deal the report reads: all but `taskToken`, which never leaves the workflow's path. */
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
] as const satisfies readonly (keyof Deal)[];

/** Milestone queries in flight at once while loading a report (each is one partition, a few items). */
const MILESTONE_QUERIES_AT_ONCE = 8;

function fromMilestoneItem(item: Record<string, unknown>): MilestoneState {
  const { openShard: _shard, ...rest } = item;
  return rest as unknown as MilestoneState;
}

function shardOf(key: string): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % OPEN_SHARD_COUNT;
}

/** An effect claimed by another invocation that has not finished yet: the caller retries later. */
export class EffectInProgressError extends Error {
  override readonly name = 'EffectInProgressError';
}

const LEASE_MS = 60_000;
const KEEP_SECONDS = 400 * 86_400;

/**
 * At-most-once effects (emails, events) keyed in the idempotency table. A claim is a lease: if the
 * invocation holding it dies before finishing, the claim lapses after a minute and a retry may run the
 * effect; if the effect fails, the claim is released at once.
 */
export class DynamoEffectLedger implements EffectLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock,
  ) {}

  async once(key: string, effect: () => Promise<void>): Promise<'done' | 'already-done'> {
    const now = this.clock.now().getTime();
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            id: key,
            status: 'INPROGRESS',
            leaseUntil: now + LEASE_MS,
            expiration: Math.floor(now / 1000) + KEEP_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(id) OR (#s = :p AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':p': 'INPROGRESS', ':now': now },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.db.send(
        new GetCommand({ TableName: this.table, Key: { id: key }, ConsistentRead: true }),
      );
      if (existing.Item?.status === 'COMPLETED') return 'already-done';
      throw new EffectInProgressError(`effect ${key} is in progress elsewhere`);
    }
    try {
      await effect();
    } catch (error) {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { id: key } }));
      throw error;
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: key },
        UpdateExpression: 'SET #s = :c, completedAt = :t REMOVE leaseUntil',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':c': 'COMPLETED', ':t': new Date(now).toISOString() },
      }),
    );
    return 'done';
  }
}

/**
 * The tenant's suppressed addresses, as `suppressed#<email>` records in the idempotency table (no
 * `expiration`: they stay until someone removes them). Each tenant has its own tables, so its own list.
 */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSuppressed(email: string): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { id: suppressionKey(email) },
        ProjectionExpression: 'id',
      }),
    );
    return out?.Item !== undefined;
  }

  async suppress(entry: Suppression): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: suppressionKey(entry.email), ...entry, email: entry.email.toLowerCase() },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

export function suppressionKey(email: string): string {
  return `suppressed#${email.trim().toLowerCase()}`;
}

/**
 * Partner plans, one item per partner: `{partnerKey, partner, plan, updatedAt}` with `partnerKey` the
 * normalised partner name, so a PUT for the same partner (any case or spacing) replaces its plan.
 */
export class DynamoPartnerPlanStore implements PartnerPlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(plan: PartnerPlan, at: Date): Promise<{ created: boolean }> {
    const out = await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          partnerKey: partnerKey(plan.partner.name),
          partner: plan.partner.name,
          plan,
          updatedAt: at.toISOString(),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { created: out?.Attributes === undefined };
  }

  async get(partner: string): Promise<PartnerPlan | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { partnerKey: partnerKey(partner) } }),
    );
    return out?.Item?.plan as PartnerPlan | undefined;
  }

  /** A Scan: one item per partner, so the table stays small. */
  async list(): Promise<PartnerPlan[]> {
    const plans: PartnerPlan[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          ProjectionExpression: '#p',
          ExpressionAttributeNames: { '#p': 'plan' },
          ExclusiveStartKey: start,
        }),
      );
      plans.push(...(page.Items ?? []).map((i) => i.plan as PartnerPlan));
      start = page.LastEvaluatedKey;
    } while (start);
    return plans.sort((a, b) => a.partner.name.localeCompare(b.partner.name, 'en', { sensitivity: 'base' }));
  }
}
