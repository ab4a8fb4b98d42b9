import { describe, expect, it } from 'vitest';
import { sendSlotKeys } from '../../../../lambdas/domain/cadence';
import type { Deal, MilestoneState } from '../../../../lambdas/domain/deal';
import { TransientError } from '../../../../lambdas/domain/errors';
import {
  ANNOUNCE_HANDOFF_MS,
  ANNOUNCE_MARGIN_MS,
  type AnnounceDeps,
  announceHeld,
  closeAnnouncements,
  deliverAnnouncements,
  passAnnouncements,
} from '../../../../lambdas/domain/use-cases/announcements';
import { closePlan } from '../../../../lambdas/domain/use-cases/close-plan';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import type { StageKey } from '../../../../lambdas/domain/vocabulary';
import { FakeClock, fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

// Announcements go through the reminders' quiet hours (19:00 to 08:00 in the reference plan), working days
// and daily cap. Tuesday 1 December 2026, 17:00Z: 11:00 for Ana (Chicago), 12:00 for Dana (New York), 09:00
// for Lee (Los Angeles): everyone may be mailed.
const WORKING = '2026-12-01T17:00:00.000Z';

/** What a passed gate announces, held and delivered at once (as the save, then announce, do). */
function announcePassed(
  deps: AnnounceDeps,
  deal: Deal,
  milestones: MilestoneState[],
  passed: { stage: StageKey; outcome: 'passed' | 'lost' },
) {
  const held = passAnnouncements(deal, passed, deps.clock.now(), deps.config.defaultTimezone);
  return deliverAnnouncements(deps, deal, milestones, held);
}

describe('deliverAnnouncements', () => {
  it('tells the owners of all three parties once that a stage passed, in their own words', async () => {
    // Prepare
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
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
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
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
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
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

const STAGE_1 = { stage: 'target-account-selection', outcome: 'passed' } as const;

/** A deal in stage 2 with no milestone nudge pending, so that the sweep sends only what is held. */
function quietDeal(stage: Parameters<typeof dealAtStage>[0] = 'door-opener') {
  const snapshot = dealAtStage(stage, new Date('2026-12-01T15:00:00.000Z'));
  return {
    ...snapshot,
    milestones: snapshot.milestones.map(({ nudgeAt: _n, ...m }) => m),
  };
}

describe('announcements through quiet hours, the daily cap and the digest', () => {
  it('holds the customer’s in her quiet hours and sends it at her next working morning, in her digest', async () => {
    // Prepare: 15:00Z is 07:00 in Los Angeles, quiet for Lee; her proof-of-concept reminder falls due at
    // 08:00 her time too.
    const deps = fakeDeps({ clock: new FakeClock('2026-12-01T15:00:00.000Z') });
    const snapshot = quietDeal();
    const morning = '2026-12-01T16:00:00.000Z';
    const milestones = snapshot.milestones.map((m) =>
      m.milestoneId === 'proof-of-concept'
        ? {
            ...m,
            stage: 'door-opener' as const,
            dueAt: '2026-12-02T20:00:00.000Z',
            due: '2026-12-02',
            nudgeAt: morning,
          }
        : m,
    );
    deps.store.put({ ...snapshot, milestones });

    // Act: the pass, held in its save, then delivered at once where it may go.
    const held = passAnnouncements(snapshot.deal, STAGE_1, deps.clock.now(), deps.config.defaultTimezone);
    await deps.store.save({ deal: (deps.store.peek(PLAN_ID) ?? fail()).deal, announcements: held });
    await announcePassed(deps, snapshot.deal, milestones, STAGE_1);
    const atOnce = deps.mailer.sent.map((e) => e.to[0]);
    deps.clock.set('2026-12-01T15:45:00.000Z');
    await sweepReminders(deps); // still quiet for Lee: nothing
    const beforeMorning = deps.mailer.sent.length;
    deps.clock.set(morning);
    const report = await sweepReminders(deps);
    deps.clock.set('2026-12-01T17:00:00.000Z');
    await sweepReminders(deps);

    // Assess
    expect(atOnce).toEqual([PEOPLE.ana, PEOPLE.dana]);
    expect(beforeMorning).toBe(2);
    const toLee = deps.mailer.to(PEOPLE.lee);
    expect(toLee).toHaveLength(1);
    expect(toLee[0]?.key).toMatch(/^digest#/);
    expect(toLee[0]?.text).toContain('News');
    expect(toLee[0]?.text).toContain('Agreed: Getting started.');
    expect(toLee[0]?.text).toContain('Combined proof of concept signed off');
    expect(toLee[0]?.text).not.toMatch(/\bgate\b|attribution|stage \d of 5/i);
    expect(report).toMatchObject({ emails: 1, reminders: 1, announcements: 1 });
    expect(deps.ledger.done).toContain(
      `announce#stage-passed#${PLAN_ID}#target-account-selection#${PEOPLE.lee}`,
    );
    expect(deps.store.held.size).toBe(0);
  });

  it('holds one over the recipient’s daily cap until their next working morning (shared with the sweep)', async () => {
    // Prepare: Ana already had her three emails today (the plan's cap), from the sweep.
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    const snapshot = quietDeal();
    deps.store.put(snapshot);
    for (const slot of sendSlotKeys(PEOPLE.ana, deps.clock.now(), 'America/Chicago', 3))
      deps.ledger.done.add(slot);

    // Act
    await announcePassed(deps, snapshot.deal, snapshot.milestones, STAGE_1);
    const heldFor = [...deps.store.held.values()].map((h) => [h.to.email, h.at]);
    deps.clock.set('2026-12-01T23:00:00.000Z');
    await sweepReminders(deps);
    const sameDay = deps.mailer.to(PEOPLE.ana).length;
    deps.clock.set('2026-12-02T14:00:00.000Z'); // Wednesday 08:00 in Chicago
    await sweepReminders(deps);

    // Assess
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.dana, PEOPLE.lee, PEOPLE.ana]);
    expect(heldFor).toEqual([[PEOPLE.ana, '2026-12-02T14:00:00.000Z']]);
    expect(sameDay).toBe(0);
    expect(deps.mailer.to(PEOPLE.ana)[0]?.subject).toBe(
      '[Globex platform migration] Stage passed: Target account selection',
    );
  });

  it('waits over a weekend: a Friday-night pass reaches each owner on Monday morning', async () => {
    // Prepare: Friday 4 December 2026, 21:00 in Los Angeles, 23:00 in Chicago (05:00Z Saturday).
    const deps = fakeDeps({ clock: new FakeClock('2026-12-05T05:00:00.000Z') });
    const snapshot = quietDeal();
    deps.store.put(snapshot);

    // Act: the announcement, then a sweep every hour to Monday noon.
    await announcePassed(deps, snapshot.deal, snapshot.milestones, STAGE_1);
    const sentAt: Record<string, string> = {};
    for (
      let t = Date.parse('2026-12-05T06:00:00Z');
      t <= Date.parse('2026-12-07T18:00:00Z');
      t += 3_600_000
    ) {
      deps.clock.set(new Date(t));
      const before = deps.mailer.sent.length;
      await sweepReminders(deps);
      for (const e of deps.mailer.sent.slice(before)) sentAt[e.to[0] as string] = new Date(t).toISOString();
    }

    // Assess: Monday 08:00 on each one's own clock.
    expect(sentAt).toEqual({
      [PEOPLE.dana]: '2026-12-07T13:00:00.000Z',
      [PEOPLE.ana]: '2026-12-07T14:00:00.000Z',
      [PEOPLE.lee]: '2026-12-07T16:00:00.000Z',
    });
    expect(deps.mailer.sent).toHaveLength(3);
  });

  it('sends each once across a rerun: a crash after the send, a second sweep, a repeated delivery', async () => {
    // Prepare: held with the save, at a time when all may be mailed.
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    const snapshot = quietDeal();
    deps.store.put(snapshot);
    const held = passAnnouncements(snapshot.deal, STAGE_1, deps.clock.now(), deps.config.defaultTimezone);
    await deps.store.save({ deal: snapshot.deal, announcements: held });
    // A crash after the email to Ana went out and before the held item was settled.
    await deps.ledger.once(held[0]?.key ?? '', async () => {
      await deps.mailer.send(
        deps.views.stagePassed(
          snapshot.deal,
          'target-account-selection',
          held[0]?.to ?? fail(),
          snapshot.milestones,
          held[0]?.key ?? '',
        ),
      );
    });

    // Act: the sweep finds all three held, then runs again; then the delivery is repeated.
    await sweepReminders(deps);
    await sweepReminders(deps);
    await announcePassed(deps, snapshot.deal, snapshot.milestones, STAGE_1);

    // Assess
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.ana, PEOPLE.dana, PEOPLE.lee]);
    expect(deps.store.held.size).toBe(0);
  });

  it('keeps one whose send failed for now, and the next sweep sends it', async () => {
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    const snapshot = quietDeal();
    deps.store.put(snapshot);
    deps.mailer.failNext = 1;
    await announcePassed(deps, snapshot.deal, snapshot.milestones, STAGE_1);
    expect([...deps.store.held.values()].map((h) => h.to.email)).toEqual([PEOPLE.ana]);
    // A sweep within the hand-off leaves it to `announce` (which may be sending it now)...
    await sweepReminders(deps);
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.dana, PEOPLE.lee]);
    // ...and the first sweep after it sends it.
    deps.clock.set(new Date(Date.parse(WORKING) + ANNOUNCE_HANDOFF_MS));
    await sweepReminders(deps);
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.dana, PEOPLE.lee, PEOPLE.ana]);
    expect(deps.store.held.size).toBe(0);
  });
});

