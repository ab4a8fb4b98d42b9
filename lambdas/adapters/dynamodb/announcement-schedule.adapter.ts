import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NEWS_SHARD_COUNT, OPEN_BY_DUE_INDEX } from '../../../lib/table-definitions';
import type { AnnouncementSchedule, HeldAnnouncement } from '../../domain/ports';
import { hashOf } from './deal-items';
import { allItems } from './document-client';

/**
 * Held announcements live in the milestones table beside a deal's milestones, never among them: partition
 * `<planId>#announce` (deal ids hold no `#`, so a deal's milestone Query never reads one), sort key the
 * announcement's ledger key. While held, `openShard` (`news#<n>`) and `nudgeAt` put it in the open-by-due
 * index, in shards of its own (the milestone sweep reads `open#<n>`). Settled, both are removed: the item
 * leaves the index and stays as a small record of what was announced.
 */
export function announcementKey(held: Pick<HeldAnnouncement, 'planId' | 'key'>) {
  return { planId: `${held.planId}#announce`, milestoneId: held.key };
}

export function heldAnnouncementItem(held: HeldAnnouncement): Record<string, unknown> {
  return {
    ...announcementKey(held),
    kind: 'HeldAnnouncement',
    dealId: held.planId,
    what: held.what,
    to: held.to,
    openShard: `news#${hashOf(held.key, NEWS_SHARD_COUNT)}`,
    nudgeAt: held.at,
  };
}

function fromItem(item: Record<string, unknown>): HeldAnnouncement {
  return {
    key: String(item.milestoneId),
    planId: String(item.dealId),
    what: item.what as HeldAnnouncement['what'],
    to: item.to as HeldAnnouncement['to'],
    at: String(item.nudgeAt),
  };
}

export class DynamoAnnouncementSchedule implements AnnouncementSchedule {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async announcementsDue(until: Date): Promise<HeldAnnouncement[]> {
    const pages = await Promise.all(
      Array.from({ length: NEWS_SHARD_COUNT }, (_, i) =>
        allItems(
          paginateQuery(
            { client: this.db },
            {
              TableName: this.table,
              IndexName: OPEN_BY_DUE_INDEX,
              KeyConditionExpression: 'openShard = :s AND nudgeAt <= :t',
              ExpressionAttributeValues: { ':s': `news#${i}`, ':t': until.toISOString() },
            },
          ),
        ),
      ),
    );
    return pages
      .flat()
      .map(fromItem)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async heldFor(planId: string): Promise<HeldAnnouncement[]> {
    const items = await allItems(
      paginateQuery(
        { client: this.db },
        {
          TableName: this.table,
          KeyConditionExpression: 'planId = :p',
          // Settled ones stay as a record without their due time.
          FilterExpression: 'attribute_exists(nudgeAt)',
          ExpressionAttributeValues: { ':p': announcementKey({ planId, key: '' }).planId },
          ConsistentRead: true,
        },
      ),
    );
    return items.map(fromItem);
  }

  async holdAnnouncement(held: HeldAnnouncement): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: heldAnnouncementItem(held) }));
  }

  async settleAnnouncement(held: HeldAnnouncement): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: announcementKey(held),
          UpdateExpression: 'REMOVE openShard, nudgeAt SET settled = :yes',
          ConditionExpression: 'attribute_exists(planId)',
          ExpressionAttributeValues: { ':yes': true },
        }),
      );
    } catch (error) {
      // Never held (or already gone): nothing to settle.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
