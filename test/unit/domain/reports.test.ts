import { describe, expect, it } from 'vitest';
import { performAction } from '../../../lambdas/domain/actions';
import { type Deal, type MilestoneState, openStage, startDeal } from '../../../lambdas/domain/deal';
import type { LinkAction } from '../../../lambdas/domain/links';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import {
  type Figures,
  median,
  type PartnerFigures,
  programReport,
  stalledDeal,
} from '../../../lambdas/domain/reports';
import { STAGE_KEYS, type StageKey } from '../../../lambdas/domain/vocabulary';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  partnerPlanFixture,
  programPartnerPlans,
} from '../../../scripts/lib/program-fixture';
import { DEFAULT_TZ, PEOPLE, referencePlan, TENANT } from '../../helpers/plan';

// Every expected figure below is worked out by hand from the recipes in scripts/lib/program-fixture.ts; the
// comments show the arithmetic (rows are named A1..E4: partner letter, row number).

const snapshots = generateProgram(PROGRAM, PROGRAM_NOW);
const report = programReport(snapshots, programPartnerPlans(), PROGRAM_NOW);

function partner(name: string): PartnerFigures {
  const found = report.partners.find((p) => p.partner === name);
  if (!found) throw new Error(`no partner ${name}`);
  return found;
}

type StageRow = [reached: number, passed: number, medianDays: number | null];

/** The figures a scope should have, stage rows in playbook order. */
function expectFigures(
  f: Figures,
  want: {
    deals: [total: number, active: number, won: number, lost: number];
    pipeline: [sourced: number, influenced: number];
    won: [sourced: number, influenced: number];
    winRate: number | null;
    stages: StageRow[];
    stalled: number;
    target: [quarter: string, target: number, won: number, progress: number] | null;
  },
) {
  const [total, active, won, lost] = want.deals;
  expect(f.deals).toEqual({ total, active, won, lost });
  expect(f.openPipeline).toEqual({
    sourced: want.pipeline[0],
    influenced: want.pipeline[1],
    total: want.pipeline[0] + want.pipeline[1],
  });
  expect(f.wonRevenue).toEqual({
    sourced: want.won[0],
    influenced: want.won[1],
    total: want.won[0] + want.won[1],
  });
  expect(f.winRate).toBe(want.winRate);
  expect(f.stages.map((s) => [s.stage, s.reached, s.passed, s.conversion, s.medianDays])).toEqual(
    want.stages.map(([reached, passed, days], i) => [
      STAGE_KEYS[i],
      reached,
      passed,
      reached === 0 ? null : passed / reached,
      days,
    ]),
  );
  expect(f.stalled).toBe(want.stalled);
  expect(f.quarterlyTarget).toEqual(
    want.target
      ? {
          quarter: want.target[0],
          currency: 'USD',
          target: want.target[1],
          won: want.target[2],
          progress: want.target[3],
        }
      : null,
  );
}

