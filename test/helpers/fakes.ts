import {
  type ClosedAggregate,
  type ClosedEntry,
  closedChange,
  type EntryKind,
} from '../../lambdas/domain/closed-aggregates';
import type { Deal, MilestoneState } from '../../lambdas/domain/deal';
import { ConcurrentUpdateError, InvalidCursorError, LinkUsedError } from '../../lambdas/domain/errors';
import {
  type LinkClaims,
  newNonce,
  peekClaims,
  type SigningKey,
  type SigningKeys,
  signLink,
} from '../../lambdas/domain/links';
import { partnerKey } from '../../lambdas/domain/partner-plans';
import type {
  AnnouncementSchedule,
  CalendarInvite,
  Clock,
  DealSnapshot,
  DealStore,
  DealSummary,
  Deps,
  EffectLedger,
  EmailSubjects,
  EventPublisher,
  HeldAnnouncement,
  InvitationMailer,
  LinkUse,
  Mailer,
  MessageViews,
  OutboundEmail,
  PartnerPlanStore,
  PlanList,
  PlanListPage,
  PlanListQuery,
  ReportReader,
  ReviewDue,
  ReviewSchedule,
  TenantConfig,
  Workflow,
} from '../../lambdas/domain/ports';
import type { ReportDeal } from '../../lambdas/domain/report-input';
import type { PartnerPlan } from '../../lambdas/schemas/partner-plan.schema';
import { messageViews } from '../../lambdas/views/emails/message-views';
import { emailSubjects } from '../../lambdas/views/emails/subjects';

/**
 * In-memory adapters for the domain's ports. Each one behaves like the real service where the domain
 * relies on it (optimistic locking, single-use nonces, at-most-once effects) and records what it was asked.
 */

const copy = <T>(value: T): T => structuredClone(value);

export class FakeClock implements Clock {
  private current: number;

  constructor(start: string | Date = '2026-12-01T15:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: string | Date): void {
    this.current = new Date(at).getTime();
  }

  advanceHours(hours: number): void {
    this.current += hours * 3_600_000;
  }
}

interface StoredDeal {
  deal: Deal;
  milestones: Map<string, MilestoneState>;
}

/**
 * A DealStore with DynamoDB's conditional-write semantics: a write succeeds only if the item still carries
 * the version the writer read (then the stored version goes up by one; version 0 means "new"), and a link
 * nonce is claimed once. test/contract/deal-store.contract.ts runs the same suite against this fake and
 * DynamoReadingDealStore (DynamoDealStore with every read) on DynamoDB Local, so the two cannot drift.
 */
