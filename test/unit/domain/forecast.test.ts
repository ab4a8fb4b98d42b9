import { describe, expect, it } from 'vitest';
import { dashboard, readDashboardFilters } from '../../../lambdas/domain/dashboard';
import { dueInstant } from '../../../lambdas/domain/deal';
import { programReport } from '../../../lambdas/domain/reports';
import {
  FORECAST_PROGRAM,
  FORECAST_PROGRAM_COST,
  forecastPartnerPlans,
} from '../../../scripts/lib/forecast-program';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  programPartnerPlans,
} from '../../../scripts/lib/program-fixture';

// Every expected figure is worked out by hand from the recipes in scripts/lib/forecast-program.ts (rows
// A1..C5); the comments show the arithmetic. Midpoints: A1 100k, A2 50k, B1 150k, B2 50k, B3 30k, C1 25k,
// C2 70k. Default stage weights 10/20/40/60/80%.

const snapshots = generateProgram(FORECAST_PROGRAM, PROGRAM_NOW);
const report = programReport(snapshots, forecastPartnerPlans(), PROGRAM_NOW, {
  programCost: FORECAST_PROGRAM_COST,
});
const split = (sourced: number, influenced: number) => ({ sourced, influenced, total: sourced + influenced });
const ids = (p: number, r: number, n: number) => Array.from({ length: n }, (_, i) => `pl_${p}_${r}_${i}`);

