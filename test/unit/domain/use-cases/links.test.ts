import { describe, expect, it } from 'vitest';
import type { Deal } from '../../../../lambdas/domain/deal';
import {
  type LinkAction,
  type LinkClaims,
  newNonce,
  peekClaims,
  signLink,
  verifyLink,
} from '../../../../lambdas/domain/links';
import { KeyRingSigningKeys } from '../../../../lambdas/domain/signing-keys';
import { awaitGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { actOnLink, requestFreshLink, viewLink } from '../../../../lambdas/domain/use-cases/links';
import type { StageKey } from '../../../../lambdas/schemas/plan.schema';
import { fakeDeps, linksIn, sentLink, signedToken } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID, startedDeal } from '../../../helpers/plan';

const NOW = '2026-12-02T15:00:00.000Z';

/** A deal at `stage`, its gate waiting on the workflow with task token `task-<stage>`. */
function waitingAt(stage: StageKey, change: (deal: Deal) => Deal = (d) => d) {
  const deps = fakeDeps();
  deps.clock.set(NOW);
  const snapshot = dealAtStage(stage, new Date('2026-12-01T15:00:00.000Z'));
  deps.store.put({ ...snapshot, deal: change({ ...snapshot.deal, taskToken: `task-${stage}` }) });
  return deps;
}

type Deps = ReturnType<typeof waitingAt>;

function token(deps: Deps, action: LinkAction, target: string, recipient: string) {
  return signedToken(deps, { planId: PLAN_ID, action, target, recipient });
}

function doneMilestone(deps: Deps, id: string): void {
  const snapshot = deps.store.peek(PLAN_ID);
  if (!snapshot) throw new Error('no deal');
  deps.store.put({
    ...snapshot,
    milestones: snapshot.milestones.map((m) =>
      m.milestoneId === id ? { ...m, status: 'done' as const } : m,
    ),
  });
}

describe('viewLink (GET and HEAD)', () => {
  it('shows the form for a live link and changes nothing, however often it is opened', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);
    const before = deps.store.peek(PLAN_ID);

    // Act
    const first = await viewLink(deps, t);
    const second = await viewLink(deps, t);

    // Assess
    expect(first).toMatchObject({
      kind: 'form',
      status: 200,
      claims: { action: 'confirm-gate', target: 'door-opener', recipient: PEOPLE.dana },
      target: { stage: 'door-opener' },
    });
    expect(second.kind).toBe('form');
    expect(deps.store.peek(PLAN_ID)).toEqual(before);
    expect(deps.store.writes).toEqual([]);
    expect(deps.store.usedLinks()).toEqual([]);
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.workflow.completed).toEqual([]);
  });

  it('refuses a token that is not a link, with 404', async () => {
    // Prepare
    const deps = waitingAt('door-opener');

    // Act
    const page = await viewLink(deps, 'nonsense');

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
  });

  it('refuses a link from another tenant, with 404', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const other = fakeDeps({ clock: deps.clock });
    other.config.tenant = 'globex-bu';
    const t = await signedToken(other, {
      planId: PLAN_ID,
      action: 'confirm-gate',
      target: 'door-opener',
      recipient: PEOPLE.dana,
    });

    // Act
    const page = await viewLink(deps, t);

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
  });

  it('refuses an expired link, with 410', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);
    deps.clock.set(new Date(Date.parse(NOW) + 15 * 86_400_000));

    // Act
    const page = await viewLink(deps, t);

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 410, reason: 'expired' });
  });

  it('refuses a link to a deal that does not exist, with 404', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await signedToken(deps, {
      planId: 'pl_gone',
      action: 'confirm-gate',
      target: 'door-opener',
      recipient: PEOPLE.dana,
    });

    // Act / Assess
    expect(await viewLink(deps, t)).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
  });

  it.each([
    [
      'a gate already passed (her side confirmed it)',
      'confirm-gate',
      'target-account-selection',
      PEOPLE.dana,
      409,
      'already-done',
    ],
    ['a milestone no longer in the plan', 'milestone-done', 'retired-step', PEOPLE.ana, 410, 'superseded'],
    ['a gate not open yet', 'confirm-gate', 'joint-discovery', PEOPLE.dana, 410, 'superseded'],
    ['a party the gate does not ask', 'confirm-gate', 'door-opener', PEOPLE.ana, 403, 'not-allowed'],
    ['a milestone already done', 'milestone-done', 'fit-check', PEOPLE.ana, 409, 'already-done'],
    ['someone else’s milestone', 'milestone-done', 'warm-intro', PEOPLE.raj, 410, 'superseded'],
  ] as const)('refuses %s', async (_what, action, target, recipient, status, reason) => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, action, target, recipient);

    // Act
    const page = await viewLink(deps, t);

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status, reason });
  });
});

