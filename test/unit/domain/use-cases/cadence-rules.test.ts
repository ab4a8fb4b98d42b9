import { describe, expect, it } from 'vitest';
import { milestoneNudges } from '../../../../lambdas/domain/notifications';
import { escalateGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import { fakeDeps } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID, planWith, planWithMilestone } from '../../../helpers/plan';

// The cadence's rules on a tenant with the defaults: Monday to Friday, one working day of grace after a
// gate's deadline, rung delays in working hours. fit-check (Ana, Chicago) is due Friday 4 December 2026,
// 17:00 CST (23:00Z); Sam's rung is 24 h, Kim's 72 h; warm-intro (Dana, New York, stage 2) is due Friday
// 11 December, 17:00 EST (22:00Z); Raj's rung is 24 h.

const START = '2026-12-01T15:00:00.000Z';

/** Sweeps every 15 minutes from `from` to `to` (ISO instants); returns when each email went, by recipient. */
async function sweepEvery15(
  deps: ReturnType<typeof fakeDeps>,
  from: string,
  to: string,
): Promise<Record<string, string[]>> {
  const sentAt: Record<string, string[]> = {};
  for (let t = Date.parse(from); t <= Date.parse(to); t += 15 * 60_000) {
    deps.clock.set(new Date(t));
    const before = deps.mailer.sent.length;
    await sweepReminders(deps);
    for (const e of deps.mailer.sent.slice(before)) {
      if (e.key.startsWith('ghosting#')) continue; // the vendor's silence: not these tests' subject
      for (const address of e.to) sentAt[address] = [...(sentAt[address] ?? []), new Date(t).toISOString()];
    }
  }
  return sentAt;
}

function chicago(at: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/Chicago',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(at));
}

describe('the current-stage rule', () => {
  it('chases only the open stage: later-stage work gets one early warning, to its owner, when its date passes', () => {
    // Prepare: stage 1 is open; warm-intro is stage 2's.
    const { deal, milestones } = dealAtStage('target-account-selection', new Date(START));
    const warm = milestones.find((m) => m.milestoneId === 'warm-intro');
    const fit = milestones.find((m) => m.milestoneId === 'fit-check');

    // Act
    const later = milestoneNudges(deal, warm ?? fail(), { defaultTz: 'America/Chicago', ghostingDays: 7 });
    const current = milestoneNudges(deal, fit ?? fail(), { defaultTz: 'America/Chicago', ghostingDays: 7 });

    // Assess
    expect(later.map((n) => [n.kind, n.to.email, n.at.toISOString(), n.rung])).toEqual([
      ['early-warning', PEOPLE.dana, '2026-12-11T22:00:00.000Z', undefined],
    ]);
    expect(current.map((n) => n.kind)).toEqual(['reminder', 'overdue', 'overdue', 'ghosting', 'ghosting']);
  });

  it('never mails the partner’s ladder about stage 2 while the deal is stuck in stage 1', async () => {
    // Prepare
    const deps = fakeDeps();
    deps.store.put(dealAtStage('target-account-selection', new Date(START)));

    // Act: three weeks of sweeps, nobody acting.
    await sweepEvery15(deps, '2026-12-02T14:00:00.000Z', '2026-12-23T14:00:00.000Z');

    // Assess: Raj is never told about stage 2; Dana gets her early warning once, after warm-intro's due
    // time. (Issue 15: Dana owes stage 1's confirmation, so her silence is ghosting: Raj hears that once,
    // about stage 1's confirmation.)
    const toRaj = deps.mailer.to(PEOPLE.raj);
    expect(toRaj.filter((e) => !e.key.startsWith('ghosting#'))).toEqual([]);
    expect(toRaj.map((e) => e.key)).toEqual([`ghosting#${PLAN_ID}#${START}`]);
    expect(toRaj[0]?.text).toContain('their confirmation of stage 1');
    expect(toRaj[0]?.text).not.toContain('Warm introduction');
    const toDana = deps.mailer.to(PEOPLE.dana).filter((e) => e.text.includes('Warm introduction'));
    expect(toDana.map((e) => e.key)).toEqual([`early#${PLAN_ID}#warm-intro#2026-12-11`]);
    expect(toDana[0]?.text).toContain('Early warning');
  });
});

