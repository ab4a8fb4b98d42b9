import { describe, expect, it } from 'vitest';
import type { MilestoneState } from '../../../lambdas/domain/deal';
import {
  gateAsks,
  ladderRungs,
  milestoneNudges,
  nextLookInSeconds,
  partiesOwingMoves,
} from '../../../lambdas/domain/notifications';
import { DEFAULT_TZ, dealAtStage, PEOPLE, planWith, planWithMilestone } from '../../helpers/plan';

const DEADLINE = new Date('2027-02-06T01:00:00.000Z');

const summarize = (asks: ReturnType<typeof gateAsks>) =>
  asks.map((a) => ({ to: a.recipient.email, asks: a.asks.map((x) => `${x.action} ${x.target}`) }));

describe('gateAsks', () => {
  it('asks each person once: owners for their milestones, confirmers to confirm, the vendor owner to waive', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('joint-pursuit-and-proof');

    // Act
    const asks = gateAsks(deal, milestones, 'joint-pursuit-and-proof', DEFAULT_TZ);

    // Assess
    expect(summarize(asks)).toEqual([
      {
        to: PEOPLE.dana,
        asks: [
          'accept-handoff security-review',
          'milestone-done security-review',
          'milestone-slip security-review',
          'milestone-stuck security-review',
        ],
      },
      {
        to: PEOPLE.ana,
        asks: [
          'accept-handoff pricing-approval',
          'milestone-done pricing-approval',
          'milestone-slip pricing-approval',
          'milestone-stuck pricing-approval',
          'waive-milestone security-review',
          'waive-milestone pricing-approval',
          'waive-milestone proof-of-concept',
        ],
      },
      {
        to: PEOPLE.lee,
        asks: [
          'milestone-done proof-of-concept',
          'milestone-slip proof-of-concept',
          'milestone-stuck proof-of-concept',
          'confirm-gate joint-pursuit-and-proof',
        ],
      },
    ]);
    expect(asks.map((a) => a.recipient.party)).toEqual(['partner', 'vendor', 'customer']);
  });

  it('describes each ask: the milestone and due date, or the gate’s exit criterion', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const asks = gateAsks(deal, milestones, 'door-opener', DEFAULT_TZ);

    // Assess
    const dana = asks.find((a) => a.recipient.email === PEOPLE.dana);
    expect(dana?.asks).toContainEqual({
      action: 'milestone-done',
      target: 'warm-intro',
      label: 'Mark done',
      about: 'Warm introduction to Lee Park (due 2026-12-11)',
    });
    expect(dana?.asks).toContainEqual({
      action: 'confirm-gate',
      target: 'door-opener',
      label: 'Confirm the gate',
      about: 'First joint conversation with Globex booked.',
    });
    const ana = asks.find((a) => a.recipient.email === PEOPLE.ana);
    expect(ana?.asks).toEqual([
      {
        action: 'waive-milestone',
        target: 'warm-intro',
        label: 'Waive (no longer needed)',
        about: 'Warm introduction to Lee Park (partner)',
      },
    ]);
  });

  it('leaves out closed milestones, accepted handoffs and parties that already confirmed', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('joint-pursuit-and-proof');
    const progressed: MilestoneState[] = milestones.map((m) => {
      if (m.milestoneId === 'proof-of-concept') return { ...m, status: 'done' };
      if (m.milestoneId === 'security-review') {
        return {
          ...m,
          handoff: { from: 'customer', to: 'partner', acceptedAt: 'x', acceptedBy: PEOPLE.dana },
        };
      }
      return m;
    });
    const confirmed = {
      ...deal,
      stages: {
        ...deal.stages,
        'joint-pursuit-and-proof': {
          ...deal.stages['joint-pursuit-and-proof'],
          confirmations: [{ party: 'customer' as const, by: PEOPLE.lee, at: 'x', evidence: {} }],
        },
      },
    };

    // Act
    const asks = gateAsks(confirmed, progressed, 'joint-pursuit-and-proof', DEFAULT_TZ);

    // Assess
    expect(summarize(asks)).toEqual([
      {
        to: PEOPLE.dana,
        asks: [
          'milestone-done security-review',
          'milestone-slip security-review',
          'milestone-stuck security-review',
        ],
      },
      {
        to: PEOPLE.ana,
        asks: [
          'accept-handoff pricing-approval',
          'milestone-done pricing-approval',
          'milestone-slip pricing-approval',
          'milestone-stuck pricing-approval',
          'waive-milestone security-review',
          'waive-milestone pricing-approval',
        ],
      },
    ]);
  });

  it('groups one person’s asks whatever the case of their email', () => {
    // Prepare: a milestone record carrying the vendor owner's address in another case.
    const { deal, milestones } = dealAtStage('joint-discovery');
    const shouted = milestones.map((m) =>
      m.milestoneId === 'discovery-call'
        ? { ...m, owner: { ...m.owner, email: PEOPLE.ana.toUpperCase() } }
        : m,
    );

    // Act
    const asks = gateAsks(deal, shouted, 'joint-discovery', DEFAULT_TZ);

    // Assess
    expect(asks).toHaveLength(2);
    expect(asks.filter((a) => a.recipient.party === 'vendor')).toHaveLength(1);
  });

  it('asks an escalation contact who owns a milestone directly, apart from the party owner', () => {
    // Prepare
    const plan = planWithMilestone('warm-intro', { owner: PEOPLE.raj });
    const { deal, milestones } = dealAtStage('door-opener', undefined, plan);

    // Act
    const asks = gateAsks(deal, milestones, 'door-opener', DEFAULT_TZ);

    // Assess
    expect(summarize(asks)).toEqual([
      {
        to: PEOPLE.raj,
        asks: ['milestone-done warm-intro', 'milestone-slip warm-intro', 'milestone-stuck warm-intro'],
      },
      { to: PEOPLE.dana, asks: ['confirm-gate door-opener'] },
      { to: PEOPLE.ana, asks: ['waive-milestone warm-intro'] },
    ]);
  });

  it('asks nothing of anyone once the gate is ready', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');
    const ready = {
      ...deal,
      stages: {
        ...deal.stages,
        'door-opener': {
          ...deal.stages['door-opener'],
          confirmations: [{ party: 'partner' as const, by: PEOPLE.dana, at: 'x', evidence: {} }],
        },
      },
    };
    const done = milestones.map((m) => ({ ...m, status: 'done' as const }));

    // Act / Assess
    expect(gateAsks(ready, done, 'door-opener', DEFAULT_TZ)).toEqual([]);
  });
});

