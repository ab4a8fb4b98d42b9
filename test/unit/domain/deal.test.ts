import { describe, expect, it } from 'vitest';
import {
  type Deal,
  daysInStages,
  dueInstant,
  gateProgress,
  type MilestoneState,
  openStage,
  partyOf,
  partyOwner,
  passGateIfReady,
  recordActivity,
  stageDeadline,
  startDeal,
} from '../../../lambdas/domain/deal';
import type { StageKey } from '../../../lambdas/schemas/plan.schema';
import {
  DEFAULT_TZ,
  dealAtStage,
  milestoneOf,
  PEOPLE,
  PLAN_ID,
  planWith,
  planWithMilestone,
  referencePlan,
  startedDeal,
  TENANT,
} from '../../helpers/plan';

const NOW = new Date('2026-12-01T15:00:00.000Z');

function confirm(deal: Deal, stage: StageKey, ...parties: ('vendor' | 'partner' | 'customer')[]): Deal {
  const state = deal.stages[stage];
  return {
    ...deal,
    stages: {
      ...deal.stages,
      [stage]: {
        ...state,
        confirmations: [
          ...state.confirmations,
          ...parties.map((party) => ({
            party,
            by: `${party}@example.test`,
            at: NOW.toISOString(),
            evidence: {},
          })),
        ],
      },
    },
  };
}

function close(
  milestones: MilestoneState[],
  ids: string[],
  status: 'done' | 'waived' = 'done',
): MilestoneState[] {
  return milestones.map((m) => (ids.includes(m.milestoneId) ? { ...m, status } : m));
}

