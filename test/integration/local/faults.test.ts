import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local/aws-emulator';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../local/dynamodb-local';
import { type DynamoDbProxy, startDynamoDbProxy } from '../../../local/dynamodb-proxy';
import { FaultPlan, parseFaults } from '../../../local/faults';
import { type SesLocal, startSesLocal } from '../../../local/ses-local';

// Faults injected into the next calls of each service, answered as AWS answers them, seen through the SDK.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';

describe('parseFaults', () => {
  it('takes the documented services and kinds as whole numbers', () => {
    expect(
      parseFaults({
        ses: { throttle: 2, reject: 1 },
        events: { fail: 3 },
        sfn: { failCallbacks: 1 },
        dynamodb: { throttle: 4 },
      }),
    ).toEqual({
      faults: {
        ses: { throttle: 2, reject: 1 },
        events: { fail: 3 },
        sfn: { failCallbacks: 1 },
        dynamodb: { throttle: 4 },
      },
    });
  });

  it('names each problem by its path', () => {
    expect(parseFaults({ ses: { bounce: 1 }, s3: {}, events: { fail: -1 } })).toEqual({
      issues: [
        { path: 'ses.bounce', message: 'unknown fault; known: throttle, reject' },
        { path: 's3', message: 'unknown service; known: ses, events, sfn, dynamodb' },
        { path: 'events.fail', message: 'must be a whole number from 0 to 1000' },
      ],
    });
    expect(parseFaults([])).toMatchObject({ issues: [{ path: '(body)' }] });
  });

  it('adds to what is left, uses one per call, counts what it injected', () => {
    const faults = new FaultPlan();
    faults.add({ ses: { throttle: 2 } });
    faults.add({ ses: { throttle: 1, reject: 1 } });
    expect(faults.take('ses', 'throttle')).toBe(true);
    expect(faults.report()).toMatchObject({
      left: { ses: { throttle: 2, reject: 1 } },
      injected: { ses: { throttle: 1, reject: 0 } },
    });
    faults.add({ ses: { throttle: 0 } });
    expect(faults.take('ses', 'throttle')).toBe(false);
  });
});

describe('injected faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cosell-faults-'));
  const faults = new FaultPlan();
  let ses: SesLocal;
  let emulator: AwsEmulator;
  let dynamodb: DynamoDbLocal;
  let proxy: DynamoDbProxy;

  beforeAll(async () => {
    ses = await startSesLocal({ faults });
    emulator = await startAwsEmulator({ stateDir: dir, faults });
    dynamodb = await startDynamoDbLocal({ inMemory: true });
    proxy = await startDynamoDbProxy(dynamodb.endpoint, faults);
  });

  afterAll(async () => {
    await proxy?.stop();
    await dynamodb?.stop();
    await emulator?.stop();
    await ses?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const email = (to: string) =>
    new SendEmailCommand({
      FromEmailAddress: 'deals@example.com',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
    });

  it('SES: a throttle is TooManyRequestsException, a reject MessageRejected, and neither is kept', async () => {
    const client = new SESv2Client({ endpoint: ses.url, region, credentials, maxAttempts: 1 });
    faults.add({ ses: { throttle: 1, reject: 1 } });
    await expect(client.send(email('a@example.com'))).rejects.toBeInstanceOf(MessageRejected);
    await expect(client.send(email('b@example.com'))).rejects.toBeInstanceOf(TooManyRequestsException);
    await client.send(email('c@example.com'));
    expect((await ses.readOutbox()).map((m) => m.to)).toEqual([['c@example.com']]);
    client.destroy();
  });

  it('EventBridge: a failed PutEvents answers 200 with the entry failed, and nothing is put', async () => {
    const client = new EventBridgeClient({ endpoint: emulator.url, region, credentials });
    faults.add({ events: { fail: 1 } });
    const entry = { Source: 'cosell.flow', DetailType: 'Test', Detail: '{"a":1}', EventBusName: 'bus' };
    const failed = await client.send(new PutEventsCommand({ Entries: [entry] }));
    expect(failed).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    expect(emulator.listEvents()).toEqual([]);
    const put = await client.send(new PutEventsCommand({ Entries: [entry] }));
    expect(put.FailedEntryCount).toBe(0);
    expect(emulator.listEvents()).toHaveLength(1);
    client.destroy();
  });

  it('DynamoDB: a throttle is ProvisionedThroughputExceededException, which the SDK retries; the rest passes through', async () => {
    const direct = new DynamoDBClient({ endpoint: proxy.url, region, credentials, maxAttempts: 1 });
    await direct.send(
      new CreateTableCommand({
        TableName: 'faults-it',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    faults.add({ dynamodb: { throttle: 1 } });
    await expect(
      direct.send(new PutItemCommand({ TableName: 'faults-it', Item: { id: { S: 'x' } } })),
    ).rejects.toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(
      (await direct.send(new GetItemCommand({ TableName: 'faults-it', Key: { id: { S: 'x' } } }))).Item,
    ).toBeUndefined();

    // With the SDK's default retries (three attempts), two throttles in a row are absorbed.
    const retrying = new DynamoDBClient({
      endpoint: proxy.url,
      region,
      credentials,
    });
    faults.add({ dynamodb: { throttle: 2 } });
    await retrying.send(new PutItemCommand({ TableName: 'faults-it', Item: { id: { S: 'y' } } }));
    expect(faults.count('dynamodb', 'throttle')).toBe(0);
    expect(
      (await direct.send(new GetItemCommand({ TableName: 'faults-it', Key: { id: { S: 'y' } } }))).Item,
    ).toEqual({
      id: { S: 'y' },
    });
    direct.destroy();
    retrying.destroy();
  });
});
