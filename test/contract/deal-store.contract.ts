import { describe, expect, it } from 'vitest';
import type { Deal, MilestoneState } from '../../lambdas/domain/deal';
import { ConcurrentUpdateError, InvalidCursorError, LinkUsedError } from '../../lambdas/domain/errors';
import type {
  DealSnapshot,
  DealStore,
  LinkUse,
  ReportReader,
  ReviewSchedule,
} from '../../lambdas/domain/ports';
import { startedDeal } from '../helpers/plan';

/** What the contract runs against: the in-memory fake and DynamoDealStore on DynamoDB Local. */
export type StoreUnderContract = DealStore & ReviewSchedule & ReportReader;

const NOW = new Date('2026-12-01T15:00:00.000Z');

/** A fresh deal (versions 0, as `startDeal` makes it) under its own plan id. */
function newDeal(n: number, edit: (deal: Deal) => Deal = (d) => d): DealSnapshot {
  const planId = `pl_contract${String(n).padStart(9, '0')}`;
  const { deal, milestones } = startedDeal(NOW);
  return {
    deal: edit({ ...deal, planId, updatedAt: new Date(NOW.getTime() + n * 60_000).toISOString() }),
    milestones: milestones.map((m) => ({ ...m, planId })),
  };
}

/** The snapshot as stored after `create`: every version one up. */
function asCreated({ deal, milestones }: DealSnapshot): DealSnapshot {
  return { deal: { ...deal, version: 1 }, milestones: milestones.map((m) => ({ ...m, version: 1 })) };
}

function linkUse(planId: string, nonce: string): LinkUse {
  return {
    nonce,
    planId,
    action: 'milestone-done',
    target: 'fit-check',
    usedAt: NOW.toISOString(),
    usedBy: 'ana.ruiz@vendor.example',
    expiresAt: 1_900_000_000,
  };
}

async function stored(store: DealStore, planId: string): Promise<DealSnapshot> {
  const snapshot = await store.get(planId);
  if (!snapshot) throw new Error(`no plan ${planId}`);
  return snapshot;
}

function first(snapshot: DealSnapshot): MilestoneState {
  return snapshot.milestones[0] as MilestoneState;
}

/**
 * One behavioural suite for every DealStore: what the domain relies on (conditional writes on the version
 * read, single-use link nonces claimed with the change, the due-nudge and review indexes, the report's
 * read). `open` gives a store with nothing in it, for each test.
 */
