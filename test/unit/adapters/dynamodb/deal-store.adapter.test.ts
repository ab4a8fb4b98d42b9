import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { planItem, stateItem } from '../../../../lambdas/adapters/dynamodb/deal-items';
import { DynamoDealStore } from '../../../../lambdas/adapters/dynamodb/deal-store.adapter';
import { documentClient } from '../../../../lambdas/adapters/dynamodb/document-client';
import { DynamoListedDealStore } from '../../../../lambdas/adapters/dynamodb/listed-deal-store.adapter';
import type { Deal, MilestoneState } from '../../../../lambdas/domain/deal';
import { ConcurrentUpdateError, LinkUsedError } from '../../../../lambdas/domain/errors';
import type { DealSnapshot, LinkUse } from '../../../../lambdas/domain/ports';
import { OPEN_BY_DUE_INDEX } from '../../../../lib/table-definitions';
import { PLAN_ID, startedDeal } from '../../../helpers/plan';

const TABLES = {
  plans: 'cosell-flow-acme-plans',
  milestones: 'cosell-flow-acme-milestones',
  links: 'cosell-flow-acme-links',
  idempotency: 'cosell-flow-acme-idempotency',
};

/**
 * Our attribute names that DynamoDB reserves (checked against DynamoDB Local): an expression must name
 * them through `#alias`, or DynamoDB rejects the whole request with a ValidationException.
 */
const RESERVED_ATTRIBUTE_NAMES = ['status', 'plan', 'owner', 'action', 'name'];

const ddb = mockClient(DynamoDBDocumentClient);

afterEach(() => {
  ddb.reset();
});

function newStore(): DynamoDealStore {
  return new DynamoDealStore(documentClient(), TABLES);
}

/**
 * A store that has read `deal` (its state item and plan document), as every save follows a read: it then
 * knows the stored plan version and writes the deal state alone. The mock's call history starts empty.
 */
async function loadedStore(deal: Deal): Promise<DynamoDealStore> {
  ddb
    .on(GetCommand)
    .callsFake((input) =>
      input.Key.planId === deal.planId ? { Item: stateItem(deal, deal.version) } : { Item: planItem(deal) },
    );
  ddb.on(QueryCommand).resolves({ Items: [] });
  const store = newStore();
  await store.get(deal.planId);
  ddb.resetHistory();
  return store;
}

/**
 * The snapshot as the store holds it after `create`: versions at 1. `milestones` are what a read returns,
 * `milestoneItems` the raw items, which carry their index shard.
 */
function storedItems(snapshot: DealSnapshot) {
  const milestones = snapshot.milestones.map((m) => ({ ...m, version: 1 }));
  return {
    deal: { ...snapshot.deal, version: 1 },
    milestones,
    milestoneItems: milestones.map((m) => ({ ...m, openShard: 'open#1' })),
  };
}

function linkUse(): LinkUse {
  return {
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    planId: PLAN_ID,
    action: 'milestone-done',
    target: 'fit-check',
    usedAt: '2026-12-02T15:00:00.000Z',
    usedBy: 'ana.ruiz@vendor.example',
    expiresAt: 1_800_000_000,
  };
}

function canceled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function conditionFailed(): ConditionalCheckFailedException {
  return new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
}

