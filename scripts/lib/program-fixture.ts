import { type Deal, dueInstant, type MilestoneState, startDeal } from '../../lambdas/domain/deal';
import type { DealSnapshot } from '../../lambdas/domain/ports';
import { STAGE_KEYS } from '../../lambdas/domain/vocabulary';
import { type PartnerPlan, parsePartnerPlan } from '../../lambdas/schemas/partner-plan.schema';
import type { Plan } from '../../lambdas/schemas/plan.schema';
import { DEFAULT_TZ, referencePlan, TENANT } from './reference-plan';

/**
 * A generated co-sell program with known answers: each recipe row stands for `count` identical deals whose
 * stage history is set directly (every instant at 12:00 UTC, so whole days are exact).
 */

const DAY = 86_400_000;

export type Fate =
  | { kind: 'active'; stage: 1 | 2 | 3 | 4 | 5; openDays: number; pastDeadline?: boolean }
  | { kind: 'won'; finalArr: number; closedOn: string }
  | { kind: 'lost'; closedOn: string }
  /** Closed before its last gate (the living-plan close): lost at `stage`, the earlier stages passed. */
  | {
      kind: 'closed';
      stage: 1 | 2 | 3 | 4 | 5;
      outcome: 'lost' | 'no-decision' | 'withdrawn';
      reason: string;
      closedOn: string;
    };

/** What makes an active deal's health (dashboard.ts); each applies to every deal of the row. */
export interface HealthRecipe {
  /** The current stage's milestones were due this many days before `now` (instead of 30 days after). */
  overdueDays?: number;
  /** Every party acted a day before `now`, so nobody counts as ghosting. */
  activeRecently?: boolean;
  /** A slip proposal waits on the current stage's first milestone. */
  slipProposal?: boolean;
  /** The reliability check flagged the deal (`deal.needsAttention`). */
  needsAttention?: boolean;
  /** An email about the deal bounced for good. */
  deliveryProblem?: boolean;
  /** The current stage's first milestone slipped this many days, and the close date with it. */
  slipDays?: number;
}

export interface RecipeRow {
  count: number;
  attribution: 'sourced' | 'influenced';
  /** The plan's ARR range; its midpoint is the deal's pipeline. */
  arr: [number, number];
  currency?: string;
  fate: Fate;
  /** Days each passed stage stayed open, stage 1 first. */
  days: number[];
  account?: { name: string; domain?: string };
  /** The plan's close date (the reference plan's 2027-02-26 when absent). */
  closeDate?: string;
  /** The economic split's partner fee, percent (the reference plan's 20 when absent). */
  feePercent?: number;
  vendorOwner?: { name: string; email: string };
  health?: HealthRecipe;
}

export interface Recipe {
  partner: string;
  rows: RecipeRow[];
}

const iso = (t: number) => new Date(t).toISOString();
const dateOf = (t: number) => iso(t).slice(0, 10);