describe('working days', () => {
  it('sends nothing on a weekend: Sam’s 24 working hours after Friday 17:00 end Monday 17:00', async () => {
    // Prepare
    const deps = fakeDeps();
    deps.store.put(dealAtStage('target-account-selection', new Date(START)));

    // Act
    const sentAt = await sweepEvery15(deps, '2026-12-04T23:00:00.000Z', '2026-12-08T06:00:00.000Z');

    // Assess
    const toSam = deps.mailer.sent.filter((e) => e.to.includes(PEOPLE.sam) && !e.key.startsWith('ghosting#'));
    expect(toSam.map((e) => e.key)).toEqual([`overdue#${PLAN_ID}#fit-check#2026-12-04#0`]);
    expect(sentAt[PEOPLE.sam]?.map(chicago)).toEqual(['Mon 17:00']);
  });

  it('holds a Friday-evening escalation to Monday 08:00, and skips a holiday', async () => {
    // Prepare: Sam's rung after 2 h (Friday 19:00: quiet hours); fit-check due Thursday 24 December, and
    // 25 December is the tenant's holiday: 2 working hours after Thursday 17:00 are Thursday 19:00, in
    // quiet hours, and the next working morning is Monday 28 December.
    const friday = planWith((plan) => {
      const ladder = plan.escalation?.vendor ?? fail();
      ladder[0] = { ...(ladder[0] ?? fail()), afterHours: 2 };
    });
    const christmas = planWith((plan) => {
      const ladder = plan.escalation?.vendor ?? fail();
      ladder[0] = { ...(ladder[0] ?? fail()), afterHours: 2 };
      const [fit] = plan.stages['target-account-selection'].milestones;
      if (fit) fit.due = '2026-12-24';
    });
    const first = fakeDeps();
    first.store.put(dealAtStage('target-account-selection', new Date(START), friday));
    const second = fakeDeps();
    second.config.holidays = ['2026-12-25'];
    second.store.put(dealAtStage('target-account-selection', new Date(START), christmas));

    // Act: each sweep records when it sent what.
    const sent: Record<string, string[]> = { first: [], second: [] };
    for (const [name, deps, from, to] of [
      ['first', first, '2026-12-04T22:00:00.000Z', '2026-12-07T20:00:00.000Z'],
      ['second', second, '2026-12-24T22:00:00.000Z', '2026-12-28T20:00:00.000Z'],
    ] as const) {
      for (let t = Date.parse(from); t <= Date.parse(to); t += 15 * 60_000) {
        deps.clock.set(new Date(t));
        const before = deps.mailer.sent.length;
        await sweepReminders(deps);
        for (const e of deps.mailer.sent.slice(before)) {
          if (e.to.includes(PEOPLE.sam) && !e.key.startsWith('ghosting#'))
            sent[name]?.push(new Date(t).toISOString());
        }
      }
    }

    // Assess
    expect(sent.first?.map(chicago)).toEqual(['Mon 08:00']);
    expect(sent.second?.map(chicago)).toEqual(['Mon 08:00']);
    expect(sent.second?.[0]?.slice(0, 10)).toBe('2026-12-28');
  });

  it('keeps local times across the 14 March 2027 spring-forward', async () => {
    // Prepare: fit-check due Friday 12 March 2027, 17:00 CST; Chicago springs forward on Sunday. (Months
    // of silence since the deal started are not this test's subject.)
    const deps = fakeDeps();
    deps.config.ghostingDays = 180;
    deps.store.put(
      dealAtStage(
        'target-account-selection',
        new Date(START),
        planWithMilestone('fit-check', { due: '2027-03-12' }),
      ),
    );

    // Act
    const times: string[] = [];
    for (
      let t = Date.parse('2027-03-12T23:00:00Z');
      t <= Date.parse('2027-03-16T06:00:00Z');
      t += 15 * 60_000
    ) {
      deps.clock.set(new Date(t));
      const before = deps.mailer.sent.length;
      await sweepReminders(deps);
      for (const e of deps.mailer.sent.slice(before))
        if (e.to.includes(PEOPLE.sam)) times.push(new Date(t).toISOString());
    }

    // Assess: Monday 15 March 17:00 CDT (22:00Z), 24 working hours after Friday 17:00 CST.
    expect(times).toEqual(['2027-03-15T22:00:00.000Z']);
  });
});

describe('a gate’s grace, and one message per rung', () => {
  it('escalates a gate one working day after its deadline, and not to a rung already told of the same miss', async () => {
    // Prepare: stage 1's deadline is fit-check's due time, Friday 4 December 17:00 CST. Quiet hours are
    // kept out of the way (they are the sweep's tests).
    const plan = planWith((p) => {
      p.reminders = { ...p.reminders, quietHours: { start: '03:00', end: '04:00' } };
    });
    const deps = fakeDeps();
    deps.store.put(dealAtStage('target-account-selection', new Date(START), plan));
    deps.clock.set(START);
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    const input = { planId: PLAN_ID, stage: 'target-account-selection' as const, escalations: 0 };

    // Act: the gate times out at its deadline and looks again when it says; the sweep runs meanwhile.
    const rajAt: string[] = [];
    let nextGate = Date.parse('2026-12-04T23:00:00Z');
    for (let t = nextGate; t <= Date.parse('2026-12-15T00:00:00Z'); t += 15 * 60_000) {
      deps.clock.set(new Date(t));
      const before = deps.mailer.sent.length;
      await sweepReminders(deps);
      if (t >= nextGate) {
        const result = await escalateGate(deps, input);
        nextGate = t + result.timeoutSeconds * 1000;
      }
      // (Not the partner's ghosting: Dana owes the confirmation and is silent too, issue 15.)
      for (const e of deps.mailer.sent.slice(before))
        if (e.to.includes(PEOPLE.raj) && !e.key.startsWith('ghosting#'))
          rajAt.push(new Date(t).toISOString());
    }

    // Assess: each rung person got one message about the miss; Raj (the partner's gate confirmation is
    // the partner's only move) heard from the gate after the grace day (Monday 7 December 17:00 CST) and
    // his 24 working hours: Tuesday 8 December 18:00 in New York.
    const aboutTheMiss = (to: string) =>
      deps.mailer.sent.filter((e) => e.to.includes(to) && !e.key.startsWith('ghosting#'));
    const toSam = aboutTheMiss(PEOPLE.sam);
    const toKim = aboutTheMiss(PEOPLE.kim);
    const toRaj = aboutTheMiss(PEOPLE.raj);
    expect(toSam.map((e) => e.key)).toEqual([`overdue#${PLAN_ID}#fit-check#2026-12-04#0`]);
    expect(toKim.map((e) => e.key)).toEqual([`overdue#${PLAN_ID}#fit-check#2026-12-04#1`]);
    expect(toRaj.map((e) => e.key)).toEqual([
      `gate-escalation#${PLAN_ID}#target-account-selection#partner#0`,
    ]);
    expect(rajAt).toEqual(['2026-12-08T23:00:00.000Z']);
  });
});

function fail(): never {
  throw new Error('expected a value');
}
