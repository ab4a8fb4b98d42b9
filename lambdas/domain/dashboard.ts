import { type Deal, daysInStages, type MilestoneState, stageDeadline } from './deal';
import { GHOSTING_DAYS, STALL_DAYS } from './defaults';
import { partiesOwingMoves } from './notifications';
import { samePartner } from './partner-plans';
import { STAGES } from './playbook';
import { originalCloseDate } from './slips';
import { daysBetween } from './time';
import { isStageKey, type Party, type StageKey } from './vocabulary';

/**
 * The ops dashboard: one row per active deal, with its health, so ops see at a glance whose move it is.
 *
 * How each column is computed
 * - Days in stage: whole calendar days (UTC dates) since the current stage opened.
 * - Whose move: the parties yet to confirm the current gate and those owning its open milestones.
 * - Next due item: the open milestone of the current stage due first; with none open, the gate's
 *   confirmation, due at the stage's deadline. Days overdue: whole UTC calendar days from its due date to
 *   today (0 when due today or later).
 * - Close date: the plan's current close date; `movedDays` = current − as loaded (undoing every slip), in
 *   calendar days; `slips` = how many slips the deal's milestones took.
 * - Health, the first that applies:
 *   - `needs-attention`: the reliability check flagged the deal (`deal.needsAttention`) or an email about it
 *     bounced for good (`deliveryProblems`);
 *   - `stalled`: the next due item is 7 or more days overdue, or the stage has been open more than the stall
 *     threshold (`stallDays`, default 14);
 *   - `at-risk`: 1 to 6 days overdue, a slip proposal waiting for an answer, or a party ghosting (owning open
 *     work at the current stage and silent more than `ghostingDays`, default 7, since its last action or
 *     the stage's opening, whichever is later);
 *   - `on-track`: otherwise.
 * - Order: the deals that need someone's move first: by health (needs attention, stalled, at risk, on
 *   track), then most days overdue, then next due soonest, then plan id.
 */

export const HEALTHS = ['needs-attention', 'stalled', 'at-risk', 'on-track'] as const;
export type Health = (typeof HEALTHS)[number];
export const HEALTH_LABELS: Record<Health, string> = {
  'needs-attention': 'Needs attention',
  stalled: 'Stalled',
  'at-risk': 'At risk',
  'on-track': 'On track',
};

export function isHealth(value: unknown): value is Health {
  return (HEALTHS as readonly unknown[]).includes(value);
}

/** Days overdue from which current work makes a deal stalled rather than at risk. */
export const STALLED_OVERDUE_DAYS = 7;

export interface DashboardFilters {
  partner?: string;
  /** The vendor owner's email, case-insensitive. */
  owner?: string;
  stage?: StageKey;
  health?: Health;
}

export interface DashboardRow {
  planId: string;
  name: string;
  partner: string;
  account: string;
  vendorOwner: { name: string; email: string };
  stage: StageKey;
  stageNumber: number;
  stageTitle: string;
  daysInStage: number;
  whoseMove: { party: Party; name?: string }[];
  nextDue: { kind: 'milestone' | 'gate'; title: string; due: string; owner?: Party; daysOverdue: number };
  closeDate: { now: string; planned: string; movedDays: number; slips: number };
  arr: { min: number; max: number; currency: string };
  attribution: 'sourced' | 'influenced';
  health: Health;
  /** Why the deal has its health, in words (empty when on track). */
  reasons: string[];
}

export interface DashboardOptions {
  stallDays?: number;
  ghostingDays?: number;
  defaultTimezone?: string;
}

const utcDate = (instant: string | Date) => new Date(instant).toISOString().slice(0, 10);

/** A slip proposal waiting for an answer, on the deal or on a milestone of it. */
export function pendingSlipProposal(deal: Deal, _milestones: readonly MilestoneState[]): boolean {
  // slips.ts keeps a proposal on the deal until the vendor owner approves or declines it.
  return deal.slipProposal !== undefined;
}

/** Parties owning open work now and silent more than `ghostingDays`. */
export function ghostingParties(
  deal: Deal,
  milestones: readonly MilestoneState[],
  now: Date,
  ghostingDays = GHOSTING_DAYS,
): Party[] {
  const opened = deal.stages[deal.stage].openedAt ?? deal.createdAt;
  const silent = partiesOwingMoves(deal, milestones as MilestoneState[], deal.stage).filter((party) => {
    const last = deal.lastActivity[party];
    const since = Math.max(Date.parse(opened), last ? Date.parse(last) : 0);
    return now.getTime() - since > ghostingDays * 86_400_000;
  });
  return silent;
}

