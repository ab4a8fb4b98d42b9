import type { PlanView } from '../../../cli/plan-view-format';
import { type ProgramReport, programReport } from '../../../lambdas/domain/reports';
import { generateProgram, partnerPlanFixture } from '../../../scripts/lib/program-fixture';

/** Answers of the HTTP API as the CLI tests use them. */

/** A plan view as `GET /plans/{planId}` answers it: stage 2 open, one slip, one confirmation. */
export const PLAN_VIEW: PlanView = {
  planId: 'pl_0123456789abcdef0123',
  name: 'Globex platform migration',
  partner: 'Northwind Integrators',
  account: 'Globex Corporation',
  status: 'active',
  stage: 'door-opener',
  attribution: 'sourced',
  closeDate: '2027-02-26',
  stages: [
    {
      key: 'target-account-selection',
      status: 'passed',
      openedAt: '2026-11-23T10:00:00.000Z',
      passedAt: '2026-11-25T16:30:00.000Z',
      confirmations: [
        { party: 'vendor', by: 'ana.ruiz@vendor.example', at: '2026-11-25T16:00:00.000Z', evidence: {} },
        {
          party: 'partner',
          by: 'dana.whit@northwind.example',
          at: '2026-11-25T16:30:00.000Z',
          evidence: { note: 'a | b' },
        },
      ],
      waitingFor: { confirmations: [], milestones: [] },
    },
    {
      key: 'door-opener',
      status: 'open',
      openedAt: '2026-11-25T16:30:00.000Z',
      confirmations: [],
      waitingFor: { confirmations: ['partner'], milestones: ['warm-intro'] },
    },
    {
      key: 'joint-discovery',
      status: 'pending',
      confirmations: [],
      waitingFor: { confirmations: ['vendor', 'partner'], milestones: ['discovery-call'] },
    },
  ],
  milestones: [
    {
      id: 'fit-check',
      stage: 'target-account-selection',
      title: 'Confirm Globex fits both ideal customer profiles',
      owner: { party: 'vendor', name: 'Ana Ruiz', email: 'ana.ruiz@vendor.example' },
      due: '2026-12-04',
      status: 'done',
      slips: [],
    },
    {
      id: 'warm-intro',
      stage: 'door-opener',
      title: 'Warm introduction to Lee Park',
      owner: { party: 'partner', name: 'Dana Whit', email: 'dana.whit@northwind.example' },
      due: '2026-12-18',
      status: 'open',
      slips: [
        {
          from: '2026-12-11',
          to: '2026-12-18',
          at: '2026-12-01T00:00:00.000Z',
          by: 'dana.whit@northwind.example',
        },
      ],
    },
    {
      id: 'security-review',
      stage: 'joint-pursuit-and-proof',
      title: 'Partner completes the security questionnaire',
      owner: { party: 'partner', name: 'Dana Whit', email: 'dana.whit@northwind.example' },
      due: '2027-01-22',
      status: 'open',
      handoff: { from: 'customer', to: 'partner' },
      slips: [],
    },
  ],
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

/** A program report in the shape the API may answer: totals, one record per partner, a list of stalls. */
/**
 * A real program report as `GET /reports/program` answers it (JSON): Northwind Integrators (a partner plan,
 * one deal off its list, one won, one stalled) and Contoso Partners (no partner plan, one lost).
 */
export const REPORT_NOW = new Date('2027-03-20T12:00:00Z');
export const REPORT: ProgramReport = JSON.parse(
  JSON.stringify(
    programReport(
      generateProgram(
        [
          {
            partner: 'Northwind Integrators',
            rows: [
              {
                count: 1,
                attribution: 'sourced',
                arr: [100_000, 200_000],
                fate: { kind: 'won', finalArr: 120_000, closedOn: '2027-02-10' },
                days: [5, 5, 5, 5, 5],
              },
              {
                count: 1,
                attribution: 'influenced',
                arr: [40_000, 60_000],
                fate: { kind: 'active', stage: 2, openDays: 30 },
                days: [4],
              },
              {
                count: 1,
                attribution: 'sourced',
                arr: [80_000, 120_000],
                fate: { kind: 'active', stage: 3, openDays: 2 },
                days: [3, 6],
                account: { name: 'Initech', domain: 'initech.example' },
              },
            ],
          },
          {
            partner: 'Contoso Partners',
            rows: [
              {
                count: 1,
                attribution: 'influenced',
                arr: [50_000, 50_000],
                fate: { kind: 'lost', closedOn: '2027-03-01' },
                days: [2, 2, 2, 2],
              },
            ],
          },
        ],
        REPORT_NOW,
      ).map(({ deal, milestones }) => ({ deal, milestones })),
      [partnerPlanFixture('Northwind Integrators', { quarter: '2027-Q1', arr: 600_000 })],
      REPORT_NOW,
      { defaultTimezone: 'America/Chicago' },
    ),
  ),
);