/** One deal of a recipe row; `id` names it (`pl_<partner>_<row>_<n>`). */
export function generatedDeal(
  base: Plan,
  partner: string,
  row: RecipeRow,
  id: string,
  now: Date,
): DealSnapshot {
  const plan: Plan = structuredClone(base);
  plan.partner = { name: partner };
  plan.attribution = row.attribution;
  plan.jointOutcome.arr = { min: row.arr[0], max: row.arr[1], currency: row.currency ?? 'USD' };
  if (row.account) plan.account = { ...plan.account, ...row.account };
  if (row.account && !row.account.domain) delete plan.account.domain;
  if (row.closeDate) plan.jointOutcome.closeDate = row.closeDate;
  if (row.feePercent !== undefined) plan.economicSplit.partnerFeePercent = row.feePercent;
  if (row.vendorOwner) plan.owners.vendor = { ...plan.owners.vendor, ...row.vendorOwner };

  const fate = row.fate;
  const open = fate.kind === 'active' || fate.kind === 'closed';
  const currentIndex = open ? fate.stage - 1 : STAGE_KEYS.length - 1;
  // The instant the last stage of interest opened (active) or passed (closed).
  const end =
    fate.kind === 'active' ? now.getTime() - fate.openDays * DAY : Date.parse(`${fate.closedOn}T12:00:00Z`);
  const created = new Date(end - row.days.reduce((a, b) => a + b, 0) * DAY - DAY);
  const { deal, milestones } = startDeal(
    plan,
    { planId: id, tenant: TENANT, defaultTimezone: DEFAULT_TZ },
    created,
  );

  const stages = { ...deal.stages };
  let cursor = end; // walking back: the opening of the stage after the one being set
  for (let index = currentIndex; index >= 0; index--) {
    const key = STAGE_KEYS[index] as (typeof STAGE_KEYS)[number];
    const isCurrentActive = open && index === currentIndex;
    if (isCurrentActive) {
      stages[key] = { ...stages[key], status: 'open', openedAt: iso(end) };
      continue;
    }
    const passedAt = cursor;
    const openedAt = passedAt - (row.days[index] ?? 0) * DAY;
    stages[key] = {
      status: 'passed',
      openedAt: iso(openedAt),
      passedAt: iso(passedAt),
      confirmations: plan.stages[key].confirmedBy.map((party) => ({
        party,
        by: plan.owners[party]?.email ?? party,
        at: iso(passedAt),
        evidence: {},
      })),
      escalations: 0,
    };
    cursor = openedAt;
  }

  const currentStage = STAGE_KEYS[currentIndex];
  const ms: MilestoneState[] = milestones.map((m) => {
    const index = STAGE_KEYS.indexOf(m.stage);
    if (fate.kind !== 'active' || index < currentIndex) {
      if (fate.kind === 'closed' && index >= currentIndex) return m;
      return { ...m, status: 'done', doneAt: stages[m.stage].passedAt, doneBy: m.owner.email };
    }
    const overdue = row.health?.overdueDays;
    const current = fate.pastDeadline ? -3 : overdue !== undefined ? -overdue : 30;
    const offsetDays = m.stage === currentStage ? current : 60;
    const due = dateOf(now.getTime() + offsetDays * DAY);
    return { ...m, due, dueAt: dueInstant(due, m.owner.timezone) };
  });

  const closed = fate.kind !== 'active';
  const stage = STAGE_KEYS[currentIndex] as Deal['stage'];
  const result: Deal = {
    ...deal,
    stage,
    stages,
    status: fate.kind === 'active' ? 'active' : fate.kind === 'closed' ? 'lost' : fate.kind,
    ...(fate.kind === 'closed'
      ? {
          closed: {
            outcome: fate.outcome,
            reason: fate.reason,
            stage,
            at: iso(end),
            by: plan.owners.vendor.email,
          },
        }
      : {}),
    ...(closed
      ? {
          outcome: {
            result: fate.kind === 'won' ? 'won' : 'lost',
            finalArr: fate.kind === 'won' ? fate.finalArr : 0,
            currency: row.currency ?? 'USD',
            lesson: 'Generated.',
            at: iso(end),
            by: plan.owners.vendor.email,
          },
          registeredAt: iso(end),
        }
      : {}),
    updatedAt: iso(end),
  };
  return fate.kind === 'active' && row.health
    ? withHealth({ deal: result, milestones: ms }, row.health, now)
    : { deal: result, milestones: ms };
}