export class FakeDealStore
  implements DealStore, PlanList, ReviewSchedule, ReportReader, AnnouncementSchedule
{
  private readonly deals = new Map<string, StoredDeal>();
  /** Held announcements by ledger key (the milestones table's `<planId>#announce` items); settled ones gone. */
  readonly held = new Map<string, HeldAnnouncement>();
  private readonly links = new Map<string, LinkUse>();
  /** The closed deals' running aggregates and entries, changed with each write as the adapter changes them. */
  private readonly aggregates = new Map<string, ClosedAggregate>();
  private readonly entries = new Map<string, { entry: ClosedEntry; kinds: EntryKind[] }>();
  /** Every successful write, in order (for "nothing changed" assertions). */
  readonly writes: { op: 'create' | 'remove' | 'save' | 'saveMilestone'; planId: string }[] = [];
  /** Writes refused because the item changed since it was read. */
  conflicts = 0;
  private readBarrier: { count: number; waiting: (() => void)[] } | undefined;

  /** The next `count` calls to `get` all wait until `count` have arrived, so each reads the same version. */
  holdReads(count: number): void {
    this.readBarrier = { count, waiting: [] };
  }

  async create(snapshot: DealSnapshot): Promise<void> {
    await tick();
    const { planId } = snapshot.deal;
    if (this.deals.has(planId)) throw new ConcurrentUpdateError(`plan ${planId} already exists`);
    // Like the DynamoDB adapter, a write stores the version it was given plus one.
    this.deals.set(planId, {
      deal: { ...copy(snapshot.deal), version: snapshot.deal.version + 1 },
      milestones: new Map(snapshot.milestones.map((m) => [m.milestoneId, storedMilestone(m)])),
    });
    this.countClosed(undefined, snapshot.deal);
    this.writes.push({ op: 'create', planId });
  }

  async remove(snapshot: DealSnapshot): Promise<void> {
    await tick();
    this.countClosed(this.deals.get(snapshot.deal.planId)?.deal, undefined);
    this.deals.delete(snapshot.deal.planId);
    this.writes.push({ op: 'remove', planId: snapshot.deal.planId });
  }

  async get(planId: string): Promise<DealSnapshot | undefined> {
    await tick();
    const snapshot = this.peek(planId);
    const barrier = this.readBarrier;
    if (barrier) {
      await new Promise<void>((release) => {
        barrier.waiting.push(release);
        if (barrier.waiting.length >= barrier.count) {
          this.readBarrier = undefined;
          for (const r of barrier.waiting) r();
        }
      });
    }
    return snapshot;
  }

  async list(): Promise<DealSummary[]> {
    await tick();
    return [...this.deals.values()]
      .map(({ deal }) => ({
        planId: deal.planId,
        name: deal.plan.name,
        partner: deal.plan.partner.name,
        account: deal.plan.account.name,
        stage: deal.stage,
        status: deal.status,
        updatedAt: deal.updatedAt,
      }))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Like the list index: newest created first, the cursor the last listed `<createdAt>#<planId>`. */
  async listPage(query: PlanListQuery): Promise<PlanListPage> {
    await tick();
    let after: string | undefined;
    if (query.cursor !== undefined) {
      try {
        after = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')).k;
      } catch {}
      if (typeof after !== 'string') throw new InvalidCursorError('invalid cursor');
    }
    const limit = Math.max(1, Math.min(100, Math.floor(query.limit)));
    const key = (d: Deal) => `${d.createdAt}#${d.planId}`;
    const matching = [...this.deals.values()]
      .map(({ deal }) => deal)
      .filter(
        (d) =>
          (after === undefined || key(d) < after) &&
          (query.status === undefined || d.status === query.status) &&
          (query.partner === undefined || partnerKey(d.plan.partner.name) === partnerKey(query.partner)) &&
          (query.stage === undefined || d.stage === query.stage),
      )
      .sort((a, b) => key(b).localeCompare(key(a)));
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    const summaries = page.map((deal) => ({
      planId: deal.planId,
      name: deal.plan.name,
      partner: deal.plan.partner.name,
      account: deal.plan.account.name,
      stage: deal.stage,
      status: deal.status,
      updatedAt: deal.updatedAt,
    }));
    return {
      plans: summaries,
      ...(matching.length > limit && last
        ? { nextCursor: Buffer.from(JSON.stringify({ k: key(last) })).toString('base64url') }
        : {}),
    };
  }

  /**
   * Runs `change` once, at the next `write` (before `save` or `saveMilestone` checks versions: another
   * writer got in between a use case's read and its write) or `query` (after `milestonesDue` has read
   * its answer: the answer is stale, as a DynamoDB index read may be).
   */
  interleave(change: () => Promise<unknown>, at: 'write' | 'query' = 'write'): void {
    if (at === 'write') this.beforeWrite = change;
    else this.afterQuery = change;
  }

  private beforeWrite: (() => Promise<unknown>) | undefined;
  private afterQuery: (() => Promise<unknown>) | undefined;

  private async runInterleaved(): Promise<void> {
    const change = this.beforeWrite;
    this.beforeWrite = undefined;
    if (change) await change();
  }

  async save(change: {
    deal: Deal;
    milestones?: MilestoneState[];
    linkUse?: LinkUse;
    announcements?: HeldAnnouncement[];
  }): Promise<void> {
    await tick();
    await this.runInterleaved();
    const stored = this.deals.get(change.deal.planId);
    // Check every condition before writing anything: the transaction is all or nothing.
    if (change.linkUse && this.links.has(change.linkUse.nonce)) {
      throw new LinkUsedError(`nonce ${change.linkUse.nonce} already used`);
    }
    // A plan that is gone fails the version condition, as DynamoDB's does.
    if (!stored || stored.deal.version !== change.deal.version) {
      this.conflicts++;
      throw new ConcurrentUpdateError(`plan ${change.deal.planId} changed since it was read`);
    }
    for (const m of change.milestones ?? []) {
      if (!unchanged(stored.milestones.get(m.milestoneId), m)) {
        this.conflicts++;
        throw new ConcurrentUpdateError(`milestone ${m.milestoneId} changed since it was read`);
      }
    }
    this.countClosed(stored.deal, change.deal);
    stored.deal = { ...copy(change.deal), version: change.deal.version + 1 };
    for (const m of change.milestones ?? []) stored.milestones.set(m.milestoneId, storedMilestone(m));
    if (change.linkUse) this.links.set(change.linkUse.nonce, copy(change.linkUse));
    for (const a of change.announcements ?? []) this.held.set(a.key, copy(a));
    this.writes.push({ op: 'save', planId: change.deal.planId });
  }

  async saveMilestone(milestone: MilestoneState): Promise<void> {
    await tick();
    await this.runInterleaved();
    const stored = this.deals.get(milestone.planId);
    if (!stored) throw new Error(`saveMilestone: no plan ${milestone.planId}`);
    if (!unchanged(stored.milestones.get(milestone.milestoneId), milestone)) {
      this.conflicts++;
      throw new ConcurrentUpdateError(`milestone ${milestone.milestoneId} changed since it was read`);
    }
    stored.milestones.set(milestone.milestoneId, storedMilestone(milestone));
    this.writes.push({ op: 'saveMilestone', planId: milestone.planId });
  }

  async linkUse(nonce: string): Promise<LinkUse | undefined> {
    await tick();
    const use = this.links.get(nonce);
    return use && copy(use);
  }

  async milestonesDue(until: Date): Promise<MilestoneState[]> {
    await tick();
    const limit = until.toISOString();
    const answer = [...this.deals.values()]
      .flatMap((d) => [...d.milestones.values()])
      .filter((m) => m.status === 'open' && m.nudgeAt !== undefined && m.nudgeAt <= limit)
      .sort((a, b) => (a.nudgeAt ?? '').localeCompare(b.nudgeAt ?? ''))
      .map(copy);
    const change = this.afterQuery;
    this.afterQuery = undefined;
    if (change) await change();
    return answer;
  }

  async announcementsDue(until: Date): Promise<HeldAnnouncement[]> {
    await tick();
    const limit = until.toISOString();
    return [...this.held.values()]
      .filter((a) => a.at <= limit)
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(copy);
  }

  async heldFor(planId: string): Promise<HeldAnnouncement[]> {
    await tick();
    return [...this.held.values()].filter((a) => a.planId === planId).map(copy);
  }

  async holdAnnouncement(held: HeldAnnouncement): Promise<void> {
    await tick();
    this.held.set(held.key, copy(held));
  }

  async settleAnnouncement(held: HeldAnnouncement): Promise<void> {
    await tick();
    this.held.delete(held.key);
  }

  /** The plans table's review index: active plans whose `nextReviewAt` is at or before `until`, soonest first. */
  async plansDueForReview(until: Date): Promise<ReviewDue[]> {
    await tick();
    const limit = until.toISOString();
    return [...this.deals.values()]
      .flatMap(({ deal }) =>
        deal.status === 'active' && deal.nextReviewAt !== undefined && deal.nextReviewAt <= limit
          ? [{ planId: deal.planId, nextReviewAt: deal.nextReviewAt }]
          : [],
      )
      .sort((a, b) => a.nextReviewAt.localeCompare(b.nextReviewAt));
  }

  /** Active deals by plan id, without their task token, with their milestones in plan order. */
  async activeReportDeals(): Promise<ReportDeal[]> {
    await tick();
    return [...this.deals.keys()]
      .sort((a, b) => a.localeCompare(b))
      .flatMap((planId) => {
        const { deal, milestones } = this.peek(planId) as DealSnapshot;
        const { taskToken: _token, ...reported } = deal;
        return deal.status === 'active' ? [{ deal: reported, milestones }] : [];
      });
  }

  async closedAggregates(): Promise<ClosedAggregate[]> {
    await tick();
    return [...this.aggregates.values()].map(copy);
  }

  async closedEntries(query: {
    uncheckedPartners: readonly string[];
    currencies: readonly string[];
  }): Promise<ClosedEntry[]> {
    await tick();
    return [...this.entries.values()]
      .filter(
        ({ entry, kinds }) =>
          kinds.includes('listed') ||
          (kinds.includes('unchecked') && query.uncheckedPartners.includes(entry.partnerKey)) ||
          query.currencies.includes(entry.currency),
      )
      .map(({ entry }) => copy(entry));
  }

  /** What a write from `before` to `after` changes in the closed aggregates (closed-aggregates.ts). */
  private countClosed(before: Deal | undefined, after: Deal | undefined): void {
    const change = closedChange(before, after);
    const planId = (after ?? before)?.planId;
    if (!change || planId === undefined) return;
    for (const key of change.partners) this.aggregates.set(key, change.apply(this.aggregates.get(key), key));
    const current = this.entries.get(planId);
    const kinds = new Set(current?.kinds ?? []);
    for (const k of change.remove) kinds.delete(k);
    for (const k of change.put) kinds.add(k);
    const entry = change.put.length > 0 ? change.entry : current?.entry;
    if (kinds.size > 0 && entry) this.entries.set(planId, { entry: copy(entry), kinds: [...kinds] });
    else this.entries.delete(planId);
  }

  // Test-side access: synchronous, no locking, always a copy.

  peek(planId: string): DealSnapshot | undefined {
    const stored = this.deals.get(planId);
    if (!stored) return undefined;
    return {
      deal: copy(stored.deal),
      milestones: [...stored.milestones.values()].sort((a, b) => a.seq - b.seq).map(copy),
    };
  }

  milestone(planId: string, milestoneId: string): MilestoneState {
    const m = this.peek(planId)?.milestones.find((x) => x.milestoneId === milestoneId);
    if (!m) throw new Error(`no milestone ${milestoneId} in ${planId}`);
    return m;
  }

  /** Puts a snapshot in place as if a test had edited the table directly (versions kept as given). */
  put(snapshot: DealSnapshot): void {
    this.countClosed(this.deals.get(snapshot.deal.planId)?.deal, snapshot.deal);
    this.deals.set(snapshot.deal.planId, {
      deal: copy(snapshot.deal),
      milestones: new Map(snapshot.milestones.map((m) => [m.milestoneId, copy(m)])),
    });
  }

  usedLinks(): LinkUse[] {
    return [...this.links.values()].map(copy);
  }

  planIds(): string[] {
    return [...this.deals.keys()];
  }
}

/** A conditional milestone write's check: version 0 only while absent, else the version stored now. */
function unchanged(current: MilestoneState | undefined, written: MilestoneState): boolean {
  return current ? current.version === written.version : written.version === 0;
}

/** As the adapter writes a milestone: version up by one, and no pending nudge once it is closed. */
function storedMilestone(m: MilestoneState): MilestoneState {
  const item = { ...copy(m), version: m.version + 1 };
  if (item.status !== 'open') delete item.nudgeAt;
  return item;
}

/** Lets other promises run between steps, as a network round trip would. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class RecordingMailer implements Mailer, InvitationMailer {
  readonly sent: OutboundEmail[] = [];
  /** The invitation each email carried, by email key. */
  readonly invites = new Map<string, CalendarInvite>();
  failNext = 0;

  async sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    await this.send(email);
    this.invites.set(email.key, copy(invite));
  }

  async send(email: OutboundEmail): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('mail service unavailable');
    }
    this.sent.push(copy(email));
  }

  to(address: string): OutboundEmail[] {
    const a = address.toLowerCase();
    return this.sent.filter((e) => e.to.some((t) => t.toLowerCase() === a));
  }

  recipients(): string[] {
    return this.sent.flatMap((e) => e.to);
  }
}

