import { type Deal, daysInStages } from './deal';
import { partnerKey, quarterOf } from './partner-plans';
import { STAGE_KEYS } from './vocabulary';

/**
 * Running aggregates of closed (won and lost) deals, one per partner, so that the program report reads
 * these plus the active deals instead of every deal ever stored. The deal store updates them in the same
 * write as the save that closes a deal (or that changes a closed deal's figures), so each deal counts once.
 *
 * A closed deal's contribution (`contributionOf`) holds exactly what the report, the forecast and the
 * program's return read of closed deals:
 * - `tally` (numbers only, summed): `status.{won,lost}`; `currency.<c>` (deals per currency, for the
 *   report's default currency); `attribution.<a>.{won,lost}`; `reached.<a>.<stage>` and
 *   `passed.<a>.<stage>` (stage conversion, by attribution); `days.<stage>.<d>` (how many passed stages
 *   took d whole days: the median); `wonArr.<c>.<a>` (won revenue); `wonQuarter.<q>.<c>.{n,arr,fees}`
 *   (won ARR and partner fees by the quarter the outcome was logged); `lostStage.<stage>.n` and
 *   `lostStage.<stage>.arr.<c>` (losses by the stage the deal died in, ARR midpoints); `unchecked` (deals
 *   with no partner-plan verdict, see ClosedEntry).
 * - `names`: the partner's spellings, each with its count and its first deal (the report names a partner
 *   without a partner plan after its first deal by plan id).
 * - `reasons`: losses by close outcome and reason (case-insensitive), each spelling with its first deal.
 * The lists that name closed deals one by one (off-list accounts, attribution disagreements, deals in
 * another currency) read `ClosedEntry` rows instead: see `entryKinds`.
 */

export interface Tally {
  [key: string]: number | Tally;
}

export interface Spelling {
  n: number;
  /** The first deal with this spelling (plan id; in the report's deal order). */
  first: string;
}

export type Spellings = Record<string, Spelling>;

export interface ClosedAggregate {
  partnerKey: string;
  names: Spellings;
  /** By `<outcome>#<reason in lower case>`. */
  reasons: Record<string, { outcome: 'lost' | 'no-decision' | 'withdrawn'; spellings: Spellings }>;
  tally: Tally;
}

/** One closed deal as the report's per-deal lists need it. */
export interface ClosedEntry {
  planId: string;
  partnerKey: string;
  partner: string;
  name: string;
  account: string;
  domain?: string;
  currency: string;
  attribution: string;
  offPartnerPlan?: boolean;
  offPartnerPlanReason?: string;
  attributionCheck?: { rule: string; agrees: boolean; why: string };
}

/**
 * Which reads of closed entries a row belongs to: `listed` (off its partner plan, or its attribution
 * disagrees: always read), `unchecked` (no partner-plan verdict: read only for partners with a partner plan
 * now), and `currency` (every closed deal, by currency: read only for currencies other than the report's).
 */
export type EntryKind = 'listed' | 'unchecked' | 'currency';

export function entryKinds(entry: ClosedEntry): EntryKind[] {
  const kinds: EntryKind[] = [];
  if (entry.offPartnerPlan === true || entry.attributionCheck?.agrees === false) kinds.push('listed');
  if (entry.offPartnerPlan === undefined) kinds.push('unchecked');
  kinds.push('currency');
  return kinds;
}

export const isClosed = (deal: Deal | undefined): deal is Deal =>
  deal !== undefined && deal.status !== 'active';

/** Plan-id order: the report's deal order. */
export const byPlanId = (a: string, b: string) => a.localeCompare(b) < 0;

const midpoint = (d: Deal) => (d.plan.jointOutcome.arr.min + d.plan.jointOutcome.arr.max) / 2;
const dealCurrency = (d: Deal) => d.outcome?.currency ?? d.plan.jointOutcome.arr.currency;

export function emptyAggregate(key: string): ClosedAggregate {
  return { partnerKey: key, names: {}, reasons: {}, tally: {} };
}

function bump(tally: Tally, path: readonly string[], amount: number): void {
  let node = tally;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object') node = next;
    else node = node[key] = {};
  }
  const leaf = path[path.length - 1] as string;
  const sum = ((node[leaf] as number | undefined) ?? 0) + amount;
  node[leaf] = sum;
}

