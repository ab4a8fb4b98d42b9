import { describe, expect, it } from 'vitest';
import type { MilestoneState } from '../../../lambdas/domain/deal';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import { applySlip } from '../../../lambdas/domain/slips';
import {
  latestReviewAtOrBefore,
  nextReviewAfter,
  parseSender,
  reviewAgenda,
  reviewAttendees,
  reviewInvite,
  upcomingReviews,
} from '../../../lambdas/domain/weekly-review';
import { weeklyReviewIcs } from '../../../lambdas/views/calendar/ics';
import { DEFAULT_TZ, dealAtStage, PEOPLE, referencePlan } from '../../helpers/plan';

const CADENCE = referencePlan().cadence; // MON 09:30 America/Chicago

describe('review instants', () => {
  it('finds the next Monday 09:30 in Chicago, strictly after the given instant', () => {
    expect(nextReviewAfter(CADENCE, new Date('2026-12-01T15:00:00Z')).toISOString()).toBe(
      '2026-12-07T15:30:00.000Z',
    );
    expect(nextReviewAfter(CADENCE, new Date('2026-12-07T15:30:00Z')).toISOString()).toBe(
      '2026-12-14T15:30:00.000Z',
    );
    expect(nextReviewAfter(CADENCE, new Date('2026-12-07T15:29:59Z')).toISOString()).toBe(
      '2026-12-07T15:30:00.000Z',
    );
  });

  it('keeps 09:30 local across the daylight-saving change (CST -6 to CDT -5 on 2027-03-14)', () => {
    const reviews = upcomingReviews(CADENCE, new Date('2027-03-01T00:00:00Z'), 3).map((d) => d.toISOString());
    expect(reviews).toEqual([
      '2027-03-01T15:30:00.000Z',
      '2027-03-08T15:30:00.000Z',
      '2027-03-15T14:30:00.000Z',
    ]);
  });

  it('finds the latest review at or before now (a late sweep sends only that week)', () => {
    expect(latestReviewAtOrBefore(CADENCE, new Date('2026-12-30T12:00:00Z')).toISOString()).toBe(
      '2026-12-28T15:30:00.000Z',
    );
    expect(latestReviewAtOrBefore(CADENCE, new Date('2026-12-28T15:30:00Z')).toISOString()).toBe(
      '2026-12-28T15:30:00.000Z',
    );
  });
});

/** Mon 21 Dec 2026, 09:30 in Chicago: the week before it runs from Mon 14 Dec, 09:30. */
const REVIEW_AT = new Date('2026-12-21T15:30:00Z');

/**
 * Stage 3 (joint discovery) opened on 15 Dec, when stage 2 passed; the warm intro was done that day; the
 * vendor confirmed stage 3 on the 17th; the discovery call (due 18 Dec) is overdue; the partner said the
 * account brief is stuck; the security review slipped a week, and with it the close date.
 */
function weekOfWork(): DealSnapshot {
  const snapshot = dealAtStage('joint-discovery', new Date('2026-12-09T15:00:00Z'));
  const { deal } = snapshot;
  deal.stages['door-opener'].passedAt = '2026-12-15T16:00:00.000Z';
  deal.stages['joint-discovery'].openedAt = '2026-12-15T16:00:00.000Z';
  deal.stages['joint-discovery'].confirmations = [
    { party: 'vendor', by: PEOPLE.ana, at: '2026-12-17T18:00:00.000Z', evidence: { briefUrl: 'x' } },
  ];
  deal.plan.jointOutcome.closeDate = '2027-03-05';
  const edit = (id: string, change: Partial<MilestoneState>) => {
    snapshot.milestones = snapshot.milestones.map((m) => (m.milestoneId === id ? { ...m, ...change } : m));
  };
  edit('warm-intro', { doneAt: '2026-12-15T15:00:00.000Z' });
  edit('account-brief', {
    stuck: [{ at: '2026-12-18T15:00:00.000Z', by: PEOPLE.dana, reason: 'waiting for Globex IT' }],
  });
  edit('security-review', {
    due: '2027-01-29',
    dueAt: '2027-01-29T22:00:00.000Z',
    slips: [{ from: '2027-01-22', to: '2027-01-29', at: '2026-12-16T15:00:00.000Z', by: PEOPLE.dana }],
  });
  return snapshot;
}

