import { CORE_SCHEMA, load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlan,
  everyDayTenantEnv,
  expectRefused,
  getJson,
  getPlan,
  type LocalStackProcess,
  linkIn,
  listPlans,
  localNow,
  matching,
  newestEmail,
  observable,
  outbox,
  pageText,
  postBody,
  referencePlanVariant,
  removeStateDir,
  settle,
  stageOf,
  startStack,
  stopAndAssertClean,
  subjectStarting,
} from './helpers/local-stack';
import { ACTIONS, M, PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// One local stack for the file. Some tests move its clock; every plan here is the reference plan under
// its own name with its dates laid out ahead of the local clock's today, so the order does not matter.

const DAY = 86_400_000;
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack({ env: everyDayTenantEnv() });
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

async function advanceClock(advance: string) {
  return postBody<{ now: string }>(
    `${stack.url}/_local/clock`,
    JSON.stringify({ advance }),
    'application/json',
  );
}

describe('gates', () => {
  it('holds a stage until its milestones are done or waived, and a stage-1 link cannot pass stage 2', async () => {
    const name = 'Globex platform migration (gates)';
    const deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
    await deal.waitForOpen(1);
    const vendorConfirm1 = await deal.link(PEOPLE.ana, 1, 'Confirm the gate');
    const partnerConfirm1 = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
    const fitCheckDone = await deal.link(PEOPLE.ana, 1, 'Mark done', M.fitCheck);
    const fitCheckStuck = await deal.link(PEOPLE.ana, 1, 'Say stuck', M.fitCheck);

    // Both confirmations in, the fit check still open: the deal stays at stage 1. (The partner confirms
    // from the overdue email, so that its first confirm link stays unused for later.)
    await deal.use(vendorConfirm1, ACTIONS.confirm, PEOPLE.ana, {});
    expect((await advanceClock('P12D')).status).toBe(200);
    const overdue = await newestEmail(stack.url, {
      to: PEOPLE.dana,
      subject: subjectStarting(name, 'Overdue: stage 1,'),
    });
    await deal.use(linkIn(overdue, 'Confirm the gate'), ACTIONS.confirm, PEOPLE.dana, {});
    await deal.expectWaiting(1, { confirmations: [], milestones: ['fit-check'] });
    expect(matching(await outbox(stack.url), { to: PEOPLE.dana, subject: deal.gateSubject(2) })).toEqual([]);

    // The vendor owner waives it, with a reason: the gate passes.
    await deal.waive(1, M.fitCheck, 'vendor', 'Fit agreed on the executive call; no separate check needed.');
    const atStage2 = await deal.expectPassed(1);
    expect(atStage2.milestones.find((m) => m.id === 'fit-check')?.status).toBe('waived');
    await deal.expectWaiting(2, { confirmations: ['partner'], milestones: ['warm-intro'] });

    // Stage-1 links cannot act on stage 2, even posted with stage 2's evidence; nothing changes.
    const stage2Evidence = { meetingDate: '2026-12-16' };
    await expectRefused(stack.url, partnerConfirm1, {
      planId: deal.planId,
      status: 409,
      says: /already confirmed.*Target account selection gate has already passed/i,
      form: stage2Evidence,
    });
    await expectRefused(stack.url, vendorConfirm1, {
      planId: deal.planId,
      status: 409,
      says: /already used/i,
      form: stage2Evidence,
    });
    await expectRefused(stack.url, fitCheckDone, {
      planId: deal.planId,
      status: 409,
      says: /already (done|waived)/i,
    });
    await expectRefused(stack.url, fitCheckStuck, {
      planId: deal.planId,
      status: 409,
      says: /already (done|waived)/i,
      form: { reason: 'late' },
    });
    await deal.expectWaiting(2, { confirmations: ['partner'], milestones: ['warm-intro'] });
    expect(stageOf(await deal.plan(), 'door-opener').confirmations).toEqual([]);

    // Stage 2 too: the partner's confirmation alone does not pass it while the warm intro is open.
    await deal.confirm(PEOPLE.dana, 2, { meetingDate: '2026-12-16' });
    await deal.expectWaiting(2, { confirmations: [], milestones: ['warm-intro'] });
    await deal.markDone(PEOPLE.dana, 2, M.warmIntro);
    await deal.expectPassed(2);
  });
});

describe('the HTTP contract', () => {
  const invalidIssueShape = {
    error: expect.any(String),
    issues: expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]),
  };

  it('refuses bad plans with 400/413/415 and stores nothing', async () => {
    await settle(stack.url);
    const before = await listPlans(stack.url);
    const emailsBefore = (await outbox(stack.url)).length;
    const yaml = await referencePlanVariant(stack.url, 'Globex platform migration (invalid)');

    // A milestone owned by someone the plan does not name.
    const badOwner = yaml.replace(
      /(id: warm-intro,.*?owner: )partner,/,
      (_m, head: string) => `${head}nobody@example.com,`,
    );
    expect(badOwner).toContain('owner: nobody@example.com');
    const invalid = await postBody<{ error: string; issues: { path: string; message: string }[] }>(
      `${stack.url}/plans`,
      badOwner,
      'application/yaml',
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject(invalidIssueShape);
    expect(invalid.body.issues).toContainEqual({
      path: 'stages.door-opener.milestones[0].owner',
      message: expect.stringContaining('nobody@example.com'),
    });

    const malformed = await postBody(
      `${stack.url}/plans`,
      '{"apiVersion": "cosell/v1", "kind": ',
      'application/json',
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject(invalidIssueShape);

    const plainText = await postBody(`${stack.url}/plans`, yaml, 'text/plain');
    expect(plainText.status).toBe(415);
    expect(plainText.body).toMatchObject(invalidIssueShape);

    const json = parseYaml(yaml, { schema: CORE_SCHEMA }) as { account: { context: string } };
    json.account.context = 'x'.repeat(300 * 1024);
    const tooLarge = await postBody(`${stack.url}/plans`, JSON.stringify(json), 'application/json');
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject(invalidIssueShape);

    expect(await listPlans(stack.url)).toEqual(before);
    expect((await outbox(stack.url)).length).toBe(emailsBefore);
  });

  it('accepts the same plan as JSON, lists it, and answers 404 for an unknown plan', async () => {
    const name = 'Globex platform migration (json)';
    const json = parseYaml(await referencePlanVariant(stack.url, name), { schema: CORE_SCHEMA });
    const created = await postBody<{ planId: string }>(
      `${stack.url}/plans`,
      JSON.stringify(json),
      'application/json',
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/plans/${created.body.planId}`);
    expect(await listPlans(stack.url)).toContainEqual(
      expect.objectContaining({
        planId: created.body.planId,
        name,
        partner: 'Northwind Integrators',
        stage: 'target-account-selection',
        status: 'active',
      }),
    );
    const unknown = await getJson<{ error: string }>(`${stack.url}/plans/pl_00000000000000000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: expect.any(String) });
  });

  it('answers a garbage link with a 404 page, and HEAD of a valid link with 200, no body, no change', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await fetch(`${stack.url}/a/not-a-real-token`, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'note=x' }
          : {}),
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(pageText(await res.text())).toMatch(/not valid/i);
    }

    const name = 'Globex platform migration (head)';
    const plan = await createPlan(stack.url, await referencePlanVariant(stack.url, name));
    const deal = new ReferenceDeal(stack.url, plan.planId, name);
    await deal.waitForOpen(1);
    const confirm = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
    const before = await observable(stack.url, plan.planId);
    const head = await fetch(confirm, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await head.text()).toBe('');
    expect(await observable(stack.url, plan.planId)).toEqual(before);
    // The link is still good after being probed.
    await deal.use(confirm, ACTIONS.confirm, PEOPLE.dana, {});
    expect(stageOf(await getPlan(stack.url, plan.planId), 'target-account-selection').waitingFor).toEqual({
      confirmations: ['vendor'],
      milestones: ['fit-check'],
    });
  });
});