describe('startDeal', () => {
  it('starts an active deal at stage 1 with every stage pending', () => {
    // Act
    const { deal } = startedDeal(NOW);

    // Assess
    expect(deal).toMatchObject({
      planId: PLAN_ID,
      tenant: TENANT,
      version: 0,
      status: 'active',
      stage: 'target-account-selection',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      lastActivity: {},
    });
    expect(Object.values(deal.stages).map((s) => s.status)).toEqual(Array(5).fill('pending'));
    expect(deal.taskToken).toBeUndefined();
  });

  it('creates one open milestone per plan milestone, in stage then file order', () => {
    // Act
    const { milestones } = startedDeal(NOW);

    // Assess
    expect(milestones.map((m) => [m.seq, m.milestoneId, m.stage])).toEqual([
      [0, 'fit-check', 'target-account-selection'],
      [1, 'warm-intro', 'door-opener'],
      [2, 'discovery-call', 'joint-discovery'],
      [3, 'account-brief', 'joint-discovery'],
      [4, 'security-review', 'joint-pursuit-and-proof'],
      [5, 'pricing-approval', 'joint-pursuit-and-proof'],
      [6, 'proof-of-concept', 'joint-pursuit-and-proof'],
      [7, 'procurement', 'close-register-review'],
      [8, 'debrief', 'close-register-review'],
    ]);
    expect(milestones.every((m) => m.status === 'open' && m.version === 0 && m.planId === PLAN_ID)).toBe(
      true,
    );
  });

  it("resolves a party owner to that party's named owner, with their timezone", () => {
    // Act
    const snapshot = startedDeal(NOW);

    // Assess
    expect(milestoneOf(snapshot, 'fit-check').owner).toEqual({
      party: 'vendor',
      name: 'Ana Ruiz',
      email: PEOPLE.ana,
      timezone: 'America/Chicago',
    });
    expect(milestoneOf(snapshot, 'warm-intro').owner).toEqual({
      party: 'partner',
      name: 'Dana Whit',
      email: PEOPLE.dana,
      timezone: 'America/New_York',
    });
    expect(milestoneOf(snapshot, 'proof-of-concept').owner).toMatchObject({
      party: 'customer',
      email: PEOPLE.lee,
      timezone: 'America/Los_Angeles',
    });
  });

  it("resolves an email owner on an escalation ladder to that person, in their party owner's timezone", () => {
    // Prepare
    const plan = planWithMilestone('warm-intro', { owner: PEOPLE.raj });

    // Act
    const snapshot = startedDeal(NOW, plan);

    // Assess
    const m = milestoneOf(snapshot, 'warm-intro');
    expect(m.owner).toEqual({
      party: 'partner',
      name: 'Raj Mehta',
      email: PEOPLE.raj,
      timezone: 'America/New_York',
    });
    expect(m.dueAt).toBe('2026-12-11T22:00:00.000Z');
  });

  it('uses the default timezone for an owner whose party names none', () => {
    // Prepare
    const plan = planWith((p) => {
      delete p.owners.partner.timezone;
    });

    // Act
    const { deal, milestones } = startDeal(
      plan,
      { planId: PLAN_ID, tenant: TENANT, defaultTimezone: 'Europe/London' },
      NOW,
    );

    // Assess
    const warm = milestones.find((m) => m.milestoneId === 'warm-intro');
    expect(warm?.owner.timezone).toBe('Europe/London');
    expect(warm?.dueAt).toBe('2026-12-11T17:00:00.000Z');
    expect(partyOwner(deal, 'partner', 'Europe/London').timezone).toBe('Europe/London');
  });

  it("sets each due time to 17:00 on the due date in the owner's timezone", () => {
    // Act
    const snapshot = startedDeal(NOW);

    // Assess: Chicago is UTC-6, New York UTC-5, Los Angeles UTC-8 in winter.
    expect(milestoneOf(snapshot, 'fit-check').dueAt).toBe('2026-12-04T23:00:00.000Z');
    expect(milestoneOf(snapshot, 'warm-intro').dueAt).toBe('2026-12-11T22:00:00.000Z');
    expect(milestoneOf(snapshot, 'proof-of-concept').dueAt).toBe('2027-02-06T01:00:00.000Z');
    expect(milestoneOf(snapshot, 'debrief').dueAt).toBe('2027-03-05T23:00:00.000Z');
  });

  it('sets a due time on a daylight-saving change day to 17:00 local time', () => {
    // Prepare: Chicago moves to CDT on 2027-03-14.
    const plan = planWithMilestone('debrief', { due: '2027-03-14' });

    // Act
    const snapshot = startedDeal(NOW, plan);

    // Assess
    expect(milestoneOf(snapshot, 'debrief').dueAt).toBe('2027-03-14T22:00:00.000Z');
  });

  it('schedules the first nudge leadDays before the due time', () => {
    // Act
    const snapshot = startedDeal(NOW);

    // Assess
    for (const m of snapshot.milestones) {
      expect(Date.parse(m.dueAt) - Date.parse(m.nudgeAt ?? ''), m.milestoneId).toBe(2 * 86_400_000);
    }
    expect(milestoneOf(snapshot, 'fit-check').nudgeAt).toBe('2026-12-02T23:00:00.000Z');
  });

  it('follows the plan’s leadDays, including 0 (nudge at the due time)', () => {
    // Prepare
    const five = planWith((p) => {
      p.reminders.leadDays = 5;
    });
    const zero = planWith((p) => {
      p.reminders.leadDays = 0;
    });

    // Act
    const withFive = startedDeal(NOW, five);
    const withZero = startedDeal(NOW, zero);

    // Assess
    expect(milestoneOf(withFive, 'fit-check').nudgeAt).toBe('2026-11-29T23:00:00.000Z');
    expect(milestoneOf(withZero, 'fit-check').nudgeAt).toBe('2026-12-04T23:00:00.000Z');
  });

  it('keeps handoffs, not yet accepted', () => {
    // Act
    const snapshot = startedDeal(NOW);

    // Assess
    expect(milestoneOf(snapshot, 'security-review').handoff).toEqual({ from: 'customer', to: 'partner' });
    expect(milestoneOf(snapshot, 'procurement').handoff).toEqual({ from: 'vendor', to: 'customer' });
    expect(milestoneOf(snapshot, 'fit-check')).not.toHaveProperty('handoff');
  });
});

