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
  readonly projection: 'ALL';
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
 * Name of the sparse index of plans by next weekly review (PK `status`, SK `nextReviewAt`): a plan is in it
 * only while it has a review pending, and the sweep queries only the `active` partition up to now, so a
 * won or lost deal drops out of what is read without any cleanup write.
 */
export const ACTIVE_BY_REVIEW_INDEX = 'active-by-review';

export const TABLE_DEFINITIONS: { readonly [K in TableKey]: TableDefinition } = {
  plans: {
    nameSuffix: 'plans',
    envVar: 'PLANS_TABLE',
    partitionKey: { name: 'planId', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: ACTIVE_BY_REVIEW_INDEX,
        partitionKey: { name: 'status', type: 'S' },
        sortKey: { name: 'nextReviewAt', type: 'S' },
        projection: 'ALL',
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
};

export const TABLE_KEYS = Object.keys(TABLE_DEFINITIONS) as TableKey[];

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
            Projection: { ProjectionType: gsi.projection },
          })),
        }
      : {}),
  };
}
