import { describe, expect, it } from 'vitest';
import type { MilestoneState } from '../../../lambdas/domain/deal';
import {
  applySlip,
  approveProposal,
  closeDateDrift,
  declineProposal,
  movedOwners,
  previewSlip,
} from '../../../lambdas/domain/slips';
import { dealAtStage, PEOPLE } from '../../helpers/plan';

// The re-plan rules, on the reference plan in stage 4: security-review (partner, 2027-01-22),
// pricing-approval (vendor, 2027-01-29), proof-of-concept (customer, 2027-02-05), then stage 5's
// procurement (customer, 2027-02-19) and debrief (vendor, 2027-03-05); the close date is 2027-02-26.

const NOW = new Date('2027-01-20T15:00:00.000Z');

function stage4() {
  const snapshot = dealAtStage('joint-pursuit-and-proof');
  const of = (id: string) => snapshot.milestones.find((m) => m.milestoneId === id) as MilestoneState;
  return { ...snapshot, of };
}

function merged(milestones: MilestoneState[], changed: MilestoneState[]): MilestoneState[] {
  return milestones.map((m) => changed.find((c) => c.milestoneId === m.milestoneId) ?? m);
}

describe('absorbing a slip (the default)', () => {
  it('moves only the slipped milestone; later work keeps its dates and the close date holds', () => {
    // Prepare: the vendor's pricing approval slips a week, as in the worked example.
    const { deal, milestones, of } = stage4();

    // Act
    const preview = previewSlip(deal, milestones, of('pricing-approval'), '2027-02-05');
    const result = applySlip(
      deal,
      milestones,
      of('pricing-approval'),
      { newDue: '2027-02-05', reason: 'Deal desk backlog', choice: 'absorb', by: PEOPLE.ana },
      NOW,
    );

    // Assess
    expect(preview.absorb).toMatchObject({ possible: true });
    expect(result.milestones.map((m) => [m.milestoneId, m.due])).toEqual([
      ['pricing-approval', '2027-02-05'],
    ]);
    expect(result.milestones[0]?.slips.at(-1)).toMatchObject({
      choice: 'absorb',
      reason: 'Deal desk backlog',
    });
    expect(result.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(result.impact).toEqual({
      days: 7,
      moved: [
        {
          milestoneId: 'pricing-approval',
          title: 'Enterprise pricing approval',
          from: '2027-01-29',
          to: '2027-02-05',
        },
      ],
      closeDate: { from: '2027-02-26', to: '2027-02-26' },
      choice: 'absorb',
    });
    // The preview also shows the full re-plan a proposal would ask for.
    expect(preview.replan.moved.map((m) => m.milestoneId)).toEqual([
      'pricing-approval',
      'proof-of-concept',
      'procurement',
      'debrief',
    ]);
    expect(preview.replan.closeDate).toEqual({ from: '2027-02-26', to: '2027-03-05' });
  });

  it('moves later-stage work that would now fall before the slipped milestone to its new date', () => {
    // Prepare: security-review slips past procurement (stage 5).
    const { deal, milestones, of } = stage4();

    // Act
    const result = applySlip(
      deal,
      milestones,
      of('security-review'),
      { newDue: '2027-02-22', reason: 'No reviewer', choice: 'absorb', by: PEOPLE.dana },
      NOW,
    );

    // Assess: proof-of-concept is in the same stage (it keeps its date); procurement is later and moves.
    expect(result.milestones.map((m) => [m.milestoneId, m.due])).toEqual([
      ['security-review', '2027-02-22'],
      ['procurement', '2027-02-22'],
    ]);
    expect(result.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
  });

  it('is impossible past the close date: the preview says so, applying is refused, proposing is offered', () => {
    // Prepare
    const { deal, milestones, of } = stage4();

    // Act
    const preview = previewSlip(deal, milestones, of('proof-of-concept'), '2027-03-02');

    // Assess
    expect(preview.absorb).toEqual({
      possible: false,
      why: '2027-03-02 is after the close date (2027-02-26): absorbing is not possible. Propose moving the close date instead.',
    });
    expect(() =>
      applySlip(
        deal,
        milestones,
        of('proof-of-concept'),
        { newDue: '2027-03-02', reason: 'x', choice: 'absorb', by: PEOPLE.lee },
        NOW,
      ),
    ).toThrow(RangeError);
    expect(preview.replan.closeDate).toEqual({ from: '2027-02-26', to: '2027-03-23' });
  });

  it('lets work after the close (the debrief) slip past it without touching the close date', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('close-register-review');
    const debrief = milestones.find((m) => m.milestoneId === 'debrief') as MilestoneState;

    // Act / Assess
    expect(previewSlip(deal, milestones, debrief, '2027-03-12').absorb).toMatchObject({ possible: true });
  });
});

describe('proposing to move the close date', () => {
  function proposed() {
    const { deal, milestones, of } = stage4();
    const result = applySlip(
      deal,
      milestones,
      of('proof-of-concept'),
      { newDue: '2027-03-02', reason: 'Legal review', choice: 'propose', by: PEOPLE.lee },
      NOW,
    );
    return { ...result, all: merged(milestones, result.milestones) };
  }

  it('moves only the slipped milestone now and keeps the proposal with the full re-plan', () => {
    // Act
    const { deal, milestones, impact } = proposed();

    // Assess
    expect(milestones.map((m) => [m.milestoneId, m.due])).toEqual([['proof-of-concept', '2027-03-02']]);
    expect(deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(impact.choice).toBe('propose');
    expect(deal.slipProposal).toMatchObject({
      milestoneId: 'proof-of-concept',
      days: 25,
      by: PEOPLE.lee,
      reason: 'Legal review',
      replan: { closeDate: { from: '2027-02-26', to: '2027-03-23' } },
    });
  });

  it('on approval, shifts later work and the close date, and records the drift', () => {
    // Prepare
    const { deal, all } = proposed();

    // Act
    const approved = approveProposal(deal, all, NOW, PEOPLE.ana);

    // Assess
    expect(approved.milestones.map((m) => [m.milestoneId, m.due])).toEqual([
      ['procurement', '2027-03-16'],
      ['debrief', '2027-03-30'],
    ]);
    expect(approved.deal.plan.jointOutcome.closeDate).toBe('2027-03-23');
    expect(approved.deal.slipProposal).toBeUndefined();
    expect(approved.deal.lastSlipDecision).toMatchObject({ decision: 'approved', decidedBy: PEOPLE.ana });
    expect(closeDateDrift(approved.deal, merged(all, approved.milestones))).toBe(25);
    // Everyone whose date moves gets one message: Lee owns procurement (and proof-of-concept), Ana the debrief.
    expect(
      movedOwners(merged(all, approved.milestones), approved.impact).map((o) => [o.email, o.items.length]),
    ).toEqual([
      [PEOPLE.lee, 1],
      [PEOPLE.ana, 1],
    ]);
  });

  it('on decline, moves nothing else and keeps the close date', () => {
    // Prepare
    const { deal, all } = proposed();

    // Act
    const declined = declineProposal(deal, NOW, PEOPLE.ana);

    // Assess
    expect(declined.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(declined.slipProposal).toBeUndefined();
    expect(declined.lastSlipDecision).toMatchObject({ decision: 'declined', by: PEOPLE.lee });
    expect(closeDateDrift(declined, all)).toBe(0);
    expect(() => approveProposal(declined, all, NOW, PEOPLE.ana)).toThrow(RangeError);
  });
});
