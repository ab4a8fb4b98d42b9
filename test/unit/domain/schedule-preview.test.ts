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
    expect(fitCheck.map((e) => [e.at, e.to, e.cc])).toEqual([
      ['2026-12-05T23:00:00.000Z', PEOPLE.sam, PEOPLE.ana],
      ['2026-12-07T23:00:00.000Z', PEOPLE.kim, PEOPLE.ana],
    ]);
  });

  it('shows the open gate’s overdue notices and the ladders of the parties whose move it is', () => {
    const preview = schedulePreview(liveDeal(), NOW, DEFAULT_TZ, emailSubjects);
    const gate = preview.emails.filter((e) => e.kind.startsWith('gate-'));
    expect(gate.map((e) => [e.kind, e.at, e.to])).toEqual([
      ['gate-overdue', '2026-12-04T23:00:00.000Z', PEOPLE.ana],
      ['gate-overdue', '2026-12-04T23:00:00.000Z', PEOPLE.dana],
      ['gate-escalation', '2026-12-05T23:00:00.000Z', PEOPLE.raj],
      ['gate-escalation', '2026-12-05T23:00:00.000Z', PEOPLE.sam],
      ['gate-escalation', '2026-12-07T23:00:00.000Z', PEOPLE.kim],
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
