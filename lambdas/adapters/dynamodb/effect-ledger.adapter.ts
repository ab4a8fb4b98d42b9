import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock, EffectLedger } from '../../domain/ports';

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
