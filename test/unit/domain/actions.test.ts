import { describe, expect, it } from 'vitest';
import { checkLinkTarget, performAction, replan } from '../../../lambdas/domain/actions';
import type { Deal, MilestoneState } from '../../../lambdas/domain/deal';
import type { LinkAction, LinkClaims } from '../../../lambdas/domain/links';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import type { StageKey } from '../../../lambdas/schemas/plan.schema';
import { dealAtStage, milestoneOf, PEOPLE, PLAN_ID } from '../../helpers/plan';

const NOW = new Date('2026-12-03T16:00:00.000Z');

function claims(action: LinkAction, target: string, recipient: string): LinkClaims {
  return {
    kid: 'k2026',
    planId: PLAN_ID,
    action,
    target,
    recipient,
    exp: Math.floor(NOW.getTime() / 1000) + 86_400,
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
  };
}

function withMilestone(snapshot: DealSnapshot, id: string, change: Partial<MilestoneState>): DealSnapshot {
  return {
    ...snapshot,
    milestones: snapshot.milestones.map((m) => (m.milestoneId === id ? { ...m, ...change } : m)),
  };
}

function confirmed(deal: Deal, stage: StageKey, party: 'vendor' | 'partner' | 'customer', by: string): Deal {
  const state = deal.stages[stage];
  return {
    ...deal,
    stages: {
      ...deal.stages,
      [stage]: {
        ...state,
        confirmations: [...state.confirmations, { party, by, at: '2026-12-02T10:00:00.000Z', evidence: {} }],
      },
    },
  };
}

/** Checks the link, then performs it: what the use case does, minus storage. */
function act(snapshot: DealSnapshot, c: LinkClaims, input: Record<string, string | number | undefined> = {}) {
  const check = checkLinkTarget(c, snapshot.deal, snapshot.milestones);
  if (!check.ok) throw new Error(`refused: ${check.message}`);
  return performAction(c, check.target, input, snapshot.deal, snapshot.milestones, NOW);
}