describe('partiesOwingMoves', () => {
  it('names the parties yet to confirm and those owning open milestones', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('joint-pursuit-and-proof');
    const partnerDone = milestones.map((m) =>
      m.milestoneId === 'security-review' ? { ...m, status: 'done' as const } : m,
    );

    // Act / Assess
    expect(partiesOwingMoves(deal, milestones, 'joint-pursuit-and-proof').sort()).toEqual([
      'customer',
      'partner',
      'vendor',
    ]);
    expect(partiesOwingMoves(deal, partnerDone, 'joint-pursuit-and-proof').sort()).toEqual([
      'customer',
      'vendor',
    ]);
  });
});

describe('ladderRungs', () => {
  it('times each rung afterHours from the anchor, earliest first across parties', () => {
    // Prepare
    const { deal } = dealAtStage('joint-pursuit-and-proof');

    // Act
    const rungs = ladderRungs(deal, ['customer', 'vendor', 'partner'], DEADLINE);

    // Assess
    expect(rungs.map((r) => [r.party, r.index, r.email, r.at.toISOString()])).toEqual([
      ['vendor', 0, PEOPLE.sam, '2027-02-07T01:00:00.000Z'],
      ['partner', 0, PEOPLE.raj, '2027-02-07T01:00:00.000Z'],
      ['customer', 0, PEOPLE.lee, '2027-02-08T01:00:00.000Z'],
      ['vendor', 1, PEOPLE.kim, '2027-02-09T01:00:00.000Z'],
    ]);
    expect(rungs[3]).toMatchObject({ name: 'Kim Lau', role: 'VP Sales' });
  });

  it('gives only the parties asked for, and nothing for a party without a ladder', () => {
    // Prepare
    const plan = planWith((p) => {
      delete p.escalation.customer;
    });
    const { deal } = dealAtStage('joint-pursuit-and-proof', undefined, plan);

    // Act / Assess
    expect(ladderRungs(deal, ['customer'], DEADLINE)).toEqual([]);
    expect(ladderRungs(deal, ['partner'], DEADLINE).map((r) => r.email)).toEqual([PEOPLE.raj]);
  });
});

