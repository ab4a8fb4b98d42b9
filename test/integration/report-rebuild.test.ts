import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateKey } from '../../lambdas/adapters/dynamodb/closed-items';
import { documentClient } from '../../lambdas/adapters/dynamodb/document-client';
import { DynamoReadingDealStore } from '../../lambdas/adapters/dynamodb/reading-deal-store.adapter';
import type { ClosedAggregate, ClosedEntry } from '../../lambdas/domain/closed-aggregates';
import type { Deal } from '../../lambdas/domain/deal';
import { closeDeal } from '../../lambdas/domain/plan-close';
import { STAGE_KEYS } from '../../lambdas/domain/vocabulary';
import { TABLE_DEFINITIONS, tableName } from '../../lib/table-definitions';
import { applyEnv, localAwsEnv } from '../../local/aws-env';
import {
  type DynamoDbLocal,
  ensureTables,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../../local/dynamodb-local';
import { rebuildReportItems } from '../../scripts/lib/report-aggregates';
import { dealAtStage } from '../helpers/plan';

// `npm run report:rebuild` (scripts/lib/report-aggregates.ts) on DynamoDB Local: the aggregates and entries
// it rebuilds from every deal are the ones the closes kept running, and it repairs a lost aggregate.

let db: DynamoDbLocal;
let restoreEnv: () => void = () => undefined;

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

const PARTNERS = ['Northwind', 'Contoso', 'NORTHWIND'];

function won(deal: Deal, arr: number): Deal {
  const at = '2026-12-10T12:00:00.000Z';
  const last = STAGE_KEYS[STAGE_KEYS.length - 1] as (typeof STAGE_KEYS)[number];
  const stages = {
    ...deal.stages,
    [last]: { ...deal.stages[last], status: 'passed' as const, passedAt: at },
  };
  const outcome = { result: 'won' as const, finalArr: arr, currency: 'USD', lesson: 'ok', at, by: 'ops' };
  return { ...deal, status: 'won', stages, outcome, updatedAt: at };
}

const sorted = <T extends { partnerKey: string }>(list: T[]) =>
  [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('report:rebuild', () => {
  it('rebuilds from every deal the aggregates the closes kept, and repairs a lost one', async () => {
    // Prepare: deals closed through the store (won, lost by ops, one retried), one left active.
    const { plans, milestones, links } = TABLE_DEFINITIONS;
    const client = localDynamoDbClient(db.endpoint);
    await ensureTables(client, { plans, milestones, links }, (key) => tableName('rebuild', key));
    client.destroy();
    const table = tableName('rebuild', 'plans');
    const store = new DynamoReadingDealStore(documentClient(), {
      plans: table,
      milestones: tableName('rebuild', 'milestones'),
      links: tableName('rebuild', 'links'),
      idempotency: tableName('rebuild', 'idempotency'),
    });
    for (let n = 0; n < 7; n++) {
      const start = dealAtStage('close-register-review');
      const planId = `pl_rebuild${String(n).padStart(10, '0')}`;
      const plan = {
        ...start.deal.plan,
        partner: { ...start.deal.plan.partner, name: PARTNERS[n % 3] as string },
      };
      await store.create({
        deal: { ...start.deal, planId, plan, ...(n % 2 ? {} : { offPartnerPlan: n === 4 }) },
        milestones: start.milestones.map((m) => ({ ...m, planId })),
      });
      if (n === 6) continue;
      const now = await store.get(planId);
      if (!now) throw new Error('deal missing');
      const closed =
        n % 3 === 2
          ? closeDeal(
              now.deal,
              now.milestones,
              { outcome: 'lost', reason: 'Budget' },
              { now: new Date(), by: 'ops' },
            ).deal
          : won(now.deal, 10_000 * (n + 1));
      await store.save({ deal: closed });
      if (n === 0) await expect(store.save({ deal: closed })).rejects.toThrow();
    }
    const everything = { uncheckedPartners: ['northwind', 'contoso'], currencies: ['USD'] };
    const running = sorted(await store.closedAggregates());
    const runningEntries = sortedEntries(await store.closedEntries(everything));

    // Act
    const first = await rebuildReportItems(documentClient(), table);
    const rebuilt = sorted(await store.closedAggregates());
    await documentClient().send(
      new DeleteCommand({ TableName: table, Key: { planId: aggregateKey('contoso') } }),
    );
    await rebuildReportItems(documentClient(), table);

    // Assess
    expect(first).toMatchObject({ deals: 7, closed: 6 });
    expect(rebuilt).toEqual(running);
    expect(sortedEntries(await store.closedEntries(everything))).toEqual(runningEntries);
    expect(sorted(await store.closedAggregates())).toEqual(running);
    expect(running.map((a: ClosedAggregate) => a.partnerKey).sort()).toEqual(['contoso', 'northwind']);
  });
});

function sortedEntries(entries: ClosedEntry[]): ClosedEntry[] {
  return [...new Map(entries.map((e) => [e.planId, e])).values()].sort((a, b) =>
    a.planId.localeCompare(b.planId),
  );
}
