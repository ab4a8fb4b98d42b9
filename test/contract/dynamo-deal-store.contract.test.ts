import { afterAll, beforeAll } from 'vitest';
import { documentClient } from '../../lambdas/adapters/dynamodb/document-client';
import { DynamoReadingDealStore } from '../../lambdas/adapters/dynamodb/reading-deal-store.adapter';
import { TABLE_DEFINITIONS, tableName } from '../../lib/table-definitions';
import { applyEnv, localAwsEnv } from '../../local/aws-env';
import {
  type DynamoDbLocal,
  ensureTables,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';
import { dealStoreContract } from './deal-store.contract';

// DynamoDealStore on DynamoDB Local (in memory), built as the handlers build it: the shared document
// client, its endpoint from the environment localAwsEnv writes. Each test gets tables of its own.

let db: DynamoDbLocal;
let restoreEnv: () => void = () => undefined;
let tenants = 0;

beforeAll(async () => {
  db = await startDynamoDbLocal({ inMemory: true });
  restoreEnv = applyEnv(
    localAwsEnv({ dynamodb: db.endpoint, ses: 'http://127.0.0.1:1', emulator: 'http://127.0.0.1:1' }),
  );
});

afterAll(async () => {
  documentClient().destroy();
  restoreEnv();
  await db?.stop();
});

dealStoreContract('DynamoDealStore (DynamoDB Local)', async () => {
  const tenant = `contract${++tenants}`;
  const { plans, milestones, links } = TABLE_DEFINITIONS;
  const client = localDynamoDbClient(db.endpoint);
  await ensureTables(client, { plans, milestones, links }, (key) => tableName(tenant, key));
  client.destroy();
  return new DynamoReadingDealStore(documentClient(), {
    plans: tableName(tenant, 'plans'),
    milestones: tableName(tenant, 'milestones'),
    links: tableName(tenant, 'links'),
    idempotency: tableName(tenant, 'idempotency'),
  });
});