describe('actOnLink (POST)', () => {
  it('performs the action once and claims the link with it', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
    const claims = peekClaims(t);

    // Act
    const page = await actOnLink(deps, t, { note: 'Intro sent on Monday' });

    // Assess
    expect(page).toMatchObject({
      kind: 'done',
      status: 200,
      message: 'Marked done: “Warm introduction to Lee Park”.',
    });
    const warm = deps.store.milestone(PLAN_ID, 'warm-intro');
    expect(warm).toMatchObject({ status: 'done', doneBy: PEOPLE.dana, doneAt: NOW });
    expect(deps.store.usedLinks()).toEqual([
      {
        nonce: claims?.nonce,
        planId: PLAN_ID,
        action: 'milestone-done',
        target: 'warm-intro',
        usedAt: NOW,
        usedBy: PEOPLE.dana,
        expiresAt: (claims?.exp ?? 0) + 86_400,
      },
    ]);
    expect(deps.store.peek(PLAN_ID)?.deal.lastActivity).toEqual({ partner: NOW });
  });

  it('answers a second POST of the same link with who used it, and changes nothing', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-stuck', 'warm-intro', PEOPLE.dana);
    await actOnLink(deps, t, { reason: 'Lee is travelling' });
    const writes = deps.store.writes.length;
    const mails = deps.mailer.sent.length;
    deps.clock.set('2026-12-02T16:00:00.000Z');

    // Act
    const again = await actOnLink(deps, t, { reason: 'Still travelling' });
    const view = await viewLink(deps, t);

    // Assess
    expect(again).toEqual({
      kind: 'refused',
      status: 409,
      reason: 'used',
      message: 'Nothing was changed.',
      context: {
        planName: 'Globex platform migration',
        action: 'milestone-stuck',
        stage: 'door-opener',
        milestone: 'Warm introduction to Lee Park',
        reader: { name: 'Dana Whit', party: 'partner', timezone: 'America/New_York' },
        usedAt: NOW,
      },
    });
    expect(view).toMatchObject({ kind: 'refused', reason: 'used' });
    expect(deps.store.writes).toHaveLength(writes);
    expect(deps.mailer.sent).toHaveLength(mails);
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').stuck).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous POSTs of one link act', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-stuck', 'warm-intro', PEOPLE.dana);
    deps.store.holdReads(2);

    // Act
    const pages = await Promise.all([
      actOnLink(deps, t, { reason: 'first tab' }),
      actOnLink(deps, t, { reason: 'second tab' }),
    ]);

    // Assess
    expect(pages.map((p) => p.kind).sort()).toEqual(['done', 'refused']);
    expect(pages.find((p) => p.kind === 'refused')).toMatchObject({ reason: 'used' });
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').stuck).toHaveLength(1);
    expect(deps.store.usedLinks()).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('re-renders an invalid form with its errors and claims nothing', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);

    // Act
    const invalid = await actOnLink(deps, t, { meetingDate: '2026-02-30' });
    const missing = await actOnLink(deps, t, {});

    // Assess
    expect(invalid).toMatchObject({
      kind: 'form',
      status: 200,
      errors: [{ path: 'meetingDate', message: 'is not a real calendar date' }],
    });
    expect(missing).toMatchObject({ kind: 'form', errors: [{ path: 'meetingDate' }] });
    expect(deps.store.writes).toEqual([]);
    expect(deps.store.usedLinks()).toEqual([]);
    expect(deps.store.peek(PLAN_ID)?.deal.stages['door-opener'].confirmations).toEqual([]);

    // And the same link still works once the form is right.
    expect(await actOnLink(deps, t, { meetingDate: '2026-12-14' })).toMatchObject({ kind: 'done' });
    expect(deps.store.peek(PLAN_ID)?.deal.stages['door-opener'].confirmations).toMatchObject([
      { party: 'partner', by: PEOPLE.dana, evidence: { meetingDate: '2026-12-14' } },
    ]);
  });

  it.each([
    ['the same date', '2026-12-11'],
    ['an earlier date', '2026-12-09'],
  ])('re-renders a slip to %s with an error on the date, claiming nothing', async (_what, newDue) => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-slip', 'warm-intro', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, { newDue, reason: 'Lee is travelling' });

    // Assess
    expect(page).toMatchObject({
      kind: 'form',
      errors: [{ path: 'newDue', message: 'the new date must be after 2026-12-11' }],
    });
    expect(deps.store.writes).toEqual([]);
    expect(deps.store.usedLinks()).toEqual([]);
  });

  it('absorbs a slip by default: only the slipped milestone moves, the close date holds; the vendor owner hears', async () => {
    // Prepare (changed with issue 15: a slip used to move every later milestone and the close date)
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-slip', 'warm-intro', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, {
      newDue: '2026-12-18',
      reason: 'Lee is travelling',
      choice: 'absorb',
    });

    // Assess
    expect(page).toMatchObject({
      kind: 'done',
      message:
        'Absorbed: “Warm introduction to Lee Park” now due 2026-12-18; the close date holds (2027-02-26).',
      impact: {
        days: 7,
        moved: [
          {
            milestoneId: 'warm-intro',
            title: 'Warm introduction to Lee Park',
            from: '2026-12-11',
            to: '2026-12-18',
          },
        ],
        closeDate: { from: '2027-02-26', to: '2027-02-26' },
        choice: 'absorb',
      },
    });
    const stored = deps.store.peek(PLAN_ID);
    expect(stored?.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(stored?.milestones.find((m) => m.milestoneId === 'warm-intro')?.due).toBe('2026-12-18');
    expect(stored?.milestones.find((m) => m.milestoneId === 'debrief')?.due).toBe('2027-03-05');
    expect(stored?.milestones.find((m) => m.milestoneId === 'fit-check')?.due).toBe('2026-12-04');
    expect(deps.mailer.sent).toHaveLength(1);
    expect(deps.mailer.sent[0]).toMatchObject({
      to: [PEOPLE.ana],
      subject: '[Globex platform migration] Slipped: Warm introduction to Lee Park (+7 days)',
    });
    // Dates for people: "Fri 26 Feb", not ISO.
    expect(deps.mailer.sent[0]?.text).toContain('The close date holds (Fri 26 Feb).');
  });

  it('proposes moving the close date when asked: only the slipped milestone moves now', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-slip', 'warm-intro', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, {
      newDue: '2026-12-18',
      reason: 'Lee is travelling',
      choice: 'propose',
    });

    // Assess
    expect(page).toMatchObject({ kind: 'done', impact: { choice: 'propose' } });
    const stored = deps.store.peek(PLAN_ID);
    expect(stored?.deal.plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(stored?.deal.slipProposal).toMatchObject({
      milestoneId: 'warm-intro',
      days: 7,
      replan: { closeDate: { from: '2027-02-26', to: '2027-03-05' } },
    });
    expect(stored?.milestones.find((m) => m.milestoneId === 'debrief')?.due).toBe('2027-03-05');
  });

  it('sends no slip notice when the vendor owner slipped the milestone herself', async () => {
    // Prepare
    const deps = waitingAt('joint-discovery');
    const t = await token(deps, 'milestone-slip', 'discovery-call', PEOPLE.ana);

    // Act
    await actOnLink(deps, t, { newDue: '2026-12-22', reason: 'Holidays', choice: 'absorb' });

    // Assess
    expect(deps.store.milestone(PLAN_ID, 'discovery-call').due).toBe('2026-12-22');
    expect(deps.mailer.sent).toEqual([]);
  });

  it('tells the first rung of the owner’s side at once when a milestone is stuck, copying the owner', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-stuck', 'warm-intro', PEOPLE.dana);

    // Act
    await actOnLink(deps, t, { reason: 'Lee <b>is</b> travelling' });

    // Assess
    expect(deps.mailer.sent).toHaveLength(1);
    const email = deps.mailer.sent[0];
    expect(email).toMatchObject({ to: [PEOPLE.raj], cc: [PEOPLE.dana] });
    expect(email?.subject).toBe(
      '[Globex platform migration] Escalation: “Warm introduction to Lee Park” is stuck.',
    );
    expect(email?.text).toContain(`${PEOPLE.dana}: Lee <b>is</b> travelling`);
    expect(email?.html).toContain('Lee &#60;b&#62;is&#60;/b&#62; travelling');
  });

  it('skips a rung that is the owner: the customer sponsor is not escalated to about their own work', async () => {
    // Prepare: Lee Park owns proof-of-concept and is also the customer's first rung.
    const deps = waitingAt('joint-pursuit-and-proof');
    const t = await token(deps, 'milestone-stuck', 'proof-of-concept', PEOPLE.lee);

    // Act
    await actOnLink(deps, t, { reason: 'Budget freeze' });

    // Assess
    expect(deps.mailer.sent).toEqual([]);
    expect(deps.store.milestone(PLAN_ID, 'proof-of-concept').stuck).toHaveLength(1);
  });

  it('accepts a handoff and waives a milestone', async () => {
    // Prepare
    const deps = waitingAt('joint-pursuit-and-proof');
    const accept = await token(deps, 'accept-handoff', 'security-review', PEOPLE.dana);
    const waive = await token(deps, 'waive-milestone', 'pricing-approval', PEOPLE.ana);

    // Act
    const accepted = await actOnLink(deps, accept, {});
    const waived = await actOnLink(deps, waive, { reason: 'List price agreed' });

    // Assess
    expect(accepted.kind).toBe('done');
    expect(waived.kind).toBe('done');
    expect(deps.store.milestone(PLAN_ID, 'security-review').handoff).toMatchObject({
      acceptedBy: PEOPLE.dana,
    });
    expect(deps.store.milestone(PLAN_ID, 'pricing-approval')).toMatchObject({
      status: 'waived',
      waived: { by: PEOPLE.ana, reason: 'List price agreed' },
    });
    expect(deps.workflow.completed).toEqual([]);
  });

  it('completes the waiting gate with the recorded token when the last milestone is done', async () => {
    // Prepare
    const deps = waitingAt('door-opener', (d) => ({
      ...d,
      stages: {
        ...d.stages,
        'door-opener': {
          ...d.stages['door-opener'],
          confirmations: [
            { party: 'partner', by: PEOPLE.dana, at: NOW, evidence: { meetingDate: '2026-12-14' } },
          ],
        },
      },
    }));
    const t = await token(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, {});

    // Assess
    expect(page).toMatchObject({
      kind: 'done',
      message: expect.stringContaining('The Door-opener move gate has passed.'),
    });
    expect(deps.workflow.completed).toEqual([
      { taskToken: 'task-door-opener', output: { outcome: 'passed' } },
    ]);
    expect(deps.store.peek(PLAN_ID)?.deal).toMatchObject({ stage: 'joint-discovery', status: 'active' });
  });

  it('still says done when the gate’s token no longer waits (the next wait completes it)', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    doneMilestone(deps, 'warm-intro');
    deps.workflow.tokenWaiting = false;
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, { meetingDate: '2026-12-14' });

    // Assess
    expect(page.kind).toBe('done');
    expect(deps.workflow.completed).toHaveLength(1);
    expect(deps.store.peek(PLAN_ID)?.deal.stages['door-opener'].status).toBe('passed');
  });

  it('says done once the change is saved, even if the workflow callback then fails', async () => {
    // Prepare: the confirmation passes the gate; Step Functions is briefly unavailable.
    const deps = waitingAt('door-opener');
    doneMilestone(deps, 'warm-intro');
    deps.workflow.completeGate = async () => {
      throw new Error('SFN ServiceUnavailable');
    };
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, { meetingDate: '2026-12-14' }).catch((error: Error) => error);

    // Assess: the gate passed and the link is spent, so the page must not report a failure (the handler
    // would say "nothing was changed", and a retry would only say "already used"). The gate's next wait
    // completes the workflow.
    expect(deps.store.peek(PLAN_ID)?.deal.stages['door-opener'].status).toBe('passed');
    expect(deps.store.usedLinks()).toHaveLength(1);
    expect(page).toMatchObject({ kind: 'done' });
  });

  it('passes the gate without calling the workflow when no token is recorded yet', async () => {
    // Prepare
    const deps = waitingAt('door-opener', (d) => {
      const { taskToken: _none, ...rest } = d;
      return rest;
    });
    doneMilestone(deps, 'warm-intro');
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.dana);

    // Act
    const page = await actOnLink(deps, t, { meetingDate: '2026-12-14' });

    // Assess
    expect(page.kind).toBe('done');
    expect(deps.workflow.completed).toEqual([]);
    expect(deps.store.peek(PLAN_ID)?.deal.stages['door-opener'].status).toBe('passed');
  });

  it('closes the deal as lost from the last gate and tells the workflow so', async () => {
    // Prepare
    const deps = waitingAt('close-register-review');
    const t = await token(deps, 'confirm-gate', 'close-register-review', PEOPLE.ana);

    // Act
    const page = await actOnLink(deps, t, {
      outcome: 'lost',
      finalArr: '0',
      lesson: 'The incumbent undercut us',
    });

    // Assess
    expect(page).toMatchObject({ kind: 'done', message: expect.stringContaining('closed as lost') });
    expect(deps.workflow.completed).toEqual([
      { taskToken: 'task-close-register-review', output: { outcome: 'lost' } },
    ]);
    expect(deps.store.peek(PLAN_ID)?.deal).toMatchObject({
      status: 'lost',
      outcome: { result: 'lost', finalArr: 0, lesson: 'The incumbent undercut us', by: PEOPLE.ana },
    });
  });

  it('lands both sides’ simultaneous confirmations, and the second one passes the gate', async () => {
    // Prepare: stage 1 from the workflow's own emails; the fit-check is done; Ana and Dana click together.
    const deps = fakeDeps();
    deps.clock.set(NOW);
    deps.store.put(startedDeal(new Date(NOW)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'task-1',
      escalations: 0,
    });
    doneMilestone(deps, 'fit-check');
    const ana = sentLink(deps.mailer, {
      to: PEOPLE.ana,
      action: 'confirm-gate',
      target: 'target-account-selection',
    });
    const dana = sentLink(deps.mailer, {
      to: PEOPLE.dana,
      action: 'confirm-gate',
      target: 'target-account-selection',
    });
    deps.store.holdReads(2);

    // Act
    const pages = await Promise.all([
      actOnLink(deps, ana.token, { note: 'Committed' }),
      actOnLink(deps, dana.token, {}),
    ]);

    // Assess
    expect(pages.map((p) => p.kind)).toEqual(['done', 'done']);
    expect(deps.store.conflicts).toBeGreaterThanOrEqual(1);
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    expect(deal?.stages['target-account-selection'].confirmations.map((c) => c.party).sort()).toEqual([
      'partner',
      'vendor',
    ]);
    expect(deal?.stages['target-account-selection'].status).toBe('passed');
    expect(deal?.stage).toBe('door-opener');
    expect(deps.workflow.completed).toEqual([{ taskToken: 'task-1', output: { outcome: 'passed' } }]);
    expect(
      deps.store
        .usedLinks()
        .map((u) => u.usedBy)
        .sort(),
    ).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
  });

  it('does not let a stage-1 confirm link act on stage 2', async () => {
    // Prepare: Dana kept her stage-1 confirm link; the deal is now at stage 2, which she confirms.
    const deps = fakeDeps();
    deps.clock.set(NOW);
    deps.store.put(startedDeal(new Date(NOW)));
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'target-account-selection' });
    await awaitGate(deps, {
      planId: PLAN_ID,
      stage: 'target-account-selection',
      taskToken: 'task-1',
      escalations: 0,
    });
    const stage1 = sentLink(deps.mailer, {
      to: PEOPLE.dana,
      action: 'confirm-gate',
      target: 'target-account-selection',
    });
    doneMilestone(deps, 'fit-check');
    const anaLink = sentLink(deps.mailer, {
      to: PEOPLE.ana,
      action: 'confirm-gate',
      target: 'target-account-selection',
    });
    await actOnLink(deps, anaLink.token, {});
    const other = await token(deps, 'confirm-gate', 'target-account-selection', PEOPLE.dana);
    await actOnLink(deps, other, {});
    await setGateDeadline(deps, { planId: PLAN_ID, stage: 'door-opener' });
    doneMilestone(deps, 'warm-intro');

    // Act
    const page = await actOnLink(deps, stage1.token, { meetingDate: '2026-12-14' });

    // Assess
    expect(page).toMatchObject({ kind: 'refused', reason: 'already-done' });
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    expect(deal?.stages['door-opener']).toMatchObject({ status: 'open', confirmations: [] });
    expect(deps.workflow.completed).toEqual([{ taskToken: 'task-1', output: { outcome: 'passed' } }]);
  });
});