describe('the local clock', () => {
  it('moves time forward and answers once what fell due has been done', async () => {
    const name = 'Globex platform migration (clock)';
    // Ana and Dana own parts of every plan in this file: a cap high enough that none of this plan's mail
    // waits for tomorrow behind the others' (the per-day cap is per person, across plans).
    const yaml = (await referencePlanVariant(stack.url, name)).replace(
      /maxPerRecipientPerDay: \d+/,
      'maxPerRecipientPerDay: 20',
    );
    const deal = await ReferenceDeal.create(stack.url, yaml, name);
    await deal.waitForOpen(1);
    const t0 = await localNow(stack.url);

    // Nine days on: the fit check (due in 11 days) is not late yet.
    const first = await advanceClock('P9D');
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.now) - t0.getTime()).toBeGreaterThanOrEqual(9 * DAY);
    expect(
      matching(await outbox(stack.url), { to: PEOPLE.ana, subject: subjectStarting(name, 'Overdue:') }),
    ).toEqual([]);

    // 72 hours more crosses the reminder and the stage-1 deadline: when the call answers, the emails are out.
    const second = await advanceClock('PT72H');
    expect(second.status).toBe(200);
    const emails = await outbox(stack.url);
    for (const to of [PEOPLE.ana, PEOPLE.dana]) {
      expect(
        matching(emails, {
          to,
          subject: subjectStarting(name, 'Overdue: stage 1, Target account selection'),
        }),
      ).toHaveLength(1);
    }
    // Ana's reminder comes alone, or in one digest with her reminders on the other plans in this file.
    const reminded = matching(emails, { to: PEOPLE.ana, subject: /Due soon: |due soon: your move$/ }).filter(
      (e) => e.subject.includes(name) && e.text.includes(M.fitCheck),
    );
    expect(reminded).toHaveLength(1);
    const now = await localNow(stack.url);
    // The answer's `now` is the clock as the work finished (real time keeps passing on top of the offset).
    expect(now.getTime() - Date.parse(second.body.now)).toBeGreaterThanOrEqual(0);
    expect(now.getTime() - Date.parse(second.body.now)).toBeLessThan(5_000);
    expect(now.getTime() - t0.getTime()).toBeGreaterThanOrEqual(12 * DAY);
    expect(now.getTime() - t0.getTime()).toBeLessThan(12 * DAY + 60_000);
    await deal.expectWaiting(1, { confirmations: ['vendor', 'partner'], milestones: ['fit-check'] });

    // An invalid duration: 400 in the same shape, and the clock does not move.
    for (const body of [
      JSON.stringify({ advance: '72 hours' }),
      JSON.stringify({ advance: 'P' }),
      'not json',
    ]) {
      const bad = await postBody(`${stack.url}/_local/clock`, body, 'application/json');
      expect(bad.status, body).toBe(400);
      expect(bad.body).toMatchObject({ error: expect.any(String), issues: expect.any(Array) });
    }
    expect((await localNow(stack.url)).getTime() - now.getTime()).toBeLessThan(60_000);
  });
});
