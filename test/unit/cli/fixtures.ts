import type { PlanView } from '../../../cli/plan-view-format';

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
export const REPORT = {
  tenant: 'acme',
  generatedAt: '2026-12-01T00:00:00.000Z',
  totals: { sourcedPipeline: 200000, influencedPipeline: 50000, wonRevenue: 120000, winRate: 0.5 },
  byPartner: {
    'Northwind Integrators': {
      sourcedPipeline: 150000,
      influencedPipeline: 0,
      wonRevenue: 120000,
      winRate: 0.5,
      target: { quarter: '2026-Q4', amount: 300000 },
    },
    Contoso: {
      sourcedPipeline: 50000,
      influencedPipeline: 50000,
      wonRevenue: 0,
      winRate: 0,
      target: { quarter: '2026-Q4', amount: 100000 },
    },
  },
  stalled: [{ planId: 'pl_1', partner: 'Contoso', stage: 'door-opener', days: 12, whoseMove: 'partner' }],
};