/** Everything a link could change: the deal and milestones, link uses, mail, the ledger, the workflow. */
function everything(deps: Pick<Deps, 'store' | 'mailer' | 'ledger' | 'workflow'>) {
  return {
    snapshot: deps.store.peek(PLAN_ID),
    writes: deps.store.writes.length,
    used: deps.store.usedLinks(),
    sent: deps.mailer.sent.length,
    effects: [...deps.ledger.done],
    completed: deps.workflow.completed.length,
    started: deps.workflow.started.length,
  };
}

const DAY_MS = 86_400_000;
const AFTER_EXPIRY = new Date(Date.parse(NOW) + 15 * DAY_MS);

describe('refused links change nothing', () => {
  it('expired (the clock moved past exp): 410, offering a fresh link to the bound, masked address', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
    deps.clock.set(AFTER_EXPIRY);
    const before = everything(deps);

    // Act
    const viewed = await viewLink(deps, t);
    const posted = await actOnLink(deps, t, { note: 'done, late' });

    // Assess
    for (const page of [viewed, posted]) {
      expect(page).toEqual({
        kind: 'refused',
        status: 410,
        reason: 'expired',
        message: 'This link has expired.',
        freshLinkTo: 'd***@northwind.example',
        // Which deal and step, and when it expired (14 days after NOW, to the second), for the page to word.
        context: {
          planName: 'Globex platform migration',
          action: 'milestone-done',
          stage: 'door-opener',
          milestone: 'Warm introduction to Lee Park',
          reader: { name: 'Dana Whit', party: 'partner', timezone: 'America/New_York' },
          expiredAt: '2026-12-16T15:00:00.000Z',
        },
      });
    }
    expect(everything(deps)).toEqual(before);
  });

  it('replayed: 409 saying who used it and when', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
    await actOnLink(deps, t, {});
    deps.clock.set('2026-12-03T09:00:00.000Z');
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, { note: 'again' });

    // Assess
    expect(page).toMatchObject({
      kind: 'refused',
      status: 409,
      reason: 'used',
      message: 'Nothing was changed.',
      context: { action: 'milestone-done', milestone: 'Warm introduction to Lee Park', usedAt: NOW },
    });
    expect(everything(deps)).toEqual(before);
  });

  it('wrong recipient (a confirm link bound to a party the gate does not ask): 403', async () => {
    // Prepare: the door-opener gate is confirmed by the partner; Ana is the vendor owner.
    const deps = waitingAt('door-opener');
    doneMilestone(deps, 'warm-intro');
    const t = await token(deps, 'confirm-gate', 'door-opener', PEOPLE.ana);
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, { meetingDate: '2026-12-14' });

    // Assess
    expect(page).toEqual({
      kind: 'refused',
      status: 403,
      reason: 'not-allowed',
      message: `${PEOPLE.ana} does not confirm the Door-opener move gate.`,
    });
    expect(everything(deps)).toEqual(before);
  });

  it('wrong tenant (signed with this key for another tenant): 404 invalid', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const other = fakeDeps({ clock: deps.clock });
    other.config.tenant = 'globex-bu';
    const t = await signedToken(other, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
    });
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, {});
    const fresh = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
    expect(fresh).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
    expect(everything(deps)).toEqual(before);
  });

  it('superseded target (a milestone no longer in the plan): 410', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-done', 'retired-step', PEOPLE.ana);
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, {});

    // Assess
    expect(page).toEqual({
      kind: 'refused',
      status: 410,
      reason: 'superseded',
      message: 'This milestone is no longer in the plan.',
    });
    expect(everything(deps)).toEqual(before);
  });
});

