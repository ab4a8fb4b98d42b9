import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../lambdas/domain/deal';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import { schedulePreview } from '../../../lambdas/domain/schedule-preview';
import { emailSubjects } from '../../../lambdas/views/emails/subjects';
import { DEFAULT_TZ, dealAtStage, PEOPLE, planWith } from '../../helpers/plan';

const NOW = new Date('2026-12-01T15:00:00.000Z');

function liveDeal(snapshot = dealAtStage('target-account-selection', NOW)): DealSnapshot {
  const deal: Deal = { ...snapshot.deal, nextReviewAt: '2026-12-07T15:30:00.000Z' };
  return { ...snapshot, deal };
}

describe('schedulePreview', () => {
  it('lists what goes out if nothing happens, soonest first, each in the recipient’s local time', () => {
    // Act
    const preview = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects);

    // Assess
    const at = preview.emails.map((e) => e.at);
    expect(at).toEqual([...at].sort());
    expect(at.every((t) => t > NOW.toISOString())).toBe(true);
    expect(preview.quietHoursApplied).toBe(true);
    expect(preview.emails[0]).toEqual({
      at: '2026-12-02T23:00:00.000Z',
      localTime: 'Wed, 2 Dec 2026, 17:00 GMT-6',
      timezone: 'America/Chicago',
      to: PEOPLE.ana,
      kind: 'reminder',
      subject: '[Globex platform migration] Due soon: Confirm Globex fits both ideal customer profiles',
      summary:
        'Reminder: Confirm Globex fits both ideal customer profiles is due Fri, 4 Dec 2026, 17:00 GMT-6.',
    });
  });

  it('escalates an overdue milestone up the owner’s ladder, each rung once, the owner copied', () => {
    const preview = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects);
    const fitCheck = preview.emails.filter(
      (e) => e.kind === 'milestone-escalation' && e.subject.includes('Confirm Globex fits'),
    );
    // Working hours (issue 15): 24 and 72 working hours after Friday 4 December 17:00 CST.
    expect(fitCheck.map((e) => [e.at, e.to, e.cc])).toEqual([
      ['2026-12-07T23:00:00.000Z', PEOPLE.sam, PEOPLE.ana],
      ['2026-12-09T23:00:00.000Z', PEOPLE.kim, PEOPLE.ana],
    ]);
  });

  it('shows the open gate’s overdue notices and the ladders of the parties whose move it is', () => {
    const preview = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects);
    const gate = preview.emails.filter((e) => e.kind.startsWith('gate-'));
    expect(gate.map((e) => [e.kind, e.at, e.to])).toEqual([
      ['gate-overdue', '2026-12-04T23:00:00.000Z', PEOPLE.ana],
      ['gate-overdue', '2026-12-04T23:00:00.000Z', PEOPLE.dana],
      // After one working day of grace (Monday 17:00 CST) and Raj's 24 working hours; Sam and Kim hear of
      // this miss once, from fit-check's escalation (issue 15).
      ['gate-escalation', '2026-12-08T23:00:00.000Z', PEOPLE.raj],
    ]);
    expect(gate[0]?.subject).toBe('[Globex platform migration] Overdue: stage 1, Target account selection');
  });

  it('lists the next four weekly reviews to each attendee, the first with the calendar invitation', () => {
    const reviews = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects).emails.filter(
      (e) => e.kind === 'weekly-review',
    );
    expect(reviews).toHaveLength(8);
    expect(reviews.slice(0, 2)).toEqual([
      expect.objectContaining({
        at: '2026-12-07T15:30:00.000Z',
        to: PEOPLE.ana,
        localTime: 'Mon, 7 Dec 2026, 09:30 GMT-6',
        summary: expect.stringContaining('with the calendar invitation'),
      }),
      expect.objectContaining({
        at: '2026-12-07T15:30:00.000Z',
        to: PEOPLE.dana,
        timezone: 'America/New_York',
        localTime: 'Mon, 7 Dec 2026, 10:30 GMT-5',
      }),
    ]);
    expect(reviews[2]?.summary).not.toContain('invitation');
    expect(reviews.at(-1)?.at).toBe('2026-12-28T15:30:00.000Z');
  });

  it('moves an email due in the recipient’s quiet hours to when they end', () => {
    // Prepare: quiet from 12:00 to 18:00, so the 17:00 reminder waits until 18:00
    const plan = planWith((p) => {
      p.reminders.quietHours = { start: '12:00', end: '18:00' };
    });
    const snapshot = liveDeal(dealAtStage('target-account-selection', NOW, plan));

    // Act
    const [first] = schedulePreview(snapshot, NOW, DEFAULT_TZ, emailSubjects).emails;

    // Assess
    expect(first).toMatchObject({ kind: 'reminder', at: '2026-12-03T00:00:00.000Z' });
    expect(first?.localTime).toBe('Wed, 2 Dec 2026, 18:00 GMT-6');
  });

  it('is empty for a deal that is no longer active', () => {
    const snapshot = liveDeal();
    snapshot.deal.status = 'won';
    expect(schedulePreview(snapshot, NOW, DEFAULT_TZ, emailSubjects).emails).toEqual([]);
  });
});

describe('schedulePreview: working days', () => {
  it('lists no weekend or holiday sends, and only early warnings for later stages', () => {
    // Prepare: the tenant's holiday is Monday 7 December.
    const calendar = { workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'] as const, holidays: ['2026-12-07'] };

    // Act
    const preview = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects, 4, {
      calendar,
      graceDays: 1,
    });

    // Assess
    expect(preview.workingDaysApplied).toBe(true);
    const days = preview.emails
      .filter((e) => e.kind !== 'weekly-review')
      .map((e) => new Intl.DateTimeFormat('en-CA', { timeZone: e.timezone }).format(new Date(e.at)));
    const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
    expect(days.filter((d) => d === '2026-12-07' || weekday(d) === 0 || weekday(d) === 6)).toEqual([]);
    expect(
      preview.emails.filter((e) => e.to === PEOPLE.raj && e.summary.includes('Warm introduction')),
    ).toEqual([]);
    expect(preview.emails.filter((e) => e.kind === 'early-warning').map((e) => e.to)).toContain(PEOPLE.dana);
  });
});