describe('announceHeld (the announce function, on the deal event that follows a change)', () => {
  const STAGE_1 = { stage: 'target-account-selection', outcome: 'passed' } as const;

  /** A deal at stage 2 whose stage-1 pass is held with its save, as the link handler holds it. */
  async function heldPass(deps: ReturnType<typeof fakeDeps>) {
    const snapshot = dealAtStage('door-opener');
    deps.store.put(snapshot);
    const held = passAnnouncements(snapshot.deal, STAGE_1, deps.clock.now(), 'America/Chicago');
    for (const a of held) await deps.store.holdAnnouncement(a);
    return held;
  }

  it('sends what the event’s change held, once, and nothing another change held', async () => {
    // Prepare: the stage-1 pass held, and a close held too (the close event has not come yet).
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    await heldPass(deps);
    const closing = closeAnnouncements(dealAtStage('door-opener').deal, deps.clock.now(), 'America/Chicago');
    for (const a of closing) await deps.store.holdAnnouncement(a);

    // Act: Stage Advanced for stage 1, delivered twice; one for stage 2 (nothing held for it).
    const first = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });
    const again = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });
    const other = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: 'door-opener' });

    // Assess
    expect([first.taken, again.taken, other.taken]).toEqual([3, 0, 0]);
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.ana, PEOPLE.dana, PEOPLE.lee]);
    expect(deps.mailer.sent.every((e) => !/closed/i.test(e.subject))).toBe(true);
    expect([...deps.store.held.keys()].sort()).toEqual(closing.map((a) => a.key).sort());
  });

  it('throws for a retry when a send failed for now, after the others went; the retry sends it once', async () => {
    // Prepare: SES throttles the first send (Ana's).
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    await heldPass(deps);
    deps.mailer.failNext = 1;

    // Act: the event, then its retry a minute later (Lambda's async retry).
    const first = announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });
    await expect(first).rejects.toThrow(TransientError);
    const afterFirst = deps.mailer.sent.map((e) => e.to[0]);
    deps.clock.set(new Date(Date.parse(WORKING) + 60_000));
    const retry = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });

    // Assess
    expect(afterFirst).toEqual([PEOPLE.dana, PEOPLE.lee]);
    expect(retry.taken).toBe(1);
    expect(deps.mailer.sent.map((e) => e.to[0])).toEqual([PEOPLE.dana, PEOPLE.lee, PEOPLE.ana]);
    expect(deps.store.held.size).toBe(0);
  });

  it('leaves to the sweep what is nearly past its hand-off (a late event): sent once, by the sweep', async () => {
    // Prepare
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    await heldPass(deps);

    // Act: the event arrives with less than the margin left; then the sweep after the hand-off.
    deps.clock.set(new Date(Date.parse(WORKING) + ANNOUNCE_HANDOFF_MS - ANNOUNCE_MARGIN_MS + 1));
    const late = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });
    const beforeSweep = deps.mailer.sent.length;
    deps.clock.set(new Date(Date.parse(WORKING) + ANNOUNCE_HANDOFF_MS));
    await sweepReminders(deps);

    // Assess
    expect(late.taken).toBe(0);
    expect(beforeSweep).toBe(0);
    expect(deps.mailer.sent.map((e) => e.to[0]).sort()).toEqual([PEOPLE.ana, PEOPLE.dana, PEOPLE.lee].sort());
    expect(deps.store.held.size).toBe(0);
  });

  it('out of the recipient’s hours holds it for their working morning instead', async () => {
    // Prepare: Tuesday 22:00 in Chicago, 23:00 in New York, 20:00 in Los Angeles: all in quiet hours.
    const deps = fakeDeps({ clock: new FakeClock('2026-12-02T04:00:00.000Z') });
    await heldPass(deps);

    // Act
    const result = await announceHeld(deps, PLAN_ID, { kind: 'stage-passed', stage: STAGE_1.stage });

    // Assess: nothing sent; each held until 08:00 of the recipient's Wednesday.
    expect(result.taken).toBe(3);
    expect(deps.mailer.sent).toEqual([]);
    const heldUntil = Object.fromEntries([...deps.store.held.values()].map((a) => [a.to.email, a.at]));
    expect(heldUntil).toEqual({
      [PEOPLE.ana]: '2026-12-02T14:00:00.000Z',
      [PEOPLE.dana]: '2026-12-02T13:00:00.000Z',
      [PEOPLE.lee]: '2026-12-02T16:00:00.000Z',
    });
  });
});

