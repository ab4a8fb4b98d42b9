import { readFileSync } from 'node:fs';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandInput,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PEOPLE } from '../../helpers/plan';
import { ENV, storedDeal, stubHandlerEnvironment } from './handler-kit';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);

let handler: (event: SNSEvent) => Promise<void>;

beforeAll(async () => {
  vi.resetModules();
  stubHandlerEnvironment();
  ({ handler } = await import('../../../lambdas/handlers/ses-events'));
});

afterEach(() => {
  ddb.reset();
  ses.reset();
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function snsEvent(name: string): SNSEvent {
  const url = new URL(`../../fixtures/events/sns/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as SNSEvent;
}

describe('ses-events handler', () => {
  it('suppresses a hard-bounced address for the tenant and tells the vendor owner of the plan naming it', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(ScanCommand).resolves({ Items: [deal] });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    // The active plans come from the list index (one shard holds this deal), updatedAt from a BatchGetItem.
    ddb.on(QueryCommand, { IndexName: 'plans-by-status' }).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { IndexName: 'plans-by-status', ExpressionAttributeValues: { ':s': 'active#0' } })
      .resolves({ Items: [deal] });
    ddb.on(BatchGetCommand).resolves({});
    ddb
      .on(GetCommand)
      .callsFake((input: GetCommandInput) => (input.TableName === ENV.PLANS_TABLE ? { Item: deal } : {}));
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });

    // Act
    await handler(snsEvent('ses-bounce'));

    // Assess
    const puts = ddb
      .commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })
      .map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({
      Item: { id: `suppressed#${PEOPLE.dana}`, email: PEOPLE.dana, reason: 'bounce' },
      ConditionExpression: 'attribute_not_exists(id)',
    });
    expect(puts[0]?.Item?.expiration).toBeUndefined(); // kept until someone removes it
    expect(puts[1]?.Item?.id).toBe(`suppression#${deal.planId}#${PEOPLE.dana}`);
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.Destination?.ToAddresses).toEqual([PEOPLE.ana]);
    expect(sent[0]?.ConfigurationSetName).toBe(ENV.SES_CONFIGURATION_SET);
    expect(sent[0]?.Content?.Simple?.Subject?.Data).toBe(
      `[Globex platform migration] Undeliverable: ${PEOPLE.dana}`,
    );
  });

  it('only logs a delivery: no write, no email', async () => {
    await handler(snsEvent('ses-delivery'));
    expect(ddb.calls()).toHaveLength(0);
    expect(ses.calls()).toHaveLength(0);
  });

  it('ignores a message that is not JSON', async () => {
    const event = snsEvent('ses-bounce');
    (event.Records[0] as SNSEvent['Records'][number]).Sns.Message = 'not json';
    await handler(event);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('logs and skips a record that is not an SES event, and goes on with the next', async () => {
    // Prepare
    const { deal, milestoneItems } = storedDeal();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(ScanCommand).resolves({ Items: [deal] });
    ddb.on(QueryCommand).resolves({ Items: milestoneItems });
    // The active plans come from the list index (one shard holds this deal), updatedAt from a BatchGetItem.
    ddb.on(QueryCommand, { IndexName: 'plans-by-status' }).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { IndexName: 'plans-by-status', ExpressionAttributeValues: { ':s': 'active#0' } })
      .resolves({ Items: [deal] });
    ddb.on(BatchGetCommand).resolves({});
    ddb
      .on(GetCommand)
      .callsFake((input: GetCommandInput) => (input.TableName === ENV.PLANS_TABLE ? { Item: deal } : {}));
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
    const event = snsEvent('ses-bounce');
    const [bounce] = event.Records as SNSEvent['Records'];
    const odd = (message: string) => ({ ...bounce, Sns: { ...bounce?.Sns, Message: message } });
    event.Records = [
      odd('{"eventType":"Bounce","bounce":{"bouncedRecipients":"dana@x"}}'),
      odd('{"Type":"SubscriptionConfirmation"}'),
      ...event.Records,
    ] as SNSEvent['Records'];

    // Act
    await handler(event);

    // Assess: only the real bounce was acted on
    const suppressed = ddb
      .commandCalls(PutCommand, { TableName: ENV.IDEMPOTENCY_TABLE })
      .filter((c) => String(c.args[0].input.Item?.id).startsWith('suppressed#'));
    expect(suppressed.map((c) => c.args[0].input.Item?.id)).toEqual([`suppressed#${PEOPLE.dana}`]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('fails the invocation (so Lambda retries) when the store fails, after trying every record', async () => {
    ddb.on(PutCommand).rejects(new Error('DynamoDB unavailable'));
    await expect(handler(snsEvent('ses-complaint'))).rejects.toThrow('DynamoDB unavailable');
  });
});