/** Partner plans by normalised partner name, as DynamoPartnerPlanStore keys them. */
export class FakePartnerPlanStore implements PartnerPlanStore {
  private readonly plans = new Map<string, PartnerPlan>();

  async put(plan: PartnerPlan): Promise<{ created: boolean }> {
    const key = partnerKey(plan.partner.name);
    const created = !this.plans.has(key);
    this.plans.set(key, copy(plan));
    return { created };
  }

  async get(partner: string): Promise<PartnerPlan | undefined> {
    const plan = this.plans.get(partnerKey(partner));
    return plan && copy(plan);
  }

  async list(): Promise<PartnerPlan[]> {
    return [...this.plans.values()]
      .map(copy)
      .sort((a, b) => a.partner.name.localeCompare(b.partner.name, 'en', { sensitivity: 'base' }));
  }
}

/** Runs each key's effect once; a failed effect is not recorded, so a retry runs it again. */
export class FakeEffectLedger implements EffectLedger {
  readonly done = new Set<string>();

  async once(key: string, effect: () => Promise<void>): Promise<'done' | 'already-done'> {
    if (this.done.has(key)) return 'already-done';
    await effect();
    this.done.add(key);
    return 'done';
  }
}

export class RecordingWorkflow implements Workflow {
  readonly started: { name: string; input: { planId: string; resumeStage?: string } }[] = [];
  readonly completed: { taskToken: string; output: { outcome: 'passed' | 'lost' } }[] = [];
  startError: Error | undefined;
  /** What completeGate answers: whether the token was still waiting. */
  tokenWaiting = true;