/** Sets what a health recipe asks for on an active deal (fields others may read defensively, too). */
function withHealth(snapshot: DealSnapshot, health: HealthRecipe, now: Date): DealSnapshot {
  let { deal, milestones } = snapshot;
  const yesterday = iso(now.getTime() - DAY);
  if (health.activeRecently)
    deal = { ...deal, lastActivity: { vendor: yesterday, partner: yesterday, customer: yesterday } };
  if (health.needsAttention)
    deal = {
      ...deal,
      needsAttention: { what: 'the stage gate email', error: 'generated', since: yesterday },
    };
  if (health.deliveryProblem) {
    deal = {
      ...deal,
      deliveryProblems: [
        { at: yesterday, to: deal.plan.owners.partner.email, code: 'bounce', message: 'generated', keys: [] },
      ],
    };
  }
  const first = milestones
    .filter((m) => m.stage === deal.stage && m.status === 'open')
    .sort((a, b) => a.seq - b.seq)[0];
  if (first && (health.slipProposal || health.slipDays)) {
    milestones = milestones.map((m) => {
      if (m !== first) return m;
      const slipped = health.slipDays
        ? {
            slips: [
              {
                from: dateOf(Date.parse(`${m.due}T12:00:00Z`) - health.slipDays * DAY),
                to: m.due,
                at: yesterday,
                by: m.owner.email,
              },
            ],
          }
        : {};
      return { ...m, ...slipped };
    });
  }
  if (first && health.slipProposal) {
    // A proposal to move the close date 45 days out, waiting for the vendor owner (slips.ts).
    const to = dateOf(now.getTime() + 45 * DAY);
    const closeDate = deal.plan.jointOutcome.closeDate;
    deal = {
      ...deal,
      slipProposal: {
        milestoneId: first.milestoneId,
        title: first.title,
        days: 45,
        from: first.due,
        to,
        by: first.owner.email,
        reason: 'generated',
        at: yesterday,
        replan: {
          days: 45,
          moved: [],
          closeDate: { from: closeDate, to: dateOf(Date.parse(`${closeDate}T12:00:00Z`) + 45 * DAY) },
        },
      },
    };
  }
  return { deal, milestones };
}

/** Every deal of every recipe, ids `pl_<partner index>_<row index>_<n>`. */
export function generateProgram(recipes: Recipe[], now: Date): DealSnapshot[] {
  const base = referencePlan();
  return recipes.flatMap((recipe, p) =>
    recipe.rows.flatMap((row, r) =>
      Array.from({ length: row.count }, (_, i) =>
        generatedDeal(base, recipe.partner, row, `pl_${p}_${r}_${i}`, now),
      ),
    ),
  );
}

/** A valid partner plan for `partner`, with a target and the reference plan's account on its list. */
export function partnerPlanFixture(
  partner: string,
  target: { quarter: string; arr: number; currency?: string },
  accounts: { name: string; domain?: string }[] = [{ name: 'Globex Corporation', domain: 'globex.example' }],
): PartnerPlan {
  const slug =
    partner
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'partner';
  return parsePartnerPlan({
    apiVersion: 'cosell/v1',
    kind: 'PartnerPlan',
    partner: { name: partner },
    owners: {
      vendor: { name: 'Sam Ortiz', email: 'sam.ortiz@vendor.example', timezone: 'America/Chicago' },
      partner: { name: 'Pat Lee', email: `pat.lee@${slug}.example`, timezone: 'Europe/London' },
    },
    targetAccounts: accounts,
    motion: { fronts: 'partner', partnerJoinsAt: 'target-account-selection' },
    creditRules: {
      sourcedIf: 'partner-brought-deal',
      influencedIf: 'partner-worked-deal',
      text: 'Sourced when the partner brought the deal; influenced when it worked any stage.',
    },
    cadence: { weekday: 'THU', time: '10:00', timezone: 'America/Chicago', attendees: ['vendor', 'partner'] },
    quarterlyTarget: { currency: 'USD', ...target },
  });
}

/**
 * The program the report tests check by hand (510 deals, 5 partners, now = 2027-03-20 12:00 UTC, in
 * 2027-Q1). Litware Alliance has no partner plan; Tailspin Cloud has 20 deals in EUR.
 */
export const PROGRAM_NOW = new Date('2027-03-20T12:00:00Z');

