import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  eventsFor,
  everyDayTenantEnv,
  expectRefused,
  getPlan,
  type LocalStackProcess,
  linkIn,
  localNow,
  matching,
  newestEmail,
  outbox,
  postBody,
  referencePlanVariant,
  removeStateDir,
  restartStack,
  stageOf,
  startStack,
  stopAndAssertClean,
  subjectStarting,
  waitFor,
} from './helpers/local-stack';
import { ACTIONS, BRIEF_URL, M, PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// Ctrl-C and `npm start` again (same state directory, same port) while a deal waits at stage 3.

let stack: LocalStackProcess;

const tenantEnv = everyDayTenantEnv();

beforeAll(async () => {
  stack = await startStack({ env: tenantEnv });
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

it('resumes a deal waiting at stage 3 after a restart; old links behave; the deal can be finished', async () => {
  const name = 'Globex platform migration (restart)';
  const deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);

  // Stage 1, with a second confirm link for the partner: the vendor confirms and does the fit check, the
  // partner stays quiet past the gate's deadline, the overdue email brings the partner a fresh confirm link.
  await deal.waitForOpen(1);
  const vendorConfirm1 = await deal.link(PEOPLE.ana, 1, 'Confirm the gate');
  const partnerConfirm1 = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
  await deal.use(vendorConfirm1, ACTIONS.confirm, PEOPLE.ana, {});
  await deal.markDone(PEOPLE.ana, 1, M.fitCheck);
  const before = await localNow(stack.url);
  const clock = await postBody(
    `${stack.url}/_local/clock`,
    JSON.stringify({ advance: 'P12D' }),
    'application/json',
  );
  expect(clock.status).toBe(200);
  expect((await localNow(stack.url)).getTime() - before.getTime()).toBeGreaterThanOrEqual(12 * 86_400_000);
  const overdue = await newestEmail(stack.url, {
    to: PEOPLE.dana,
    subject: subjectStarting(name, 'Overdue: stage 1,'),
  });
  const partnerOverdueConfirm = linkIn(overdue, 'Confirm the gate');
  expect(partnerOverdueConfirm).not.toBe(partnerConfirm1);
  await deal.use(partnerOverdueConfirm, ACTIONS.confirm, PEOPLE.dana, {});
  await deal.expectPassed(1);

  await deal.passStage2();

  // Stage 3 open: one of its milestones done before the restart, the rest of its links kept for after.
  await deal.markDone(PEOPLE.ana, 3, M.discoveryCall);
  const accountBriefDone = await deal.link(PEOPLE.dana, 3, 'Mark done', M.accountBrief);
  const vendorConfirm3 = await deal.link(PEOPLE.ana, 3, 'Confirm the gate');
  const partnerConfirm3 = await deal.link(PEOPLE.dana, 3, 'Confirm the gate');
  const atStage3 = await deal.expectWaiting(3, {
    confirmations: ['vendor', 'partner'],
    milestones: ['account-brief'],
  });
  const emailsBefore = await outbox(stack.url);
  const stage3Emails = matching(await outbox(stack.url), {
    to: PEOPLE.ana,
    subject: deal.gateSubject(3),
  }).length;

  // Ctrl-C, then start again on the same state directory and port.
  const stopped = performance.now();
  stack = await restartStack(stack, tenantEnv);
  console.log(
    `e2e restart: stopped and answering again in ${Math.round(performance.now() - stopped)} ms (startup ${Math.round(stack.startupMs)} ms)`,
  );

  // The stack says so once the waiting workflow is back at its gate.
  await stack.waitForOutput(/Resumed 1 active deal\(s\) at their current stage/);
  const resumed = await getPlan(stack.url, deal.planId);
  expect(resumed.status).toBe('active');
  expect(resumed.stage).toBe('joint-discovery');
  expect(resumed.stages).toEqual(atStage3.stages);
  expect(resumed.milestones).toEqual(atStage3.milestones);
  expect(stageOf(resumed, 'joint-discovery').status).toBe('open');
  // The outbox survived the restart.
  expect((await outbox(stack.url)).slice(0, emailsBefore.length)).toEqual(emailsBefore);

  // The stage-1 links behave as before: the used one says so; the unused one says its side already confirmed.
  await expectRefused(stack.url, vendorConfirm1, { planId: deal.planId, status: 409, says: /already used/i });
  await expectRefused(stack.url, partnerConfirm1, {
    planId: deal.planId,
    status: 409,
    says: /already confirmed.*already passed/i,
  });
  expect(
    stageOf(await getPlan(stack.url, deal.planId), 'target-account-selection').confirmations,
  ).toHaveLength(2);

  // The stage-3 links from before the restart still work, and the resumed workflow passes the gate.
  await deal.use(accountBriefDone, ACTIONS.done, PEOPLE.dana, {});
  await deal.use(vendorConfirm3, ACTIONS.confirm, PEOPLE.ana, { briefUrl: BRIEF_URL });
  await deal.use(partnerConfirm3, ACTIONS.confirm, PEOPLE.dana, { briefUrl: BRIEF_URL });
  await deal.expectPassed(3);
  // The resumed wait sent no second round of stage-3 emails.
  expect(matching(await outbox(stack.url), { to: PEOPLE.ana, subject: deal.gateSubject(3) })).toHaveLength(
    stage3Emails,
  );

  await deal.passStage4();
  await deal.finishStage5Milestones();
  await deal.confirm(PEOPLE.ana, 5, { outcome: 'won', finalArr: '101000', lesson: 'Restarts are boring.' });
  await deal.waitForStatus('won');
  const registered = await waitFor('the registration event', async () => {
    const found = await eventsFor(stack.url, deal.planId, 'CoSell Deal Registered');
    return found.length ? found : undefined;
  });
  await waitFor('registeredAt on the deal', async () =>
    (await deal.plan()).registeredAt ? true : undefined,
  );
  expect(registered).toHaveLength(1);
  // One registration; the other events (plan started, stages advanced) are checked in deal-lifecycle.
  expect(await eventsFor(stack.url, deal.planId, 'CoSell Deal Closed Lost')).toEqual([]);
  expect(registered[0]?.detail).toMatchObject({
    outcome: 'won',
    arr: { amount: 101000 },
    attribution: 'sourced',
  });
});
