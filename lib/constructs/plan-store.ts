import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  type KeyAttribute,
  TABLE_DEFINITIONS,
  TABLE_KEYS,
  type TableDefinition,
  type TableKey,
  tableName,
} from '../table-definitions';

export {
  OPEN_BY_DUE_INDEX,
  TABLE_DEFINITIONS,
  type TableDefinition,
  type TableKey,
} from '../table-definitions';

export interface PlanStoreProps {
  /** Names the tables `cosell-flow-<tenant>-<suffix>` (see lib/table-definitions.ts). */
  readonly tenant: string;
}

const ATTRIBUTE_TYPES: Record<KeyAttribute['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const attribute = (a: KeyAttribute): dynamodb.Attribute => ({ name: a.name, type: ATTRIBUTE_TYPES[a.type] });

/**
 * The DynamoDB tables of a tenant (plans, milestones, links, idempotency, partner plans), built from TABLE_DEFINITIONS (the description the local runtime
 * also uses). All on-demand, AWS-managed KMS encryption, point-in-time recovery, deletion protection and
 * retained when the stack goes: plans are the customer's records.
 */
export class PlanStore extends Construct {
  public readonly plans: dynamodb.Table;
  public readonly milestones: dynamodb.Table;
  public readonly links: dynamodb.Table;
  public readonly idempotency: dynamodb.Table;
  public readonly partnerPlans: dynamodb.Table;
  /** The same tables by key, in TABLE_KEYS order. */
  public readonly tables: Readonly<Record<TableKey, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: PlanStoreProps) {
    super(scope, id);
    const build = (key: TableKey) =>
      this.buildTable(key, TABLE_DEFINITIONS[key], tableName(props.tenant, key));
    this.tables = Object.fromEntries(TABLE_KEYS.map((key) => [key, build(key)])) as Record<
      TableKey,
      dynamodb.Table
    >;
    this.plans = this.tables.plans;
    this.milestones = this.tables.milestones;
    this.links = this.tables.links;
    this.idempotency = this.tables.idempotency;
    this.partnerPlans = this.tables.partnerPlans;
  }

  /** Each table's `envVar` (TABLE_DEFINITIONS) -> its name, for function env. */
  public environment(): Record<TableDefinition['envVar'], string> {
    return Object.fromEntries(
      TABLE_KEYS.map((key) => [TABLE_DEFINITIONS[key].envVar, this.tables[key].tableName]),
    ) as Record<TableDefinition['envVar'], string>;
  }

  private buildTable(key: TableKey, def: TableDefinition, name: string): dynamodb.Table {
    const table = new dynamodb.Table(this, pascal(key), {
      tableName: name,
      partitionKey: attribute(def.partitionKey),
      ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
      ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const gsi of def.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        ...(gsi.sortKey ? { sortKey: attribute(gsi.sortKey) } : {}),
        ...(gsi.projection === 'ALL'
          ? { projectionType: dynamodb.ProjectionType.ALL }
          : gsi.projection === 'KEYS_ONLY'
            ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
            : {
                projectionType: dynamodb.ProjectionType.INCLUDE,
                nonKeyAttributes: [...gsi.projection.include],
              }),
      });
    }
    return table;
  }
}

const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