export const PROGRAM: Recipe[] = [
  {
    partner: 'Northwind Integrators',
    rows: [
      {
        count: 30,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        fate: { kind: 'active', stage: 2, openDays: 3 },
        days: [4],
      },
      {
        count: 20,
        attribution: 'influenced',
        arr: [40_000, 60_000],
        fate: { kind: 'active', stage: 3, openDays: 20 },
        days: [2, 6],
      },
      {
        count: 25,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        fate: { kind: 'won', finalArr: 90_000, closedOn: '2027-02-10' },
        days: [3, 5, 7, 9, 11],
      },
      {
        count: 15,
        attribution: 'influenced',
        arr: [50_000, 70_000],
        fate: { kind: 'won', finalArr: 60_000, closedOn: '2026-11-15' },
        days: [1, 2, 3, 4, 5],
        account: { name: 'Initech', domain: 'initech.example' },
      },
      {
        count: 20,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        fate: { kind: 'lost', closedOn: '2027-01-05' },
        days: [2, 4, 6, 8, 10],
      },
    ],
  },
  {
    partner: 'Contoso Partners',
    rows: [
      {
        count: 40,
        attribution: 'influenced',
        arr: [100_000, 200_000],
        fate: { kind: 'active', stage: 1, openDays: 15 },
        days: [],
      },
      {
        count: 10,
        attribution: 'sourced',
        arr: [50_000, 50_000],
        fate: { kind: 'active', stage: 4, openDays: 14 },
        days: [1, 1, 1],
      },
      {
        count: 30,
        attribution: 'influenced',
        arr: [100_000, 140_000],
        fate: { kind: 'won', finalArr: 120_000, closedOn: '2027-03-01' },
        days: [2, 2, 2, 2, 2],
      },
      {
        count: 20,
        attribution: 'influenced',
        arr: [100_000, 140_000],
        fate: { kind: 'lost', closedOn: '2027-02-01' },
        days: [3, 3, 3, 3, 3],
      },
    ],
  },
  {
    partner: 'Fabrikam Services',
    rows: [
      {
        count: 50,
        attribution: 'sourced',
        arr: [20_000, 30_000],
        fate: { kind: 'active', stage: 5, openDays: 2, pastDeadline: true },
        days: [1, 2, 3, 4],
      },
      {
        count: 30,
        attribution: 'sourced',
        arr: [20_000, 30_000],
        fate: { kind: 'won', finalArr: 25_000, closedOn: '2027-01-15' },
        days: [1, 2, 3, 4, 5],
      },
      {
        count: 20,
        attribution: 'sourced',
        arr: [20_000, 40_000],
        fate: { kind: 'won', finalArr: 30_000, closedOn: '2026-12-20' },
        days: [1, 2, 3, 4, 5],
      },
    ],
  },
  {
    partner: 'Litware Alliance',
    rows: [
      {
        count: 60,
        attribution: 'influenced',
        arr: [10_000, 20_000],
        fate: { kind: 'active', stage: 3, openDays: 0 },
        days: [7, 7],
      },
      {
        count: 40,
        attribution: 'influenced',
        arr: [10_000, 20_000],
        fate: { kind: 'lost', closedOn: '2027-03-10' },
        days: [1, 1, 1, 1, 1],
      },
    ],
  },
  {
    partner: 'Tailspin Cloud',
    rows: [
      {
        count: 45,
        attribution: 'sourced',
        arr: [60_000, 60_000],
        fate: { kind: 'active', stage: 2, openDays: 30 },
        days: [10],
      },
      {
        count: 10,
        attribution: 'sourced',
        arr: [60_000, 60_000],
        currency: 'EUR',
        fate: { kind: 'active', stage: 2, openDays: 1 },
        days: [10],
      },
      {
        count: 35,
        attribution: 'influenced',
        arr: [60_000, 80_000],
        fate: { kind: 'won', finalArr: 70_000, closedOn: '2027-03-19' },
        days: [5, 5, 5, 5, 5],
      },
      {
        count: 10,
        attribution: 'sourced',
        arr: [70_000, 90_000],
        currency: 'EUR',
        fate: { kind: 'won', finalArr: 80_000, closedOn: '2027-02-02' },
        days: [5, 5, 5, 5, 5],
      },
    ],
  },
];

/** Partner plans for the program: every partner but Litware Alliance. */
export function programPartnerPlans(): PartnerPlan[] {
  return [
    partnerPlanFixture('Northwind Integrators', { quarter: '2027-Q1', arr: 3_000_000 }),
    partnerPlanFixture('Contoso Partners', { quarter: '2027-Q1', arr: 1_000_000 }),
    partnerPlanFixture('Fabrikam Services', { quarter: '2027-Q1', arr: 500_000 }),
    partnerPlanFixture('Tailspin Cloud', { quarter: '2027-Q1', arr: 2_000_000 }),
  ];
}
