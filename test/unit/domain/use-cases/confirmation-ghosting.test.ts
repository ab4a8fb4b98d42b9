import { describe, expect, it } from 'vitest';
import { confirmationGhosting } from '../../../../lambdas/domain/notifications';
import { setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { actOnLink } from '../../../../lambdas/domain/use-cases/links';
import { sweepReminders } from '../../../../lambdas/domain/use-cases/reminders';
import { reviewAgenda } from '../../../../lambdas/domain/weekly-review';
import { fakeDeps, signedToken } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID, planWith } from '../../../helpers/plan';

// Issue 15, "ghosting from every side": a party owning open work in the current stage is ghosting once it has
// not acted on any link of the deal for ghostingDays (7 by default). Owing only the gate's confirmation is
// open work too. Stage 1 (target-account-selection) is confirmed by vendor and partner; its one milestone,
// fit-check, is the vendor's. Dana (partner) never acts: from Tuesday 1 December 15:00Z she is silent.

const START = '2026-12-01T15:00:00.000Z';
const SILENT_FROM = '2026-12-08T15:00:00.000Z';

type Deps = ReturnType<typeof fakeDeps>;

/** Sweeps every hour from `from` to `to`; returns the partner-silence emails with when each went. */
async function sweepHourly(deps: Deps, from: string, to: string) {
  const told: { at: string; key: string; to: string; cc: string[]; text: string }[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 3_600_000) {
    deps.clock.set(new Date(t));
    const before = deps.mailer.sent.length;
    await sweepReminders(deps);
    for (const e of deps.mailer.sent.slice(before)) {
      const about = e.key.startsWith(`ghosting#${PLAN_ID}#2`) || e.key.includes('#partner#');
      if (about && e.key.startsWith('ghosting#'))
        told.push({
          at: new Date(t).toISOString(),
          key: e.key,
          to: e.to[0] as string,
          cc: e.cc,
          text: e.text,
        });
    }
  }
  return told;
}