/** One closed deal's contribution (an aggregate of one deal); undefined for an active deal. */
export function contributionOf(deal: Deal): ClosedAggregate | undefined {
  if (!isClosed(deal)) return undefined;
  const agg = emptyAggregate(partnerKey(deal.plan.partner.name));
  const t = agg.tally;
  const a = deal.plan.attribution;
  const c = dealCurrency(deal);
  const status = deal.status;
  bump(t, ['status', status], 1);
  bump(t, ['currency', c], 1);
  bump(t, ['attribution', a, status], 1);
  const days = daysInStages(deal, new Date(deal.updatedAt));
  for (const stage of STAGE_KEYS) {
    const s = deal.stages[stage];
    if (s.status !== 'pending') bump(t, ['reached', a, stage], 1);
    if (s.status === 'passed' && !(status === 'lost' && deal.stage === stage)) {
      bump(t, ['passed', a, stage], 1);
      bump(t, ['days', stage, String(days[stage])], 1);
    }
  }
  if (status === 'won') {
    const arr = deal.outcome?.finalArr ?? 0;
    bump(t, ['wonArr', c, a], arr);
    if (deal.outcome) {
      const fee = (arr * (deal.plan.economicSplit?.partnerFeePercent ?? 0)) / 100;
      const q = quarterOf(deal.outcome.at);
      bump(t, ['wonQuarter', q, c, 'n'], 1);
      bump(t, ['wonQuarter', q, c, 'arr'], arr);
      bump(t, ['wonQuarter', q, c, 'fees'], fee);
    }
  } else {
    const stage = deal.closed?.stage ?? deal.stage;
    bump(t, ['lostStage', stage, 'n'], 1);
    bump(t, ['lostStage', stage, 'arr', c], midpoint(deal));
    const outcome = deal.closed?.outcome ?? 'lost';
    const reason =
      (deal.closed?.reason ?? deal.outcome?.lesson ?? '').trim().replace(/\s+/g, ' ') || '(none given)';
    agg.reasons[`${outcome}#${reason.toLowerCase()}`] = {
      outcome,
      spellings: { [reason]: { n: 1, first: deal.planId } },
    };
  }
  if (deal.offPartnerPlan === undefined) bump(t, ['unchecked'], 1);
  agg.names[deal.plan.partner.name] = { n: 1, first: deal.planId };
  return agg;
}

/** The closed deal's row for the per-deal lists; undefined for an active deal. */
export function entryOf(deal: Deal): ClosedEntry | undefined {
  if (!isClosed(deal)) return undefined;
  const { plan } = deal;
  return {
    planId: deal.planId,
    partnerKey: partnerKey(plan.partner.name),
    partner: plan.partner.name,
    name: plan.name,
    account: plan.account.name,
    ...(plan.account.domain !== undefined ? { domain: plan.account.domain } : {}),
    currency: dealCurrency(deal),
    attribution: plan.attribution,
    ...(deal.offPartnerPlan !== undefined ? { offPartnerPlan: deal.offPartnerPlan } : {}),
    ...(deal.offPartnerPlanReason ? { offPartnerPlanReason: deal.offPartnerPlanReason } : {}),
    ...(deal.attributionCheck ? { attributionCheck: deal.attributionCheck } : {}),
  };
}

/** `target` += sign × `source`, leaf by leaf; zeros and empty branches are dropped. */
function addTally(target: Tally, source: Tally, sign: 1 | -1): void {
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number') {
      const sum = ((target[key] as number | undefined) ?? 0) + sign * value;
      if (sum === 0) delete target[key];
      else target[key] = sum;
    } else {
      const node = (typeof target[key] === 'object' ? target[key] : {}) as Tally;
      addTally(node, value, sign);
      if (Object.keys(node).length === 0) delete target[key];
      else target[key] = node;
    }
  }
}

/** `b` − `a`, leaf by leaf (equal leaves cancel exactly, so an unchanged figure is never touched). */
function diffTally(a: Tally, b: Tally): Tally {
  const out: Tally = {};
  addTally(out, b, 1);
  addTally(out, a, -1);
  return out;
}

