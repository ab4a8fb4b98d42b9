import type { PartnerPlan } from '../../lambdas/schemas/partner-plan.schema';
import { partnerPlanFixture, type Recipe } from './program-fixture';

/**
 * A second generated program for the dashboard, the forecast and the return (test/unit/domain/forecast.test.ts
 * works every figure out by hand from it): 76 deals over 3 partners, active deals closing in 2027-Q1, Q2 and
 * Q3, every health, closes at each stage, fees of 10 and 20%. Now is PROGRAM_NOW (2027-03-20 12:00 UTC).
 * Rows are named A1..C5 in the test.
 */

const SAM = { name: 'Sam Ortiz', email: 'sam.ortiz@vendor.example' };

export const FORECAST_PROGRAM: Recipe[] = [
  {
    partner: 'Northwind Integrators',
    rows: [
      // A1: on track, 2027-Q2.
      {
        count: 10,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        closeDate: '2027-05-15',
        fate: { kind: 'active', stage: 2, openDays: 3 },
        days: [4],
        health: { activeRecently: true },
      },
      // A2: at risk, its work 3 days overdue.
      {
        count: 5,
        attribution: 'influenced',
        arr: [40_000, 60_000],
        closeDate: '2027-06-30',
        fate: { kind: 'active', stage: 4, openDays: 2 },
        days: [1, 1, 1],
        health: { activeRecently: true, overdueDays: 3 },
      },
      // A3: won in 2027-Q1 at the reference plan's 20% fee.
      {
        count: 4,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        fate: { kind: 'won', finalArr: 100_000, closedOn: '2027-02-10' },
        days: [3, 3, 3, 3, 3],
      },
      // A4: withdrawn at stage 1.
      {
        count: 3,
        attribution: 'sourced',
        arr: [80_000, 120_000],
        fate: {
          kind: 'closed',
          stage: 1,
          outcome: 'withdrawn',
          reason: 'Partner withdrew',
          closedOn: '2027-01-20',
        },
        days: [],
      },
      // A5: no decision at stage 3.
      {
        count: 2,
        attribution: 'influenced',
        arr: [40_000, 60_000],
        fate: {
          kind: 'closed',
          stage: 3,
          outcome: 'no-decision',
          reason: 'Budget frozen',
          closedOn: '2027-02-20',
        },
        days: [2, 2],
      },
    ],
  },
  {
    partner: 'Contoso Partners',
    rows: [
      // B1: stalled, its stage open 20 days (and both sides silent since), 2027-Q1.
      {
        count: 6,
        attribution: 'influenced',
        arr: [100_000, 200_000],
        closeDate: '2027-03-31',
        fate: { kind: 'active', stage: 3, openDays: 20 },
        days: [2, 2],
      },
      // B2: needs attention (workflow), 2027-Q3.
      {
        count: 4,
        attribution: 'sourced',
        arr: [50_000, 50_000],
        closeDate: '2027-08-01',
        fate: { kind: 'active', stage: 5, openDays: 1 },
        days: [1, 1, 1, 1],
        health: { activeRecently: true, needsAttention: true },
      },
      // B3: stalled, its work 9 days overdue, 2027-Q3.
      {
        count: 3,
        attribution: 'sourced',
        arr: [20_000, 40_000],
        closeDate: '2027-09-30',
        fate: { kind: 'active', stage: 1, openDays: 2 },
        days: [],
        health: { activeRecently: true, overdueDays: 9 },
      },
      // B4: won in 2027-Q1 at a 10% fee.
      {
        count: 5,
        attribution: 'influenced',
        arr: [100_000, 140_000],
        feePercent: 10,
        fate: { kind: 'won', finalArr: 120_000, closedOn: '2027-03-01' },
        days: [2, 2, 2, 2, 2],
      },
      // B5: lost at stage 2.
      {
        count: 2,
        attribution: 'sourced',
        arr: [50_000, 50_000],
        fate: {
          kind: 'closed',
          stage: 2,
          outcome: 'lost',
          reason: 'Chose a competitor',
          closedOn: '2027-02-15',
        },
        days: [1],
      },
      // B6: lost at the last gate (the lesson is the reason).
      {
        count: 3,
        attribution: 'influenced',
        arr: [100_000, 140_000],
        fate: { kind: 'lost', closedOn: '2026-12-10' },
        days: [1, 1, 1, 1, 1],
      },
    ],
  },
  {
    partner: 'Fabrikam Services',
    rows: [
      // C1: at risk, a slip proposal pending, 2027-Q2; another vendor owner.
      {
        count: 4,
        attribution: 'sourced',
        arr: [20_000, 30_000],
        closeDate: '2027-05-01',
        vendorOwner: SAM,
        fate: { kind: 'active', stage: 2, openDays: 4 },
        days: [1],
        health: { activeRecently: true, slipProposal: true },
      },
      // C2: needs attention (an email bounced), slipped 10 days, 2027-Q2.
      {
        count: 3,
        attribution: 'influenced',
        arr: [60_000, 80_000],
        closeDate: '2027-06-15',
        vendorOwner: SAM,
        fate: { kind: 'active', stage: 3, openDays: 5 },
        days: [1, 1],
        health: { activeRecently: true, deliveryProblem: true, slipDays: 10 },
      },
      // C3: won in 2026-Q4 at 20%.
      {
        count: 2,
        attribution: 'sourced',
        arr: [20_000, 40_000],
        fate: { kind: 'won', finalArr: 30_000, closedOn: '2026-12-20' },
        days: [1, 1, 1, 1, 1],
      },
      // C4: lost at stage 4.
      {
        count: 2,
        attribution: 'influenced',
        arr: [60_000, 80_000],
        fate: {
          kind: 'closed',
          stage: 4,
          outcome: 'lost',
          reason: 'Security review failed',
          closedOn: '2027-03-05',
        },
        days: [1, 1, 1],
      },
      // C5: lost at stage 5, the same reason as B5 in other letters.
      {
        count: 1,
        attribution: 'sourced',
        arr: [20_000, 30_000],
        fate: {
          kind: 'closed',
          stage: 5,
          outcome: 'lost',
          reason: 'chose a competitor',
          closedOn: '2027-03-12',
        },
        days: [1, 1, 1, 1],
      },
    ],
  },
];

/** Northwind's target is for 2027-Q2 and costs 50,000 a quarter; Contoso's for 2027-Q1; Fabrikam has no plan. */
export function forecastPartnerPlans(): PartnerPlan[] {
  const northwind = partnerPlanFixture('Northwind Integrators', { quarter: '2027-Q2', arr: 1_000_000 });
  return [
    { ...northwind, programCost: { amount: 50_000, currency: 'USD' } } as PartnerPlan,
    partnerPlanFixture('Contoso Partners', { quarter: '2027-Q1', arr: 500_000 }),
  ];
}

export const FORECAST_PROGRAM_COST = { amount: 100_000, currency: 'USD' };
