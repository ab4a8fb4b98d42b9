import { describe, expect, it } from 'vitest';
import { requestRetry } from '../../../../lambdas/domain/attention';
import { DeliveryDeferredError, DeliveryRejectedError } from '../../../../lambdas/domain/cadence';
import type { OutboundEmail } from '../../../../lambdas/domain/ports';
import { awaitGate, setGateDeadline } from '../../../../lambdas/domain/use-cases/gates';
import { TRANSIENT_RETRY } from '../../../../lib/workflow/playbook.definition';
import { fakeDeps } from '../../../helpers/fakes';
import { PEOPLE, PLAN_ID, startedDeal } from '../../../helpers/plan';

// Every send point of a gate survives its failure: a deferred email is retried by the state machine (the
// ledger keeps what went out from going twice), a refused one is recorded as needing attention while the
// others still go out and the gate keeps waiting.

const START = '2026-12-01T15:00:00.000Z';
const STAGE = 'target-account-selection' as const;
const input = { planId: PLAN_ID, stage: STAGE, taskToken: 't1', escalations: 0, executionArn: 'arn:exec:1' };

async function openedDeal() {
  const deps = fakeDeps();
  deps.clock.set(START);
  deps.store.put(startedDeal(new Date(START)));
  await setGateDeadline(deps, { planId: PLAN_ID, stage: STAGE });
  return deps;
}

/** The mailer fails for `address` with `error` while `times` is left. */
function failFor(deps: ReturnType<typeof fakeDeps>, address: string, error: () => Error, times = 1) {
  const send = deps.mailer.send.bind(deps.mailer);
  let left = times;
  deps.mailer.send = async (email: OutboundEmail) => {
    if (left > 0 && email.to.includes(address)) {
      left--;
      throw error();
    }
    await send(email);
  };
}

describe('awaitGate when SES defers an email', () => {
  it('sends the others, then throws TransientError, which the state machine retries; the retry sends the rest once', async () => {
    // Prepare
    const deps = await openedDeal();
    failFor(
      deps,
      PEOPLE.ana,
      () => new DeliveryDeferredError('SES did not take the email for now (Throttling)'),
    );

    // Act
    const first = awaitGate(deps, input);

    // Assess
    await expect(first).rejects.toMatchObject({ name: 'TransientError' });
    expect(TRANSIENT_RETRY.ErrorEquals).toContain('TransientError');
    expect(deps.mailer.recipients()).toEqual([PEOPLE.dana]);
    expect(deps.store.peek(PLAN_ID)?.deal).toMatchObject({ taskToken: 't1', workflow: { stage: STAGE } });
    expect(deps.store.peek(PLAN_ID)?.deal.needsAttention).toBeUndefined();

    // Act: the state machine's retry (a new token)
    await awaitGate(deps, { ...input, taskToken: 't2' });

    // Assess: each person exactly once
    expect(deps.mailer.recipients().sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
    expect(deps.store.peek(PLAN_ID)?.deal.taskToken).toBe('t2');
  });
});

describe('awaitGate when SES refuses an email for good', () => {
  const refuse = () =>
    new DeliveryRejectedError('SES refused the email: Email address is not verified.', 'MessageRejected');

  it('records needsAttention, still mails the others, and returns so the gate waits', async () => {
    // Prepare
    const deps = await openedDeal();
    failFor(deps, PEOPLE.dana, refuse, 99);

    // Act
    await awaitGate(deps, input);

    // Assess
    expect(deps.mailer.recipients()).toEqual([PEOPLE.ana]);
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    expect(deal?.taskToken).toBe('t1');
    expect(deal?.needsAttention).toEqual({
      what: `the stage 1 gate email to ${PEOPLE.dana} was refused`,
      error: 'MessageRejected: SES refused the email: Email address is not verified.',
      since: START,
      keys: [`gate-open#${PLAN_ID}#${STAGE}#${PEOPLE.dana}`],
      planVersion: 1,
    });
  });

  it('does not try the refused address again on a retry of the task, only after a retry is asked', async () => {
    // Prepare
    const deps = await openedDeal();
    failFor(deps, PEOPLE.dana, refuse, 1);
    await awaitGate(deps, input);
    const sends = deps.mailer.sent.length;

    // Act: a retry of the task for another reason
    await awaitGate(deps, { ...input, taskToken: 't2' });

    // Assess
    expect(deps.mailer.sent).toHaveLength(sends);
    expect(deps.store.peek(PLAN_ID)?.deal.needsAttention).toBeDefined();

    // Act: `cosell plan retry`, then the gate's emails once more (the reconciler does this in the sweep)
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    if (!deal) throw new Error('no deal');
    await deps.store.save({ deal: requestRetry(deal, deps.clock.now()) });
    await awaitGate(deps, { ...input, taskToken: 't3' });

    // Assess: sent once, and cleared
    expect(deps.mailer.to(PEOPLE.dana)).toHaveLength(1);
    expect(deps.store.peek(PLAN_ID)?.deal.needsAttention).toBeUndefined();
  });

  it('sends to an amended address and clears needsAttention', async () => {
    // Prepare
    const deps = await openedDeal();
    failFor(deps, PEOPLE.dana, refuse, 99);
    await awaitGate(deps, input);
    const { deal } = deps.store.peek(PLAN_ID) ?? {};
    if (!deal) throw new Error('no deal');
    const fixed = 'dana.w@northwind.example';
    const plan = structuredClone(deal.plan);
    plan.owners.partner.email = fixed;
    await deps.store.save({ deal: { ...deal, plan, planVersion: 2 } });

    // Act
    await awaitGate(deps, { ...input, taskToken: 't2' });

    // Assess
    expect(deps.mailer.to(fixed)).toHaveLength(1);
    expect(deps.store.peek(PLAN_ID)?.deal.needsAttention).toBeUndefined();
  });
});
