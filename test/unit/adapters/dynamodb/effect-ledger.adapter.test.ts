import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../../lambdas/adapters/dynamodb/document-client';
import {
  DynamoEffectLedger,
  EffectInProgressError,
} from '../../../../lambdas/adapters/dynamodb/effect-ledger.adapter';
import { FakeClock } from '../../../helpers/fakes';

const TABLES = { idempotency: 'cosell-flow-acme-idempotency' };

const ddb = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  ddb.reset();
});

function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

describe('DynamoEffectLedger', () => {
  const NOW = '2026-12-02T15:00:00.000Z';
  const nowMs = Date.parse(NOW);

  function newLedger(): DynamoEffectLedger {
    return new DynamoEffectLedger(documentClient(), TABLES.idempotency, new FakeClock(NOW));
  }

  it('claims the key, runs the effect once and marks it COMPLETED', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const effect = vi.fn(async () => {});

    // Act
    const result = await newLedger().once('gate-open#pl_x#door-opener#dana', effect);

    // Assess
    expect(result).toBe('done');
    expect(effect).toHaveBeenCalledTimes(1);
    const claim = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(claim).toMatchObject({
      TableName: TABLES.idempotency,
      Item: { id: 'gate-open#pl_x#door-opener#dana', status: 'INPROGRESS', leaseUntil: nowMs + 60_000 },
      ConditionExpression: 'attribute_not_exists(id) OR (#s = :p AND leaseUntil < :now)',
      ExpressionAttributeValues: { ':p': 'INPROGRESS', ':now': nowMs },
    });
    expect(claim?.Item?.expiration).toBeGreaterThan(nowMs / 1000);
    const done = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(done).toMatchObject({
      TableName: TABLES.idempotency,
      Key: { id: 'gate-open#pl_x#door-opener#dana' },
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':c': 'COMPLETED' },
    });
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('returns already-done without running the effect when the record is COMPLETED', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { id: 'k', status: 'COMPLETED', completedAt: NOW } });
    const effect = vi.fn(async () => {});

    // Act
    const result = await newLedger().once('k', effect);

    // Assess
    expect(result).toBe('already-done');
    expect(effect).not.toHaveBeenCalled();
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLES.idempotency,
      Key: { id: 'k' },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('throws EffectInProgressError while another invocation holds an unexpired lease', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { id: 'k', status: 'INPROGRESS', leaseUntil: nowMs + 30_000 } });
    const effect = vi.fn(async () => {});

    // Act
    const running = newLedger().once('k', effect);

    // Assess
    await expect(running).rejects.toBeInstanceOf(EffectInProgressError);
    expect(effect).not.toHaveBeenCalled();
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('releases the claim (its lease ended now, no DeleteItem) and rethrows when the effect fails, so a retry can run it', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    const failure = new Error('SES throttled');

    // Act
    const running = newLedger().once('k', async () => {
      throw failure;
    });

    // Assess
    await expect(running).rejects.toBe(failure);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toEqual({
      TableName: TABLES.idempotency,
      Key: { id: 'k' },
      UpdateExpression: 'SET leaseUntil = :gone',
      ConditionExpression: '#s = :p',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':gone': 0, ':p': 'INPROGRESS' },
    });
  });

  it('rethrows a claim failure that is not a condition and runs nothing', async () => {
    // Prepare
    const failure = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    ddb.on(PutCommand).rejects(failure);
    const effect = vi.fn(async () => {});

    // Act
    const running = newLedger().once('k', effect);

    // Assess
    await expect(running).rejects.toBe(failure);
    expect(effect).not.toHaveBeenCalled();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});