  async start(name: string, input: { planId: string; resumeStage?: string }): Promise<void> {
    if (this.startError) throw this.startError;
    this.started.push({ name, input: copy(input) });
  }

  async completeGate(taskToken: string, output: { outcome: 'passed' | 'lost' }): Promise<boolean> {
    this.completed.push({ taskToken, output: copy(output) });
    return this.tokenWaiting;
  }

  /** Tokens of gates asked to run their task again (GateRetry, after a fix). */
  readonly retried: string[] = [];

  async retryGate(taskToken: string): Promise<boolean> {
    this.retried.push(taskToken);
    return this.tokenWaiting;
  }
}

export class RecordingEventPublisher implements EventPublisher {
  readonly published: { detailType: string; detail: Record<string, unknown> }[] = [];

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    this.published.push({ detailType, detail: copy(detail) });
  }
}

export const TEST_KID = 'k2026';
export const TEST_KEY = new Uint8Array(Buffer.from('0123456789abcdef0123456789abcdef', 'utf8'));

/** A fixed current key, plus any older keys still trusted for verification. */
export class FixedSigningKeys implements SigningKeys {
  private readonly trusted = new Map<string, Uint8Array>();

  constructor(
    private readonly currentKey: SigningKey = { kid: TEST_KID, key: TEST_KEY },
    older: SigningKey[] = [],
  ) {
    for (const k of [currentKey, ...older]) this.trusted.set(k.kid, k.key);
  }

