import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { assessNeedForPlan } from '../../../cli/rules-of-thumb';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';

type Draft = Record<string, unknown>;

function reference(): Draft {
  return load(readFileSync(REFERENCE_PLAN_PATH, 'utf8')) as Draft;
}

const answers = (data: unknown, today = '2026-11-23'): Record<string, string | boolean> => {
  const assessment = assessNeedForPlan(data, today);
  return {
    ...Object.fromEntries([...assessment.rules, ...assessment.exclusions].map((r) => [r.id, r.answer])),
    needsPlan: assessment.needsPlan,
  };
};

/** A small, quick, vendor-only purchase: nothing calls for a plan. */
function smallDeal(): Draft {
  return {
    name: 'Initech seats',
    account: { name: 'Initech', trigger: 'Ten more seats' },
    partner: { name: 'Contoso' },
    jointOutcome: {
      arr: { min: 8000, max: 12000, currency: 'USD' },
      contractMonths: 12,
      paper: 'vendor',
      closeDate: '2026-12-10',
    },
    attribution: 'influenced',
    economicSplit: { recognizes: 'vendor', partnerFeePercent: 0, servicesTo: 'vendor' },
    owners: { customer: { name: 'Pat Doe', email: 'pat@initech.example' } },
    stages: { 'door-opener': { milestones: [{ owner: 'vendor', due: '2026-11-30' }] } },
  };
}

describe('assessNeedForPlan', () => {
  it('finds five of the six reasons in the reference plan, and says why from its fields', () => {
    const assessment = assessNeedForPlan(reference(), '2026-11-23');
    expect(answers(reference())).toEqual({
      arr: 'yes',
      stakeholders: 'no',
      relationship: 'yes',
      complexity: 'yes',
      cycle: 'yes',
      sourced: 'yes',
      transactional: 'no',
      renewal: 'no',
      disengaged: 'no',
      needsPlan: true,
    });
    const why = Object.fromEntries(assessment.rules.map((r) => [r.id, r.why]));
    expect(why.arr).toBe('ARR 80,000–120,000 USD reaches the threshold');
    expect(why.stakeholders).toBe('only Lee Park is named at Globex Corporation');
    expect(why.complexity).toMatch(/20% partner fee.*marketplace/);
    expect(why.cycle).toBe('95 days from today (2026-11-23) to the close date 2027-02-26');
    expect(assessment.verdict).toBe('Yes, this deal needs a co-sell plan: 5 of 6 rules of thumb apply.');
  });

  it('counts the cycle from the first milestone when it lies before today', () => {
    const assessment = assessNeedForPlan(reference(), '2027-02-01');
    expect(assessment.rules.find((r) => r.id === 'cycle')?.why).toBe(
      '84 days from the first milestone (2026-12-04) to the close date 2027-02-26',
    );
  });

  it('sees more than one stakeholder when the buyer names a second person', () => {
    const plan = reference();
    (plan.escalation as Draft).customer = [
      { name: 'Max Roe', email: 'max.roe@globex.example', role: 'CIO', afterHours: 48 },
    ];
    expect(answers(plan).stakeholders).toBe('yes');
  });

  it('needs no plan for a small, short, quick purchase', () => {
    const result = assessNeedForPlan(smallDeal(), '2026-11-23');
    expect(answers(smallDeal())).toMatchObject({
      arr: 'no',
      complexity: 'no',
      cycle: 'no',
      transactional: 'yes',
      needsPlan: false,
    });
    expect(result.verdict).toMatch(/^No co-sell plan needed: transactional purchase/);
  });

  it('still calls a quick small deal transactional when the partner brought it', () => {
    expect(answers({ ...smallDeal(), attribution: 'sourced' })).toMatchObject({
      sourced: 'yes',
      transactional: 'yes',
      needsPlan: false,
    });
  });

  it('needs no plan for a renewal in which the partner owns no step', () => {
    const renewal = {
      ...smallDeal(),
      name: 'Initech renewal',
      jointOutcome: {
        ...(smallDeal().jointOutcome as Draft),
        contractMonths: 24,
        arr: { min: 60000, max: 60000, currency: 'USD' },
      },
    };
    expect(answers(renewal)).toMatchObject({ arr: 'yes', renewal: 'yes', needsPlan: false });
    const withPartnerStep = {
      ...renewal,
      stages: { 'door-opener': { milestones: [{ owner: 'partner', due: '2026-11-30' }] } },
    };
    expect(answers(withPartnerStep)).toMatchObject({ renewal: 'no', needsPlan: true });
  });

  it('needs no plan for a low-ARR referral whose partner has disengaged', () => {
    const referral = {
      ...smallDeal(),
      attribution: 'sourced',
      jointOutcome: { ...(smallDeal().jointOutcome as Draft), contractMonths: 36, closeDate: '2027-06-30' },
    };
    const result = assessNeedForPlan(referral, '2026-11-23');
    expect(answers(referral)).toMatchObject({
      sourced: 'yes',
      transactional: 'no',
      disengaged: 'yes',
      needsPlan: false,
    });
    expect(result.verdict).toMatch(/low-arr referral the partner has disengaged from/);
  });

  it('can still need a plan for an influenced deal whose partner is active', () => {
    const influenced = {
      ...smallDeal(),
      jointOutcome: { ...(smallDeal().jointOutcome as Draft), contractMonths: 36 },
      stages: { 'door-opener': { milestones: [{ owner: 'partner', due: '2026-11-30' }] } },
    };
    // Nothing else calls for a plan: the active partner alone does.
    expect(answers(influenced)).toMatchObject({ arr: 'no', cycle: 'no', sourced: 'yes', needsPlan: true });
    expect(answers({ ...influenced, stages: smallDeal().stages })).toMatchObject({ needsPlan: false });
  });

  it('says unknown for what a rough draft leaves out', () => {
    const assessment = assessNeedForPlan({ name: 'Idea', account: { name: 'Hooli' } }, '2026-11-23');
    expect(answers({ name: 'Idea' })).toMatchObject({
      arr: 'unknown',
      cycle: 'unknown',
      sourced: 'unknown',
      needsPlan: false,
    });
    expect(assessment.verdict).toMatch(
      /none of the rules of thumb apply \(\d could not be judged from the file\)/,
    );
  });

  it('notes a threshold compared in another currency', () => {
    const plan = reference();
    ((plan.jointOutcome as Draft).arr as Draft).currency = 'EUR';
    expect(assessNeedForPlan(plan, '2026-11-23').rules[0]?.why).toMatch(/compared as-is in EUR/);
  });
});
