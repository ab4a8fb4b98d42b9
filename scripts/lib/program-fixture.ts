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
  | { kind: 'lost'; closedOn: string };

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

  const fate = row.fate;
  const currentIndex = fate.kind === 'active' ? fate.stage - 1 : STAGE_KEYS.length - 1;
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
    const isCurrentActive = fate.kind === 'active' && index === currentIndex;
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
      return { ...m, status: 'done', doneAt: stages[m.stage].passedAt, doneBy: m.owner.email };
    }
    const offsetDays = m.stage === currentStage ? (fate.pastDeadline ? -3 : 30) : 60;
    const due = dateOf(now.getTime() + offsetDays * DAY);
    return { ...m, due, dueAt: dueInstant(due, m.owner.timezone) };
  });

  const closed = fate.kind !== 'active';
  const result: Deal = {
    ...deal,
    stage: STAGE_KEYS[currentIndex] as Deal['stage'],
    stages,
    status: fate.kind === 'active' ? 'active' : fate.kind,
    ...(closed
      ? {
          outcome: {
            result: fate.kind,
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
  return { deal: result, milestones: ms };
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
