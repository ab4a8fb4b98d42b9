import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
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
import { PEOPLE } from '../../helpers/plan';
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
const sfn = mockClient(SFNClient);

let handler: (event: unknown) => Promise<void>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/gate-open'));
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-01T15:00:05.000Z'));
});

afterEach(() => {
  vi.useRealTimers();
  ddb.reset();
  secrets.reset();
  ses.reset();
  sfn.reset();
  clearCaches();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const allCalls = () => [...ddb.calls(), ...secrets.calls(), ...ses.calls(), ...sfn.calls()];

function givenOpenGate(): void {
  const { deal, milestoneItems } = storedDeal('target-account-selection');
  ddb.on(GetCommand, { TableName: ENV.PLANS_TABLE }).resolves({ Item: deal });
  ddb.on(QueryCommand).resolves({ Items: milestoneItems });
  secrets.on(GetSecretValueCommand).resolves(LINK_KEYS_SECRET);
}

describe('gate-open handler', () => {
  it.each([
    ['a missing task token', { planId: FIXTURE_PLAN_ID, stage: 'door-opener', escalations: 0 }],
    ['an empty task token', { ...taskEvent('gate-open'), taskToken: '' }],
    ['negative escalations', { ...taskEvent('gate-open'), escalations: -1 }],
    ['fractional escalations', { ...taskEvent('gate-open'), escalations: 0.5 }],
    ['a plan id that is not one', { ...taskEvent('gate-open'), planId: 'pl_NOT-HEX' }],
  ])('rejects %s with a zod error before any AWS call', async (_case, payload) => {
    // Prepare
    const event = payload;

    // Act
    const running = handler(event);

    // Assess
    await expect(running).rejects.toBeInstanceOf(z.core.$ZodError);
    expect(allCalls()).toHaveLength(0);
  });

  it('records the task token with the deal and emails each person the gate needs, once each', async () => {
    // Prepare
    givenOpenGate();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const event = taskEvent('gate-open');

    // Act
    await handler(event);

    // Assess
    const dealPut = ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })[0]?.args[0].input;
    expect(dealPut).toMatchObject({
      ConditionExpression: 'version = :v',
      Item: { taskToken: event.taskToken, version: 2 },
    });
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent.flatMap((e) => e.Destination?.ToAddresses).sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
    for (const email of sent) {
      // On behalf of the vendor owner, at the tenant's sender address; replies go to her.
      expect(email.FromEmailAddress).toBe(`"Ana Ruiz via Cosell Flow" <${ENV.SENDER_ADDRESS}>`);
      expect(email.ReplyToAddresses).toEqual([PEOPLE.ana]);
      expect(email.ConfigurationSetName).toBe(ENV.SES_CONFIGURATION_SET);
      expect(email.Content?.Simple?.Body?.Text?.Data).toContain(`${ENV.PUBLIC_BASE_URL}/a/`);
    }
    const claims = ddb.commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE });
    expect(claims.map((c) => c.args[0].input.Item?.id).sort()).toEqual(
      [PEOPLE.ana, PEOPLE.dana]
        .map((p) => `gate-open#${FIXTURE_PLAN_ID}#target-account-selection#${p}`)
        .sort(),
    );
    // Each send: its ledger claim completed, and a line in the deal's history (to, subject, why).
    const updated = ddb.commandCalls(UpdateCommand).map((c) => String(c.args[0].input.Key?.id));
    expect(updated.filter((id) => id.startsWith('gate-open#'))).toHaveLength(2);
    expect(updated.filter((id) => id === `history#${FIXTURE_PLAN_ID}`)).toHaveLength(2);
    expect(updated).toHaveLength(4);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('sends nothing again when the ledger holds the emails as completed (a redelivered task)', async () => {
    // Prepare
    givenOpenGate();
    ddb.on(PutCommand, { TableName: ENV.PLANS_TABLE }).resolves({});
    ddb
      .on(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    ddb.on(GetCommand, { TableName: ENV.IDEMPOTENCY_TABLE }).resolves({ Item: { status: 'COMPLETED' } });

    // Act
    await handler(taskEvent('gate-open'));

    // Assess
    expect(ses.calls()).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand, { TableName: ENV.PLANS_TABLE })).toHaveLength(1);
  });

  it('completes the gate at once when it already passed while no token was waiting', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal('door-opener');
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const event = taskEvent('gate-open');

    // Act
    await handler(event);

    // Assess
    const input = sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe(event.taskToken);
    expect(JSON.parse(input?.output ?? '')).toEqual({ outcome: 'passed' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(ses.calls()).toHaveLength(0);
  });
});