describe('checkLinkTarget', () => {
  it('accepts a confirm link for the open gate from a confirming party', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection');

    // Act
    const check = checkLinkTarget(
      claims('confirm-gate', 'target-account-selection', PEOPLE.dana),
      deal,
      milestones,
    );

    // Assess
    expect(check).toEqual({ ok: true, target: { stage: 'target-account-selection' } });
  });

  it("accepts a milestone link from the milestone's owner, ignoring the case of the email", () => {
    // Prepare
    const snapshot = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(
      claims('milestone-done', 'warm-intro', 'Dana.Whit@NORTHWIND.example'),
      snapshot.deal,
      snapshot.milestones,
    );

    // Assess
    expect(check).toEqual({
      ok: true,
      target: { stage: 'door-opener', milestone: milestoneOf(snapshot, 'warm-intro') },
    });
  });

  it('accepts a link for a milestone of a later stage (reminders go out by due date)', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(claims('milestone-done', 'account-brief', PEOPLE.dana), deal, milestones);

    // Assess
    expect(check.ok).toBe(true);
  });

  it.each(['won', 'lost'] as const)('refuses every link on a %s deal', (status) => {
    // Prepare
    const { deal, milestones } = dealAtStage('close-register-review');
    const closed: Deal = { ...deal, status };

    // Act
    const confirm = checkLinkTarget(
      claims('confirm-gate', 'close-register-review', PEOPLE.ana),
      closed,
      milestones,
    );
    const done = checkLinkTarget(claims('milestone-done', 'debrief', PEOPLE.ana), closed, milestones);

    // Assess
    expect(confirm).toMatchObject({ ok: false, reason: 'superseded' });
    expect(done).toMatchObject({ ok: false, reason: 'superseded', message: expect.stringContaining(status) });
  });

  it('refuses a confirm link for a gate that has passed', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(
      claims('confirm-gate', 'target-account-selection', PEOPLE.dana),
      deal,
      milestones,
    );

    // Assess
    expect(check).toEqual({
      ok: false,
      reason: 'already-done',
      message:
        'The partner side already confirmed this gate. The Target account selection gate has already passed.',
      done: { by: expect.any(String), at: expect.any(String) },
    });
  });

  it('calls a passed gate superseded for a side that never confirmed it', () => {
    // Prepare: a passed gate whose partner confirmation is not on record
    const { deal, milestones } = dealAtStage('door-opener');
    const stage = deal.stages['target-account-selection'];
    const edited = {
      ...deal,
      stages: {
        ...deal.stages,
        'target-account-selection': {
          ...stage,
          confirmations: stage.confirmations.filter((c) => c.party !== 'partner'),
        },
      },
    };

    // Act
    const check = checkLinkTarget(
      claims('confirm-gate', 'target-account-selection', PEOPLE.dana),
      edited,
      milestones,
    );

    // Assess
    expect(check).toEqual({
      ok: false,
      reason: 'superseded',
      message: 'The Target account selection gate has already passed.',
    });
  });

  it('refuses a confirm link for a gate not open yet', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(claims('confirm-gate', 'joint-discovery', PEOPLE.dana), deal, milestones);

    // Assess
    expect(check).toEqual({
      ok: false,
      reason: 'superseded',
      message: 'The Joint discovery gate is not open yet.',
    });
  });

  it('refuses a confirm link from a party the gate does not ask, or from a stranger', () => {
    // Prepare: door-opener is confirmed by the partner only.
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const vendor = checkLinkTarget(claims('confirm-gate', 'door-opener', PEOPLE.ana), deal, milestones);
    const stranger = checkLinkTarget(
      claims('confirm-gate', 'door-opener', 'eve@evil.example'),
      deal,
      milestones,
    );

    // Assess
    expect(vendor).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(stranger).toMatchObject({ ok: false, reason: 'not-allowed' });
  });

  it('refuses a confirm link naming something that is not a stage', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(claims('confirm-gate', 'warm-intro', PEOPLE.dana), deal, milestones);

    // Assess
    expect(check).toMatchObject({ ok: false, reason: 'not-allowed' });
  });

  it('refuses a second confirmation from the same party, naming who confirmed and when', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('target-account-selection');
    const once = confirmed(deal, 'target-account-selection', 'vendor', PEOPLE.ana);

    // Act: the vendor owner again, and a vendor escalation contact.
    const again = checkLinkTarget(
      claims('confirm-gate', 'target-account-selection', PEOPLE.ana),
      once,
      milestones,
    );
    const colleague = checkLinkTarget(
      claims('confirm-gate', 'target-account-selection', PEOPLE.sam),
      once,
      milestones,
    );

    // Assess
    expect(again).toEqual({
      ok: false,
      reason: 'already-done',
      message: 'The vendor side already confirmed this gate.',
      done: { by: PEOPLE.ana, at: '2026-12-02T10:00:00.000Z' },
    });
    expect(colleague).toMatchObject({ ok: false, reason: 'already-done' });
  });

  it('refuses a link for a milestone already done, or waived, naming who and when', () => {
    // Prepare
    const done = withMilestone(dealAtStage('door-opener'), 'warm-intro', {
      status: 'done',
      doneAt: '2026-12-02T09:00:00.000Z',
      doneBy: PEOPLE.dana,
    });
    const waived = withMilestone(dealAtStage('door-opener'), 'warm-intro', {
      status: 'waived',
      waived: { at: '2026-12-02T08:00:00.000Z', by: PEOPLE.ana, reason: 'met already' },
    });

    for (const action of [
      'milestone-done',
      'milestone-slip',
      'milestone-stuck',
      'waive-milestone',
    ] as const) {
      const recipient = action === 'waive-milestone' ? PEOPLE.ana : PEOPLE.dana;

      // Act
      const a = checkLinkTarget(claims(action, 'warm-intro', recipient), done.deal, done.milestones);
      const b = checkLinkTarget(claims(action, 'warm-intro', recipient), waived.deal, waived.milestones);

      // Assess
      expect(a, action).toEqual({
        ok: false,
        reason: 'already-done',
        message: '“Warm introduction to Lee Park” is already done.',
        done: { by: PEOPLE.dana, at: '2026-12-02T09:00:00.000Z' },
      });
      expect(b, action).toMatchObject({
        ok: false,
        reason: 'already-done',
        message: '“Warm introduction to Lee Park” is already waived.',
        done: { by: PEOPLE.ana, at: '2026-12-02T08:00:00.000Z' },
      });
    }
  });

  it('refuses a milestone link once the milestone has been reassigned to someone else', () => {
    // Prepare
    const reassigned = withMilestone(dealAtStage('door-opener'), 'warm-intro', {
      owner: { party: 'partner', name: 'Raj Mehta', email: PEOPLE.raj, timezone: 'America/New_York' },
    });

    // Act
    const check = checkLinkTarget(
      claims('milestone-done', 'warm-intro', PEOPLE.dana),
      reassigned.deal,
      reassigned.milestones,
    );

    // Assess
    expect(check).toEqual({
      ok: false,
      reason: 'superseded',
      message:
        '“Warm introduction to Lee Park” has been reassigned. Its current links went to r***@northwind.example.',
    });
  });

  it('refuses a milestone that is no longer in the plan', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const check = checkLinkTarget(claims('milestone-done', 'gone', PEOPLE.dana), deal, milestones);

    // Assess
    expect(check).toMatchObject({ ok: false, reason: 'superseded' });
  });

  it('lets only the vendor owner waive, whoever owns the milestone', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');

    // Act
    const vendor = checkLinkTarget(claims('waive-milestone', 'warm-intro', PEOPLE.ana), deal, milestones);
    const owner = checkLinkTarget(claims('waive-milestone', 'warm-intro', PEOPLE.dana), deal, milestones);
    const vendorLadder = checkLinkTarget(
      claims('waive-milestone', 'warm-intro', PEOPLE.sam),
      deal,
      milestones,
    );

    // Assess
    expect(vendor.ok).toBe(true);
    expect(owner.ok).toBe(false);
    expect(vendorLadder.ok).toBe(false);
  });

  it('refuses to accept a handoff twice', () => {
    // Prepare
    const accepted = withMilestone(dealAtStage('joint-pursuit-and-proof'), 'security-review', {
      handoff: {
        from: 'customer',
        to: 'partner',
        acceptedAt: '2026-12-02T11:00:00.000Z',
        acceptedBy: PEOPLE.dana,
      },
    });

    // Act
    const again = checkLinkTarget(
      claims('accept-handoff', 'security-review', PEOPLE.dana),
      accepted.deal,
      accepted.milestones,
    );
    const done = checkLinkTarget(
      claims('milestone-done', 'security-review', PEOPLE.dana),
      accepted.deal,
      accepted.milestones,
    );

    // Assess
    expect(again).toEqual({
      ok: false,
      reason: 'already-done',
      message: 'The handoff was already accepted.',
      done: { by: PEOPLE.dana, at: '2026-12-02T11:00:00.000Z' },
    });
    expect(done.ok).toBe(true);
  });
});

