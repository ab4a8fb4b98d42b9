import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearSecretCache as clearCaches } from '../../../lambdas/adapters/secrets.adapter';
import { OPEN_BY_DUE_INDEX } from '../../../lib/table-definitions';
import { PEOPLE } from '../../helpers/plan';
import { ENV, LINK_KEYS_SECRET, scheduledEvent, storedDeal, stubHandlerEnvironment } from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const ses = mockClient(SESv2Client);
// Events the use cases publish (escalations, stage advanced, slips); no test here reaches a real bus.
const events = mockClient(EventBridgeClient);
events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

/** fit-check is due 2026-12-04T23:00Z; its reminder (two days ahead) fell due at 2026-12-02T23:00Z. */
const NOW = '2026-12-03T00:00:00.000Z';

let handler: (event?: unknown) => Promise<void>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/reminder-sweep'));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(NOW));
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

describe('reminder-sweep handler', () => {
  it('queries the open-by-due index on all four shards (and the four of held announcements), up to now, and sends nothing when nothing is due', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await handler(scheduledEvent());

    // Assess
    // (The weekly reviews that run after the sweep query the plans table's own index.)
    const queries = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input)
      .filter((q) => q.TableName === ENV.MILESTONES_TABLE);
    // Issue 14: held announcements share the index under shards of their own (news#0..3).
    expect(queries).toHaveLength(8);
    for (const q of queries) {
      expect(q).toMatchObject({
        TableName: ENV.MILESTONES_TABLE,
        IndexName: OPEN_BY_DUE_INDEX,
        KeyConditionExpression: 'openShard = :s AND nudgeAt <= :t',
        ExpressionAttributeValues: { ':t': NOW },
      });
    }
    expect(new Set(queries.map((q) => q.ExpressionAttributeValues?.[':s']))).toEqual(
      new Set(['open#0', 'open#1', 'open#2', 'open#3', 'news#0', 'news#1', 'news#2', 'news#3']),
    );
    expect(ses.calls()).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('reminds the owner of a due milestone once and moves its next nudge to the first escalation', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('target-account-selection');
    const fitCheck = milestoneItems.find((m) => m.milestoneId === 'fit-check');
    ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      if (input.IndexName !== OPEN_BY_DUE_INDEX) return { Items: milestoneItems };
      return { Items: input.ExpressionAttributeValues?.[':s'] === 'open#2' ? [fitCheck] : [] };
    });
    ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    // Act
    await handler(scheduledEvent());

    // Assess
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Destination?.ToAddresses).toEqual([PEOPLE.ana]);
    expect(sent[0]?.ConfigurationSetName).toBe(ENV.SES_CONFIGURATION_SET);
    const claim = ddb.commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })[0]?.args[0].input;
    expect(claim?.Item?.id).toBe(`reminder#${deal.planId}#fit-check#2026-12-04`);
    const saved = ddb.commandCalls(PutCommand, { TableName: ENV.MILESTONES_TABLE })[0]?.args[0].input;
    expect(saved).toMatchObject({
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: { milestoneId: 'fit-check', status: 'open', version: 2 },
    });
    // The vendor ladder's first rung is 24 hours after the due time.
    // Sam's 24 h are working hours (issue 15): Friday 4 December 17:00 CST + 24 h is Monday 7 December 17:00.
    expect(saved?.Item?.nudgeAt).toBe('2026-12-07T23:00:00.000Z');
    expect(saved?.Item?.openShard).toMatch(/^open#[0-3]$/);
  });
});
