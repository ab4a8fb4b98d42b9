import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../domain/errors';
import type { EventPublisher } from '../domain/ports';

/** Entry errors that a retry of the same entry cannot cure. */
const PERMANENT_ENTRY_ERRORS = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
]);

import { EVENT_SOURCE } from '../domain/registration';

/** Puts events on the tenant's bus; a partially failed batch is an error, so the task retries. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const out = await this.events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.find((e) => e.ErrorCode);
      const message = `PutEvents failed: ${entry?.ErrorCode} ${entry?.ErrorMessage}`;
      // EventBridge's own trouble passes (the task is retried); a malformed entry would fail again as is.
      throw PERMANENT_ENTRY_ERRORS.has(entry?.ErrorCode ?? '')
        ? new Error(message)
        : new TransientError(message);
    }
  }
}
