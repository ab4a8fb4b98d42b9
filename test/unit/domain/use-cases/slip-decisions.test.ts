import { describe, expect, it } from 'vitest';
import { actOnLink, viewLink } from '../../../../lambdas/domain/use-cases/links';
import { fakeDeps, linksIn, signedToken } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

// A slip proposed by Lee (proof-of-concept, stage 4, 2027-02-05 -> 2027-03-02, past the close date
// 2027-02-26), then decided by the vendor owner through the link the proposal sent her.

const NOW = new Date('2027-01-20T15:00:00.000Z');

async function proposed() {
  const deps = fakeDeps();
  deps.clock.set(NOW);
  deps.store.put(dealAtStage('joint-pursuit-and-proof', new Date('2026-12-01T15:00:00.000Z')));
  const slip = await signedToken(deps, {
    planId: PLAN_ID,
    action: 'milestone-slip',
    target: 'proof-of-concept',
    recipient: PEOPLE.lee,
  });
  const preview = await actOnLink(deps, slip, { newDue: '2027-03-02', reason: 'Legal review' });
  const absorb = await actOnLink(deps, slip, {
    newDue: '2027-03-02',
    reason: 'Legal review',
    choice: 'absorb',
  });
  const page = await actOnLink(deps, slip, {
    newDue: '2027-03-02',
    reason: 'Legal review',
    choice: 'propose',
  });
  const toAna = deps.mailer.to(PEOPLE.ana);
  const decide = linksIn(toAna[0] ?? fail()).find((l) => l.claims.action === 'decide-replan') ?? fail();
  deps.mailer.sent.length = 0;
  return { deps, preview, absorb, page, toAna, decide };
}

describe('a slip that cannot be absorbed, proposed and decided', () => {
  it('refuses to absorb past the close date, and sends the vendor owner an approval link with the re-plan', async () => {
    // Act
    const { deps, preview, absorb, page, toAna, decide } = await proposed();

    // Assess: the first POST only shows the impact (nothing saved), and absorbing is impossible.
    expect(preview).toMatchObject({
      kind: 'form',
      preview: { absorb: { possible: false }, replan: { closeDate: { to: '2027-03-23' } } },
    });
    expect(absorb).toMatchObject({
      kind: 'form',
      errors: [
        {
          path: 'newDue',
          message:
            '2027-03-02 is after the close date (2027-02-26): absorbing is not possible. Propose moving the close date instead.',
        },
      ],
    });
    expect(page).toMatchObject({ kind: 'done', impact: { choice: 'propose' } });
    expect(toAna).toHaveLength(1);
    expect(toAna[0]?.text).toContain('proposes moving the close date from 2027-02-26 to 2027-03-23');
    expect(decide.claims).toMatchObject({ recipient: PEOPLE.ana });
    const form = await viewLink(deps, decide.token);
    expect(form).toMatchObject({ kind: 'form' });
  });

  it('on approval shifts later work and the close date, and tells the customer sponsor once', async () => {
    // Prepare
    const { deps, decide } = await proposed();

    // Act
    const done = await actOnLink(deps, decide.token, { decision: 'approve' });

    // Assess
    expect(done).toMatchObject({ kind: 'done' });
    const stored = deps.store.peek(PLAN_ID);
    expect(stored?.deal.plan.jointOutcome.closeDate).toBe('2027-03-23');
    expect(stored?.deal.slipProposal).toBeUndefined();
    expect(stored?.milestones.find((m) => m.milestoneId === 'procurement')?.due).toBe('2027-03-16');
    expect(stored?.milestones.find((m) => m.milestoneId === 'debrief')?.due).toBe('2027-03-30');
    expect(deps.mailer.to(PEOPLE.lee)).toHaveLength(1);
    expect(deps.mailer.to(PEOPLE.lee)[0]?.text).toContain('Tue 23 Mar');
    // Ana decided (and owns the debrief): she is not told again.
    expect(deps.mailer.to(PEOPLE.ana)).toEqual([]);
  });

  it('on decline keeps the close date and tells the reporter', async () => {
    // Prepare
    const { deps, decide } = await proposed();

    // Act
    const done = await actOnLink(deps, decide.token, { decision: 'decline' });
    const again = await viewLink(deps, decide.token);

    // Assess
    expect(done).toMatchObject({
      kind: 'done',
      message: 'Declined: the close date holds (2027-02-26). The reporter is told.',
    });
    expect(deps.store.peek(PLAN_ID)?.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(deps.mailer.to(PEOPLE.lee).map((e) => e.text.includes('declined moving the close date'))).toEqual([
      true,
    ]);
    expect(again).toMatchObject({ kind: 'refused' });
  });
});

function fail(): never {
  throw new Error('expected a value');
}