describe('openStage', () => {
  it('opens a pending stage, makes it the current stage and stamps the time', () => {
    // Prepare
    const { deal } = dealAtStage('target-account-selection', NOW);
    const passed = passGateIfReady(
      confirm(deal, 'target-account-selection', 'vendor', 'partner'),
      close(startedDeal(NOW).milestones, ['fit-check']),
      NOW,
    ).deal;
    const later = new Date('2026-12-05T10:00:00Z');

    // Act
    const opened = openStage(passed, 'door-opener', later);

    // Assess
    expect(opened.stage).toBe('door-opener');
    expect(opened.stages['door-opener']).toMatchObject({ status: 'open', openedAt: later.toISOString() });
    expect(opened.updatedAt).toBe(later.toISOString());
    expect(passed.stages['door-opener'].status).toBe('pending');
  });

  it('is idempotent: opening an open stage again returns the same deal and keeps the first opening time', () => {
    // Prepare
    const { deal } = startedDeal(NOW);
    const first = openStage(deal, 'target-account-selection', NOW);

    // Act
    const again = openStage(first, 'target-account-selection', new Date('2026-12-09T00:00:00Z'));

    // Assess
    expect(again).toBe(first);
    expect(again.stages['target-account-selection'].openedAt).toBe(NOW.toISOString());
  });

  it('does not reopen a passed stage', () => {
    // Prepare
    const { deal } = dealAtStage('door-opener', NOW);

    // Act
    const again = openStage(deal, 'target-account-selection', new Date('2026-12-09T00:00:00Z'));

    // Assess
    expect(again).toBe(deal);
    expect(again.stage).toBe('door-opener');
    expect(again.stages['target-account-selection'].status).toBe('passed');
  });
});

describe('stageDeadline', () => {
  it('is the latest due time among the stage’s milestones when the stage sets no deadline', () => {
    // Prepare
    const { deal, milestones } = startedDeal(NOW);

    // Act
    const deadline = stageDeadline(deal, milestones, 'joint-discovery', DEFAULT_TZ);

    // Assess: account-brief (partner, New York) 2027-01-08 17:00 EST is later than discovery-call.
    expect(deadline.toISOString()).toBe('2027-01-08T22:00:00.000Z');
  });

  it('compares due instants, not dates: a later timezone on the same date wins', () => {
    // Prepare: both milestones due 2027-01-29; the customer's 17:00 in Los Angeles comes last.
    const { deal, milestones } = startedDeal(NOW);
    const sameDay = milestones.map((m) =>
      m.stage === 'joint-pursuit-and-proof'
        ? { ...m, due: '2027-01-29', dueAt: dueInstant('2027-01-29', m.owner.timezone) }
        : m,
    );

    // Act
    const deadline = stageDeadline(deal, sameDay, 'joint-pursuit-and-proof', DEFAULT_TZ);

    // Assess
    expect(deadline.toISOString()).toBe('2027-01-30T01:00:00.000Z');
  });

  it("is the stage's explicit deadline at 17:00 in the vendor owner's timezone, whatever the milestones", () => {
    // Prepare
    const plan = planWith((p) => {
      p.stages['joint-discovery'].deadline = '2027-01-04';
    });
    const { deal, milestones } = startedDeal(NOW, plan);

    // Act
    const deadline = stageDeadline(deal, milestones, 'joint-discovery', 'Europe/London');

    // Assess
    expect(deadline.toISOString()).toBe('2027-01-04T23:00:00.000Z');
  });

  it('is the close date for a stage without milestones or deadline, in the default timezone if the vendor has none', () => {
    // Prepare
    const plan = planWith((p) => {
      p.stages['door-opener'].milestones = [];
      delete p.owners.vendor.timezone;
    });
    const { deal, milestones } = startedDeal(NOW, plan);

    // Act
    const deadline = stageDeadline(deal, milestones, 'door-opener', 'Europe/London');

    // Assess
    expect(deadline.toISOString()).toBe('2027-02-26T17:00:00.000Z');
  });

  it('moves with a slipped milestone', () => {
    // Prepare
    const { deal, milestones } = startedDeal(NOW);
    const slipped = milestones.map((m) =>
      m.milestoneId === 'warm-intro' ? { ...m, due: '2026-12-18', dueAt: '2026-12-18T22:00:00.000Z' } : m,
    );

    // Act / Assess
    expect(stageDeadline(deal, milestones, 'door-opener', DEFAULT_TZ).toISOString()).toBe(
      '2026-12-11T22:00:00.000Z',
    );
    expect(stageDeadline(deal, slipped, 'door-opener', DEFAULT_TZ).toISOString()).toBe(
      '2026-12-18T22:00:00.000Z',
    );
  });
});

