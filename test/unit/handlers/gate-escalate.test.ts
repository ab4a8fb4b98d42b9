import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { clearSecretCache as clearCaches } from '../../../lambdas/adapters/secrets.adapter';
import {
  ENV,
  FIXTURE_PLAN_ID,
  LINK_KEYS_SECRET,
  storedDeal,
  stubHandlerEnvironment,
  taskEvent,
} from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
// Events the use cases publish (escalations, stage advanced, slips); no test here reaches a real bus.
const events = mockClient(EventBridgeClient);
events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

let handler: (event: unknown) => Promise<{ timeoutSeconds: number; escalations: number }>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/gate-escalate'));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  // The first gate's deadline (fit-check due 2026-12-04 17:00 Chicago) passed an hour ago.
  vi.setSystemTime(new Date('2026-12-05T00:00:00.000Z'));
});

afterEach(() => {
  vi.useRealTimers();
  ddb.reset();
  secrets.reset();
  ses.reset();
  events.resetHistory();
  clearCaches();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('gate-escalate handler', () => {
  it.each([
    ['missing escalations', { planId: FIXTURE_PLAN_ID, stage: 'door-opener' }],
    ['escalations as text', { ...taskEvent('gate-escalate'), escalations: '1' }],
    ['negative escalations', { ...taskEvent('gate-escalate'), escalations: -2 }],
    ['an unknown stage', { ...taskEvent('gate-escalate'), stage: 'Escalate: door-opener' }],
  ])('rejects %s with a zod error before any AWS call', async (_case, payload) => {
    // Prepare
    const event = payload;

    // Act
    const running = handler(event);

    // Assess
    await expect(running).rejects.toBeInstanceOf(z.core.$ZodError);
    expect([...ddb.calls(), ...secrets.calls(), ...ses.calls()]).toHaveLength(0);
  });

  it('sends the overdue notices, counts the escalation on the deal and says how long to wait again', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('target-account-selection');
    ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    // Act
    const result = await handler(taskEvent('gate-escalate'));

    // Assess
    expect(result.escalations).toBe(1);
    expect(result.timeoutSeconds).toBeGreaterThanOrEqual(60);
    expect(ses.commandCalls(SendEmailCommand).length).toBeGreaterThan(0);
    const dealPut = ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })[0]?.args[0].input;
    expect(dealPut).toMatchObject({
      ConditionExpression: 'version = :v',
      Item: { stages: { 'target-account-selection': { escalations: 1 } } },
    });
  });
});