describe('nextLookInSeconds', () => {
  it('waits until the next rung falls due', () => {
    // Prepare
    const { deal } = dealAtStage('joint-pursuit-and-proof');
    const rungs = ladderRungs(deal, ['vendor'], DEADLINE);

    // Act / Assess: at the deadline the first rung is 24 h away; after it, the second is 48 h later.
    expect(nextLookInSeconds(rungs, DEADLINE)).toBe(24 * 3600);
    expect(nextLookInSeconds(rungs, new Date(DEADLINE.getTime() + 24 * 3_600_000))).toBe(48 * 3600);
    expect(nextLookInSeconds(rungs, new Date(DEADLINE.getTime() + 30 * 3_600_000))).toBe(42 * 3600);
  });

  it('rounds up to whole seconds and never waits under a minute', () => {
    // Prepare
    const { deal } = dealAtStage('joint-pursuit-and-proof');
    const rungs = ladderRungs(deal, ['vendor'], DEADLINE);
    const firstRung = DEADLINE.getTime() + 24 * 3_600_000;

    // Act / Assess
    expect(nextLookInSeconds(rungs, new Date(firstRung - 10_000))).toBe(60);
    expect(nextLookInSeconds(rungs, new Date(firstRung - 90_500))).toBe(91);
  });

  it('looks again in a week once every rung is past, or when there are none', () => {
    // Prepare
    const { deal } = dealAtStage('joint-pursuit-and-proof');
    const rungs = ladderRungs(deal, ['vendor'], DEADLINE);

    // Act / Assess
    expect(nextLookInSeconds(rungs, new Date(DEADLINE.getTime() + 100 * 3_600_000))).toBe(7 * 86_400);
    expect(nextLookInSeconds([], DEADLINE)).toBe(7 * 86_400);
  });
});

describe('milestoneNudges', () => {
  const settings = { defaultTz: DEFAULT_TZ, ghostingDays: 7 };

  it('times the reminder, each overdue rung (owner copied), and keys each once', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection');
    const fit = milestones.find((m) => m.milestoneId === 'fit-check') as MilestoneState;

    // Act
    const nudges = milestoneNudges(deal, fit, settings);

    // Assess
    expect(nudges.map((n) => [n.kind, n.to.email, n.cc?.email, n.at.toISOString()])).toEqual([
      ['reminder', PEOPLE.ana, undefined, '2026-12-02T23:00:00.000Z'],
      ['overdue', PEOPLE.sam, PEOPLE.ana, '2026-12-05T23:00:00.000Z'],
      ['overdue', PEOPLE.kim, PEOPLE.ana, '2026-12-07T23:00:00.000Z'],
      // Ghosting from every side (new with issue 15): seven days after the stage opened with no vendor
      // action, the vendor's first rung and the partner owner hear.
      ['ghosting', PEOPLE.sam, undefined, '2026-12-08T15:00:00.000Z'],
      ['ghosting', PEOPLE.dana, undefined, '2026-12-08T15:00:00.000Z'],
    ]);
    expect(nudges[0]?.until?.toISOString()).toBe('2026-12-04T23:00:00.000Z');
    // Escalation contacts have their party owner's timezone.
    expect(nudges[1]?.to.timezone).toBe('America/Chicago');
  });

  it('escalates an unaccepted handoff on the receiving side from 48 h after the stage opened', () => {
    // Prepare: stage 4 opened 2026-12-01T15:00Z; security-review passes from the customer to the partner.
    const { deal, milestones } = dealAtStage('joint-pursuit-and-proof');
    const review = milestones.find((m) => m.milestoneId === 'security-review') as MilestoneState;

    // Act
    const handoff = milestoneNudges(deal, review, settings).filter((n) => n.kind === 'handoff');
    const accepted = milestoneNudges(
      deal,
      { ...review, handoff: { from: 'customer', to: 'partner', acceptedAt: 'x', acceptedBy: PEOPLE.dana } },
      settings,
    ).filter((n) => n.kind === 'handoff');

    // Assess
    expect(handoff.map((n) => [n.to.email, n.cc?.email, n.at.toISOString()])).toEqual([
      [PEOPLE.raj, PEOPLE.dana, '2026-12-03T15:00:00.000Z'],
    ]);
    expect(accepted).toEqual([]);
  });

  it('watches partner-owned work for silence from the last partner action, vendor owner copied; vendor work too', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');
    const warm = milestones.find((m) => m.milestoneId === 'warm-intro') as MilestoneState;
    const acted = { ...deal, lastActivity: { partner: '2026-12-05T10:00:00.000Z' } };

    // Act
    const ghost = milestoneNudges(acted, warm, settings).find((n) => n.kind === 'ghosting');
    const vendorWork = milestoneNudges(deal, milestones[0] as MilestoneState, settings);

    // Assess
    expect(ghost).toMatchObject({
      key: `ghosting#${deal.planId}#2026-12-05T10:00:00.000Z`,
      to: { email: PEOPLE.raj, timezone: 'America/New_York' },
      cc: { email: PEOPLE.ana },
    });
    expect(ghost?.at.toISOString()).toBe('2026-12-12T10:00:00.000Z');
    // Vendor silence (new with issue 15) goes to the vendor's first rung and the partner owner.
    expect(vendorWork.filter((n) => n.kind === 'ghosting').map((n) => [n.to.email, n.silent])).toEqual([
      [PEOPLE.sam, 'vendor'],
      [PEOPLE.dana, 'vendor'],
    ]);
  });
});