describe('gateProgress', () => {
  it('lists missing confirmations and the stage’s open milestones only', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('joint-discovery', NOW);
    const partly = confirm(deal, 'joint-discovery', 'partner');

    // Act
    const progress = gateProgress(partly, close(milestones, ['discovery-call']), 'joint-discovery');

    // Assess
    expect(progress.stage).toBe('joint-discovery');
    expect(progress.confirmedBy).toEqual(['partner']);
    expect(progress.missingConfirmations).toEqual(['vendor']);
    expect(progress.openMilestones.map((m) => m.milestoneId)).toEqual(['account-brief']);
    expect(progress.ready).toBe(false);
  });

  it('is ready when every confirming party confirmed and every milestone is done or waived', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('joint-discovery', NOW);
    const both = confirm(deal, 'joint-discovery', 'vendor', 'partner');
    const closed = close(close(milestones, ['discovery-call']), ['account-brief'], 'waived');

    // Act
    const progress = gateProgress(both, closed, 'joint-discovery');

    // Assess
    expect(progress.missingConfirmations).toEqual([]);
    expect(progress.openMilestones).toEqual([]);
    expect(progress.ready).toBe(true);
  });

  it('ignores a confirmation from a party the stage does not ask', () => {
    // Prepare: door-opener is confirmed by the partner only.
    const { deal, milestones } = dealAtStage('door-opener', NOW);
    const wrong = confirm(deal, 'door-opener', 'vendor');

    // Act
    const progress = gateProgress(wrong, close(milestones, ['warm-intro']), 'door-opener');

    // Assess
    expect(progress.confirmedBy).toEqual([]);
    expect(progress.missingConfirmations).toEqual(['partner']);
    expect(progress.ready).toBe(false);
  });
});

describe('passGateIfReady', () => {
  it('does nothing while a confirmation is missing', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection', NOW);
    const one = confirm(deal, 'target-account-selection', 'vendor');

    // Act
    const result = passGateIfReady(one, close(milestones, ['fit-check']), NOW);

    // Assess
    expect(result.passed).toBeUndefined();
    expect(result.deal).toBe(one);
  });

  it('does nothing while a milestone is open, even with every confirmation', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection', NOW);
    const both = confirm(deal, 'target-account-selection', 'vendor', 'partner');

    // Act
    const result = passGateIfReady(both, milestones, NOW);

    // Assess
    expect(result.passed).toBeUndefined();
    expect(result.deal.stages['target-account-selection'].status).toBe('open');
  });

  it('passes a ready gate and moves the deal to the next stage, still pending for the workflow to open', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection', NOW);
    const both = confirm(deal, 'target-account-selection', 'vendor', 'partner');
    const at = new Date('2026-12-03T12:00:00Z');

    // Act
    const result = passGateIfReady(both, close(milestones, ['fit-check']), at);

    // Assess
    expect(result.passed).toEqual({ stage: 'target-account-selection', outcome: 'passed' });
    expect(result.deal.status).toBe('active');
    expect(result.deal.stage).toBe('door-opener');
    expect(result.deal.stages['target-account-selection']).toMatchObject({
      status: 'passed',
      passedAt: at.toISOString(),
    });
    expect(result.deal.stages['door-opener'].status).toBe('pending');
    expect(result.deal.updatedAt).toBe(at.toISOString());
  });

  it('counts waived milestones as closed', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener', NOW);

    // Act
    const result = passGateIfReady(
      confirm(deal, 'door-opener', 'partner'),
      close(milestones, ['warm-intro'], 'waived'),
      NOW,
    );

    // Assess
    expect(result.passed).toEqual({ stage: 'door-opener', outcome: 'passed' });
  });

  it('does not pass a gate that is not open', () => {
    // Prepare: the deal sits at stage 1, still pending (the workflow has not opened it).
    const { deal, milestones } = startedDeal(NOW);
    const ready = confirm(deal, 'target-account-selection', 'vendor', 'partner');

    // Act
    const result = passGateIfReady(ready, close(milestones, ['fit-check']), NOW);

    // Assess
    expect(result.passed).toBeUndefined();
  });

  it('does not pass anything on a closed deal', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener', NOW);
    const lost: Deal = { ...confirm(deal, 'door-opener', 'partner'), status: 'lost' };

    // Act
    const result = passGateIfReady(lost, close(milestones, ['warm-intro']), NOW);

    // Assess
    expect(result.passed).toBeUndefined();
    expect(result.deal).toBe(lost);
  });

  it('wins the deal when the last gate passes with a won outcome', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('close-register-review', NOW);
    const won: Deal = {
      ...confirm(deal, 'close-register-review', 'vendor'),
      outcome: {
        result: 'won',
        finalArr: 100_000,
        currency: 'USD',
        lesson: 'Start early',
        at: NOW.toISOString(),
        by: PEOPLE.ana,
      },
    };

    // Act
    const waiting = passGateIfReady(won, milestones, NOW);
    const result = passGateIfReady(won, close(milestones, ['procurement', 'debrief']), NOW);

    // Assess: a won deal still waits for its open milestones.
    expect(waiting.passed).toBeUndefined();
    expect(result.passed).toEqual({ stage: 'close-register-review', outcome: 'passed' });
    expect(result.deal.status).toBe('won');
    expect(result.deal.stage).toBe('close-register-review');
  });

  it('closes a lost deal at stage 5 once confirmed, though milestones are still open', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('close-register-review', NOW);
    const lost: Deal = {
      ...confirm(deal, 'close-register-review', 'vendor'),
      outcome: {
        result: 'lost',
        finalArr: 0,
        currency: 'USD',
        lesson: 'Too late',
        at: NOW.toISOString(),
        by: PEOPLE.ana,
      },
    };

    // Act
    const result = passGateIfReady(lost, milestones, NOW);

    // Assess
    expect(result.passed).toEqual({ stage: 'close-register-review', outcome: 'lost' });
    expect(result.deal.status).toBe('lost');
    expect(result.deal.stages['close-register-review'].status).toBe('passed');
  });

  it('keeps a lost outcome waiting for every confirming party', () => {
    // Prepare: the last gate asks both vendor and partner; only the vendor has spoken.
    const plan = planWith((p) => {
      p.stages['close-register-review'].confirmedBy = ['vendor', 'partner'];
    });
    const { deal, milestones } = dealAtStage('close-register-review', NOW, plan);
    const lost: Deal = {
      ...confirm(deal, 'close-register-review', 'vendor'),
      outcome: {
        result: 'lost',
        finalArr: 0,
        currency: 'USD',
        lesson: 'Too late',
        at: NOW.toISOString(),
        by: PEOPLE.ana,
      },
    };

    // Act
    const result = passGateIfReady(lost, milestones, NOW);

    // Assess
    expect(result.passed).toBeUndefined();
    expect(result.deal.status).toBe('active');
  });
});

