/**
 * The Cosell Flow tables, described once as plain data (no CDK import). The PlanStore construct builds
 * its DynamoDB tables from this, and the local runtime creates the same tables in DynamoDB Local from it,
 * so the two can never drift. See docs/design.md, "Tables (PlanStore)".
 */

export type KeyAttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /**
   * What the index holds besides the keys: `ALL`, `KEYS_ONLY`, or the listed attributes (INCLUDE). Each
   * index holds only what its readers need: every write of a projected attribute is also a write to the
   * index.
   */
  readonly projection: 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };
}

export interface TableDefinition {
  /** Appended to the tenant's prefix to name the table: `cosell-flow-<tenant>-<nameSuffix>`. */
  readonly nameSuffix: string;
  /** The environment variable that carries this table's name to every function. */
  readonly envVar:
    | 'PLANS_TABLE'
    | 'MILESTONES_TABLE'
    | 'LINKS_TABLE'
    | 'IDEMPOTENCY_TABLE'
    | 'PARTNER_PLANS_TABLE';
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  /** Epoch-seconds attribute DynamoDB uses to expire items (cleanup only: expiry is also checked in code). */
  readonly timeToLiveAttribute?: string;
}

export type TableKey = 'plans' | 'milestones' | 'links' | 'idempotency' | 'partnerPlans';

/** Name of the sparse index of open milestones by next nudge time (reminder sweep). */
export const OPEN_BY_DUE_INDEX = 'open-by-due';

/** `openShard` values are `open#0`..`open#3`; present only while a milestone is open. */
export const OPEN_SHARD_COUNT = 4;

/**
 * Announcements held for a later send share the open-by-due index under their own shards, `news#0`..`news#3`
 * (items keyed `<planId>#announce` in the milestones table; see announcement-schedule.adapter.ts).
 */
export const NEWS_SHARD_COUNT = 4;

/**
 * Name of the sparse index of active plans by next weekly review (PK `reviewShard`, `review#0`..`review#3`,
 * SK `nextReviewAt`, keys only: its one reader needs `planId` and `nextReviewAt`). A deal state item carries
 * `reviewShard` only while the deal is active with a review pending, so active deals spread over four
 * partitions and a closed deal drops out with the save that closes it.
 */
export const ACTIVE_BY_REVIEW_INDEX = 'active-by-review';

/** `reviewShard` values are `review#0`..`review#3`. */
export const REVIEW_SHARD_COUNT = 4;

/**
 * Name of the index that lists plans (`GET /plans`): PK `listShard` (`<status>#0`..`<status>#3`), SK
 * `listKey` (`<createdAt>#<planId>`, newest first when read backwards), holding the summary attributes only.
 * Only deal state items carry `listShard`; plan document items stay out of it.
 */
export const PLANS_BY_STATUS_INDEX = 'plans-by-status';

/** `listShard` values are `<status>#0`..`<status>#3`. */
export const LIST_SHARD_COUNT = 4;

/**
 * What PLANS_BY_STATUS_INDEX holds besides its keys: the summary attributes that change at most once per
 * stage. Not `updatedAt` (it changes on every click, and each change would be one more index write): the
 * list reads it from the page's state items with one BatchGetItem.
 */
export const PLAN_SUMMARY_ATTRIBUTES = [
  'status',
  'stage',
  'listName',
  'listPartner',
  'listAccount',
  'partnerKey',
] as const;

// Marked pure (an IIFE): a Lambda that imports only the index names drops the definitions (an array spread in a
// literal would otherwise keep all of them in every bundle).
export const TABLE_DEFINITIONS: { readonly [K in TableKey]: TableDefinition } = /* @__PURE__ */ (() => ({
  plans: {
    nameSuffix: 'plans',
    envVar: 'PLANS_TABLE',
    partitionKey: { name: 'planId', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: ACTIVE_BY_REVIEW_INDEX,
        partitionKey: { name: 'reviewShard', type: 'S' },
        sortKey: { name: 'nextReviewAt', type: 'S' },
        projection: 'KEYS_ONLY',
      },
      {
        indexName: PLANS_BY_STATUS_INDEX,
        partitionKey: { name: 'listShard', type: 'S' },
        sortKey: { name: 'listKey', type: 'S' },
        // `reportEntry`: the closed deals' report aggregates and entries, under shards of their own (closed-items.ts).
        projection: { include: [...PLAN_SUMMARY_ATTRIBUTES, 'reportEntry'] },
      },
    ],
  },
  milestones: {
    nameSuffix: 'milestones',
    envVar: 'MILESTONES_TABLE',
    partitionKey: { name: 'planId', type: 'S' },
    sortKey: { name: 'milestoneId', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: OPEN_BY_DUE_INDEX,
        partitionKey: { name: 'openShard', type: 'S' },
        sortKey: { name: 'nudgeAt', type: 'S' },
        projection: 'ALL',
      },
    ],
  },
  links: {
    nameSuffix: 'links',
    envVar: 'LINKS_TABLE',
    partitionKey: { name: 'nonce', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  idempotency: {
    nameSuffix: 'idempotency',
    envVar: 'IDEMPOTENCY_TABLE',
    partitionKey: { name: 'id', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiration',
  },
  /**
   * One item per partner plan (`kind: PartnerPlan`), keyed by the normalised partner name (see
   * `partnerKey`), so a deal plan finds its partner's plan with one GetItem and a PUT replaces it.
   */
  partnerPlans: {
    nameSuffix: 'partner-plans',
    envVar: 'PARTNER_PLANS_TABLE',
    partitionKey: { name: 'partnerKey', type: 'S' },
    globalSecondaryIndexes: [],
  },
}))();

export const TABLE_KEYS = /* @__PURE__ */ Object.keys(TABLE_DEFINITIONS) as TableKey[];

/** Physical table name for a tenant, e.g. `cosell-flow-acme-plans`. */
export function tableName(tenant: string, key: TableKey): string {
  return `cosell-flow-${tenant}-${TABLE_DEFINITIONS[key].nameSuffix}`;
}

/** Every attribute used in a key of the table or of one of its indexes, once each. */
export function attributeDefinitions(def: TableDefinition): KeyAttribute[] {
  const all = [
    def.partitionKey,
    def.sortKey,
    ...def.globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  ].filter((a): a is KeyAttribute => a !== undefined);
  return all.filter((a, i) => all.findIndex((b) => b.name === a.name) === i);
}

/**
 * The same table as the input of DynamoDB's CreateTable (structurally `CreateTableCommandInput`), for the
 * local runtime. TTL is set separately with UpdateTimeToLive from `timeToLiveAttribute`.
 */
export function createTableInput(def: TableDefinition, name: string) {
  const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    AttributeDefinitions: attributeDefinitions(def).map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    ...(def.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.indexName,
            KeySchema: keySchema(gsi.partitionKey, gsi.sortKey),
            Projection: projectionInput(gsi.projection),
          })),
        }
      : {}),
  };
}

function projectionInput(projection: GlobalIndexDefinition['projection']) {
  if (typeof projection === 'string') return { ProjectionType: projection };
  return { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...projection.include] };
}