describe('ghosting of a party that owes only its gate confirmation', () => {
  it('is a nudge of the open stage for the parties owing the confirmation and no milestone there', () => {
    const { deal, milestones } = dealAtStage('target-account-selection', new Date(START));

    const nudges = confirmationGhosting(deal, milestones, { defaultTz: 'America/Chicago', ghostingDays: 7 });

    // The vendor owes its confirmation too, but fit-check (open) watches the vendor.
    expect(nudges.map((n) => [n.key, n.to.email, n.cc?.email, n.at.toISOString(), n.confirms])).toEqual([
      [`ghosting#${PLAN_ID}#${START}`, PEOPLE.raj, PEOPLE.ana, SILENT_FROM, 'target-account-selection'],
    ]);
  });

  it('is found through another party’s open milestone of the stage, and told once per episode', async () => {
    // Prepare: fit-check (Ana's) stays open, overdue; nobody acts.
    const deps = fakeDeps();
    deps.store.put(dealAtStage('target-account-selection', new Date(START)));

    // Act
    const told = await sweepHourly(deps, '2026-12-02T15:00:00.000Z', '2026-12-12T15:00:00.000Z');

    // Assess: Raj (the partner's first rung), the vendor owner copied, once, a week after the stage opened.
    expect(told.map((t) => [t.at, t.key, t.to, t.cc])).toEqual([
      [SILENT_FROM, `ghosting#${PLAN_ID}#${START}`, PEOPLE.raj, [PEOPLE.ana]],
    ]);
    expect(told[0]?.text).toContain('their confirmation of stage 1, Target account selection');
    expect(told[0]?.text).toContain('Last partner action: none yet');
  });

  it('is found when no milestone of the stage is left open: the click that leaves only confirmations holds a watch', async () => {
    // Prepare: Ana marks fit-check done and confirms stage 1 on Wednesday; Dana owes the last confirmation.
    const deps = fakeDeps();
    deps.clock.set('2026-12-02T15:00:00.000Z');
    const snapshot = dealAtStage('target-account-selection', new Date(START));
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, taskToken: 'task-1' } });
    const link = (action: 'milestone-done' | 'confirm-gate', target: string) =>
      signedToken(deps, { planId: PLAN_ID, action, target, recipient: PEOPLE.ana });
    await actOnLink(deps, await link('milestone-done', 'fit-check'), { note: 'Fits' });
    await actOnLink(deps, await link('confirm-gate', 'target-account-selection'), {});
    const watches = [...deps.store.held.values()].map((h) => [h.key, h.at]);

    // Act: three weeks of hourly sweeps, Dana silent.
    const told = await sweepHourly(deps, '2026-12-02T16:00:00.000Z', '2026-12-23T16:00:00.000Z');

    // Assess: the watch was held for the day Dana's silence reaches seven days; Raj heard once, Ana copied.
    expect(watches).toEqual([[`watch#silence#${PLAN_ID}#target-account-selection`, SILENT_FROM]]);
    expect(told.map((t) => [t.at, t.key, t.to, t.cc])).toEqual([
      [SILENT_FROM, `ghosting#${PLAN_ID}#${START}`, PEOPLE.raj, [PEOPLE.ana]],
    ]);
    expect(told[0]?.text).toContain('their confirmation of stage 1');
  });

  it('is found in a stage that opens with no milestone at all: the opening holds the watch', async () => {
    // Prepare: stage 1 has no milestones; vendor and partner owe only their confirmations. Nobody acts.
    const plan = planWith((p) => {
      p.stages['target-account-selection'].milestones = [];
    });
    const deps = fakeDeps();
    deps.clock.set(START);
    const snapshot = dealAtStage('target-account-selection', new Date(START), plan);
    deps.store.put({
      ...snapshot,
      deal: {
        ...snapshot.deal,
        stages: { ...snapshot.deal.stages, 'target-account-selection': pending(snapshot) },
      },
    });

    // Act: the workflow opens stage 1, then three weeks of hourly sweeps.
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    const watches = [...deps.store.held.values()].map((h) => [h.key, h.at]);
    const told = await sweepHourly(deps, '2026-12-01T16:00:00.000Z', '2026-12-22T16:00:00.000Z');

    // Assess: held at the opening for the day the silence reaches seven days; Raj heard once, Ana copied.
    expect(watches).toEqual([[`watch#silence#${PLAN_ID}#target-account-selection`, SILENT_FROM]]);
    expect(told.map((t) => [t.at, t.key, t.to, t.cc])).toEqual([
      [SILENT_FROM, `ghosting#${PLAN_ID}#${START}`, PEOPLE.raj, [PEOPLE.ana]],
    ]);
  });

  it('ends the episode with the party’s next action, and the watch with the gate', async () => {
    // Prepare: as above, then Dana confirms on 10 December: the gate passes.
    const deps = fakeDeps();
    deps.clock.set('2026-12-02T15:00:00.000Z');
    const snapshot = dealAtStage('target-account-selection', new Date(START));
    deps.store.put({ ...snapshot, deal: { ...snapshot.deal, taskToken: 'task-1' } });
    const link = (action: 'milestone-done' | 'confirm-gate', target: string, recipient: string) =>
      signedToken(deps, { planId: PLAN_ID, action, target, recipient });
    await actOnLink(deps, await link('milestone-done', 'fit-check', PEOPLE.ana), { note: 'Fits' });
    await actOnLink(deps, await link('confirm-gate', 'target-account-selection', PEOPLE.ana), {});
    await sweepHourly(deps, '2026-12-02T16:00:00.000Z', '2026-12-10T15:00:00.000Z');

    // Act
    const page = await actOnLink(
      deps,
      await link('confirm-gate', 'target-account-selection', PEOPLE.dana),
      {},
    );
    const after = await sweepHourly(deps, '2026-12-10T16:00:00.000Z', '2026-12-20T16:00:00.000Z');

    // Assess
    // The first episode (told on 8 December) is over; stage 2's warm-intro is Dana's now, and a week of
    // silence after her confirmation is a new episode, told once, about that milestone.
    expect(page).toMatchObject({ kind: 'done' });
    expect(after.map((t) => [t.at, t.key])).toEqual([
      ['2026-12-17T15:00:00.000Z', `ghosting#${PLAN_ID}#2026-12-10T15:00:00.000Z`],
    ]);
    expect(after[0]?.text).toContain('Warm introduction to Lee Park');
    expect([...deps.store.held.keys()].filter((k) => k.startsWith('watch#'))).toEqual([]);
  });

  it('is named in the weekly review', () => {
    // Prepare: fit-check done, the vendor confirmed; Dana owes the confirmation, silent since the opening.
    const snapshot = dealAtStage('target-account-selection', new Date(START));
    const milestones = snapshot.milestones.map((m) =>
      m.milestoneId === 'fit-check' ? { ...m, status: 'done' as const } : m,
    );
    const stage = snapshot.deal.stages['target-account-selection'];
    const confirmed = { party: 'vendor' as const, by: PEOPLE.ana, at: START, evidence: {} };
    const deal = {
      ...snapshot.deal,
      lastActivity: { vendor: START },
      stages: {
        ...snapshot.deal.stages,
        'target-account-selection': { ...stage, confirmations: [confirmed] },
      },
    };

    // Act
    const agenda = reviewAgenda({ deal, milestones }, new Date('2026-12-09T15:30:00Z'), 'America/Chicago', 7);

    // Assess
    expect(agenda.escalations.filter((line) => line.startsWith('Ghosting:'))).toEqual([
      'Ghosting: the partner side (Dana Whit) has not acted for 8 day(s) while its work is open (last action: none yet).',
    ]);
  });
});

/** Stage 1 as it is before the workflow opens it. */
function pending(snapshot: ReturnType<typeof dealAtStage>) {
  const { openedAt: _, ...stage } = snapshot.deal.stages['target-account-selection'];
  return { ...stage, status: 'pending' as const };
}