describe('daysInStages', () => {
  it('counts whole days open for passed and open stages and 0 for pending ones', () => {
    // Prepare
    const { deal } = startedDeal(NOW);
    const tracked: Deal = {
      ...deal,
      stages: {
        ...deal.stages,
        'target-account-selection': {
          ...deal.stages['target-account-selection'],
          status: 'passed',
          openedAt: '2026-12-01T15:00:00.000Z',
          passedAt: '2026-12-04T09:00:00.000Z',
        },
        'door-opener': {
          ...deal.stages['door-opener'],
          status: 'open',
          openedAt: '2026-12-04T09:05:00.000Z',
        },
      },
    };

    // Act
    const days = daysInStages(tracked, new Date('2026-12-15T12:00:00Z'));

    // Assess
    expect(days).toEqual({
      'target-account-selection': 3,
      'door-opener': 11,
      'joint-discovery': 0,
      'joint-pursuit-and-proof': 0,
      'close-register-review': 0,
    });
  });
});

describe('partyOf and partyOwner', () => {
  it('finds the party of an owner or a ladder person, ignoring case', () => {
    // Prepare
    const plan = referencePlan();

    // Act / Assess
    expect(partyOf(plan, PEOPLE.ana)).toBe('vendor');
    expect(partyOf(plan, 'Dana.Whit@Northwind.example')).toBe('partner');
    expect(partyOf(plan, PEOPLE.kim)).toBe('vendor');
    expect(partyOf(plan, PEOPLE.raj)).toBe('partner');
    expect(partyOf(plan, PEOPLE.lee)).toBe('customer');
    expect(partyOf(plan, 'stranger@example.test')).toBeUndefined();
  });

  it('refuses a party the plan names no owner for', () => {
    // Prepare
    const { deal } = startedDeal(NOW);
    delete deal.plan.owners.customer;

    // Act / Assess
    expect(() => partyOwner(deal, 'customer', DEFAULT_TZ)).toThrow(/no customer owner/);
  });

  it('records when each side last acted, and nothing for an unknown person', () => {
    // Prepare
    const { deal } = startedDeal(NOW);

    // Act
    const acted = recordActivity(deal, 'partner', NOW);
    const nobody = recordActivity(deal, undefined, NOW);

    // Assess
    expect(acted.lastActivity).toEqual({ partner: NOW.toISOString() });
    expect(nobody).toBe(deal);
  });
});
