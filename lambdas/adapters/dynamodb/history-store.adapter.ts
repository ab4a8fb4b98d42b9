import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry, HistoryStore } from '../../domain/ports';

/** Entries kept per deal: the item stays well under DynamoDB's 400 KB (an entry is a few hundred bytes). */
export const MAX_HISTORY_ENTRIES = 1000;

/** The deal's history has reached MAX_HISTORY_ENTRIES: the entry is not recorded (what it records stands). */
export class HistoryFullError extends Error {
  override readonly name = 'HistoryFullError';
}

/**
 * A deal's history as one `history#<planId>` item of the idempotency table (no `expiration`: it stays),
 * its entries in a list appended to atomically with `list_append`. Reading one deal's history is one
 * GetItem: never a Query across deals, never a Scan.
 */
export class DynamoHistoryStore implements HistoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async append(planId: string, entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const update = this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id: historyKey(planId) },
        UpdateExpression: 'SET entries = list_append(if_not_exists(entries, :none), :new), planId = :p',
        ConditionExpression: 'attribute_not_exists(entries) OR size(entries) < :max',
        ExpressionAttributeValues: {
          ':none': [],
          ':new': entries,
          ':p': planId,
          ':max': MAX_HISTORY_ENTRIES,
        },
      }),
    );
    try {
      await update;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new HistoryFullError(
        `the history of ${planId} is full (${MAX_HISTORY_ENTRIES} entries): ${entries.map((e) => e.kind).join(', ')} not recorded`,
      );
    }
  }

  async list(planId: string): Promise<HistoryEntry[]> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { id: historyKey(planId) }, ConsistentRead: true }),
    );
    return (out.Item?.entries as HistoryEntry[] | undefined) ?? [];
  }
}

export function historyKey(planId: string): string {
  return `history#${planId}`;
}
