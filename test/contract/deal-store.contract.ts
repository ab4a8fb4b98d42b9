import { describe, expect, it } from 'vitest';
import {
  type ClosedAggregate,
  type ClosedEntry,
  entryKinds,
  entryOf,
  rebuildAggregates,
} from '../../lambdas/domain/closed-aggregates';
import type { Deal, MilestoneState } from '../../lambdas/domain/deal';
import { ConcurrentUpdateError, InvalidCursorError, LinkUsedError } from '../../lambdas/domain/errors';
import { closeDeal } from '../../lambdas/domain/plan-close';
import type {
  DealSnapshot,
  DealStore,
  LinkUse,
  PlanList,
  ReportReader,
  ReviewSchedule,
} from '../../lambdas/domain/ports';
import { programReport } from '../../lambdas/domain/reports';
import { loadProgramReport } from '../../lambdas/domain/use-cases/reports';
import { STAGE_KEYS } from '../../lambdas/domain/vocabulary';
import { startedDeal } from '../helpers/plan';

/**
 * What the contract runs against: the in-memory fake and DynamoReadingDealStore (DynamoDealStore with the
 * list, the review index and the report's reads) on DynamoDB Local.
 */
export type StoreUnderContract = DealStore & PlanList & ReviewSchedule & ReportReader;

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

/**
 * The deal closed: `won` (every gate passed, registered at `arr`), `lost` (at its current gate), or `closed`
 * (by ops, POST /plans/{planId}/close).
 */
function closedAs(
  { deal, milestones }: DealSnapshot,
  how: 'won' | 'lost' | 'closed',
  arr: number,
): DealSnapshot {
  const at = '2026-12-15T12:00:00.000Z';
  if (how === 'closed') {
    const out = closeDeal(
      deal,
      milestones,
      { outcome: 'withdrawn', reason: 'Budget cut' },
      { now: new Date(at), by: 'ops' },
    );
    return { deal: out.deal, milestones };
  }
  const stages = { ...deal.stages };
  const last = how === 'won' ? STAGE_KEYS.length : 2;
  for (const [i, key] of STAGE_KEYS.entries()) {
    if (i < last)
      stages[key] = { ...stages[key], status: 'passed', openedAt: NOW.toISOString(), passedAt: at };
  }
  const outcome = {
    result: how,
    finalArr: how === 'won' ? arr : 0,
    currency: deal.plan.jointOutcome.arr.currency,
    lesson: 'Timing',
    at,
    by: 'ops',
  } as const;
  const stage = STAGE_KEYS[last - 1] ?? deal.stage;
  return { deal: { ...deal, status: how, stage, stages, outcome, updatedAt: at }, milestones };
}