describe('the dashboard over the generated program', () => {
  it('has every active deal, one row each, by health, needing a move first', () => {
    // 10 + 5 + 6 + 4 + 3 + 4 + 3 active deals.
    expect(report.dashboard.rows).toHaveLength(35);
    expect(report.dashboard.counts).toEqual({
      'needs-attention': 7,
      stalled: 9,
      'at-risk': 9,
      'on-track': 10,
    });
    // Needs attention: C2's next due (21:00 UTC, New York) before B2's (22:00 UTC, Chicago); stalled: B3 is
    // 9 days overdue, B1 not overdue; at risk: A2 3 days overdue, then C1; on track: A1.
    expect(report.dashboard.rows.map((r) => r.planId)).toEqual([
      ...ids(2, 1, 3),
      ...ids(1, 1, 4),
      ...ids(1, 2, 3),
      ...ids(1, 0, 6),
      ...ids(0, 1, 5),
      ...ids(2, 0, 4),
      ...ids(0, 0, 10),
    ]);
  });

  it('gives each row its stage, days, whose move, next due, close-date drift, ARR and the reasons', () => {
    const row = (id: string) => report.dashboard.rows.find((r) => r.planId === id);
    expect(row('pl_1_2_0')).toMatchObject({
      partner: 'Contoso Partners',
      account: 'Globex Corporation',
      vendorOwner: { name: 'Ana Ruiz', email: 'ana.ruiz@vendor.example' },
      stage: 'target-account-selection',
      stageNumber: 1,
      daysInStage: 2,
      nextDue: {
        kind: 'milestone',
        title: 'Confirm Globex fits both ideal customer profiles',
        due: dueInstant('2027-03-11', 'America/Chicago'),
        owner: 'vendor',
        daysOverdue: 9,
      },
      closeDate: { now: '2027-09-30', planned: '2027-09-30', movedDays: 0, slips: 0 },
      arr: { min: 20_000, max: 40_000, currency: 'USD' },
      attribution: 'sourced',
      health: 'stalled',
      reasons: ['9 days overdue'],
    });
    expect(row('pl_1_0_0')).toMatchObject({
      stage: 'joint-discovery',
      daysInStage: 20,
      whoseMove: [
        { party: 'vendor', name: 'Ana Ruiz' },
        { party: 'partner', name: 'Dana Whit' },
      ],
      nextDue: { daysOverdue: 0, due: dueInstant('2027-04-19', 'America/New_York') },
      health: 'stalled',
      reasons: ['stage open 20 days (threshold 14)', 'vendor, partner ghosting'],
    });
    // C2: slipped 10 days, so loaded with 2027-06-05; an email bounced.
    expect(row('pl_2_1_0')).toMatchObject({
      vendorOwner: { name: 'Sam Ortiz', email: 'sam.ortiz@vendor.example' },
      closeDate: { now: '2027-06-15', planned: '2027-06-05', movedDays: 10, slips: 1 },
      health: 'needs-attention',
      reasons: ['email delivery problem'],
    });
    expect(row('pl_1_1_0')).toMatchObject({ health: 'needs-attention', reasons: ['workflow problem'] });
    expect(row('pl_0_1_0')).toMatchObject({
      health: 'at-risk',
      reasons: ['3 days overdue'],
      nextDue: { daysOverdue: 3, owner: 'partner' },
    });
    expect(row('pl_2_0_0')).toMatchObject({ health: 'at-risk', reasons: ['slip proposal pending'] });
    expect(row('pl_0_0_0')).toMatchObject({ health: 'on-track', reasons: [], daysInStage: 3 });
  });

  it('filters by partner, vendor owner, stage and health; counts stay over every active deal', () => {
    const only = (params: Record<string, string>) => {
      const { filters, issues } = readDashboardFilters(params);
      expect(issues).toEqual([]);
      return dashboard(snapshots, PROGRAM_NOW, filters).rows.map((r) => r.planId);
    };
    expect(only({ partner: 'contoso partners' })).toHaveLength(13);
    expect(only({ owner: 'SAM.ORTIZ@vendor.example' })).toEqual([...ids(2, 1, 3), ...ids(2, 0, 4)]);
    expect(only({ stage: 'joint-discovery' })).toEqual([...ids(2, 1, 3), ...ids(1, 0, 6)]);
    expect(only({ health: 'at-risk' })).toEqual([...ids(0, 1, 5), ...ids(2, 0, 4)]);
    expect(only({ partner: 'Contoso Partners', health: 'stalled', stage: 'joint-discovery' })).toEqual(
      ids(1, 0, 6),
    );
    expect(dashboard(snapshots, PROGRAM_NOW, { health: 'stalled' }).counts['on-track']).toBe(10);
    expect(readDashboardFilters({ stage: 'stage-9', health: 'fine' }).issues.map((i) => i.path)).toEqual([
      'stage',
      'health',
    ]);
    const filtered = programReport(snapshots, forecastPartnerPlans(), PROGRAM_NOW, {
      dashboard: { health: 'needs-attention' },
    });
    expect(filtered.dashboard.rows).toHaveLength(7);
    expect(filtered.total.deals.active).toBe(35);
  });
});

