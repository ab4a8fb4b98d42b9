import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { ENV, FIXTURE_PLAN_ID, storedDeal, stubHandlerEnvironment, taskEvent } from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);

let handler: (event: unknown) => Promise<{ timeoutSeconds: number; escalations: number }>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/gate-deadline'));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-01T15:00:00.000Z'));
});

afterEach(() => {
  vi.useRealTimers();
  ddb.reset();
  events.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('gate-deadline handler', () => {
  it.each([
    ['no payload', undefined],
    ['a plan id that is not one', { ...taskEvent('gate-deadline'), planId: 'Globex Corp' }],
    ['an unknown stage', { ...taskEvent('gate-deadline'), stage: 'negotiation' }],
    ['a missing stage', { planId: FIXTURE_PLAN_ID }],
  ])('rejects %s with a zod error before any AWS call', async (_case, payload) => {
    // Prepare
    const event = payload;

    // Act
    const running = handler(event);

    // Assess
    await expect(running).rejects.toBeInstanceOf(z.core.$ZodError);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('opens the stage (conditional on the version read) and waits until its last milestone is due', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    ddb.on(PutCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    const result = await handler(taskEvent('gate-deadline'));

    // Assess
    // fit-check is due 2026-12-04 17:00 in Chicago (23:00Z): 3 days and 8 hours from now.
    expect(result).toEqual({ timeoutSeconds: (3 * 24 + 8) * 3600, escalations: 0 });
    const put = ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: ENV.PLANS_TABLE,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: {
        version: 2,
        stage: 'target-account-selection',
        stages: { 'target-account-selection': { status: 'open', openedAt: '2026-12-01T15:00:00.000Z' } },
      },
    });
  });

  it('does not write again when the stage is already open (a retried task)', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('target-account-selection');
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    const result = await handler(taskEvent('gate-deadline'));

    // Assess
    expect(result.escalations).toBe(0);
    expect(ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })).toHaveLength(0);
  });

  it('puts one CoSell Plan Started on the tenant bus as the first gate opens, claimed in the ledger', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    ddb.on(PutCommand).resolves({});
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await handler(taskEvent('gate-deadline'));

    // Assess
    const claim = ddb.commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })[0]?.args[0].input;
    expect(claim?.Item).toMatchObject({ id: `event#plan-started#${FIXTURE_PLAN_ID}`, status: 'INPROGRESS' });
    const [entry] = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({
      EventBusName: ENV.EVENT_BUS_NAME,
      Source: 'cosell.flow',
      DetailType: 'CoSell Plan Started',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      schemaVersion: '1.0',
      planId: FIXTURE_PLAN_ID,
      stage: 'target-account-selection',
      occurredAt: '2026-12-01T15:00:00.000Z',
    });
  });

  it('throws TransientError when the bus refuses the event, so the state machine retries: never lost', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    ddb.on(PutCommand).resolves({});
    events
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // Act
    const running = handler(taskEvent('gate-deadline'));

    // Assess: retried by the TransientError retrier of every Task state (lib/workflow/playbook.definition.ts).
    await expect(running).rejects.toMatchObject({ name: 'TransientError' });
    await expect(running).rejects.toThrow(/CoSell Plan Started not published/);
  });

  it('is also retried for an entry PutEvents answers as failed (HTTP 200, FailedEntryCount 1)', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    ddb.on(PutCommand).resolves({});
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }] });

    // Act, Assess
    await expect(handler(taskEvent('gate-deadline'))).rejects.toMatchObject({ name: 'TransientError' });
  });
});