/** Every attribute name an expression uses directly (not through a `#alias` or a `:value`). */
function bareNames(expression: string | undefined): string[] {
  if (!expression) return [];
  const withoutFunctions = expression.replace(/\b(attribute_not_exists|attribute_exists)\b/g, ' ');
  return (withoutFunctions.match(/[#:]?[A-Za-z_][A-Za-z0-9_]*/g) ?? []).filter(
    (t) => !t.startsWith('#') && !t.startsWith(':') && !['AND', 'OR', 'SET', 'REMOVE'].includes(t),
  );
}

describe('DynamoDealStore.create', () => {
  it('writes the plan and every milestone in one transaction, each only if it does not exist yet', async () => {
    // Prepare
    const snapshot = startedDeal();
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().create(snapshot);

    // Assess
    expect(ddb.calls()).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(2 + snapshot.milestones.length);
    const [plan, document, ...milestones] = items;
    expect(plan?.Put).toMatchObject({
      TableName: TABLES.plans,
      ConditionExpression: 'attribute_not_exists(planId)',
      Item: {
        planId: PLAN_ID,
        version: 1,
        status: 'active',
        listShard: expect.stringMatching(/^active#[0-3]$/),
      },
    });
    expect(plan?.Put?.Item).not.toHaveProperty('plan');
    // The plan document: its own item, once per version.
    expect(document?.Put).toEqual({
      TableName: TABLES.plans,
      Item: {
        planId: `${PLAN_ID}#plan#1`,
        kind: 'PlanDocument',
        dealId: PLAN_ID,
        planVersion: 1,
        plan: snapshot.deal.plan,
      },
    });
    expect(milestones.map((m) => m.Put?.Item?.milestoneId)).toEqual(
      snapshot.milestones.map((m) => m.milestoneId),
    );
    for (const m of milestones) {
      expect(m.Put).toMatchObject({
        TableName: TABLES.milestones,
        ConditionExpression: 'attribute_not_exists(planId)',
        Item: { planId: PLAN_ID, version: 1, status: 'open' },
      });
      expect(m.Put?.ExpressionAttributeValues).toBeUndefined();
    }
  });

  it('puts every open milestone with a pending nudge on one of the four index shards, spread by key', async () => {
    // Prepare
    const snapshot = startedDeal();
    ddb.on(TransactWriteCommand).resolves({});

    // Act
    await newStore().create(snapshot);

    // Assess
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const shards = items.slice(2).map((i) => i.Put?.Item?.openShard as string);
    for (const shard of shards) expect(shard).toMatch(/^open#[0-3]$/);
    for (const [i, m] of snapshot.milestones.entries()) {
      expect(items[i + 2]?.Put?.Item?.nudgeAt).toBe(m.nudgeAt);
    }
    expect(new Set(shards).size).toBeGreaterThan(1);
  });

  it('maps a plan id that already exists (a failed condition) to ConcurrentUpdateError', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(canceled('ConditionalCheckFailed', 'None'));

    // Act / Assess
    await expect(newStore().create(startedDeal())).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});

describe('DynamoDealStore.save', () => {
  it('puts the deal alone with a condition on the version it read, and writes the next version', async () => {
    // Prepare
    const { deal } = storedItems(startedDeal());
    ddb.on(PutCommand).resolves({});
    const store = await loadedStore({ ...deal, version: 4 });

    // Act
    await store.save({ deal: { ...deal, version: 4 } });

    // Assess
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put).toMatchObject({
      TableName: TABLES.plans,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 4 },
      Item: { planId: PLAN_ID, version: 5 },
    });
  });

  it('saves deal, milestones and the link use in one transaction, each conditional', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    const milestone = milestones[0] as MilestoneState;
    const use = linkUse();
    ddb.on(TransactWriteCommand).resolves({});
    const store = await loadedStore(deal);

    // Act
    await store.save({ deal, milestones: [milestone], linkUse: use });

    // Assess
    expect(ddb.calls()).toHaveLength(1);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items).toHaveLength(3);
    expect(items[0]?.Put).toMatchObject({
      TableName: TABLES.plans,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: { version: 2 },
    });
    expect(items[1]?.Put).toMatchObject({
      TableName: TABLES.milestones,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: { milestoneId: milestone.milestoneId, version: 2 },
    });
    expect(items[2]?.Put).toEqual({
      TableName: TABLES.links,
      Item: use,
      ConditionExpression: 'attribute_not_exists(nonce)',
    });
  });

  it('maps a cancelled transaction whose last reason is the link condition to LinkUsedError', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    ddb.on(TransactWriteCommand).rejects(canceled('None', 'None', 'ConditionalCheckFailed'));

    // Act
    const saving = newStore().save({
      deal,
      milestones: [milestones[0] as MilestoneState],
      linkUse: linkUse(),
    });

    // Assess
    await expect(saving).rejects.toBeInstanceOf(LinkUsedError);
  });

  it('maps a cancelled transaction whose deal condition failed to ConcurrentUpdateError, link or not', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    ddb.on(TransactWriteCommand).rejects(canceled('ConditionalCheckFailed', 'None', 'None'));

    // Act
    const saving = newStore().save({
      deal,
      milestones: [milestones[0] as MilestoneState],
      linkUse: linkUse(),
    });

    // Assess
    await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('maps a failed milestone condition without a link use to ConcurrentUpdateError, not LinkUsedError', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    ddb.on(TransactWriteCommand).rejects(canceled('None', 'ConditionalCheckFailed'));

    // Act
    const saving = newStore().save({ deal, milestones: [milestones[0] as MilestoneState] });

    // Assess
    await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('maps a transaction conflict to ConcurrentUpdateError', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    ddb.on(TransactWriteCommand).rejects(canceled('TransactionConflict', 'None', 'None'));

    // Act
    const saving = newStore().save({
      deal,
      milestones: [milestones[0] as MilestoneState],
      linkUse: linkUse(),
    });

    // Assess
    await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });

  it('rethrows a cancellation that is no lost race (throttling) as it is', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    const error = canceled('ThrottlingError', 'None');
    ddb.on(TransactWriteCommand).rejects(error);

    // Act
    const saving = newStore().save({ deal, milestones: [milestones[0] as MilestoneState] });

    // Assess
    await expect(saving).rejects.toBe(error);
  });

  it('maps a failed condition on the single deal put to ConcurrentUpdateError', async () => {
    // Prepare
    const { deal } = storedItems(startedDeal());
    ddb.on(PutCommand).rejects(conditionFailed());
    const store = await loadedStore(deal);

    // Act
    const saving = store.save({ deal });

    // Assess
    await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});

describe('DynamoDealStore.saveMilestone and the open-by-due index', () => {
  const stored = () => storedItems(startedDeal()).milestones[0] as MilestoneState;

  it('keeps an open milestone with a pending nudge on the same shard it was created on', async () => {
    // Prepare
    const milestone = stored();
    ddb.on(PutCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    await newStore().create(startedDeal());
    const createdShard =
      ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[2]?.Put?.Item?.openShard;

    // Act
    await newStore().saveMilestone({ ...milestone, nudgeAt: '2026-12-05T23:00:00.000Z' });

    // Assess
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input as PutCommandInput;
    expect(put).toMatchObject({
      TableName: TABLES.milestones,
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 1 },
      Item: { version: 2, nudgeAt: '2026-12-05T23:00:00.000Z', openShard: createdShard },
    });
  });

  it('takes a done milestone out of the index: neither openShard nor nudgeAt is written', async () => {
    // Prepare
    const milestone: MilestoneState = {
      ...stored(),
      status: 'done',
      doneAt: '2026-12-02T15:00:00.000Z',
      doneBy: 'ana.ruiz@vendor.example',
    };
    ddb.on(PutCommand).resolves({});

    // Act
    await newStore().saveMilestone(milestone);

    // Assess
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(item.status).toBe('done');
    expect(item).not.toHaveProperty('openShard');
    expect(item).not.toHaveProperty('nudgeAt');
  });

  it('takes an open milestone with nothing left to send out of the index', async () => {
    // Prepare
    const { nudgeAt: _none, ...milestone } = stored();
    ddb.on(PutCommand).resolves({});

    // Act
    await newStore().saveMilestone(milestone);

    // Assess
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(item.status).toBe('open');
    expect(item).not.toHaveProperty('openShard');
    expect(item).not.toHaveProperty('nudgeAt');
  });

  it('maps a failed version condition to ConcurrentUpdateError', async () => {
    // Prepare
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    const saving = newStore().saveMilestone(stored());

    // Assess
    await expect(saving).rejects.toBeInstanceOf(ConcurrentUpdateError);
  });
});

describe('DynamoDealStore.milestonesDue', () => {
  it('queries each of the four shards on the open-by-due index up to the given instant', async () => {
    // Prepare
    const until = new Date('2026-12-02T15:00:00.000Z');
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const due = await newStore().milestonesDue(until);

    // Assess
    expect(due).toEqual([]);
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(4);
    for (const input of inputs) {
      expect(input).toMatchObject({
        TableName: TABLES.milestones,
        IndexName: OPEN_BY_DUE_INDEX,
        KeyConditionExpression: 'openShard = :s AND nudgeAt <= :t',
        ExpressionAttributeValues: { ':t': until.toISOString() },
      });
      expect(input.ConsistentRead).toBeFalsy();
    }
    expect(inputs.map((i) => i.ExpressionAttributeValues?.[':s']).sort()).toEqual([
      'open#0',
      'open#1',
      'open#2',
      'open#3',
    ]);
  });

  it('follows LastEvaluatedKey to the last page of a shard and strips the shard attribute', async () => {
    // Prepare
    const [a, b, c] = storedItems(startedDeal()).milestoneItems;
    const lastKey = {
      planId: PLAN_ID,
      milestoneId: b?.milestoneId,
      openShard: 'open#2',
      nudgeAt: b?.nudgeAt,
    };
    ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const shard = input.ExpressionAttributeValues?.[':s'];
      if (shard === 'open#0') return { Items: [{ ...a, openShard: 'open#0' }] };
      if (shard !== 'open#2') return { Items: [] };
      return input.ExclusiveStartKey
        ? { Items: [{ ...c, openShard: 'open#2' }] }
        : { Items: [{ ...b, openShard: 'open#2' }], LastEvaluatedKey: lastKey };
    });

    // Act
    const due = await newStore().milestonesDue(new Date('2026-12-31T00:00:00.000Z'));

    // Assess
    expect(due.map((m) => m.milestoneId).sort()).toEqual(
      [a?.milestoneId, b?.milestoneId, c?.milestoneId].sort(),
    );
    for (const m of due) expect(m).not.toHaveProperty('openShard');
    const calls = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(5);
    const second = calls.filter((i) => i.ExpressionAttributeValues?.[':s'] === 'open#2')[1];
    expect(second?.ExclusiveStartKey).toEqual(lastKey);
  });
});