describe('key rotation at the link', () => {
  const KEY_OLD = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';
  const KEY_NEW = 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F';

  /** Deps whose keys are a ring: k2 current, k1 retired `retiredDaysAgo` days ago. */
  function withRing(retiredDaysAgo: number) {
    const deps = waitingAt('door-opener');
    const retiredAt = new Date(Date.parse(NOW) - retiredDaysAgo * DAY_MS).toISOString();
    const ring = { current: 'k2', k2: KEY_NEW, k1: KEY_OLD, 'k1.retiredAt': retiredAt };
    return { ...deps, keys: new KeyRingSigningKeys(async () => ring, deps.clock, deps.config.linkTtlDays) };
  }

  /** A warm-intro done link for Dana signed by `kid`, valid for a day from NOW. */
  function linkSignedBy(kid: 'k1' | 'k2'): string {
    const claims: LinkClaims = {
      kid,
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'warm-intro',
      recipient: PEOPLE.dana,
      exp: Math.floor(Date.parse(NOW) / 1000) + 86_400,
      nonce: newNonce(),
    };
    return signLink('acme', claims, Buffer.from(kid === 'k1' ? KEY_OLD : KEY_NEW, 'utf8'));
  }

  it('a key retired more than the link lifetime ago: 404 invalid, even on an unexpired token', async () => {
    // Prepare: a token minted with the old key (as by someone who kept a copy of it) after its window.
    const deps = withRing(15);
    const t = linkSignedBy('k1');
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, {});

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
    expect(everything(deps)).toEqual(before);
  });

  it('a recently retired key still verifies, and its link acts', async () => {
    // Prepare
    const deps = withRing(3);
    const t = linkSignedBy('k1');

    // Act
    const page = await actOnLink(deps, t, {});

    // Assess
    expect(page).toMatchObject({ kind: 'done' });
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').status).toBe('done');
  });

  it('new links are signed with the current key', async () => {
    // Prepare
    const deps = withRing(3);
    await actOnLink(deps, linkSignedBy('k2'), {});

    // Act / Assess
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').status).toBe('done');
    expect((await deps.keys.current()).kid).toBe('k2');
  });
});

