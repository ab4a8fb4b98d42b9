import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAnnouncementSchedule } from '../../lambdas/adapters/dynamodb/announcement-schedule.adapter';
import { DynamoDealStore } from '../../lambdas/adapters/dynamodb/deal-store.adapter';
import { documentClient } from '../../lambdas/adapters/dynamodb/document-client';
import type { AnnouncementSchedule, DealStore, HeldAnnouncement } from '../../lambdas/domain/ports';
import { TABLE_DEFINITIONS, tableName } from '../../lib/table-definitions';
import { applyEnv, localAwsEnv } from '../../local/aws-env';
import {
  type DynamoDbLocal,
  ensureTables,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';
import { FakeDealStore } from '../helpers/fakes';
import { PEOPLE, startedDeal } from '../helpers/plan';

// Held announcements (issue 14), against the fake and against DynamoDB Local: held in the deal's save, found
// by due time through the open-by-due index, never among the deal's milestones, settled once.

const NOW = new Date('2026-12-01T15:00:00.000Z');
const LATER = '2026-12-02T14:00:00.000Z';

type Under = { store: DealStore; announcements: AnnouncementSchedule };

function held(planId: string, who: string, at: string): HeldAnnouncement {
  return {
    key: `announce#stage-passed#${planId}#target-account-selection#${who}`,
    planId,
    what: { kind: 'stage-passed', stage: 'target-account-selection' },
    to: { party: 'vendor', name: 'Ana Ruiz', email: who, timezone: 'America/Chicago' },
    at,
  };
}

function contract(name: string, make: () => Promise<Under>) {
  describe(`AnnouncementSchedule: ${name}`, () => {
    it('holds announcements in the deal’s save, out of its milestones, and finds them by due time', async () => {
      // Prepare
      const { store, announcements } = await make();
      const { deal, milestones } = startedDeal(NOW);
      await store.create({ deal, milestones });
      const created = (await store.get(deal.planId))?.deal ?? fail();
      const now = held(deal.planId, PEOPLE.ana, NOW.toISOString());
      const later = held(deal.planId, PEOPLE.dana, LATER);

      // Act
      await store.save({ deal: created, announcements: [now, later] });

      // Assess
      expect((await announcements.announcementsDue(NOW)).map((a) => a.key)).toEqual([now.key]);
      expect(await announcements.announcementsDue(new Date(LATER))).toEqual([now, later]);
      expect((await store.get(deal.planId))?.milestones).toHaveLength(milestones.length);
      const due = await store.milestonesDue(new Date('2030-01-01T00:00:00Z'));
      expect(due.every((m) => m.planId === deal.planId && !m.milestoneId.startsWith('announce#'))).toBe(true);
    });

    it('holds one again for later, and settles it once (settling again, or one never held, is no error)', async () => {
      const { store, announcements } = await make();
      const { deal, milestones } = startedDeal(NOW);
      await store.create({ deal, milestones });
      const a = held(deal.planId, PEOPLE.lee, NOW.toISOString());
      await announcements.holdAnnouncement(a);

      await announcements.holdAnnouncement({ ...a, at: LATER });
      const whileHeld = await announcements.announcementsDue(NOW);
      await announcements.settleAnnouncement(a);
      await announcements.settleAnnouncement(a);
      await announcements.settleAnnouncement(held(deal.planId, PEOPLE.sam, NOW.toISOString()));

      expect(whileHeld).toEqual([]);
      expect(await announcements.announcementsDue(new Date('2030-01-01T00:00:00Z'))).toEqual([]);
    });

    it('reads one deal’s held announcements, whatever their due time, and none once settled', async () => {
      const { store, announcements } = await make();
      const one = startedDeal(NOW);
      await store.create(one);
      const mine = [
        held(one.deal.planId, PEOPLE.ana, NOW.toISOString()),
        held(one.deal.planId, PEOPLE.dana, LATER),
      ];
      // Another deal's (its id only has to differ: holding is a plain put).
      const theirs = held(`${one.deal.planId}x`, PEOPLE.ana, NOW.toISOString());
      for (const a of [...mine, theirs]) await announcements.holdAnnouncement(a);

      const before = await announcements.heldFor(one.deal.planId);
      await announcements.settleAnnouncement(mine[0] as HeldAnnouncement);

      expect(before.sort((a, b) => a.at.localeCompare(b.at))).toEqual(mine);
      expect(await announcements.heldFor(one.deal.planId)).toEqual([mine[1]]);
    });
  });
}

contract('FakeDealStore (test/helpers/fakes.ts)', async () => {
  const store = new FakeDealStore();
  return { store, announcements: store };
});

let db: DynamoDbLocal;
let restoreEnv: () => void = () => undefined;
let tenants = 0;

beforeAll(async () => {
  db = await startDynamoDbLocal({ inMemory: true });
  restoreEnv = applyEnv(
    localAwsEnv({ dynamodb: db.endpoint, ses: 'http://127.0.0.1:1', emulator: 'http://127.0.0.1:1' }),
  );
});

afterAll(async () => {
  documentClient().destroy();
  restoreEnv();
  await db?.stop();
});

contract('DynamoDealStore + DynamoAnnouncementSchedule (DynamoDB Local)', async () => {
  const tenant = `held${++tenants}`;
  const { plans, milestones, links } = TABLE_DEFINITIONS;
  const client = localDynamoDbClient(db.endpoint);
  await ensureTables(client, { plans, milestones, links }, (key) => tableName(tenant, key));
  client.destroy();
  const names = {
    plans: tableName(tenant, 'plans'),
    milestones: tableName(tenant, 'milestones'),
    links: tableName(tenant, 'links'),
    idempotency: tableName(tenant, 'idempotency'),
  };
  return {
    store: new DynamoDealStore(documentClient(), names),
    announcements: new DynamoAnnouncementSchedule(documentClient(), names.milestones),
  };
});

function fail(): never {
  throw new Error('expected a value');
}
