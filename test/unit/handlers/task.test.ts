import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge.adapter';
import { DeliveryDeferredError } from '../../../lambdas/domain/cadence';
import { isTransient } from '../../../lambdas/domain/errors';
import { runTask } from '../../../lambdas/handlers/task';
import { TRANSIENT_RETRY } from '../../../lib/workflow/playbook.definition';

// A task's error either passes (thrown as TransientError, which every Task state retries) or fails the
// execution as it is (the alarm, then the reconciler's redrive).

vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...extra });

describe('runTask', () => {
  it.each([
    ['DynamoDB throttling past the SDK retries', named('ProvisionedThroughputExceededException')],
    ['an SES send deferred', new DeliveryDeferredError('SES did not take the email for now (Throttling)')],
    ['a 5xx from any service', named('SomethingBroke', { $metadata: { httpStatusCode: 503 } })],
    ['an effect another invocation holds', named('EffectInProgressError')],
    [
      'a transaction cancelled by throttling',
      named('TransactionCanceledException', { CancellationReasons: [{ Code: 'ThrottlingError' }] }),
    ],
    ['a network timeout', named('TimeoutError')],
  ])('throws %s as TransientError, a name the state machine retries', async (_what, error) => {
    const running = runTask('test', 'pl_x', async () => {
      throw error;
    });

    await expect(running).rejects.toMatchObject({ name: 'TransientError', cause: error });
    expect(TRANSIENT_RETRY.ErrorEquals).toContain('TransientError');
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a failed condition', named('ConditionalCheckFailedException')],
    [
      'a transaction cancelled by a condition',
      named('TransactionCanceledException', { CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }),
    ],
  ])('throws %s as it is: the execution fails and the reconciler redrives it', async (_what, error) => {
    const running = runTask('test', 'pl_x', async () => {
      throw error;
    });

    await expect(running).rejects.toBe(error);
    expect(isTransient(error)).toBe(false);
  });
});

describe('a failed PutEvents (register-deal, and every task that publishes)', () => {
  const events = mockClient(EventBridgeClient);
  afterEach(() => events.reset());

  it('is a TransientError for EventBridge trouble (the registration is retried, never lost)', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal error' }],
    });

    const publishing = new EventBridgePublisher(
      new EventBridgeClient({ region: 'us-east-1' }),
      'bus',
    ).publish('CoSell Deal Registered', {});

    await expect(publishing).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('is a plain error for an entry EventBridge will never take', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }],
    });

    const publishing = new EventBridgePublisher(
      new EventBridgeClient({ region: 'us-east-1' }),
      'bus',
    ).publish('CoSell Deal Registered', {});

    await expect(publishing).rejects.toMatchObject({ name: 'Error' });
  });
});
