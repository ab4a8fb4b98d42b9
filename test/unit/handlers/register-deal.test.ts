import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  ENV,
  FIXTURE_PLAN_ID,
  LINK_KEYS_SECRET,
  storedDeal,
  stubHandlerEnvironment,
  taskEvent,
} from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);
// The link keys sign the owners' room links into the registration event.
const secrets = mockClient(SecretsManagerClient);

let handler: (event: unknown) => Promise<{ detailType: string; registrationId: string }>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
  ({ handler } = await import('../../../lambdas/handlers/register-deal'));
});

afterEach(() => {
  ddb.reset();
  events.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function givenClosingDeal(): void {
  const { deal, milestoneItems } = storedDeal('close-register-review');
  ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
  ddb.on(QueryCommand).resolves({ Items: milestoneItems });
}

describe('register-deal handler', () => {
  it.each([
    ['an outcome that is neither won nor lost', { ...taskEvent('register-deal'), outcome: 'draw' }],
    ['a missing outcome', { planId: FIXTURE_PLAN_ID }],
    ['a missing plan id', { outcome: 'won' }],
    ['a list instead of an object', [FIXTURE_PLAN_ID, 'won']],
  ])('rejects %s with a zod error before any AWS call', async (_case, payload) => {
    // Prepare
    const event = payload;

    // Act
    const running = handler(event);

    // Assess
    await expect(running).rejects.toBeInstanceOf(z.core.$ZodError);
    expect([...ddb.calls(), ...events.calls()]).toHaveLength(0);
  });

  it('puts one registration event on the tenant bus and records the registration', async () => {
    // Prepare
    givenClosingDeal();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    const result = await handler(taskEvent('register-deal'));

    // Assess
    expect(result).toEqual({
      detailType: 'CoSell Deal Registered',
      registrationId: `${ENV.TENANT}:${FIXTURE_PLAN_ID}`,
    });
    const entries = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: ENV.EVENT_BUS_NAME,
      Source: 'cosell.flow',
      DetailType: 'CoSell Deal Registered',
    });
    expect(JSON.parse(entries[0]?.Detail ?? '')).toMatchObject({
      planId: FIXTURE_PLAN_ID,
      outcome: 'won',
      links: {
        vendorRoom: expect.stringMatching(`^${ENV.PUBLIC_BASE_URL}/room/`),
        partnerRoom: expect.stringMatching(`^${ENV.PUBLIC_BASE_URL}/room/`),
      },
    });
    expect(
      ddb.commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })[0]?.args[0].input.Item?.id,
    ).toBe(`registration#${FIXTURE_PLAN_ID}`);
    // The save that closes the deal counts it in the closed aggregates, in the same transaction.
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.Item).toMatchObject({ status: 'won', registeredAt: expect.any(String) });
    expect(items[0]?.Put?.ConditionExpression).toBe('version = :v AND #status = :was');
    expect(items.map((i) => i.Put?.Item?.planId ?? i.Delete?.Key?.planId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^#report#partner#/)]),
    );
  });

  it('publishes nothing again when the registration is already in the ledger', async () => {
    // Prepare
    givenClosingDeal();
    ddb
      .on(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    ddb.on(GetCommand, { TableName: ENV.IDEMPOTENCY_TABLE }).resolves({ Item: { status: 'COMPLETED' } });
    ddb.on(PutCommand, { TableName: ENV.PLANS_TABLE }).resolves({});

    // Act
    const result = await handler(taskEvent('register-deal'));

    // Assess
    expect(result.detailType).toBe('CoSell Deal Registered');
    expect(events.calls()).toHaveLength(0);
  });

  it('fails the task when EventBridge did not take the event, so Step Functions retries', async () => {
    // Prepare
    givenClosingDeal();
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    // Act
    const running = handler(taskEvent('register-deal'));

    // Assess
    await expect(running).rejects.toThrow(/InternalFailure/);
    expect(ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })).toHaveLength(0);
  });
});