describe('closing a deal through the operations API', () => {
  it('tells the owners once that it was lost, with the reason', async () => {
    // Prepare
    const deps = fakeDeps({ clock: new FakeClock(WORKING) });
    const snapshot = quietDeal('joint-discovery');
    deps.store.put(snapshot);

    // Act: the close; its Closed Lost event reaches announce twice (a duplicate delivery); sweeps (nothing
    // is left held); a second close (refused).
    const view = await closePlan(deps, PLAN_ID, {
      outcome: 'no-decision',
      reason: 'Globex froze the budget for next year',
      lesson: 'Ask about budget in discovery',
    });
    const atClose = deps.mailer.sent.length;
    await announceHeld(deps, PLAN_ID, { kind: 'closed' });
    await announceHeld(deps, PLAN_ID, { kind: 'closed' });
    await sweepReminders(deps);
    await expect(closePlan(deps, PLAN_ID, { outcome: 'lost', reason: 'again' })).rejects.toThrow(
      /already closed/,
    );
    await sweepReminders(deps);

    // Assess: the close itself only held them.
    expect(view.warnings).toEqual([]);
    expect(atClose).toBe(0);
    expect(deps.mailer.sent.map((e) => [e.to[0], e.subject])).toEqual([
      [PEOPLE.ana, '[Globex platform migration] Closed lost'],
      [PEOPLE.dana, '[Globex platform migration] Closed lost'],
      [PEOPLE.lee, '[Globex platform migration] Closed lost'],
    ]);
    const vendor = deps.mailer.sent[0]?.text ?? '';
    expect(vendor).toContain('lost (no decision)');
    expect(vendor).toContain('Globex froze the budget for next year');
    expect(vendor).toContain('Lesson: Ask about budget in discovery');
    expect(vendor).toContain('in stage 3, Joint discovery');
    expect(deps.mailer.sent[2]?.text).not.toMatch(/\bstage \d\b|\bgate\b/i);
    // The lesson is the vendor's and partner's own retrospective: the customer reads the reason only.
    expect(deps.mailer.sent[2]?.text).toContain('Globex froze the budget for next year');
    expect(deps.mailer.sent[2]?.text).not.toContain('Ask about budget');
    expect(deps.store.held.size).toBe(0);
  });

  it('holds the close’s announcements in its save: out of hours they go with the next working morning’s sweep', async () => {
    // Prepare: Tuesday 22:00 in Chicago.
    const deps = fakeDeps({ clock: new FakeClock('2026-12-02T04:00:00.000Z') });
    const snapshot = quietDeal('joint-discovery');
    deps.store.put(snapshot);

    // Act
    await closePlan(deps, PLAN_ID, { outcome: 'lost', reason: 'Chose a competitor' });
    await announceHeld(deps, PLAN_ID, { kind: 'closed' });
    const atOnce = deps.mailer.sent.length;
    const held = [...deps.store.held.values()].map((h) => h.key).sort();
    deps.clock.set('2026-12-02T14:00:00.000Z');
    await sweepReminders(deps);

    // Assess
    expect(atOnce).toBe(0);
    expect(held).toEqual(
      closeAnnouncements(snapshot.deal, new Date(), 'America/Chicago')
        .map((h) => h.key)
        .sort(),
    );
    expect(deps.mailer.to(PEOPLE.ana).map((e) => e.subject)).toEqual([
      '[Globex platform migration] Closed lost',
    ]);
    expect(deps.mailer.to(PEOPLE.ana)[0]?.text).toContain('Chose a competitor');
  });

  it('drops a held stage-passed note once the deal has closed: the owners hear of the close only', async () => {
    // Prepare: Tuesday 22:00 in Chicago, out of everyone's hours: stage 2's pass is held for the morning.
    const deps = fakeDeps({ clock: new FakeClock('2026-12-02T04:00:00.000Z') });
    const snapshot = quietDeal('joint-discovery');
    deps.store.put(snapshot);
    const passed = { stage: 'door-opener', outcome: 'passed' } as const;
    await announcePassed(deps, snapshot.deal, snapshot.milestones, passed);
    const heldPasses = [...deps.store.held.keys()].filter((k) => k.startsWith('announce#stage-passed#'));

    // Act: ops close the deal that night; the morning's sweep runs.
    await closePlan(deps, PLAN_ID, { outcome: 'lost', reason: 'Chose a competitor' });
    deps.clock.set('2026-12-02T18:00:00.000Z');
    await sweepReminders(deps);
    await sweepReminders(deps);

    // Assess
    expect(heldPasses).toHaveLength(3);
    for (const who of [PEOPLE.ana, PEOPLE.dana, PEOPLE.lee]) {
      expect(deps.mailer.to(who).map((e) => e.subject)).toEqual(['[Globex platform migration] Closed lost']);
    }
    expect(deps.store.held.size).toBe(0);
  });
});

function fail(): never {
  throw new Error('expected a value');
}