describe('DynamoDealStore.get', () => {
  it('returns undefined for a plan that does not exist', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    const snapshot = await newStore().get('pl_ffffffffffffffffffff');

    // Assess
    expect(snapshot).toBeUndefined();
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLES.plans,
      Key: { planId: 'pl_ffffffffffffffffffff' },
      ConsistentRead: true,
    });
  });

  it('reads the milestones consistently across pages and returns them in plan order', async () => {
    // Prepare
    const { deal, milestones, milestoneItems } = storedItems(startedDeal());
    const shuffled = [...milestoneItems].reverse();
    const half = Math.floor(shuffled.length / 2);
    ddb.on(GetCommand).resolves({ Item: deal });
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: shuffled.slice(0, half),
        LastEvaluatedKey: { planId: PLAN_ID, milestoneId: 'x' },
      })
      .resolvesOnce({ Items: shuffled.slice(half) });

    // Act
    const snapshot = await newStore().get(PLAN_ID);

    // Assess
    expect(snapshot?.deal).toEqual(deal);
    expect(snapshot?.milestones).toEqual(milestones);
    expect(snapshot?.milestones.map((m) => m.seq)).toEqual(milestones.map((_, i) => i));
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    expect(queries[0]).toMatchObject({
      TableName: TABLES.milestones,
      KeyConditionExpression: 'planId = :p',
      ExpressionAttributeValues: { ':p': PLAN_ID },
      ConsistentRead: true,
    });
    expect(queries[1]?.ExclusiveStartKey).toEqual({ planId: PLAN_ID, milestoneId: 'x' });
  });
});