/** One active deal as a dashboard row. */
export function dashboardRow(
  { deal, milestones = [] }: { deal: Deal; milestones?: MilestoneState[] },
  now: Date,
  options: DashboardOptions = {},
): DashboardRow {
  const stage = deal.stage;
  const stallDays = options.stallDays ?? STALL_DAYS;
  const today = utcDate(now);
  const daysInStage = daysInStages(deal, now)[stage];
  const open = milestones
    .filter((m) => m.stage === stage && m.status === 'open')
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.seq - b.seq);
  const first = open[0];
  const overdue = (dueAt: string) => Math.max(0, daysBetween(utcDate(dueAt), today));
  let nextDue: DashboardRow['nextDue'];
  if (first) {
    nextDue = {
      kind: 'milestone',
      title: first.title,
      due: first.dueAt,
      owner: first.owner.party,
      daysOverdue: overdue(first.dueAt),
    };
  } else {
    const deadline = stageDeadline(deal, milestones, stage, options.defaultTimezone ?? 'UTC').toISOString();
    nextDue = {
      kind: 'gate',
      title: `Confirm stage ${STAGES[stage].number} gate`,
      due: deadline,
      daysOverdue: overdue(deadline),
    };
  }
  const planned = originalCloseDate(deal.plan.jointOutcome.closeDate, milestones, deal.closeDateMoves);
  const slips = milestones.reduce((acc, m) => acc + m.slips.length, 0);

  const reasons: string[] = [];
  let health: Health = 'on-track';
  const attention = deal.needsAttention !== undefined;
  const bounced = (deal.deliveryProblems?.length ?? 0) > 0;
  const ghosting = ghostingParties(deal, milestones, now, options.ghostingDays);
  const proposal = pendingSlipProposal(deal, milestones);
  const late = nextDue.daysOverdue;
  if (attention) reasons.push('workflow problem');
  if (bounced) reasons.push('email delivery problem');
  if (late >= STALLED_OVERDUE_DAYS) reasons.push(`${late} days overdue`);
  if (daysInStage > stallDays) reasons.push(`stage open ${daysInStage} days (threshold ${stallDays})`);
  if (late >= 1 && late < STALLED_OVERDUE_DAYS)
    reasons.push(`${late} ${late === 1 ? 'day' : 'days'} overdue`);
  if (proposal) reasons.push('slip proposal pending');
  if (ghosting.length > 0) reasons.push(`${ghosting.join(', ')} ghosting`);
  if (attention || bounced) health = 'needs-attention';
  else if (late >= STALLED_OVERDUE_DAYS || daysInStage > stallDays) health = 'stalled';
  else if (late >= 1 || proposal || ghosting.length > 0) health = 'at-risk';

  const vendor = deal.plan.owners.vendor;
  return {
    planId: deal.planId,
    name: deal.plan.name,
    partner: deal.plan.partner.name,
    account: deal.plan.account.name,
    vendorOwner: { name: vendor.name, email: vendor.email },
    stage,
    stageNumber: STAGES[stage].number,
    stageTitle: STAGES[stage].title,
    daysInStage,
    whoseMove: partiesOwingMoves(deal, milestones, stage).map((party) => {
      const name = deal.plan.owners[party]?.name;
      return name ? { party, name } : { party };
    }),
    nextDue,
    closeDate: {
      now: deal.plan.jointOutcome.closeDate,
      planned,
      movedDays: daysBetween(planned, deal.plan.jointOutcome.closeDate),
      slips,
    },
    arr: { ...deal.plan.jointOutcome.arr },
    attribution: deal.plan.attribution,
    health,
    reasons,
  };
}

const RANK: Record<Health, number> = { 'needs-attention': 0, stalled: 1, 'at-risk': 2, 'on-track': 3 };

/** Deals needing someone's move first (see the order above). */
export function compareRows(a: DashboardRow, b: DashboardRow): number {
  return (
    RANK[a.health] - RANK[b.health] ||
    b.nextDue.daysOverdue - a.nextDue.daysOverdue ||
    a.nextDue.due.localeCompare(b.nextDue.due) ||
    a.planId.localeCompare(b.planId)
  );
}

export function matchesFilters(row: DashboardRow, filters: DashboardFilters): boolean {
  if (filters.partner && !samePartner(row.partner, filters.partner)) return false;
  if (filters.owner && row.vendorOwner.email.toLowerCase() !== filters.owner.trim().toLowerCase())
    return false;
  if (filters.stage && row.stage !== filters.stage) return false;
  if (filters.health && row.health !== filters.health) return false;
  return true;
}

export interface Dashboard {
  filters: DashboardFilters;
  /** Active deals (before the filters) by health. */
  counts: Record<Health, number>;
  rows: DashboardRow[];
}

/** Every active deal as a row, filtered and in order. */
export function dashboard(
  deals: readonly { deal: Deal; milestones?: MilestoneState[] }[],
  now: Date,
  filters: DashboardFilters = {},
  options: DashboardOptions = {},
): Dashboard {
  const all = deals.filter((d) => d.deal.status === 'active').map((d) => dashboardRow(d, now, options));
  const counts = Object.fromEntries(HEALTHS.map((h) => [h, 0])) as Record<Health, number>;
  for (const row of all) counts[row.health] += 1;
  return { filters, counts, rows: all.filter((r) => matchesFilters(r, filters)).sort(compareRows) };
}

/** Query parameters as filters; the problems with them, by parameter. */
export function readDashboardFilters(params: Record<string, string | undefined>): {
  filters: DashboardFilters;
  issues: { path: string; message: string }[];
} {
  const filters: DashboardFilters = {};
  const issues: { path: string; message: string }[] = [];
  const partner = params.partner?.trim();
  if (partner) filters.partner = partner;
  const owner = params.owner?.trim();
  if (owner) filters.owner = owner.toLowerCase();
  const stage = params.stage?.trim();
  if (stage) {
    if (isStageKey(stage)) filters.stage = stage;
    else issues.push({ path: 'stage', message: 'must be a stage key, such as door-opener' });
  }
  const health = params.health?.trim();
  if (health) {
    if (isHealth(health)) filters.health = health;
    else issues.push({ path: 'health', message: `must be one of ${HEALTHS.join(', ')}` });
  }
  return { filters, issues };
}