export function dealStoreContract(name: string, open: () => Promise<StoreUnderContract>): void {
  describe(`DealStore contract: ${name}`, () => {
    it('creates a deal with its milestones, at version 1, and reads it back in plan order', async () => {
      // Prepare
      const store = await open();
      const snapshot = newDeal(1);

      // Act
      await store.create(snapshot);

      // Assess
      expect(await store.get(snapshot.deal.planId)).toEqual(asCreated(snapshot));
      expect(await store.get('pl_contract999999999')).toBeUndefined();
    });

    it('refuses to create a plan id that exists, and changes nothing', async () => {
      // Prepare
      const store = await open();
      const snapshot = newDeal(1);
      await store.create(snapshot);

      // Act
      const again = store.create({ ...snapshot, deal: { ...snapshot.deal, status: 'lost' } });

      // Assess
      await expect(again).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await store.get(snapshot.deal.planId)).toEqual(asCreated(snapshot));
    });

    it('lists every deal as a summary, most recently updated first', async () => {
      // Prepare
      const store = await open();
      for (const n of [2, 1, 3]) await store.create(newDeal(n));

      // Act
      const list = await store.list();

      // Assess
      expect(list.map((s) => s.planId)).toEqual([3, 2, 1].map((n) => newDeal(n).deal.planId));
      expect(list[0]).toEqual({
        planId: newDeal(3).deal.planId,
        name: 'Globex platform migration',
        partner: 'Northwind Integrators',
        account: 'Globex Corporation',
        stage: 'target-account-selection',
        status: 'active',
        updatedAt: newDeal(3).deal.updatedAt,
      });
    });

    it('lists a page at a time through the index, newest created first, filtered by status, partner, stage', async () => {
      // Prepare: five deals created a minute apart; 4 is won, 5 has another partner, 3 is at stage 2.
      const store = await open();
      const at = (n: number) => new Date(NOW.getTime() + n * 60_000).toISOString();
      const deal = (n: number) =>
        newDeal(n, (d) => ({
          ...d,
          createdAt: at(n),
          ...(n === 4 ? { status: 'won' as const } : {}),
          ...(n === 3 ? { stage: 'door-opener' as const } : {}),
          ...(n === 5
            ? { plan: { ...d.plan, partner: { ...d.plan.partner, name: 'Contoso Partners' } } }
            : {}),
        }));
      for (const n of [2, 5, 1, 4, 3]) await store.create(deal(n));
      const ids = (page: { plans: { planId: string }[] }) => page.plans.map((p) => p.planId);
      const idOf = (n: number) => deal(n).deal.planId;

      // Act: page through all of them two at a time.
      const first = await store.listPage({ limit: 2 });
      const second = await store.listPage({ limit: 2, cursor: first.nextCursor });
      const third = await store.listPage({ limit: 2, cursor: second.nextCursor });

      // Assess
      expect([ids(first), ids(second), ids(third)]).toEqual([
        [idOf(5), idOf(4)],
        [idOf(3), idOf(2)],
        [idOf(1)],
      ]);
      expect(third.nextCursor).toBeUndefined();
      expect(first.plans[0]).toEqual({
        planId: idOf(5),
        name: 'Globex platform migration',
        partner: 'Contoso Partners',
        account: 'Globex Corporation',
        stage: 'target-account-selection',
        status: 'active',
        updatedAt: deal(5).deal.updatedAt,
      });
      expect(ids(await store.listPage({ limit: 10, status: 'won' }))).toEqual([idOf(4)]);
      expect(
        ids(await store.listPage({ limit: 10, status: 'active', partner: ' northwind  INTEGRATORS' })),
      ).toEqual([idOf(3), idOf(2), idOf(1)]);
      expect(ids(await store.listPage({ limit: 10, stage: 'door-opener' }))).toEqual([idOf(3)]);
      const filtered = await store.listPage({ limit: 1, partner: 'Northwind Integrators', status: 'active' });
      expect(ids(filtered)).toEqual([idOf(3)]);
      expect(
        ids(
          await store.listPage({
            limit: 5,
            partner: 'Northwind Integrators',
            status: 'active',
            cursor: filtered.nextCursor,
          }),
        ),
      ).toEqual([idOf(2), idOf(1)]);
      await expect(store.listPage({ limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('keeps the plan document across saves and stores a new plan version with the deal', async () => {
      // Prepare
      const store = await open();
      const snapshot = newDeal(1);
      await store.create(snapshot);
      const loaded = await stored(store, snapshot.deal.planId);

      // Act: an ordinary save, then a save with the next plan version.
      await store.save({ deal: { ...loaded.deal, stage: 'door-opener' } });
      const after = await stored(store, snapshot.deal.planId);
      const amended = { ...after.deal.plan, name: 'Globex platform migration, phase 2' };
      await store.save({ deal: { ...after.deal, plan: amended, planVersion: 2 } });

      // Assess
      expect(after.deal.plan).toEqual(snapshot.deal.plan);
      const latest = await stored(store, snapshot.deal.planId);
      expect(latest.deal).toMatchObject({ version: 3, planVersion: 2, stage: 'door-opener' });
      expect(latest.deal.plan).toEqual(amended);
      expect((await store.list()).map((s) => s.name)).toEqual(['Globex platform migration, phase 2']);
    });

    it('saves a deal only on the version it read, and stores the next version', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const read = await stored(store, newDeal(1).deal.planId);

      // Act
      await store.save({ deal: { ...read.deal, stage: 'door-opener' } });
      const stale = store.save({ deal: { ...read.deal, stage: 'joint-discovery' } });

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await stored(store, read.deal.planId)).deal).toEqual({
        ...read.deal,
        stage: 'door-opener',
        version: 2,
      });
    });

    it('saves the deal and its changed milestones all or nothing', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const read = await stored(store, newDeal(1).deal.planId);
      const [a, b] = read.milestones as [MilestoneState, MilestoneState];
      await store.saveMilestone({ ...b, title: 'changed meanwhile' });

      // Act: b is stale, so neither the deal nor a may change
      const saving = store.save({
        deal: { ...read.deal, stage: 'door-opener' },
        milestones: [
          { ...a, status: 'done' },
          { ...b, status: 'done' },
        ],
      });

      // Assess
      await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
      const after = await stored(store, read.deal.planId);
      expect(after.deal).toEqual(read.deal);
      expect(after.milestones[0]).toEqual(a);
      expect(after.milestones[1]).toMatchObject({ title: 'changed meanwhile', version: 2 });
    });

    it('treats a save of a removed plan as a lost race', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const read = await stored(store, newDeal(1).deal.planId);
      await store.remove(read);

      // Act / Assess
      await expect(store.save({ deal: read.deal })).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await store.get(read.deal.planId)).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('claims a link nonce in the same transaction as the change, once', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const read = await stored(store, newDeal(1).deal.planId);
      const use = linkUse(read.deal.planId, 'nonce-one');

      // Act
      await store.save({ deal: read.deal, milestones: [{ ...first(read), status: 'done' }], linkUse: use });
      const fresh = await stored(store, read.deal.planId);
      const second = store.save({ deal: fresh.deal, linkUse: { ...use, usedBy: 'someone.else@x.example' } });

      // Assess
      await expect(second).rejects.toBeInstanceOf(LinkUsedError);
      expect(await store.linkUse('nonce-one')).toEqual(use);
      expect(await stored(store, read.deal.planId)).toEqual(fresh);
      expect(first(fresh)).toMatchObject({ status: 'done', version: 2 });
      expect(await store.linkUse('nonce-unused')).toBeUndefined();
    });

    it('leaves the nonce unclaimed when the change it came with lost a race', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const read = await stored(store, newDeal(1).deal.planId);
      await store.save({ deal: read.deal });

      // Act
      const stale = store.save({ deal: read.deal, linkUse: linkUse(read.deal.planId, 'nonce-two') });

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await store.linkUse('nonce-two')).toBeUndefined();
    });

    it('saves one milestone only on the version it read', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      const m = first(await stored(store, newDeal(1).deal.planId));

      // Act
      await store.saveMilestone({ ...m, title: 'renamed' });
      const stale = store.saveMilestone({ ...m, title: 'stale' });

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(first(await stored(store, m.planId))).toEqual({ ...m, title: 'renamed', version: 2 });
    });

    it('finds the open milestones whose nudge is due, and forgets the nudge of a closed one', async () => {
      // Prepare
      const store = await open();
      await store.create(newDeal(1));
      await store.create(newDeal(2));
      const one = await stored(store, newDeal(1).deal.planId);
      const [a, b, c] = one.milestones as [MilestoneState, MilestoneState, MilestoneState];
      const { nudgeAt: _none, ...quiet } = c;
      await store.save({
        deal: one.deal,
        milestones: [
          { ...a, nudgeAt: '2026-12-02T00:00:00.000Z' },
          { ...b, status: 'done', nudgeAt: '2026-12-02T00:00:00.000Z' },
          quiet,
        ],
      });
      const until = new Date('2026-12-03T00:00:00.000Z');

      // Act
      const due = await store.milestonesDue(until);

      // Assess
      const expected = [
        ...(await stored(store, one.deal.planId)).milestones,
        ...(await stored(store, newDeal(2).deal.planId)).milestones,
      ].filter((m) => m.status === 'open' && m.nudgeAt !== undefined && m.nudgeAt <= until.toISOString());
      const key = (m: MilestoneState) => `${m.planId}/${m.milestoneId}`;
      expect(due.map(key).sort()).toEqual(expected.map(key).sort());
      expect(due.map(key)).toContain(key(a));
      expect(due.map(key)).not.toContain(key(b));
      expect(due.map(key)).not.toContain(key(c));
      expect(due.find((m) => key(m) === key(a))).toEqual({
        ...a,
        nudgeAt: '2026-12-02T00:00:00.000Z',
        version: 2,
      });
      const closed = (await stored(store, one.deal.planId)).milestones[1];
      expect(closed).toMatchObject({ status: 'done', version: 2 });
      expect(closed).not.toHaveProperty('nudgeAt');
    });

    it('names the active plans whose weekly review is due, and only those', async () => {
      // Prepare
      const store = await open();
      const review = (n: number, at: string | undefined, status: Deal['status'] = 'active') =>
        newDeal(n, (d) => ({ ...d, status, ...(at ? { nextReviewAt: at } : {}) }));
      await store.create(review(1, '2026-12-07T15:30:00.000Z'));
      await store.create(review(2, '2026-12-14T15:30:00.000Z'));
      await store.create(review(3, '2026-12-07T15:00:00.000Z', 'won'));
      await store.create(review(4, undefined));
      await store.create(review(5, '2026-12-01T15:30:00.000Z'));

      // Act
      const due = await store.plansDueForReview(new Date('2026-12-07T15:30:00.000Z'));

      // Assess
      expect([...due].sort((x, y) => x.planId.localeCompare(y.planId))).toEqual([
        { planId: review(1, undefined).deal.planId, nextReviewAt: '2026-12-07T15:30:00.000Z' },
        { planId: review(5, undefined).deal.planId, nextReviewAt: '2026-12-01T15:30:00.000Z' },
      ]);
    });

    it('reads every deal for the report, without its task token; milestones for active deals only', async () => {
      // Prepare
      const store = await open();
      const active = newDeal(2, (d) => ({
        ...d,
        taskToken: 'token-that-never-leaves',
        nextReviewAt: '2026-12-07T15:30:00.000Z',
        deliveryProblems: [
          { at: NOW.toISOString(), to: 'x@y.example', code: 'MessageRejected', message: 'no', keys: ['k'] },
        ],
      }));
      const won = newDeal(1, (d) => ({ ...d, status: 'won', taskToken: 'another-token' }));
      await store.create(active);
      await store.create(won);

      // Act
      const report = await store.reportDeals();

      // Assess
      const { taskToken: _a, ...activeDeal } = asCreated(active).deal;
      const { taskToken: _w, ...wonDeal } = asCreated(won).deal;
      expect(report).toEqual([
        { deal: wonDeal },
        { deal: activeDeal, milestones: asCreated(active).milestones },
      ]);
    });
  });
}
