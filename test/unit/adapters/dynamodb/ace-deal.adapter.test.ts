import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoAceDealRecorder } from '../../../../lambdas/adapters/dynamodb/ace-deal.adapter';
import { documentClient } from '../../../../lambdas/adapters/dynamodb/document-client';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const REVIEW = { status: 'Action Required', round: 2, since: '2026-12-02T15:00:00.000Z' };

describe('DynamoAceDealRecorder.recordReview', () => {
  it('sets aceReview unless the deal already holds a later round', async () => {
    // Prepare
    ddb.on(UpdateCommand).resolves({});

    // Act
    await new DynamoAceDealRecorder(documentClient(), 'plans').recordReview('pl_1', REVIEW);

    // Assess
    const [call] = ddb.commandCalls(UpdateCommand);
    expect(call?.args[0].input).toMatchObject({
      TableName: 'plans',
      Key: { planId: 'pl_1' },
      UpdateExpression: 'SET aceReview = :review ADD version :one',
      ConditionExpression:
        'attribute_exists(planId) AND (attribute_not_exists(aceReview) OR aceReview.#round <= :round)',
      ExpressionAttributeValues: { ':review': REVIEW, ':round': 2 },
    });
  });

  it('leaves a later round in place without failing (an older read lost the race)', async () => {
    // Prepare
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    // Act / Assess
    await expect(
      new DynamoAceDealRecorder(documentClient(), 'plans').recordReview('pl_1', REVIEW),
    ).resolves.toBeUndefined();
  });
});