function uniqueByPlanId(entries: ClosedEntry[]): ClosedEntry[] {
  return [...new Map(entries.map((e) => [e.planId, e])).values()].sort((a, b) =>
    a.planId.localeCompare(b.planId),
  );
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

    it('reads the active deals for the report, without task token, with milestones; closed ones as aggregates', async () => {
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
      const won = closedAs(
        newDeal(1, (d) => ({ ...d, taskToken: 'another-token' })),
        'won',
        90_000,
      );
      await store.create(active);
      await store.create(won);

      // Act
      const deals = await store.activeReportDeals();
      const aggregates = await store.closedAggregates();

      // Assess
      const { taskToken: _a, ...activeDeal } = asCreated(active).deal;
      expect(deals).toEqual([{ deal: activeDeal, milestones: asCreated(active).milestones }]);
      expect(aggregates).toEqual(rebuildAggregates([asCreated(won).deal]));
    });

    it('keeps closed aggregates that match a rebuild from scratch after closes, updates and retried saves', async () => {
      // Prepare: deals of three partners (one spelled two ways), two currencies, both attributions.
      const store = await open();
      const partners = ['Northwind', 'Contoso', 'northwind ', 'Fabrikam'];
      const snapshots = Array.from({ length: 8 }, (_, n) =>
        newDeal(10 + n, (d) => ({
          ...d,
          plan: {
            ...d.plan,
            partner: { ...d.plan.partner, name: n === 5 ? 'NORTHWIND' : (partners[n % 4] as string) },
            attribution: n % 3 === 0 ? 'influenced' : 'sourced',
            jointOutcome: {
              ...d.plan.jointOutcome,
              arr: { min: 10_000 * (n + 1), max: 20_000 * (n + 1), currency: n === 7 ? 'EUR' : 'USD' },
            },
          },
          ...(n % 2 === 0
            ? { offPartnerPlan: n === 4, ...(n === 4 ? { offPartnerPlanReason: 'not a target' } : {}) }
            : {}),
        })),
      );
      for (const s of snapshots) await store.create(s);
      const id = (n: number) => (snapshots[n] as DealSnapshot).deal.planId;

      // Act: won at registration, lost at a gate, closed by ops, each saved once.
      for (const [n, how] of [
        [0, 'won'],
        [1, 'lost'],
        [2, 'closed'],
        [4, 'won'],
        [7, 'won'],
      ] as const) {
        const now = await stored(store, id(n));
        await store.save({ deal: closedAs(now, how, 50_000 + n).deal });
      }
      // A retried save (the same version again) is refused, and counts nothing more.
      const again = await stored(store, id(3));
      const closing = closedAs(again, 'won', 70_000).deal;
      await store.save({ deal: closing });
      await expect(store.save({ deal: closing })).rejects.toBeInstanceOf(ConcurrentUpdateError);
      // A closed deal saved again: its registration's attribution check (an entry), then nothing new.
      const registered = await stored(store, id(0));
      await store.save({
        deal: {
          ...registered.deal,
          attributionCheck: { rule: 'sourced-first', agrees: false, why: 'no evidence' },
        },
      });
      // A closed deal's verdict stored late: it leaves the unchecked entries.
      const lost = await stored(store, id(1));
      await store.save({ deal: { ...lost.deal, offPartnerPlan: false } });
      const later = await stored(store, id(0));
      await store.save({ deal: { ...later.deal, updatedAt: '2026-12-20T10:00:00.000Z' } });
      // Two closes of the same partner at once (NORTHWIND, northwind) both count.
      const [x, y] = await Promise.all([stored(store, id(5)), stored(store, id(6))]);
      await Promise.all([
        store.save({ deal: closedAs(x, 'lost', 0).deal }),
        store.save({ deal: closedAs(y, 'won', 12_345).deal }),
      ]);

      // Assess
      const all = await Promise.all(snapshots.map(async (s) => (await stored(store, s.deal.planId)).deal));
      const running = (await store.closedAggregates()).filter((a) => Object.keys(a.names).length > 0);
      const byKey = (list: ClosedAggregate[]) =>
        [...list].sort((a, b) => a.partnerKey.localeCompare(b.partnerKey));
      expect(byKey(running)).toEqual(rebuildAggregates(all));
      const entries = await store.closedEntries({
        uncheckedPartners: running.map((a) => a.partnerKey),
        currencies: ['EUR', 'USD'],
      });
      const rebuilt = all.flatMap((d) => entryOf(d) ?? []);
      expect(uniqueByPlanId(entries)).toEqual(uniqueByPlanId(rebuilt));
      // Without currencies: the listed ones and the unchecked ones of the partners asked for.
      const unchecked = await store.closedEntries({
        uncheckedPartners: running.map((a) => a.partnerKey),
        currencies: [],
      });
      expect(uniqueByPlanId(unchecked)).toEqual(
        uniqueByPlanId(rebuilt.filter((e) => entryKinds(e).some((k) => k !== 'currency'))),
      );
      expect(unchecked.map((e) => e.planId)).not.toContain(id(1));
      // Without partners or currencies: the listed ones alone (off the partner plan, or disagreeing).
      const listed = await store.closedEntries({ uncheckedPartners: [], currencies: [] });
      expect(uniqueByPlanId(listed).map((e) => e.planId)).toEqual([id(0), id(4)].sort());
      // The report over what the store reads says what it says over every deal.
      const clock = { now: () => new Date('2026-12-21T12:00:00.000Z') };
      const report = await loadProgramReport(
        { store, partnerPlans: { list: async () => [] } as never, clock, config: { defaultTimezone: 'UTC' } },
        {},
      );
      const every = await Promise.all(snapshots.map((s) => stored(store, s.deal.planId)));
      const reportDeals = every
        .map(({ deal: { taskToken: _t, ...deal }, milestones }) =>
          deal.status === 'active' ? { deal, milestones } : { deal },
        )
        .sort((a, b) => a.deal.planId.localeCompare(b.deal.planId));
      expect(report).toEqual(programReport(reportDeals, [], clock.now()));
    });
  });
}