  async current(): Promise<SigningKey> {
    return this.currentKey;
  }

  async byId(kid: string): Promise<Uint8Array | undefined> {
    return this.trusted.get(kid);
  }
}

export const TEST_CONFIG: TenantConfig = {
  tenant: 'acme',
  publicBaseUrl: 'https://links.acme.example',
  defaultTimezone: 'America/Chicago',
  linkTtlDays: 14,
};

export interface Fakes {
  clock: FakeClock;
  store: FakeDealStore;
  mailer: RecordingMailer;
  ledger: FakeEffectLedger;
  workflow: RecordingWorkflow;
  events: RecordingEventPublisher;
  keys: FixedSigningKeys;
  config: TenantConfig;
  partnerPlans: FakePartnerPlanStore;
  /** Held announcements: the store's own (as the adapter keeps them in the milestones table). */
  announcements: AnnouncementSchedule;
  /** The real views, so tests assert on the emails people get. */
  views: MessageViews;
  subjects: EmailSubjects;
}

/** A full set of deps built from fresh fakes; the fakes are the deps, typed for inspection. */
export function fakeDeps(overrides: Partial<Fakes> = {}): Fakes & Deps {
  const store = overrides.store ?? new FakeDealStore();
  return {
    clock: new FakeClock(),
    store,
    announcements: store,
    mailer: new RecordingMailer(),
    ledger: new FakeEffectLedger(),
    workflow: new RecordingWorkflow(),
    events: new RecordingEventPublisher(),
    keys: new FixedSigningKeys(),
    config: { ...TEST_CONFIG },
    partnerPlans: new FakePartnerPlanStore(),
    views: messageViews,
    subjects: emailSubjects,
    ...overrides,
  };
}

export interface SentLink {
  url: string;
  token: string;
  claims: LinkClaims;
  label: string;
}

const LINK_IN_TEXT = /^ {4}(.+?): (https?:\/\/\S+\/a\/(\S+))$/gm;

/** Every action link in an email's text part, with its (unverified) claims. */
export function linksIn(email: OutboundEmail): SentLink[] {
  return [...email.text.matchAll(LINK_IN_TEXT)].map((match) => {
    const [, label = '', url = '', token = ''] = match;
    const claims = peekClaims(token);
    if (!claims) throw new Error(`unreadable link in email ${email.key}: ${url}`);
    return { url, token, claims, label };
  });
}

/** The one link sent to `recipient` for `action` on `target`, across everything the mailer sent. */
export function sentLink(
  mailer: RecordingMailer,
  query: { to: string; action: LinkClaims['action']; target: string },
): SentLink {
  const found = mailer
    .to(query.to)
    .flatMap(linksIn)
    .filter((l) => l.claims.action === query.action && l.claims.target === query.target);
  if (found.length === 0) throw new Error(`no ${query.action} link for ${query.target} sent to ${query.to}`);
  return found[found.length - 1] as SentLink;
}

/** A token signed with the fake keys, as the gate emails would carry it (a fresh nonce by default). */
export async function signedToken(
  deps: Pick<Fakes, 'keys' | 'config' | 'clock'>,
  link: Pick<LinkClaims, 'planId' | 'action' | 'target' | 'recipient'> & Partial<LinkClaims>,
): Promise<string> {
  const { kid, key } = await deps.keys.current();
  return signLink(
    deps.config.tenant,
    {
      kid,
      exp: Math.floor(deps.clock.now().getTime() / 1000) + deps.config.linkTtlDays * 86_400,
      nonce: newNonce(),
      ...link,
    },
    key,
  );
}
