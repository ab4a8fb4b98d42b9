import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { documentClient } from '../../../../lambdas/adapters/dynamodb/document-client';
import {
  DynamoHistoryStore,
  HistoryFullError,
  MAX_HISTORY_ENTRIES,
} from '../../../../lambdas/adapters/dynamodb/history-store.adapter';
import { historyEntry, recordHistory } from '../../../../lambdas/domain/history';

const TABLE = 'cosell-flow-acme-idempotency';
const ddb = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  ddb.reset();
});

const entry = historyEntry('2026-12-02T15:00:00.000Z', 'ops', 'closed', { outcome: 'lost' });

describe('DynamoHistoryStore', () => {
  it('appends to the one history item of the deal, up to the cap, and reads it with one GetItem', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { entries: [entry] } });
    const store = new DynamoHistoryStore(documentClient(), TABLE);
    await store.append('pl_1', [entry]);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TableName: TABLE, Key: { id: 'history#pl_1' } });
    expect(input?.UpdateExpression).toMatch(/list_append/);
    expect(input?.ExpressionAttributeValues?.[':max']).toBe(MAX_HISTORY_ENTRIES);
    expect(await store.list('pl_1')).toEqual([entry]);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it('says the history is full at the cap, and recording that never fails what it records', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const store = new DynamoHistoryStore(documentClient(), TABLE);
    await expect(store.append('pl_1', [entry])).rejects.toBeInstanceOf(HistoryFullError);
    const warnings = await recordHistory(store, 'pl_1', [entry]);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`history of pl_1 is full \\(${MAX_HISTORY_ENTRIES} entries\\)`)),
    ]);
  });
});