function addSpellings(
  target: Spellings,
  source: Spellings,
  sign: 1 | -1,
  before: (a: string, b: string) => boolean,
) {
  for (const [spelling, { n, first }] of Object.entries(source)) {
    const own = target[spelling];
    if (sign === 1) {
      target[spelling] = own
        ? { n: own.n + n, first: before(first, own.first) ? first : own.first }
        : { n, first };
    } else if (own) {
      if (own.n - n <= 0) delete target[spelling];
      else target[spelling] = { n: own.n - n, first: own.first };
    }
  }
}

/** `agg` += sign × `part` (a contribution or another aggregate of the same partner), in place. */
export function addInto(
  agg: ClosedAggregate,
  part: ClosedAggregate,
  sign: 1 | -1 = 1,
  before: (a: string, b: string) => boolean = byPlanId,
): ClosedAggregate {
  addTally(agg.tally, part.tally, sign);
  addSpellings(agg.names, part.names, sign, before);
  for (const [key, { outcome, spellings }] of Object.entries(part.reasons)) {
    const own = agg.reasons[key] ?? { outcome, spellings: {} };
    addSpellings(own.spellings, spellings, sign, before);
    if (Object.keys(own.spellings).length > 0) agg.reasons[key] = own;
    else delete agg.reasons[key];
  }
  return agg;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a save from `before` to `after` changes in the closed aggregates and entries (for an active deal
 * that stays active: nothing). `apply` turns one partner's stored aggregate into the new one.
 */
export interface ClosedChange {
  /** Partner keys whose aggregate changes. */
  partners: string[];
  /** The loss reasons (`reasons` keys) of that partner the change touches. */
  reasonKeys(key: string): string[];
  apply(stored: ClosedAggregate | undefined, key: string): ClosedAggregate;
  entry?: ClosedEntry;
  /** Entry kinds to write (`entry`) and to delete. */
  put: EntryKind[];
  remove: EntryKind[];
}

export function closedChange(before: Deal | undefined, after: Deal | undefined): ClosedChange | undefined {
  const was = before && contributionOf(before);
  const now = after && contributionOf(after);
  const oldEntry = before && entryOf(before);
  const newEntry = after && entryOf(after);
  const aggregateSame = same(was, now);
  const entrySame = same(oldEntry, newEntry);
  if (aggregateSame && entrySame) return undefined;
  const partners = aggregateSame
    ? []
    : [...new Set([was?.partnerKey, now?.partnerKey].filter((k): k is string => k !== undefined))];
  const newKinds = newEntry ? entryKinds(newEntry) : [];
  const oldKinds = oldEntry ? entryKinds(oldEntry) : [];
  return {
    partners,
    reasonKeys: (key) => [was, now].flatMap((a) => (a?.partnerKey === key ? Object.keys(a.reasons) : [])),
    apply(stored, key) {
      const agg = structuredClone(stored ?? emptyAggregate(key));
      if (was && now && was.partnerKey === now.partnerKey) {
        addTally(agg.tally, diffTally(was.tally, now.tally), 1);
        if (!same(was.names, now.names) || !same(was.reasons, now.reasons)) {
          addInto(agg, { ...was, tally: {} }, -1);
          addInto(agg, { ...now, tally: {} }, 1);
        }
        return agg;
      }
      if (was?.partnerKey === key) addInto(agg, was, -1);
      if (now?.partnerKey === key) addInto(agg, now, 1);
      return agg;
    },
    ...(newEntry ? { entry: newEntry } : {}),
    put: entrySame ? [] : newKinds,
    remove: oldKinds.filter((k) => !newKinds.includes(k)),
  };
}

/**
 * The aggregates rebuilt from scratch over `deals` (closed ones count; active ones are skipped), one per
 * partner key, in `deals`' order for each spelling's first deal. The running aggregates must equal these.
 */
export function rebuildAggregates(
  deals: readonly Deal[],
  before: (a: string, b: string) => boolean = byPlanId,
): ClosedAggregate[] {
  const out = new Map<string, ClosedAggregate>();
  for (const deal of deals) {
    const part = contributionOf(deal);
    if (!part) continue;
    const agg = out.get(part.partnerKey) ?? emptyAggregate(part.partnerKey);
    out.set(part.partnerKey, addInto(agg, part, 1, before));
  }
  return [...out.values()].sort((a, b) => a.partnerKey.localeCompare(b.partnerKey));
}
