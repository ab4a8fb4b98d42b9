import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, type TableDefinition } from '../lib/table-definitions';

/**
 * The local stack's tables in DynamoDB Local (the same definitions as the CDK PlanStore) and a client for
 * it. The process itself (start, readiness, stop) is dynamodb-process.ts, re-exported here.
 */

export * from './dynamodb-process';

export async function ensureTables<K extends string>(
  client: DynamoDBClient,
  definitions: { readonly [P in K]: TableDefinition },
  nameFor: (key: K) => string,
): Promise<{ created: string[]; existing: string[] }> {
  // The tables are independent: all at once (in the definitions' order in the answer).
  const keys = Object.keys(definitions) as K[];
  const outcomes = await Promise.all(
    keys.map((key) => ensureTable(client, definitions[key] as TableDefinition, nameFor(key))),
  );
  const names = keys.map(nameFor);
  return {
    created: names.filter((_, i) => outcomes[i] === 'created'),
    existing: names.filter((_, i) => outcomes[i] === 'existing'),
  };
}

async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  name: string,
): Promise<'created' | 'existing'> {
  // Create first (one round trip less on a fresh directory); a table already there gets its missing indexes.
  let created: TableDescription | undefined;
  try {
    ({ TableDescription: created } = await client.send(
      new CreateTableCommand(createTableInput(definition, name)),
    ));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    const current = await describeTable(client, name);
    if (current) await addMissingIndexes(client, name, definition, current);
    return 'existing';
  }
  // DynamoDB Local answers with the table ACTIVE already (AWS with CREATING): wait only when it is not.
  if (!isActive(created)) await waitUntilActive(client, name);
  if (definition.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
  return 'created';
}

/** A client for a local endpoint that needs no AWS environment (dummy credentials). */
export function localDynamoDbClient(endpoint: string, maxAttempts = 3): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });
}

async function describeTable(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * A `.cosell/` made by an older version lacks indexes added since: create them, so that data kept across
 * upgrades keeps working (DynamoDB Local builds a new index from the existing items).
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  name: string,
  definition: TableDefinition,
  current: TableDescription,
): Promise<void> {
  const have = new Set((current.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const wanted = createTableInput(definition, name);
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    if (have.has(index.IndexName)) continue;
    const keys = new Set(index.KeySchema.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: wanted.AttributeDefinitions.filter((a) => keys.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
    await waitUntilActive(client, name);
  }
}

function isActive(table: TableDescription | undefined): boolean {
  const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
  return table?.TableStatus === 'ACTIVE' && indexesActive;
}

async function waitUntilActive(client: DynamoDBClient, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (isActive(Table)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Table ${name} did not become ACTIVE`);
}
