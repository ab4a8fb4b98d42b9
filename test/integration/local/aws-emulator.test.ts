import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsEmulator,
  AwsServiceError,
  LOCAL_LINK_KEYS_SECRET_ARN,
  LOCAL_LINK_KEYS_SECRET_NAME,
  startAwsEmulator,
} from '../../../local/aws-emulator';
import { applyEnv, localAwsEnv } from '../../../local/aws-env';

const registered = {
  Source: 'cosell-flow',
  DetailType: 'CoSell Deal Registered',
  Detail: JSON.stringify({ planId: 'p-1', attribution: 'sourced' }),
  EventBusName: 'cosell-flow-it',
};

describe('AWS JSON emulator', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'cosell-emu-'));
  const now = () => new Date('2026-03-02T09:00:00.000Z');
  let emulator: AwsEmulator;
  let restoreEnv: () => void = () => {};

  const useEmulator = (started: AwsEmulator) => {
    emulator = started;
    restoreEnv();
    restoreEnv = applyEnv(
      localAwsEnv({ dynamodb: 'http://127.0.0.1:1', ses: 'http://127.0.0.1:1', emulator: started.url }),
    );
  };

  beforeAll(async () => {
    useEmulator(await startAwsEmulator({ stateDir, now }));
  });

  afterAll(async () => {
    await emulator.stop();
    restoreEnv();
    rmSync(stateDir, { recursive: true, force: true });
  });

  describe('EventBridge PutEvents', () => {
    it('stores and lists the events put through the SDK client', async () => {
      // Prepare
      const client = new EventBridgeClient({});

      // Act
      const result = await client.send(new PutEventsCommand({ Entries: [registered] }));

      // Assess
      expect(result.FailedEntryCount).toBe(0);
      expect(result.Entries).toEqual([{ EventId: expect.any(String) }]);
      expect(emulator.listEvents()).toEqual([
        {
          id: result.Entries?.[0]?.EventId,
          'detail-type': 'CoSell Deal Registered',
          source: 'cosell-flow',
          detail: { planId: 'p-1', attribution: 'sourced' },
          eventBusName: 'cosell-flow-it',
          time: '2026-03-02T09:00:00.000Z',
        },
      ]);
      client.destroy();
    });

    it('rejects a malformed Detail per entry, as EventBridge does', async () => {
      // Prepare
      const client = new EventBridgeClient({});

      // Act
      const result = await client.send(
        new PutEventsCommand({
          Entries: [
            { ...registered, Detail: '{not json' },
            { ...registered, Time: new Date('2026-01-01T00:00:00Z') },
          ],
        }),
      );

      // Assess
      expect(result.FailedEntryCount).toBe(1);
      expect(result.Entries?.[0]).toEqual({
        ErrorCode: 'MalformedDetail',
        ErrorMessage: 'Detail is malformed.',
      });
      expect(emulator.listEvents().map((event) => event.time)).toEqual([
        '2026-03-02T09:00:00.000Z',
        '2026-01-01T00:00:00.000Z',
      ]);
      client.destroy();
    });

    it('keeps events in events.jsonl and loads them on the next start', async () => {
      // Prepare
      const before = emulator.listEvents();
      await emulator.stop();

      // Act
      useEmulator(await startAwsEmulator({ stateDir, now }));

      // Assess
      expect(readFileSync(join(stateDir, 'events.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
      expect(emulator.listEvents()).toEqual(before);
    });
  });

  describe('Secrets Manager GetSecretValue', () => {
    it('creates the local link-key secret once and serves it to the SDK client', async () => {
      // Prepare
      const file = join(stateDir, 'link-keys.json');
      const client = new SecretsManagerClient({});

      // Act
      const result = await client.send(new GetSecretValueCommand({ SecretId: LOCAL_LINK_KEYS_SECRET_ARN }));

      // Assess
      expect(existsSync(file)).toBe(true);
      const keys = JSON.parse(result.SecretString ?? '');
      expect(keys).toEqual({ current: 'k1', k1: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) });
      expect(result).toMatchObject({ ARN: LOCAL_LINK_KEYS_SECRET_ARN, Name: LOCAL_LINK_KEYS_SECRET_NAME });
      expect(result.VersionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.SecretString).toBe(readFileSync(file, 'utf8'));
      client.destroy();
    });

    it('works through Powertools getSecret', async () => {
      // Act
      const keys = await getSecret<{ current: string }>(LOCAL_LINK_KEYS_SECRET_ARN, { transform: 'json' });

      // Assess
      expect(keys?.current).toBe('k1');
    });

    it('answers ResourceNotFoundException for another secret', async () => {
      // Prepare
      const client = new SecretsManagerClient({});

      // Act
      const error = await client.send(new GetSecretValueCommand({ SecretId: 'other' })).catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      client.destroy();
    });
  });

  describe('registered routes (Step Functions, awsJson1_0)', () => {
    it('dispatches on X-Amz-Target and lets a route answer a typed AWS error', async () => {
      // Prepare
      const calls: unknown[] = [];
      emulator.route('AWSStepFunctions.SendTaskSuccess', async (body) => {
        calls.push(body);
        if ((body as { taskToken: string }).taskToken === 'expired') {
          throw new AwsServiceError('TaskTimedOut', 'Task Timed Out');
        }
        return {};
      });
      const client = new SFNClient({});

      // Act
      await client.send(new SendTaskSuccessCommand({ taskToken: 't-1', output: '{"outcome":"passed"}' }));
      const error = await client
        .send(new SendTaskSuccessCommand({ taskToken: 'expired', output: '{}' }))
        .catch((e: unknown) => e);

      // Assess
      expect(calls[0]).toEqual({ taskToken: 't-1', output: '{"outcome":"passed"}' });
      expect(error).toBeInstanceOf(TaskTimedOut);
      expect((error as TaskTimedOut).message).toBe('Task Timed Out');
      client.destroy();
    });

    it('answers UnknownOperationException for a target nobody registered', async () => {
      // Prepare
      const client = new SFNClient({});

      // Act
      const error = await client
        .send(new SendTaskFailureCommand({ taskToken: 't-1' }))
        .catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
      client.destroy();
    });
  });
});