describe('performAction', () => {
  it('records a confirmation with its evidence, and waits for the rest of the gate', () => {
    // Prepare
    const snapshot = dealAtStage('door-opener');

    // Act
    const result = act(snapshot, claims('confirm-gate', 'door-opener', PEOPLE.dana), {
      meetingDate: '2026-12-14',
      note: '',
    });

    // Assess: the empty note is dropped; the open warm-intro milestone keeps the gate shut.
    expect(result.deal.stages['door-opener'].confirmations).toEqual([
      { party: 'partner', by: PEOPLE.dana, at: NOW.toISOString(), evidence: { meetingDate: '2026-12-14' } },
    ]);
    expect(result.passed).toBeUndefined();
    expect(result.deal.stage).toBe('door-opener');
    expect(result.milestones).toEqual([]);
    expect(result.notices).toEqual([]);
    expect(result.message).toBe('Confirmed: Door-opener move.');
    expect(result.deal.lastActivity).toEqual({ partner: NOW.toISOString() });
    expect(result.deal.updatedAt).toBe(NOW.toISOString());
  });

  it('passes the gate on the confirmation that completes it', () => {
    // Prepare
    const snapshot = withMilestone(dealAtStage('door-opener'), 'warm-intro', { status: 'done' });

    // Act
    const result = act(snapshot, claims('confirm-gate', 'door-opener', PEOPLE.dana), {
      meetingDate: '2026-12-14',
    });

    // Assess
    expect(result.passed).toEqual({ stage: 'door-opener', outcome: 'passed' });
    expect(result.deal.stage).toBe('joint-discovery');
    expect(result.deal.stages['door-opener'].status).toBe('passed');
    expect(result.message).toBe('Confirmed: Door-opener move. The Door-opener move gate has passed.');
  });

  it('marks a milestone done, returning only that milestone, and passes a gate it completes', () => {
    // Prepare
    const base = dealAtStage('door-opener');
    const snapshot = { ...base, deal: confirmed(base.deal, 'door-opener', 'partner', PEOPLE.dana) };

    // Act
    const result = act(snapshot, claims('milestone-done', 'warm-intro', PEOPLE.dana), { note: 'intro made' });

    // Assess
    expect(result.milestones).toHaveLength(1);
    expect(result.milestones[0]).toMatchObject({
      milestoneId: 'warm-intro',
      status: 'done',
      doneAt: NOW.toISOString(),
      doneBy: PEOPLE.dana,
      version: milestoneOf(snapshot, 'warm-intro').version,
    });
    expect(result.passed).toEqual({ stage: 'door-opener', outcome: 'passed' });
    expect(result.message).toBe(
      'Marked done: “Warm introduction to Lee Park”. The Door-opener move gate has passed.',
    );
  });

  it('waives a milestone with the reason, by the vendor owner', () => {
    // Prepare
    const snapshot = dealAtStage('door-opener');

    // Act
    const result = act(snapshot, claims('waive-milestone', 'warm-intro', PEOPLE.ana), {
      reason: 'Lee already met us',
    });

    // Assess
    expect(result.milestones[0]).toMatchObject({
      status: 'waived',
      waived: { at: NOW.toISOString(), by: PEOPLE.ana, reason: 'Lee already met us' },
    });
    expect(result.deal.lastActivity).toEqual({ vendor: NOW.toISOString() });
    expect(result.passed).toBeUndefined();
  });

  it('accepts a handoff: stamped, the baton kept, the milestone still open', () => {
    // Prepare
    const snapshot = dealAtStage('joint-pursuit-and-proof');

    // Act
    const result = act(snapshot, claims('accept-handoff', 'security-review', PEOPLE.dana), {});

    // Assess
    expect(result.milestones[0]).toMatchObject({
      status: 'open',
      handoff: { from: 'customer', to: 'partner', acceptedAt: NOW.toISOString(), acceptedBy: PEOPLE.dana },
    });
    expect(result.message).toBe(
      'Handoff accepted: “Partner completes the security questionnaire” is now yours.',
    );
  });

  it('records a stuck milestone and asks for a stuck notice', () => {
    // Prepare
    const snapshot = dealAtStage('joint-pursuit-and-proof');

    // Act
    const result = act(snapshot, claims('milestone-stuck', 'security-review', PEOPLE.dana), {
      reason: 'No reviewer at Globex IT',
    });

    // Assess
    expect(result.milestones[0]?.stuck).toEqual([
      { at: NOW.toISOString(), by: PEOPLE.dana, reason: 'No reviewer at Globex IT' },
    ]);
    expect(result.milestones[0]?.status).toBe('open');
    expect(result.notices).toEqual([
      {
        kind: 'stuck',
        milestone: milestoneOf(snapshot, 'security-review'),
        reason: 'No reviewer at Globex IT',
        by: PEOPLE.dana,
      },
    ]);
  });

  it('absorbs a slip by default: only the slipped milestone moves and the close date holds', () => {
    // Prepare: stage 3; discovery-call (vendor) done early; account-brief (partner, seq 3) slips a week.
    // (Changed with issue 15: a slip used to move every later open milestone and the close date.)
    const snapshot = withMilestone(dealAtStage('joint-discovery'), 'discovery-call', { status: 'done' });

    // Act
    const result = act(snapshot, claims('milestone-slip', 'account-brief', PEOPLE.dana), {
      newDue: '2027-01-15',
      reason: 'Brief needs the CFO',
    });

    // Assess
    expect(result.milestones.map((m) => m.milestoneId)).toEqual(['account-brief']);
    expect(result.milestones[0]).toMatchObject({
      due: '2027-01-15',
      dueAt: '2027-01-15T22:00:00.000Z',
      nudgeAt: '2027-01-13T22:00:00.000Z',
      slips: [
        {
          from: '2027-01-08',
          to: '2027-01-15',
          at: NOW.toISOString(),
          by: PEOPLE.dana,
          reason: 'Brief needs the CFO',
          choice: 'absorb',
        },
      ],
    });
    expect(result.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(result.notices).toEqual([
      {
        kind: 'slipped',
        milestone: milestoneOf(snapshot, 'account-brief'),
        by: PEOPLE.dana,
        impact: {
          days: 7,
          moved: [
            {
              milestoneId: 'account-brief',
              title: 'Write the shared account brief',
              from: '2027-01-08',
              to: '2027-01-15',
            },
          ],
          closeDate: { from: '2027-02-26', to: '2027-02-26' },
          choice: 'absorb',
        },
      },
    ]);
    expect(result.message).toBe(
      'Absorbed: “Write the shared account brief” now due 2027-01-15; the close date holds (2027-02-26).',
    );
  });

  it('leaves earlier and closed milestones where they are on a proposed slip, and keeps the proposal', () => {
    // Prepare: security-review (seq 4) slips; pricing-approval (seq 5) is already done.
    const snapshot = withMilestone(dealAtStage('joint-pursuit-and-proof'), 'pricing-approval', {
      status: 'done',
    });

    // Act
    const result = act(snapshot, claims('milestone-slip', 'security-review', PEOPLE.dana), {
      newDue: '2027-01-25',
      reason: 'late',
      choice: 'propose',
    });

    // Assess: only the slipped milestone moves now; the full re-plan waits for the vendor owner.
    expect(result.milestones.map((m) => m.milestoneId)).toEqual(['security-review']);
    expect(result.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(result.deal.slipProposal?.replan.moved.map((m) => m.milestoneId)).toEqual([
      'security-review',
      'proof-of-concept',
      'procurement',
      'debrief',
    ]);
    expect(result.deal.slipProposal?.replan.closeDate).toEqual({ from: '2027-02-26', to: '2027-03-01' });
  });

  it('moves a slipped due time across a daylight-saving change to 17:00 local', () => {
    // Prepare: debrief (vendor, Chicago) due 2027-03-05 17:00 CST slips to 2027-03-15, after the change.
    const snapshot = dealAtStage('close-register-review');

    // Act
    const result = act(snapshot, claims('milestone-slip', 'debrief', PEOPLE.ana), {
      newDue: '2027-03-15',
      reason: 'PTO',
    });

    // Assess
    expect(result.milestones[0]).toMatchObject({ due: '2027-03-15', dueAt: '2027-03-15T22:00:00.000Z' });
  });

  it.each(['2027-01-08', '2027-01-01'])('rejects a slip to %s, not after the current due date', (newDue) => {
    // Prepare
    const snapshot = dealAtStage('joint-discovery');

    // Act / Assess
    expect(() =>
      act(snapshot, claims('milestone-slip', 'account-brief', PEOPLE.dana), { newDue, reason: 'x' }),
    ).toThrow(new RangeError('the new date must be after 2027-01-08'));
  });

  it('records a won outcome at the last gate but waits for its open milestones', () => {
    // Prepare
    const snapshot = dealAtStage('close-register-review');

    // Act
    const result = act(snapshot, claims('confirm-gate', 'close-register-review', PEOPLE.ana), {
      outcome: 'won',
      finalArr: 96_000,
      lesson: 'Start the security review earlier',
    });

    // Assess
    expect(result.deal.outcome).toEqual({
      result: 'won',
      finalArr: 96_000,
      currency: 'USD',
      lesson: 'Start the security review earlier',
      at: NOW.toISOString(),
      by: PEOPLE.ana,
    });
    expect(result.passed).toBeUndefined();
    expect(result.deal.status).toBe('active');
  });

  it('closes the deal as lost at the last gate, though milestones are open', () => {
    // Prepare
    const snapshot = dealAtStage('close-register-review');

    // Act
    const result = act(snapshot, claims('confirm-gate', 'close-register-review', PEOPLE.ana), {
      outcome: 'lost',
      finalArr: 0,
      lesson: 'The incumbent undercut us',
    });

    // Assess
    expect(result.passed).toEqual({ stage: 'close-register-review', outcome: 'lost' });
    expect(result.deal.status).toBe('lost');
    expect(result.message).toBe('Confirmed: Close, register, review. The deal is closed as lost.');
  });

  it('lets a stage-1 confirm link pass stage 1 only, never stage 2', () => {
    // Prepare: stage 1 waits for the partner only; the partner also confirms stage 2.
    const base = withMilestone(dealAtStage('target-account-selection'), 'fit-check', { status: 'done' });
    const snapshot = {
      ...base,
      deal: confirmed(base.deal, 'target-account-selection', 'vendor', PEOPLE.ana),
    };
    const link = claims('confirm-gate', 'target-account-selection', PEOPLE.dana);

    // Act
    const result = act(snapshot, link, {});
    const afterwards = { ...snapshot, deal: result.deal };
    // The workflow opens stage 2; warm-intro is done; the same link is tried again.
    const stage2 = withMilestone(
      {
        ...afterwards,
        deal: {
          ...afterwards.deal,
          stages: {
            ...afterwards.deal.stages,
            'door-opener': { ...afterwards.deal.stages['door-opener'], status: 'open' },
          },
        },
      },
      'warm-intro',
      { status: 'done' },
    );
    const again = checkLinkTarget(link, stage2.deal, stage2.milestones);

    // Assess
    expect(result.passed).toEqual({ stage: 'target-account-selection', outcome: 'passed' });
    expect(result.deal.stages['door-opener']).toMatchObject({ status: 'pending', confirmations: [] });
    expect(again).toMatchObject({ ok: false, reason: 'already-done' });
    expect(stage2.deal.stages['door-opener'].confirmations).toEqual([]);
  });
});

describe('replan', () => {
  it('refuses a date that is not later', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('door-opener');
    const warm = milestones.find((m) => m.milestoneId === 'warm-intro') as MilestoneState;

    // Act / Assess
    expect(() => replan(deal, milestones, warm, '2026-12-11', NOW, PEOPLE.dana, 'x')).toThrow(RangeError);
    expect(() => replan(deal, milestones, warm, '2026-12-12', NOW, PEOPLE.dana, 'x')).not.toThrow();
  });

  it('moves the close date for work before the close, not for work after it', () => {
    // Prepare
    const { deal, milestones } = dealAtStage('close-register-review');
    const procurement = milestones.find((m) => m.milestoneId === 'procurement') as MilestoneState;
    const debrief = milestones.find((m) => m.milestoneId === 'debrief') as MilestoneState;

    // Act
    const beforeClose = replan(deal, milestones, procurement, '2027-02-26', NOW, PEOPLE.lee, 'legal review');
    const afterClose = replan(deal, milestones, debrief, '2027-03-12', NOW, PEOPLE.ana, 'holiday');

    // Assess
    expect(beforeClose.impact.closeDate).toEqual({ from: '2027-02-26', to: '2027-03-05' });
    expect(afterClose.impact.closeDate).toEqual({ from: '2027-02-26', to: '2027-02-26' });
    expect(afterClose.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
  });
});