describe('the forecast over the generated program', () => {
  const f = report.forecast;

  it('puts open pipeline in each expected close quarter, unweighted and weighted by stage', () => {
    expect(f.stageWeights).toEqual([10, 20, 40, 60, 80]);
    expect(f.quarters.map((q) => [q.quarter, q.deals])).toEqual([
      ['2027-Q1', 6],
      ['2027-Q2', 22],
      ['2027-Q3', 7],
    ]);
    const [q1, q2, q3] = f.quarters;
    // Q1: B1 6 × 150k at stage 3 (40%).
    expect(q1?.unweighted).toEqual(split(0, 900_000));
    expect(q1?.weighted).toEqual(split(0, 360_000));
    // Q2: A1 10 × 100k (20%) + C1 4 × 25k (20%) sourced; A2 5 × 50k (60%) + C2 3 × 70k (40%) influenced.
    expect(q2?.unweighted).toEqual(split(1_100_000, 460_000));
    expect(q2?.weighted).toEqual(split(220_000, 234_000));
    // Q3: B2 4 × 50k (80%) + B3 3 × 30k (10%).
    expect(q3?.unweighted).toEqual(split(290_000, 0));
    expect(q3?.weighted).toEqual(split(169_000, 0));
    expect(q2?.partners).toEqual([
      {
        partner: 'Fabrikam Services',
        deals: 7,
        unweighted: split(100_000, 210_000),
        weighted: split(20_000, 84_000),
      },
      {
        partner: 'Northwind Integrators',
        deals: 15,
        unweighted: split(1_000_000, 250_000),
        weighted: split(200_000, 150_000),
      },
    ]);
  });

  it('honours the tenant stage weights', () => {
    const custom = programReport(snapshots, [], PROGRAM_NOW, { stageWeights: [0, 50, 50, 50, 100] });
    // Q3: B2 4 × 50k × 100% + B3 3 × 30k × 0%.
    expect(custom.forecast.quarters[2]?.weighted).toEqual(split(200_000, 0));
  });

  it('splits win rate and stage conversion by attribution', () => {
    // Sourced: won A3 4 + C3 2; lost A4 3 + B5 2 + C5 1. Influenced: won B4 5; lost A5 2 + B6 3 + C4 2.
    const { sourced, influenced } = f.byAttribution;
    expect([sourced.won, sourced.lost, sourced.winRate]).toEqual([6, 6, 0.5]);
    expect([influenced.won, influenced.lost, influenced.winRate]).toEqual([5, 7, 5 / 12]);
    expect(sourced.stages.map((s) => [s.reached, s.passed])).toEqual([
      [33, 27],
      [27, 11],
      [11, 11],
      [11, 11],
      [11, 6],
    ]);
    expect(influenced.stages.map((s) => [s.reached, s.passed])).toEqual([
      [26, 26],
      [26, 26],
      [26, 15],
      [15, 8],
      [8, 5],
    ]);
    expect(sourced.stages[1]?.conversion).toBe(11 / 27);
  });

  it('counts losses by the stage they died in and by reason', () => {
    expect(f.losses.byStage.map((s) => [s.number, s.lost, s.arr])).toEqual([
      [1, 3, 300_000],
      [2, 2, 100_000],
      [3, 2, 100_000],
      [4, 2, 140_000],
      [5, 4, 385_000], // B6 3 × 120k + C5 25k
    ]);
    expect(f.losses.byReason).toEqual([
      { outcome: 'lost', reason: 'Chose a competitor', lost: 3 },
      { outcome: 'lost', reason: 'Generated.', lost: 3 },
      { outcome: 'withdrawn', reason: 'Partner withdrew', lost: 3 },
      { outcome: 'no-decision', reason: 'Budget frozen', lost: 2 },
      { outcome: 'lost', reason: 'Security review failed', lost: 2 },
    ]);
  });

  it("sets the forecast against each partner's quarterly target", () => {
    expect(f.targets).toEqual([
      // Won B4 5 × 120k in Q1; B1 closing in Q1: 900k, weighted 360k.
      {
        partner: 'Contoso Partners',
        quarter: '2027-Q1',
        currency: 'USD',
        target: 500_000,
        won: 600_000,
        pipeline: 900_000,
        weighted: 360_000,
        coverage: 1.8,
        forecast: 960_000,
        progress: 1.92,
      },
      // Nothing won in Q2 yet; A1 + A2 closing in Q2: 1,250k, weighted 200k + 150k.
      {
        partner: 'Northwind Integrators',
        quarter: '2027-Q2',
        currency: 'USD',
        target: 1_000_000,
        won: 0,
        pipeline: 1_250_000,
        weighted: 350_000,
        coverage: 1.25,
        forecast: 350_000,
        progress: 0.35,
      },
    ]);
  });
});

