import { afterEach, describe, expect, it } from 'vitest';
import type { Mailer } from '../../../../lambdas/domain/ports';
import { createPlan } from '../../../../lambdas/domain/use-cases/plans';
import { sendWeeklyReviews } from '../../../../lambdas/domain/use-cases/weekly-review';
import { FakeClock, type FakeDealStore, fakeDeps, RecordingMailer } from '../../../helpers/fakes';
import { PEOPLE, referencePlan } from '../../../helpers/plan';

const SENDER = 'Cosell Flow <deals@acme.example>';

async function loadedPlan() {
  const deps = fakeDeps({
    clock: new FakeClock('2026-12-01T15:00:00.000Z'), // Tue 1 Dec, 09:00 in Chicago
  });
  const { planId } = await createPlan(deps, referencePlan());
  return { deps: { ...deps, sender: SENDER }, planId, mailer: deps.mailer };
}

function reviewed(store: FakeDealStore, planId: string) {
  const snapshot = store.peek(planId);
  if (!snapshot) throw new Error(`no plan ${planId}`);
  return snapshot.deal;
}

afterEach(() => undefined);

describe('sendWeeklyReviews', () => {
  it('schedules the first review at the first cadence instant after the plan is loaded', async () => {
    const { deps, planId } = await loadedPlan();
    expect(reviewed(deps.store, planId).nextReviewAt).toBe('2026-12-07T15:30:00.000Z');
  });

  it('sends nothing before the review is due', async () => {
    const { deps, mailer } = await loadedPlan();
    deps.clock.set('2026-12-07T15:29:00.000Z');
    expect(await sendWeeklyReviews(deps)).toEqual({ due: 0, sent: 0, invitations: 0, failed: [] });
    expect(mailer.sent).toEqual([]);
  });

  it('sends the first review to each attendee with the calendar invitation, once', async () => {
    // Prepare
    const { deps, planId, mailer } = await loadedPlan();
    deps.clock.set('2026-12-07T15:30:00.000Z');

    // Act
    const first = await sendWeeklyReviews(deps);
    const again = await sendWeeklyReviews(deps);

    // Assess
    expect(first).toEqual({ due: 1, sent: 2, invitations: 2, failed: [] });
    expect(again.sent).toBe(0);
    expect(mailer.sent.map((e) => e.to)).toEqual([[PEOPLE.ana], [PEOPLE.dana]]);
    expect(mailer.sent.map((e) => e.key)).toEqual([
      `review#${planId}#2026-12-07#${PEOPLE.ana}`,
      `review#${planId}#2026-12-07#${PEOPLE.dana}`,
    ]);
    for (const email of mailer.sent) {
      expect(email.subject).toMatch(
        /^\[Globex platform migration\] Weekly review Mon, 7 Dec 2026: 2 to escalate$/,
      );
      expect(email.text).toContain('A calendar invitation for this 15-minute review');
      expect(email.text).toContain('What moved since last week');
      expect(email.text).toContain('Stage 1, Target account selection: 0 day(s) in stage');
      const invite = mailer.invites.get(email.key);
      expect(invite?.method).toBe('REQUEST');
      expect(invite?.ics).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
      expect(invite?.ics.replace(/\r\n /g, '')).toContain(
        `ATTENDEE;CN="Dana Whit";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${PEOPLE.dana}`,
      );
      expect(invite?.ics).toContain('ORGANIZER;CN="Cosell Flow":mailto:deals@acme.example');
    }
    expect(reviewed(deps.store, planId)).toMatchObject({
      nextReviewAt: '2026-12-14T15:30:00.000Z',
      reviewInvitedOn: '2026-12-07',
    });
  });

  it('sends later reviews without an invitation, one per week', async () => {
    // Prepare
    const { deps, mailer } = await loadedPlan();
    deps.clock.set('2026-12-07T15:30:00.000Z');
    await sendWeeklyReviews(deps);

    // Act
    deps.clock.set('2026-12-14T15:30:00.000Z');
    const second = await sendWeeklyReviews(deps);
    deps.clock.set('2026-12-14T15:45:00.000Z');
    const sameWeek = await sendWeeklyReviews(deps);

    // Assess
    expect(second).toEqual({ due: 1, sent: 2, invitations: 0, failed: [] });
    expect(sameWeek.sent).toBe(0);
    expect(mailer.sent).toHaveLength(4);
    expect(mailer.invites.size).toBe(2);
    expect(mailer.sent[2]?.text).not.toContain('calendar invitation');
  });

  it('after a sweep outage sends only the latest week’s review, never a backlog', async () => {
    // Prepare
    const { deps, planId, mailer } = await loadedPlan();

    // Act
    deps.clock.set('2026-12-30T12:00:00.000Z'); // three reviews missed
    await sendWeeklyReviews(deps);

    // Assess
    expect(mailer.sent.map((e) => e.key)).toEqual([
      `review#${planId}#2026-12-28#${PEOPLE.ana}`,
      `review#${planId}#2026-12-28#${PEOPLE.dana}`,
    ]);
    expect(reviewed(deps.store, planId).nextReviewAt).toBe('2027-01-04T15:30:00.000Z');
  });

  it('retries a failed send at the next sweep without sending anyone a second copy', async () => {
    // Prepare
    const { deps, planId, mailer } = await loadedPlan();
    deps.clock.set('2026-12-07T15:30:00.000Z');
    mailer.failNext = 1;

    // Act
    const failed = await sendWeeklyReviews(deps);
    deps.clock.set('2026-12-07T15:45:00.000Z');
    const retried = await sendWeeklyReviews(deps);

    // Assess
    expect(failed.failed).toEqual([{ planId, error: 'mail service unavailable' }]);
    expect(retried).toEqual({ due: 1, sent: 2, invitations: 2, failed: [] });
    expect(mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.ana, PEOPLE.dana]);
  });

  it('survives a concurrent change to the deal (re-reads, sends nothing twice)', async () => {
    // Prepare
    const { deps, planId, mailer } = await loadedPlan();
    deps.clock.set('2026-12-07T15:30:00.000Z');
    deps.store.interleave(async () => {
      const current = deps.store.peek(planId);
      if (current) await deps.store.save({ deal: { ...current.deal, updatedAt: 'concurrent' } });
    });

    // Act
    const report = await sendWeeklyReviews(deps);

    // Assess
    expect(report.sent).toBe(2);
    expect(mailer.sent).toHaveLength(2);
    expect(reviewed(deps.store, planId)).toMatchObject({
      updatedAt: 'concurrent',
      nextReviewAt: '2026-12-14T15:30:00.000Z',
    });
  });

  it('sends no review for a deal that is no longer active', async () => {
    const { deps, planId, mailer } = await loadedPlan();
    const snapshot = deps.store.peek(planId);
    if (!snapshot) throw new Error('no plan');
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, status: 'won' } });
    deps.clock.set('2026-12-07T15:30:00.000Z');
    expect((await sendWeeklyReviews(deps)).sent).toBe(0);
    expect(mailer.sent).toEqual([]);
  });

  it('needs a mailer that sends invitations: one without is refused, and never drops the invitation silently', async () => {
    const { deps, planId } = await loadedPlan();
    const plain = new RecordingMailer();
    const sendOnly: Mailer = { send: (email) => plain.send(email) };
    deps.clock.set('2026-12-07T15:30:00.000Z');
    // @ts-expect-error the review's mailer must be an InvitationMailer too
    const report = await sendWeeklyReviews({ ...deps, mailer: sendOnly });
    expect(report).toMatchObject({ sent: 0, invitations: 0, failed: [{ planId }] });
    expect(plain.sent).toEqual([]);
  });
});