describe('DynamoListedDealStore.list', () => {
  it('reads every list shard through the index, never a Scan, and lists the deals, newest change first', async () => {
    // Prepare
    const { deal } = storedItems(startedDeal());
    const older = stateItem({ ...deal, planId: 'pl_00000000000000000001' }, 1);
    const newer = stateItem({ ...deal, planId: 'pl_00000000000000000002' }, 1);
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':s': 'active#2' } })
      .resolvesOnce({ Items: [older], LastEvaluatedKey: { planId: older.planId } })
      .resolvesOnce({ Items: [newer] });
    ddb.on(BatchGetCommand).resolves({
      Responses: {
        [TABLES.plans]: [
          { planId: older.planId, updatedAt: '2026-12-01T00:00:00.000Z' },
          { planId: newer.planId, updatedAt: '2026-12-03T00:00:00.000Z' },
        ],
      },
    });

    // Act
    const plans = await new DynamoListedDealStore(documentClient(), TABLES).list();

    // Assess
    expect(plans.map((p) => p.planId)).toEqual([newer.planId, older.planId]);
    expect(plans[0]).toEqual({
      planId: newer.planId,
      name: 'Globex platform migration',
      partner: 'Northwind Integrators',
      account: 'Globex Corporation',
      stage: 'target-account-selection',
      status: 'active',
      updatedAt: '2026-12-03T00:00:00.000Z',
    });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
    const shards = ddb
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input.ExpressionAttributeValues?.[':s']);
    expect(new Set(shards)).toEqual(
      new Set(['active', 'won', 'lost'].flatMap((s) => [0, 1, 2, 3].map((n) => `${s}#${n}`))),
    );
    expect(
      ddb.commandCalls(QueryCommand, { ExpressionAttributeValues: { ':s': 'active#2' } })[1]?.args[0].input
        .ExclusiveStartKey,
    ).toEqual({ planId: older.planId });
  });

  it('names reserved words only through aliases in its list queries, filters included', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await new DynamoListedDealStore(documentClient(), TABLES).listPage({
      limit: 10,
      status: 'active',
      partner: 'Northwind',
      stage: 'door-opener',
    });

    // Assess
    for (const call of ddb.commandCalls(QueryCommand)) {
      const input = call.args[0].input;
      const bare = [input.KeyConditionExpression, input.FilterExpression].flatMap((e) => bareNames(e));
      expect(bare.filter((n) => RESERVED_ATTRIBUTE_NAMES.includes(n.toLowerCase()))).toEqual([]);
    }
  });
});

