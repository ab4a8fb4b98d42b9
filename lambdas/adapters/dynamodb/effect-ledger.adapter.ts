import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isTransient } from '../../domain/errors';
import type { Clock, EffectLedger } from '../../domain/ports';

/** An effect claimed by another invocation that has not finished yet: the caller retries later. */
export class EffectInProgressError extends Error {
  override readonly name = 'EffectInProgressError';
}

const LEASE_MS = 60_000;
/** Attempts (each with the SDK's own retries) to record a completed effect. */
const RECORD_ATTEMPTS = 6;

/** Runs `write` until it succeeds or fails for good: throttling and 5xx are retried with backoff. */
async function persist(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (attempt >= RECORD_ATTEMPTS || !isTransient(error)) throw error;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
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
      await this.release(key).catch(() => undefined); // else the lease lapses within a minute
      throw error;
    }
    // The effect happened: recording it is what keeps a retry from doing it twice, so a throttled write is
    // tried again (beyond the SDK's own attempts) before giving up.
    await persist(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: key },
          UpdateExpression: 'SET #s = :c, completedAt = :t REMOVE leaseUntil',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':c': 'COMPLETED', ':t': new Date(now).toISOString() },
        }),
      ),
    );
    return 'done';
  }

  /**
   * Gives a claim back by ending its lease now: an UpdateItem, not a DeleteItem, so no function needs
   * DeleteItem on the ledger (the public action-link function has item writes only). Only our own
   * unfinished claim: a completed record is never touched.
   */
  private async release(key: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: key },
        UpdateExpression: 'SET leaseUntil = :gone',
        ConditionExpression: '#s = :p',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':gone': 0, ':p': 'INPROGRESS' },
      }),
    );
  }
}
