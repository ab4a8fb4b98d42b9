import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AceReviewSeen, NeedsAttention } from '../../domain/deal';
import type { AceDealRecorder } from '../../domain/ports/ace-deal.port';

/** One conditional UpdateItem on the deal's item per write; each bumps `version` so a concurrent save re-reads. */
export class DynamoAceDealRecorder implements AceDealRecorder {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly plansTable: string,
  ) {}

  async recordOpportunity(planId: string, ace: { opportunityId: string; catalog: string }): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.plansTable,
          Key: { planId },
          UpdateExpression: 'SET ace = :ace ADD version :one',
          ConditionExpression:
            'attribute_exists(planId) AND (attribute_not_exists(ace) OR ace.opportunityId = :id)',
          ExpressionAttributeValues: { ':ace': ace, ':one': 1, ':id': ace.opportunityId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new Error(`plan ${planId} is gone or already has another ACE opportunity`, { cause: error });
      }
      throw error;
    }
  }

  async flagAttention(planId: string, attention: NeedsAttention): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.plansTable,
        Key: { planId },
        UpdateExpression: 'SET needsAttention = :attention ADD version :one',
        ConditionExpression: 'attribute_exists(planId)',
        ExpressionAttributeValues: { ':attention': attention, ':one': 1 },
      }),
    );
  }

  async recordReview(planId: string, review: AceReviewSeen): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.plansTable,
          Key: { planId },
          UpdateExpression: 'SET aceReview = :review ADD version :one',
          ConditionExpression:
            'attribute_exists(planId) AND (attribute_not_exists(aceReview) OR aceReview.#round <= :round)',
          ExpressionAttributeNames: { '#round': 'round' },
          ExpressionAttributeValues: { ':review': review, ':one': 1, ':round': review.round },
        }),
      );
    } catch (error) {
      // A later round is already recorded (or the deal is gone): what this read saw is out of date.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}