describe('DynamoDealStore expressions', () => {
  it('use no reserved word as a bare attribute name in any write, read or query', async () => {
    // Prepare
    const { deal, milestones } = storedItems(startedDeal());
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(ScanCommand).resolves({ Items: [] });
    const store = new DynamoListedDealStore(documentClient(), TABLES);

    // Act
    await store.create(startedDeal());
    await store.save({ deal, milestones: [milestones[0] as MilestoneState], linkUse: linkUse() });
    await store.save({ deal });
    await store.saveMilestone(milestones[1] as MilestoneState);
    await store.get(PLAN_ID);
    await store.list();
    await store.milestonesDue(new Date());

    // Assess
    const expressions = ddb.calls().flatMap((call) => {
      const input = call.args[0].input as Record<string, unknown> & {
        TransactItems?: { Put?: { ConditionExpression?: string } }[];
      };
      const own = [input.ConditionExpression, input.KeyConditionExpression, input.ProjectionExpression];
      const nested = (input.TransactItems ?? []).map((i) => i.Put?.ConditionExpression);
      return [...own, ...nested].filter((e): e is string => typeof e === 'string');
    });
    expect(expressions.length).toBeGreaterThan(5);
    const offending = expressions.flatMap((e) =>
      bareNames(e).filter((n) => RESERVED_ATTRIBUTE_NAMES.includes(n.toLowerCase())),
    );
    expect(offending).toEqual([]);
  });
});