describe("the program's return over the generated program", () => {
  const r = report.programReturn;

  it('per quarter: won ARR, fees, net, cost, return and coverage', () => {
    expect(r.quarters).toEqual([
      // C3 2 × 30k at 20%.
      {
        quarter: '2026-Q4',
        wonArr: 60_000,
        fees: 12_000,
        net: 48_000,
        cost: 100_000,
        return: -0.52,
        pipeline: 0,
        target: null,
        coverage: null,
      },
      // A3 4 × 100k at 20% + B4 5 × 120k at 10%: (1,000k − 140k − 100k) / 100k.
      {
        quarter: '2027-Q1',
        wonArr: 1_000_000,
        fees: 140_000,
        net: 860_000,
        cost: 100_000,
        return: 7.6,
        pipeline: 900_000,
        target: 500_000,
        coverage: 1.8,
      },
      {
        quarter: '2027-Q2',
        wonArr: 0,
        fees: 0,
        net: 0,
        cost: 100_000,
        return: -1,
        pipeline: 1_560_000,
        target: 1_000_000,
        coverage: 1.56,
      },
    ]);
  });

  it("per partner, with the partner plan's cost", () => {
    const of = (partner: string, quarter: string) =>
      r.partners.find((p) => p.partner === partner && p.quarter === quarter);
    // (400k − 80k − 50k) / 50k.
    expect(of('Northwind Integrators', '2027-Q1')).toEqual({
      partner: 'Northwind Integrators',
      quarter: '2027-Q1',
      wonArr: 400_000,
      fees: 80_000,
      net: 320_000,
      cost: 50_000,
      return: 5.4,
      pipeline: 0,
      target: null,
      coverage: null,
    });
    expect(of('Northwind Integrators', '2027-Q2')).toMatchObject({
      return: -1,
      pipeline: 1_250_000,
      target: 1_000_000,
      coverage: 1.25,
    });
    expect(of('Contoso Partners', '2027-Q1')).toEqual({
      partner: 'Contoso Partners',
      quarter: '2027-Q1',
      wonArr: 600_000,
      fees: 60_000,
      net: 540_000,
      cost: null,
      return: null,
      pipeline: 900_000,
      target: 500_000,
      coverage: 1.8,
    });
    expect(of('Fabrikam Services', '2026-Q4')).toMatchObject({
      wonArr: 60_000,
      fees: 12_000,
      net: 48_000,
      cost: null,
    });
    expect(r.partners).toHaveLength(9);
  });

  it('sums the partner plans’ costs when the tenant sets none, and leaves return out without any', () => {
    const noTenantCost = programReport(snapshots, forecastPartnerPlans(), PROGRAM_NOW);
    expect(noTenantCost.programReturn.quarters[1]).toMatchObject({
      cost: 50_000,
      return: (1_000_000 - 140_000 - 50_000) / 50_000,
    });
    const none = programReport(snapshots, [], PROGRAM_NOW);
    expect(none.programReturn.quarters.map((q) => [q.quarter, q.cost, q.return])).toEqual([
      ['2026-Q4', null, null],
      ['2027-Q1', null, null],
    ]);
  });
});

describe('the new figures on the 510-deal program', () => {
  const big = programReport(generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans(), PROGRAM_NOW);

  it('forecasts every USD active deal in the close date’s quarter, weighted by its stage', () => {
    // Every plan keeps the reference close date 2027-02-26. USD active: Northwind 30 × 100k (stage 2) +
    // 20 × 50k (3); Contoso 40 × 150k (1) + 10 × 50k (4); Fabrikam 50 × 25k (5); Litware 60 × 15k (3);
    // Tailspin 45 × 60k (2).
    expect(big.forecast.quarters.map((q) => q.quarter)).toEqual(['2027-Q1']);
    const q = big.forecast.quarters[0];
    expect(q?.deals).toBe(255);
    expect(q?.unweighted).toEqual(big.total.openPipeline);
    // Sourced: 3,000k × 20% + 500k × 60% + 1,250k × 80% + 2,700k × 20% = 600k + 300k + 1,000k + 540k.
    // Influenced: 1,000k × 40% + 6,000k × 10% + 900k × 40% = 400k + 600k + 360k.
    expect(q?.weighted).toEqual(split(2_440_000, 1_360_000));
    expect(big.dashboard.rows).toHaveLength(big.total.deals.active);
  });
});