describe('programReport over 510 generated deals across 5 partners', () => {
  it('covers the generated set', () => {
    expect(snapshots).toHaveLength(510);
    expect(report.partners.map((p) => p.partner)).toEqual([
      'Contoso Partners',
      'Fabrikam Services',
      'Litware Alliance',
      'Northwind Integrators',
      'Tailspin Cloud',
    ]);
    expect(report.currency).toBe('USD');
    expect(report.quarter).toBe('2027-Q1');
    expect(report.stallDays).toBe(14);
    expect(report.generatedAt).toBe('2027-03-20T12:00:00.000Z');
  });

  it('Northwind Integrators', () => {
    expectFigures(partner('Northwind Integrators'), {
      deals: [110, 50, 40, 20], // active A1 30 + A2 20; won A3 25 + A4 15; lost A5 20
      pipeline: [30 * 100_000, 20 * 50_000], // midpoints of 80-120k and 40-60k
      won: [25 * 90_000, 15 * 60_000],
      winRate: 40 / 60,
      stages: [
        // stage 1: all passed; days 1×15, 2×40 (A2, A5), 3×25, 4×30: 55th and 56th are 2 and 3
        [110, 110, 2.5],
        // stage 2: A1 still open; days 2×15, 4×20, 5×25, 6×20: 40th and 41st are 5
        [110, 80, 5],
        // stage 3: A2 open; days 3×15, 6×20, 7×25: 30th and 31st are 6
        [80, 60, 6],
        // stage 4: days 4×15, 8×20, 9×25
        [60, 60, 8],
        // stage 5: A5 lost there (not passed); days 5×15, 11×25: 20th and 21st are 11
        [60, 40, 11],
      ],
      stalled: 20, // A2: 20 days > 14
      target: ['2027-Q1', 3_000_000, 25 * 90_000, 0.75], // A4 won in 2026-Q4
    });
    expect(partner('Northwind Integrators').hasPartnerPlan).toBe(true);
    // A4's account, Initech, is not on Northwind's list.
    const offList = partner('Northwind Integrators').offListAccounts;
    expect(offList).toHaveLength(15);
    expect(new Set(offList.map((o) => o.account))).toEqual(new Set(['Initech']));
    expect(offList.map((o) => o.planId).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => `pl_0_3_${i}`).sort(),
    );
  });

  it('Contoso Partners', () => {
    expectFigures(partner('Contoso Partners'), {
      deals: [100, 50, 30, 20],
      pipeline: [10 * 50_000, 40 * 150_000],
      won: [0, 30 * 120_000],
      winRate: 30 / 50,
      stages: [
        // B1 open in stage 1; days 1×10, 2×30, 3×20: 30th and 31st are 2
        [100, 60, 2],
        [60, 60, 2],
        [60, 60, 2],
        // B2 open in stage 4 (14 days: not more than 14, so not stalled)
        [60, 50, 2],
        [50, 30, 2],
      ],
      stalled: 40, // B1: 15 days > 14
      target: ['2027-Q1', 1_000_000, 30 * 120_000, 3.6],
    });
    expect(partner('Contoso Partners').offListAccounts).toEqual([]);
  });

  it('Fabrikam Services', () => {
    expectFigures(partner('Fabrikam Services'), {
      deals: [100, 50, 50, 0],
      pipeline: [50 * 25_000, 0],
      won: [30 * 25_000 + 20 * 30_000, 0],
      winRate: 1,
      stages: [
        [100, 100, 1],
        [100, 100, 2],
        [100, 100, 3],
        [100, 100, 4],
        [100, 50, 5], // C1 open in stage 5
      ],
      stalled: 50, // C1: 2 days, but past the gate's deadline
      target: ['2027-Q1', 500_000, 30 * 25_000, 1.5], // C3 won in 2026-Q4
    });
  });

  it('Litware Alliance (no partner plan)', () => {
    expectFigures(partner('Litware Alliance'), {
      deals: [100, 60, 0, 40],
      pipeline: [0, 60 * 15_000],
      won: [0, 0],
      winRate: 0,
      stages: [
        // days 1×40, 7×60: 50th and 51st are 7
        [100, 100, 7],
        [100, 100, 7],
        [100, 40, 1], // D1 open in stage 3 (0 days)
        [40, 40, 1],
        [40, 0, null], // every D2 deal lost in stage 5
      ],
      stalled: 0,
      target: null,
    });
    expect(partner('Litware Alliance').hasPartnerPlan).toBe(false);
    expect(partner('Litware Alliance').offListAccounts).toEqual([]);
  });

  it('Tailspin Cloud (20 deals in EUR left out of USD amounts)', () => {
    expectFigures(partner('Tailspin Cloud'), {
      deals: [100, 55, 45, 0],
      pipeline: [45 * 60_000, 0], // E2 is EUR
      won: [0, 35 * 70_000], // E4 is EUR
      winRate: 1,
      stages: [
        // days 5×45 (E3, E4), 10×55 (E1, E2): 50th and 51st are 10
        [100, 100, 10],
        [100, 45, 5],
        [45, 45, 5],
        [45, 45, 5],
        [45, 45, 5],
      ],
      stalled: 45, // E1: 30 days
      target: ['2027-Q1', 2_000_000, 35 * 70_000, 1.225],
    });
    expect(report.otherCurrency).toHaveLength(20);
    expect(new Set(report.otherCurrency.map((o) => `${o.partner}/${o.currency}`))).toEqual(
      new Set(['Tailspin Cloud/EUR']),
    );
  });

  it('in total', () => {
    expectFigures(report.total, {
      deals: [510, 50 + 50 + 50 + 60 + 55, 40 + 30 + 50 + 0 + 45, 20 + 20 + 0 + 40 + 0],
      pipeline: [3_000_000 + 500_000 + 1_250_000 + 2_700_000, 1_000_000 + 6_000_000 + 900_000],
      won: [2_250_000 + 1_350_000, 900_000 + 3_600_000 + 2_450_000],
      winRate: 165 / 245,
      stages: [
        // passed-stage days: 1×165, 2×70, 3×45, 4×30, 5×45, 7×60, 10×55 (n 470): 235th 2, 236th 3
        [510, 470, 2.5],
        // 1×50, 2×145, 3×20, 4×20, 5×70, 6×20, 7×60 (n 385): 193rd is 2
        [470, 385, 2],
        // 1×50, 2×30, 3×135, 5×45, 6×20, 7×25 (n 305): 153rd is 3
        [385, 305, 3],
        // 1×40, 2×30, 3×20, 4×115, 5×45, 8×20, 9×25 (n 295): 148th is 4
        [305, 295, 4],
        // 2×30, 5×110, 11×25 (n 165): 83rd is 5
        [295, 165, 5],
      ],
      stalled: 20 + 40 + 50 + 45,
      // targets of the four partners with a plan; their 2027-Q1 wins
      target: [
        '2027-Q1',
        6_500_000,
        2_250_000 + 3_600_000 + 750_000 + 2_450_000,
        (2_250_000 + 3_600_000 + 750_000 + 2_450_000) / 6_500_000,
      ],
    });
  });

  it('lists each stalled deal with its stage, days, deadline and whose move it is, longest first', () => {
    const who = {
      vendorPartner: [
        { party: 'vendor', name: 'Ana Ruiz' },
        { party: 'partner', name: 'Dana Whit' },
      ],
      vendorCustomer: [
        { party: 'vendor', name: 'Ana Ruiz' },
        { party: 'customer', name: 'Lee Park' },
      ],
      partner: [{ party: 'partner', name: 'Dana Whit' }],
    };
    const expected = [
      // [row id prefix, count, stage, days, past deadline, whose move]
      ['pl_4_0_', 45, 'door-opener', 30, false, who.partner],
      ['pl_0_1_', 20, 'joint-discovery', 20, false, who.vendorPartner],
      ['pl_1_0_', 40, 'target-account-selection', 15, false, who.vendorPartner],
      ['pl_2_0_', 50, 'close-register-review', 2, true, who.vendorCustomer],
    ] as const;
    expect(report.stalled).toHaveLength(155);
    let at = 0;
    for (const [prefix, count, stage, days, pastDeadline, whoseMove] of expected) {
      const slice = report.stalled.slice(at, at + count);
      at += count;
      expect(slice.map((s) => s.planId).sort()).toEqual(
        Array.from({ length: count }, (_, i) => `${prefix}${i}`).sort(),
      );
      for (const s of slice) {
        expect(s).toMatchObject({ stage, days, pastDeadline, overThreshold: days > 14, whoseMove });
      }
    }
    const c1 = report.stalled.find((s) => s.planId === 'pl_2_0_0');
    expect(c1).toMatchObject({
      partner: 'Fabrikam Services',
      account: 'Globex Corporation',
      stageNumber: 5,
      stageTitle: 'Close, register, review',
      // the later of its milestones' due times: procurement, 2027-03-17 17:00 America/Los_Angeles (PDT)
      deadline: '2027-03-18T00:00:00.000Z',
      waitingFor: {
        confirmations: ['vendor'],
        milestones: ['Globex procurement sign-off', 'Thirty-minute joint debrief'],
      },
    });
  });

  it('reports one partner alone with --partner, case-insensitively', () => {
    const one = programReport(snapshots, programPartnerPlans(), PROGRAM_NOW, {
      partner: 'northwind integrators',
    });
    expect(one.partners.map((p) => p.partner)).toEqual(['Northwind Integrators']);
    expect(one.partnerFilter).toBe('northwind integrators');
    expect(one.total.deals.total).toBe(110);
    expect(one.total.openPipeline.total).toBe(4_000_000);
    expect(one.total.quarterlyTarget).toEqual({
      quarter: '2027-Q1',
      currency: 'USD',
      target: 3_000_000,
      won: 2_250_000,
      progress: 0.75,
    });
    expect(one.stalled).toHaveLength(20);
  });

  it('honours a different stall threshold and report currency', () => {
    const strict = programReport(snapshots, programPartnerPlans(), PROGRAM_NOW, { stallDays: 2 });
    // more than 2 days: A1 30 (3 d) + A2 20 + B1 40 + B2 10 (14 d) + E1 45; C1 50 is past its deadline
    expect(strict.total.stalled).toBe(195);
    const eur = programReport(snapshots, programPartnerPlans(), PROGRAM_NOW, { currency: 'EUR' });
    expect(eur.total.openPipeline).toEqual({ sourced: 10 * 60_000, influenced: 0, total: 600_000 });
    expect(eur.total.wonRevenue).toEqual({ sourced: 10 * 80_000, influenced: 0, total: 800_000 });
    expect(eur.otherCurrency).toHaveLength(490);
    // no partner target is in EUR, so there is no total target
    expect(eur.total.quarterlyTarget).toBeNull();
  });

  it('lists a partner plan without deals with zeros and its target', () => {
    const plans = [
      ...programPartnerPlans(),
      partnerPlanFixture('Adatum Partners', { quarter: '2027-Q1', arr: 100_000 }),
    ];
    const withNew = programReport(snapshots, plans, PROGRAM_NOW);
    const adatum = withNew.partners.find((p) => p.partner === 'Adatum Partners');
    expect(adatum?.deals).toEqual({ total: 0, active: 0, won: 0, lost: 0 });
    expect(adatum?.winRate).toBeNull();
    expect(adatum?.stages.every((s) => s.conversion === null && s.medianDays === null)).toBe(true);
    expect(adatum?.quarterlyTarget).toEqual({
      quarter: '2027-Q1',
      currency: 'USD',
      target: 100_000,
      won: 0,
      progress: 0,
    });
    expect(withNew.total.quarterlyTarget?.target).toBe(6_600_000);
  });

  it('is empty but well-formed with no deals', () => {
    const empty = programReport([], [], PROGRAM_NOW);
    expect(empty.currency).toBe('USD');
    expect(empty.partners).toEqual([]);
    expect(empty.total.winRate).toBeNull();
    expect(empty.total.quarterlyTarget).toBeNull();
    expect(empty.stalled).toEqual([]);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('deals played through real link actions', () => {
  const start = new Date('2026-12-01T15:00:00Z');
  const day = 86_400_000;

  /** Plays the reference deal through every gate with performAction, one stage a day, to `result`. */
  function play(result: 'won' | 'lost', planId: string): DealSnapshot {
    let { deal, milestones } = startDeal(
      referencePlan(),
      { planId, tenant: TENANT, defaultTimezone: DEFAULT_TZ },
      start,
    );
    const act = (action: LinkAction, target: string, recipient: string, at: Date, input = {}) => {
      const m = milestones.find((x) => x.milestoneId === target);
      const stage = (m?.stage ?? target) as StageKey;
      const out = performAction(
        { kid: 'k', planId, action, target, recipient, exp: 2_000_000_000, nonce: 'n' },
        { stage, ...(m ? { milestone: m } : {}) },
        input,
        deal,
        milestones,
        at,
      );
      deal = out.deal;
      milestones = milestones.map((x) => out.milestones.find((c) => c.milestoneId === x.milestoneId) ?? x);
    };
    const owner = { vendor: PEOPLE.ana, partner: PEOPLE.dana, customer: PEOPLE.lee } as const;
    let at = start;
    STAGE_KEYS.forEach((stage, i) => {
      // stage i + 1 stays open i + 1 days
      const passAt = new Date(at.getTime() + (i + 1) * day);
      deal = openStage(deal, stage, at);
      at = passAt;
      for (const m of milestones.filter((x: MilestoneState) => x.stage === stage)) {
        act('milestone-done', m.milestoneId, m.owner.email, passAt);
      }
      for (const party of deal.plan.stages[stage].confirmedBy) {
        const input =
          stage === 'close-register-review' ? { outcome: result, finalArr: 100_000, lesson: 'Played.' } : {};
        act('confirm-gate', stage, owner[party], passAt, input);
      }
    });
    return { deal, milestones };
  }

  it('counts a won and a lost deal as the workflow leaves them', () => {
    const won = play('won', 'pl_played_won');
    const lost = play('lost', 'pl_played_lost');
    expect(won.deal.status).toBe('won');
    expect(lost.deal.status).toBe('lost');
    const r = programReport([won, lost], [], new Date('2027-01-15T12:00:00Z'));
    expect(r.total.deals).toEqual({ total: 2, active: 0, won: 1, lost: 1 });
    expect(r.total.winRate).toBe(0.5);
    expect(r.total.wonRevenue).toEqual({ sourced: 100_000, influenced: 0, total: 100_000 });
    expect(r.total.openPipeline.total).toBe(0);
    // both passed stages 1-4; only the won deal passed stage 5
    expect(r.total.stages.map((s) => [s.reached, s.passed])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 1],
    ]);
    expect(r.total.stages.map((s) => s.medianDays)).toEqual([1, 2, 3, 4, 5]);
    expect(r.stalled).toEqual([]);
  });

  it('flags an active deal past its gate deadline even when recently opened', () => {
    const { deal, milestones } = startDeal(
      referencePlan(),
      { planId: 'pl_x', tenant: TENANT, defaultTimezone: DEFAULT_TZ },
      start,
    );
    const opened: Deal = openStage(deal, 'target-account-selection', start);
    // fit-check is due 2026-12-04 17:00 Chicago
    expect(stalledDeal({ deal: opened, milestones }, new Date('2026-12-04T22:59:00Z'))).toBeUndefined();
    expect(stalledDeal({ deal: opened, milestones }, new Date('2026-12-04T23:01:00Z'))).toMatchObject({
      days: 3,
      pastDeadline: true,
      overThreshold: false,
      whoseMove: [
        { party: 'vendor', name: 'Ana Ruiz' },
        { party: 'partner', name: 'Dana Whit' },
      ],
    });
  });
});
