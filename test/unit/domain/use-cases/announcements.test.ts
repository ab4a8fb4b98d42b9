import { describe, expect, it } from 'vitest';
import { announcePassed } from '../../../../lambdas/domain/use-cases/announcements';
import { fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE } from '../../../helpers/plan';

describe('announcePassed', () => {
  it('tells the owners of all three parties once that a stage passed, in their own words', async () => {
    // Prepare
    const deps = fakeDeps();
    const { deal, milestones } = dealAtStage('door-opener');

    // Act: twice, as a retried follow-up would
    await announcePassed(deps, deal, milestones, { stage: 'target-account-selection', outcome: 'passed' });
    await announcePassed(deps, deal, milestones, { stage: 'target-account-selection', outcome: 'passed' });

    // Assess
    expect(deps.mailer.sent.map((e) => [e.to[0], e.subject])).toEqual([
      [PEOPLE.ana, '[Globex platform migration] Stage passed: Target account selection'],
      [PEOPLE.dana, '[Globex platform migration] Stage passed: Target account selection'],
      [PEOPLE.lee, '[Globex platform migration] Agreed: Getting started'],
    ]);
    const vendor = deps.mailer.sent[0]?.text ?? '';
    expect(vendor).toContain('What was agreed');
    expect(vendor).toContain('What comes next: Door-opener move');
    expect(vendor).toContain('Warm introduction to Lee Park: Dana Whit, due');
    expect(deps.mailer.sent[2]?.text).not.toMatch(/\bgate\b|stage \d of 5/i);
  });

  it('registers the win with vendor and partner, thanks the customer without fees, once each', async () => {
    const deps = fakeDeps();
    const snapshot = dealAtStage('close-register-review');
    const outcome = {
      result: 'won' as const,
      finalArr: 95_000,
      currency: 'USD',
      lesson: 'Start security early.',
      at: '2027-02-26T18:00:00.000Z',
      by: PEOPLE.ana,
    };
    const deal = { ...snapshot.deal, outcome };
    for (let i = 0; i < 2; i++)
      await announcePassed(deps, deal, snapshot.milestones, {
        stage: 'close-register-review',
        outcome: 'passed',
      });
    const [ana, dana, lee] = deps.mailer.sent;
    expect(deps.mailer.sent).toHaveLength(3);
    for (const e of [ana, dana]) {
      expect(e?.subject).toBe('[Globex platform migration] Registered: won, $95,000 ARR');
      expect(e?.text).toContain('Attribution: partner-sourced');
      expect(e?.text).toContain('Partner fee: 20% of first-year ARR ($19,000) to Northwind Integrators');
    }
    expect(lee?.subject).toBe('[Globex platform migration] Thank you');
    expect(lee?.text).not.toMatch(/attribution|fee|sourced|registered|95,000/i);
  });

  it('tells the owners a lost deal was closed, with the reason', async () => {
    const deps = fakeDeps();
    const snapshot = dealAtStage('close-register-review');
    const outcome = {
      result: 'lost' as const,
      finalArr: 0,
      currency: 'USD',
      lesson: 'Budget frozen.',
      at: '2027-02-26T18:00:00.000Z',
      by: PEOPLE.ana,
    };
    await announcePassed(deps, { ...snapshot.deal, outcome }, snapshot.milestones, {
      stage: 'close-register-review',
      outcome: 'lost',
    });
    expect(deps.mailer.sent.map((e) => e.subject)).toEqual(
      Array(3).fill('[Globex platform migration] Closed lost'),
    );
    expect(deps.mailer.sent[0]?.text).toContain('Budget frozen.');
  });
});