describe('reviewAgenda', () => {
  it('says what moved since last week: stage changes, milestones done, confirmations', () => {
    const agenda = reviewAgenda(weekOfWork(), REVIEW_AT, DEFAULT_TZ);
    expect(agenda.since).toBe('2026-12-14T15:30:00.000Z');
    expect(agenda.moved).toEqual([
      'Stage 2, Door-opener move: gate passed.',
      'Stage 3, Joint discovery: opened.',
      `Stage 3, Joint discovery: confirmed by the vendor side (${PEOPLE.ana}).`,
      'Done: Warm introduction to Lee Park (Dana Whit).',
    ]);
  });

  it('says what is stuck: the stage, its days, whose move it is, and milestones reported stuck', () => {
    const agenda = reviewAgenda(weekOfWork(), REVIEW_AT, DEFAULT_TZ);
    expect(agenda.stuck).toEqual([
      'Stage 3, Joint discovery: 6 day(s) in stage; whose move: partner (Dana Whit), vendor (Ana Ruiz).',
      `Write the shared account brief: reported stuck by ${PEOPLE.dana} (waiting for Globex IT); owner Dana Whit.`,
    ]);
  });

  it('says what needs an escalation: overdue work with the rungs told and next, and stuck work', () => {
    const agenda = reviewAgenda(weekOfWork(), REVIEW_AT, DEFAULT_TZ);
    expect(agenda.escalations).toEqual([
      'Joint discovery call: 3 day(s) overdue, owner Ana Ruiz (vendor); escalated to Sam Ortiz (Partner manager); next: Kim Lau (VP Sales).',
      'Write the shared account brief: stuck before its due date; call Raj Mehta (Alliance director).',
    ]);
  });

  it('lists slipped milestones with their impact on the close date', () => {
    const agenda = reviewAgenda(weekOfWork(), REVIEW_AT, DEFAULT_TZ);
    expect(agenda.slips).toEqual([
      `Partner completes the security questionnaire: 2027-01-22 → 2027-01-29 (+7 day(s), ${PEOPLE.dana}) [this week].`,
      'Impact: the close date is now 2027-03-05, 7 day(s) later than planned (2027-02-26).',
    ]);
  });

  it('lists the next milestones due, soonest first', () => {
    const agenda = reviewAgenda(weekOfWork(), REVIEW_AT, DEFAULT_TZ);
    expect(agenda.nextDue).toEqual([
      'Write the shared account brief: due 2027-01-08, Dana Whit (partner).',
      'Partner completes the security questionnaire: due 2027-01-29, Dana Whit (partner), handoff.',
      'Enterprise pricing approval: due 2027-01-29, Ana Ruiz (vendor), handoff.',
    ]);
  });

  it('flags a gate past its deadline', () => {
    const late = reviewAgenda(weekOfWork(), new Date('2027-01-11T15:30:00Z'), DEFAULT_TZ);
    expect(late.escalations.at(-1)).toBe(
      'Stage 3, Joint discovery: gate past its deadline (2027-01-08); waiting for partner (Dana Whit), vendor (Ana Ruiz).',
    );
  });
});

describe('the invitation', () => {
  it('goes to each attendee party’s owner once, from the tenant sender, with a UID stable per plan', () => {
    // Prepare
    const { deal } = weekOfWork();

    // Act
    const first = weeklyReviewIcs(
      reviewInvite(
        deal,
        new Date('2026-12-07T15:30:00Z'),
        parseSender('Deals <deals@acme.example>'),
        DEFAULT_TZ,
        new Date('2026-12-01T15:00:00Z'),
      ),
    );
    const again = weeklyReviewIcs(
      reviewInvite(
        deal,
        new Date('2026-12-07T15:30:00Z'),
        { email: 'deals@acme.example' },
        DEFAULT_TZ,
        new Date('2026-12-02T15:00:00Z'),
      ),
    );

    // Assess
    expect(reviewAttendees(deal, DEFAULT_TZ).map((o) => o.email)).toEqual([PEOPLE.ana, PEOPLE.dana]);
    expect(first).toContain('ORGANIZER;CN="Deals":mailto:deals@acme.example');
    expect(first).toContain('DTSTART;TZID=America/Chicago:20261207T093000');
    expect(first).toContain('SUMMARY:Weekly review: Globex platform migration');
    const uid = (ics: string) => /\r\nUID:(.*)\r\n/.exec(ics)?.[1];
    expect(uid(first)).toBe(`weekly-review-${deal.planId}@acme.cosell-flow`);
    expect(uid(again)).toBe(uid(first));
  });
});

describe('the agenda names who is ghosting and what waits for a decision', () => {
  it('lists a silent side of the open stage, and a proposal to move the close date', () => {
    // Prepare: stage 4 opened on 1 December; the partner acted on 3 December, nobody else since.
    const snapshot = dealAtStage('joint-pursuit-and-proof');
    const proposed = applySlip(
      snapshot.deal,
      snapshot.milestones,
      snapshot.milestones.find((m) => m.milestoneId === 'proof-of-concept') as MilestoneState,
      { newDue: '2027-03-02', reason: 'Legal review', choice: 'propose', by: PEOPLE.lee },
      new Date('2026-12-02T15:00:00Z'),
    );
    const deal = { ...proposed.deal, lastActivity: { partner: '2026-12-03T15:00:00.000Z' } };

    // Act
    const agenda = reviewAgenda(
      { deal, milestones: snapshot.milestones },
      new Date('2026-12-09T15:30:00Z'),
      DEFAULT_TZ,
      7,
    );

    // Assess
    const ghosting = agenda.escalations.filter((line) => line.startsWith('Ghosting:'));
    expect(ghosting).toEqual([
      'Ghosting: the vendor side (Ana Ruiz) has not acted for 8 day(s) while its work is open (last action: none yet).',
      'Ghosting: the customer side (Lee Park) has not acted for 8 day(s) while its work is open (last action: none yet).',
    ]);
    expect(agenda.slips.at(-1)).toBe(
      'Waiting for the vendor owner: a proposal to move the close date from 2027-02-26 to 2027-03-23 (“Combined proof of concept signed off” slipped 25 day(s), lee.park@globex.example: Legal review).',
    );
  });
});
