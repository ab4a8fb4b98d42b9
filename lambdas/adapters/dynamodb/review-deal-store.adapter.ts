import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_BY_REVIEW_INDEX, REVIEW_SHARD_COUNT } from '../../../lib/table-definitions';
import type { ReviewDue, ReviewSchedule } from '../../domain/ports';
import { DynamoDealStore } from './deal-store.adapter';
import { allItems } from './document-client';

/** The deal store with the review index (ReviewSchedule): for the reminder sweep only. */
export class DynamoReviewDealStore extends DynamoDealStore implements ReviewSchedule {
  async plansDueForReview(until: Date): Promise<ReviewDue[]> {
    return reviewsDue(this.db, this.tables.plans, until);
  }
}

/** Active plans whose next review is at or before `until`: each `review#<n>` shard of the sparse index. */
export async function reviewsDue(
  db: DynamoDBDocumentClient,
  table: string,
  until: Date,
): Promise<ReviewDue[]> {
  const shards = Array.from({ length: REVIEW_SHARD_COUNT }, (_, i) => `review#${i}`);
  const pages = await Promise.all(
    shards.map((shard) =>
      allItems(
        paginateQuery(
          { client: db },
          {
            TableName: table,
            IndexName: ACTIVE_BY_REVIEW_INDEX,
            KeyConditionExpression: 'reviewShard = :s AND nextReviewAt <= :t',
            ExpressionAttributeValues: { ':s': shard, ':t': until.toISOString() },
          },
        ),
      ),
    ),
  );
  return pages
    .flat()
    .map((i) => ({ planId: String(i.planId), nextReviewAt: String(i.nextReviewAt) }))
    .sort((a, b) => a.nextReviewAt.localeCompare(b.nextReviewAt));
}
