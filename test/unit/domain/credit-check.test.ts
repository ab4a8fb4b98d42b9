import { describe, expect, it } from 'vitest';
import { checkAttribution } from '../../../lambdas/domain/credit-check';
import { registrationDetail } from '../../../lambdas/domain/registration';
import { dealAtStage, PEOPLE } from '../../helpers/plan';

const rules = (sourcedIf: string, influencedIf = 'partner-worked-deal') =>
  ({ creditRules: { sourcedIf, influencedIf, text: 'x' } }) as never;

describe('checkAttribution (creditRules at registration)', () => {
  it('agrees with partner-opened-door when the partner confirmed the door-opener', () => {
    const { deal, milestones } = dealAtStage('joint-discovery');
    expect(checkAttribution(deal, milestones, rules('partner-opened-door'))).toMatchObject({
      rule: 'partner-opened-door',
      agrees: true,
    });
  });

  it('disagrees when the partner neither owned nor confirmed the door-opener', () => {
    const { deal, milestones } = dealAtStage('door-opener');
    const check = checkAttribution(deal, milestones, rules('partner-opened-door'));
    expect(check).toEqual({
      rule: 'partner-opened-door',
      agrees: false,
      why: 'the partner neither owned nor confirmed the door-opener',
    });
  });

  it('checks partner-confirmed-a-gate for an influenced deal', () => {
    const { deal, milestones } = dealAtStage('target-account-selection');
    const influenced = { ...deal, plan: { ...deal.plan, attribution: 'influenced' as const } };
    const none = checkAttribution(
      influenced,
      milestones,
      rules('partner-opened-door', 'partner-confirmed-a-gate'),
    );
    expect(none).toMatchObject({ rule: 'partner-confirmed-a-gate', agrees: false });
    const later = dealAtStage('joint-discovery');
    const confirmed = { ...later.deal, plan: { ...later.deal.plan, attribution: 'influenced' as const } };
    const some = checkAttribution(
      confirmed,
      later.milestones,
      rules('partner-opened-door', 'partner-confirmed-a-gate'),
    );
    expect(some.agrees).toBe(true);
    expect(PEOPLE.dana).toBeDefined();
  });

  it('rides on the registration event', () => {
    const { deal } = dealAtStage('door-opener');
    const check = { rule: 'partner-opened-door', agrees: false, why: 'no' };
    expect(registrationDetail({ ...deal, attributionCheck: check }, new Date()).attributionCheck).toEqual(
      check,
    );
  });
});
