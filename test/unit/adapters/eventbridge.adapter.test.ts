import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge.adapter';

const BUS = 'cosell-flow-acme';

const events = mockClient(EventBridgeClient);

afterEach(() => {
  events.reset();
});

function newPublisher(): EventBridgePublisher {
  return new EventBridgePublisher(new EventBridgeClient({}), BUS);
}

describe('EventBridgePublisher', () => {
  it('puts one entry on the tenant bus from cosell.flow with the detail type and JSON detail', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const detail = {
      registrationId: 'acme:pl_0123456789abcdef0123',
      arr: { amount: 95000, currency: 'USD' },
    };

    // Act
    await newPublisher().publish('CoSell Deal Registered', detail);

    // Assess
    const entries = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries;
    expect(entries).toEqual([
      {
        EventBusName: BUS,
        Source: 'cosell.flow',
        DetailType: 'CoSell Deal Registered',
        Detail: JSON.stringify(detail),
      },
    ]);
    expect(JSON.parse(entries?.[0]?.Detail ?? '')).toEqual(detail);
  });

  it('throws when the entry failed, naming the error, so the task retries', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service error' }],
    });

    // Act
    const publishing = newPublisher().publish('CoSell Deal Closed Lost', { planId: 'pl_x' });

    // Assess
    await expect(publishing).rejects.toThrow(/InternalFailure/);
  });

  it('lets a failed call through', async () => {
    // Prepare
    events.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));

    // Act
    const publishing = newPublisher().publish('CoSell Deal Registered', {});

    // Assess
    await expect(publishing).rejects.toThrow('AccessDeniedException');
  });
});
