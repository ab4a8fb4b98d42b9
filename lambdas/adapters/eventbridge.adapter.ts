import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../domain/ports';
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
      throw new Error(`PutEvents failed: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
    }
  }
}
