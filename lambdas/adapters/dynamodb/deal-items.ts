import { LIST_SHARD_COUNT, REVIEW_SHARD_COUNT } from '../../../lib/table-definitions';
import type { Deal, MilestoneState } from '../../domain/deal';
import { partnerKey } from '../../domain/partner-plans';
import type { DealSummary } from '../../domain/ports';
import type { Plan } from '../../schemas/plan.schema';

/**
 * How a deal lies in the plans table: two kinds of item under different `planId` keys.
 * - The deal state (`planId`): everything a click changes, without the plan document, plus the summary
 *   and index attributes (`listShard`, `listKey`, `listName`, `listPartner`, `listAccount`, `partnerKey`,
 *   and `reviewShard` while a review is pending). About 1 KB.
 * - The plan document (`<planId>#plan#<planVersion>`): written once per plan version, never changed
 *   (about 3 KB). The state item's `planVersion` (absent = 1) names the one in force.
 */
export const STATE_ONLY = ['listShard', 'listKey', 'listName', 'listPartner', 'listAccount', 'partnerKey'];

export function planItemKey(planId: string, planVersion: number | undefined): string {
  return `${planId}#plan#${planVersion ?? 1}`;
}

/** Whether a plans-table key is a plan document item (deal ids never hold `#`). */
export function isPlanItemKey(key: string): boolean {
  return key.includes('#plan#');
}

export function hashOf(key: string, buckets: number): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % buckets;
}

/** The deal state item of `deal` (its `version` as given: the caller sets the next one). */
export function stateItem(deal: Deal, version: number): Record<string, unknown> {
  const { plan, ...state } = deal;
  const item: Record<string, unknown> = {
    ...state,
    version,
    listShard: `${deal.status}#${hashOf(deal.planId, LIST_SHARD_COUNT)}`,
    listKey: `${deal.createdAt}#${deal.planId}`,
    listName: plan.name,
    listPartner: plan.partner.name,
    listAccount: plan.account.name,
    partnerKey: partnerKey(plan.partner.name),
  };
  // Sparse: only an active deal with a review pending is in the review index.
  if (deal.status === 'active' && deal.nextReviewAt)
    item.reviewShard = `review#${hashOf(deal.planId, REVIEW_SHARD_COUNT)}`;
  return item;
}

export function planItem(deal: Deal): Record<string, unknown> {
  return {
    planId: planItemKey(deal.planId, deal.planVersion),
    kind: 'PlanDocument',
    dealId: deal.planId,
    planVersion: deal.planVersion ?? 1,
    plan: deal.plan,
  };
}

/** The deal from its state item and plan document (an item from before the split carries its plan). */
export function dealFrom(state: Record<string, unknown>, plan: Plan | undefined): Deal {
  const { reviewShard: _r, ...rest } = state;
  for (const a of STATE_ONLY) delete rest[a];
  const own = (rest.plan as Plan | undefined) ?? plan;
  if (!own) throw new Error(`plan ${String(state.planId)}: its plan document is missing`);
  return { ...rest, plan: own } as unknown as Deal;
}

/** A milestone from its item (without the sparse index's shard). */
export function fromMilestoneItem(item: Record<string, unknown>): MilestoneState {
  const { openShard: _shard, ...rest } = item;
  return rest as unknown as MilestoneState;
}

export function inPlanOrder(items: Record<string, unknown>[]): MilestoneState[] {
  return items.map(fromMilestoneItem).sort((a, b) => a.seq - b.seq);
}

export function summaryOf(item: Record<string, unknown>): DealSummary {
  const plan = item.plan as Plan | undefined;
  return {
    planId: String(item.planId),
    name: String(item.listName ?? plan?.name ?? ''),
    partner: String(item.listPartner ?? plan?.partner.name ?? ''),
    account: String(item.listAccount ?? plan?.account.name ?? ''),
    stage: String(item.stage),
    status: String(item.status),
    updatedAt: String(item.updatedAt),
    ...(item.needsAttention ? { needsAttention: attentionOf(item.needsAttention) } : {}),
  };
}

/** What `GET /plans` says of a deal needing attention: what and since when (not the ledger keys). */
function attentionOf(value: unknown): NonNullable<DealSummary['needsAttention']> {
  const { what, error, since } = value as { what?: unknown; error?: unknown; since?: unknown };
  return { what: String(what ?? ''), error: String(error ?? ''), since: String(since ?? '') };
}

/** Opaque `GET /plans` cursor: the last listed item's `listKey`. */
export function encodeCursor(listKey: string): string {
  return Buffer.from(JSON.stringify({ k: listKey })).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  try {
    const { k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof k === 'string' && k.length < 200 ? k : undefined;
  } catch {
    return undefined;
  }
}