describe('"send me a fresh link" (POST intent=fresh-link from the expired page)', () => {
  async function expiredLink(action: LinkAction = 'milestone-done', target = 'warm-intro', to = PEOPLE.dana) {
    const deps = waitingAt('door-opener');
    const t = await token(deps, action, target, to);
    deps.clock.set(AFTER_EXPIRY);
    return { deps, t, claims: peekClaims(t) as LinkClaims };
  }

  it('mails one new link for the same action and target to the bound recipient, and changes no deal', async () => {
    // Prepare
    const { deps, t, claims } = await expiredLink();
    const before = deps.store.peek(PLAN_ID);

    // Act
    const page = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(page).toEqual({
      kind: 'fresh-link',
      status: 200,
      sentTo: 'd***@northwind.example',
      message: 'A fresh link was sent to d***@northwind.example. It works once, for you only.',
    });
    expect(deps.mailer.sent).toHaveLength(1);
    const email = deps.mailer.sent[0];
    expect(email).toMatchObject({
      key: `fresh-link#${PLAN_ID}#${claims.nonce}`,
      to: [PEOPLE.dana],
      cc: [],
      subject: '[Globex platform migration] Your fresh link: Mark done',
    });
    const links = linksIn(email as NonNullable<typeof email>);
    expect(links).toHaveLength(1);
    expect(links[0]?.url.startsWith('https://links.acme.example/a/')).toBe(true);
    const fresh = links[0]?.claims as LinkClaims;
    expect(fresh).toMatchObject({ action: 'milestone-done', target: 'warm-intro', recipient: PEOPLE.dana });
    expect(fresh.nonce).not.toBe(claims.nonce);
    expect(fresh.exp).toBe(Math.floor(AFTER_EXPIRY.getTime() / 1000) + 14 * 86_400);
    expect(deps.store.peek(PLAN_ID)).toEqual(before);
    expect(deps.store.writes).toEqual([]);
    expect(deps.store.usedLinks()).toEqual([]);
  });

  it('the fresh link verifies and acts, once', async () => {
    // Prepare
    const { deps, t } = await expiredLink();
    await actOnLink(deps, t, { intent: 'fresh-link' });
    const fresh = linksIn(deps.mailer.sent[0] as NonNullable<(typeof deps.mailer.sent)[0]>)[0]?.token ?? '';

    // Act
    const check = await verifyLink('acme', fresh, deps.keys, deps.clock.now());
    const page = await actOnLink(deps, fresh, {});
    const again = await actOnLink(deps, fresh, {});

    // Assess
    expect(check.ok).toBe(true);
    expect(page).toMatchObject({ kind: 'done' });
    expect(again).toMatchObject({ kind: 'refused', reason: 'used' });
    expect(deps.store.milestone(PLAN_ID, 'warm-intro').status).toBe('done');
  });

  it('sends at most one fresh link per expired link', async () => {
    // Prepare
    const { deps, t } = await expiredLink();
    await actOnLink(deps, t, { intent: 'fresh-link' });

    // Act
    const second = await actOnLink(deps, t, { intent: 'fresh-link' });
    const third = await requestFreshLink(deps, t);

    // Assess
    expect(deps.mailer.sent).toHaveLength(1);
    for (const page of [second, third]) {
      expect(page).toEqual({
        kind: 'fresh-link',
        status: 200,
        sentTo: 'd***@northwind.example',
        message:
          'A fresh link for this was already sent to d***@northwind.example. Use the link in that email.',
      });
    }
  });

  it('mails only the bound recipient, whatever addresses the form names', async () => {
    // Prepare
    const { deps, t } = await expiredLink();

    // Act
    await actOnLink(deps, t, {
      intent: 'fresh-link',
      to: 'mallory@evil.example',
      email: 'mallory@evil.example',
      recipient: 'mallory@evil.example',
    });

    // Assess
    expect(deps.mailer.recipients()).toEqual([PEOPLE.dana]);
    expect(deps.mailer.sent[0]?.cc).toEqual([]);
  });

  it('greets the recipient by the name the plan gives, with a confirm link for a gate', async () => {
    // Prepare
    const { deps, t } = await expiredLink('confirm-gate', 'door-opener', PEOPLE.dana);

    // Act
    await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    const email = deps.mailer.sent[0];
    expect(email?.text).toMatch(/^Hi Dana/);
    expect(linksIn(email as NonNullable<typeof email>)[0]?.claims).toMatchObject({
      action: 'confirm-gate',
      target: 'door-opener',
    });
  });

  it('gives nothing for a tampered or forged expired token', async () => {
    // Prepare
    const { deps, t } = await expiredLink();
    const [body, sig] = t.split('.') as [string, string];
    const fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    fields[5] = 'mallory@evil.example';
    const rewritten = `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${sig}`;
    const badSig = `${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    const before = everything(deps);

    // Act
    const pages = [
      await actOnLink(deps, rewritten, { intent: 'fresh-link' }),
      await actOnLink(deps, badSig, { intent: 'fresh-link' }),
      await actOnLink(deps, 'garbage', { intent: 'fresh-link' }),
    ];

    // Assess
    for (const page of pages) expect(page).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
    expect(everything(deps)).toEqual(before);
  });

  it('sends nothing when the target has moved on, and the expired page offers nothing', async () => {
    // Prepare
    const { deps, t } = await expiredLink();
    doneMilestone(deps, 'warm-intro');
    const before = everything(deps);

    // Act
    const viewed = await viewLink(deps, t);
    const asked = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(viewed).toMatchObject({ kind: 'refused', status: 410, reason: 'expired' });
    expect(viewed).not.toHaveProperty('freshLinkTo');
    expect(viewed.kind === 'refused' && viewed.message).toContain('already done');
    expect(asked).toMatchObject({ kind: 'refused', status: 409, reason: 'already-done' });
    expect(everything(deps)).toEqual(before);
  });

  it('sends nothing for a link that was used before it expired', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-stuck', 'warm-intro', PEOPLE.dana);
    await actOnLink(deps, t, { reason: 'Lee is travelling' });
    deps.clock.set(AFTER_EXPIRY);
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(page).toMatchObject({ kind: 'refused', status: 409, reason: 'used' });
    expect(everything(deps)).toEqual(before);
  });

  it('sends nothing for a link that has not expired: it shows its own page', async () => {
    // Prepare
    const deps = waitingAt('door-opener');
    const t = await token(deps, 'milestone-done', 'warm-intro', PEOPLE.dana);
    const before = everything(deps);

    // Act
    const page = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(page).toMatchObject({ kind: 'form', status: 200, claims: { action: 'milestone-done' } });
    expect(everything(deps)).toEqual(before);
  });

  it('lets a failed send be retried: the ledger records only a sent email', async () => {
    // Prepare
    const { deps, t } = await expiredLink();
    deps.mailer.failNext = 1;

    // Act
    const failed = await actOnLink(deps, t, { intent: 'fresh-link' }).catch((error: Error) => error);
    const retried = await actOnLink(deps, t, { intent: 'fresh-link' });

    // Assess
    expect(failed).toBeInstanceOf(Error);
    expect(retried).toMatchObject({ kind: 'fresh-link', message: expect.stringContaining('was sent') });
    expect(deps.mailer.sent).toHaveLength(1);
  });
});
