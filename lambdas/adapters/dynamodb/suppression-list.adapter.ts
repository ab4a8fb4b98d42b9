import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionList } from '../../domain/ports';

/**
 * The tenant's suppressed addresses, as `suppressed#<email>` records in the idempotency table (no
 * `expiration`: they stay until someone removes them). Each tenant has its own tables, so its own list.
 */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isSuppressed(email: string): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { id: suppressionKey(email) },
        ProjectionExpression: 'id',
      }),
    );
    return out?.Item !== undefined;
  }

  async suppress(entry: Suppression): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { id: suppressionKey(entry.email), ...entry, email: entry.email.toLowerCase() },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

export function suppressionKey(email: string): string {
  return `suppressed#${email.trim().toLowerCase()}`;
}
