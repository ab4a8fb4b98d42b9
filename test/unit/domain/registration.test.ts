import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../lambdas/domain/deal';
import {
  DEAL_CLOSED_LOST,
  DEAL_REGISTERED,
  registrationDetail,
  registrationDetailType,
} from '../../../lambdas/domain/registration';
import { dealAtStage, PEOPLE, PLAN_ID, planWith, TENANT } from '../../helpers/plan';

const OPENED = new Date('2026-12-01T15:00:00.000Z');
const NOW = new Date('2027-02-26T20:00:00.000Z');

function closed(
  result: 'won' | 'lost',
  deal: Deal = dealAtStage('close-register-review', OPENED).deal,
): Deal {
  return {
    ...deal,
    status: result,
    outcome: {
      result,
      finalArr: result === 'won' ? 96_000 : 0,
      currency: 'USD',
      lesson: 'Book the security review in week one',
      at: '2027-02-25T18:00:00.000Z',
      by: PEOPLE.ana,
    },
    stages: {
      ...deal.stages,
      'close-register-review': {
        ...deal.stages['close-register-review'],
        status: 'passed',
        openedAt: '2027-02-10T15:00:00.000Z',
        passedAt: '2027-02-25T18:00:00.000Z',
      },
    },
  };
}

describe('registrationDetail', () => {
  it('describes a won deal: identity, outcome, final and planned ARR, attribution, split, close', () => {
    // Act
    const detail = registrationDetail(closed('won'), NOW);

    // Assess
    expect(detail).toMatchObject({
      schemaVersion: '1.2',
      registrationId: `${TENANT}:${PLAN_ID}`,
      planId: PLAN_ID,
      tenant: TENANT,
      planName: 'Globex platform migration',
      partner: { name: 'Northwind Integrators' },
      account: { name: 'Globex Corporation', domain: 'globex.example' },
      outcome: 'won',
      arr: { amount: 96_000, currency: 'USD' },
      plannedArr: { min: 80_000, max: 120_000 },
      attribution: 'sourced',
      economicSplit: {
        recognizes: 'vendor',
        partnerFeePercent: 20,
        servicesTo: 'partner',
        notes: 'Fee paid on first-year ARR at invoice.',
      },
      closeDate: '2027-02-26',
      closedAt: '2027-02-25T18:00:00.000Z',
      lesson: 'Book the security review in week one',
    });
    expect(detail.partner).not.toHaveProperty('reference');
  });

  it('describes a lost deal as lost with no revenue', () => {
    // Act
    const detail = registrationDetail(closed('lost'), NOW);

    // Assess
    expect(detail.outcome).toBe('lost');
    expect(detail.arr).toEqual({ amount: 0, currency: 'USD' });
  });

  it('carries an influenced attribution and the partner’s own reference when the plan has them', () => {
    // Prepare
    const plan = planWith((p) => {
      p.attribution = 'influenced';
      p.partner.reference = 'NW-2026-118';
      delete p.account.domain;
    });
    const deal = closed('won', dealAtStage('close-register-review', OPENED, plan).deal);

    // Act
    const detail = registrationDetail(deal, NOW);

    // Assess
    expect(detail.attribution).toBe('influenced');
    expect(detail.partner).toEqual({ name: 'Northwind Integrators', reference: 'NW-2026-118' });
    expect(detail.account).toEqual({ name: 'Globex Corporation' });
  });

  it('maps the deal onto the AWS Partner Central lifecycle, each stage to its ACE stage, won to Launched', () => {
    // Prepare
    const plan = planWith((p) => {
      p.partner.reference = 'NW-2026-118';
    });
    const deal = closed('won', dealAtStage('close-register-review', OPENED, plan).deal);

    // Act
    const { partnerCentral } = registrationDetail(deal, NOW);

    // Assess
    const at = OPENED.toISOString();
    expect(partnerCentral).toEqual({
      stage: 'Launched',
      stageHistory: [
        { stage: 'target-account-selection', partnerCentralStage: 'Prospect', openedAt: at, passedAt: at },
        { stage: 'door-opener', partnerCentralStage: 'Qualified', openedAt: at, passedAt: at },
        { stage: 'joint-discovery', partnerCentralStage: 'Technical Validation', openedAt: at, passedAt: at },
        {
          stage: 'joint-pursuit-and-proof',
          partnerCentralStage: 'Business Validation',
          openedAt: at,
          passedAt: at,
        },
        {
          stage: 'close-register-review',
          partnerCentralStage: 'Committed',
          openedAt: '2027-02-10T15:00:00.000Z',
          passedAt: '2027-02-25T18:00:00.000Z',
        },
      ],
      partnerReference: 'NW-2026-118',
    });
    expect(registrationDetail(closed('lost'), NOW).partnerCentral).toMatchObject({ stage: 'Closed Lost' });
    expect(registrationDetail(closed('lost'), NOW).partnerCentral).not.toHaveProperty('partnerReference');
  });

  it('counts the days spent in each stage', () => {
    // Act
    const detail = registrationDetail(closed('won'), NOW);

    // Assess: the earlier stages opened and passed on the same day in this fixture; stage 5 took 15 days.
    expect(detail.daysInStage).toEqual({
      'target-account-selection': 0,
      'door-opener': 0,
      'joint-discovery': 0,
      'joint-pursuit-and-proof': 0,
      'close-register-review': 15,
    });
  });

  it('falls back to now and an empty lesson when no outcome was logged', () => {
    // Prepare
    const { deal } = dealAtStage('close-register-review', OPENED);

    // Act
    const detail = registrationDetail({ ...deal, status: 'won' }, NOW);

    // Assess
    expect(detail).toMatchObject({
      outcome: 'won',
      closedAt: NOW.toISOString(),
      lesson: '',
      arr: { amount: 0 },
    });
  });

  it('is a JSON-safe object (it travels as an EventBridge detail)', () => {
    // Prepare
    const detail = registrationDetail(closed('won'), NOW);

    // Act / Assess
    expect(JSON.parse(JSON.stringify(detail))).toEqual(detail);
  });
});

describe('registrationDetailType', () => {
  it('names a won deal’s event and a lost deal’s event apart', () => {
    expect(registrationDetailType(closed('won'))).toBe(DEAL_REGISTERED);
    expect(registrationDetailType(closed('lost'))).toBe(DEAL_CLOSED_LOST);
    expect(DEAL_REGISTERED).toBe('CoSell Deal Registered');
    expect(DEAL_CLOSED_LOST).toBe('CoSell Deal Closed Lost');
  });
});
