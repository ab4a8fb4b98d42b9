import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  eventsFor,
  expectRefused,
  getJson,
  type LocalStackProcess,
  outbox,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  waitFor,
} from './helpers/local-stack';
import { M, PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// The living plan on the local stack: one deal amended as code, refused a change, completed a gate by an
// apply, closed at stage 3, and its history read back.

const RAJ = 'raj.mehta@northwind.example';
const NAME = 'Globex living plan';
const PLAN_ID = 'globex-living-plan';

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

/** The reference plan without a customer sponsor: the customer's work and gate are the vendor's for now. */
function withoutCustomer(yaml: string): string {
  return yaml
    .replace(/^ {2}customer: \{ name: Lee Park.*\n/m, '')
    .replace(/^ {2}customer:\n {4}- \{ name: Lee Park.*\n/m, '')
    .replace('confirmedBy: [customer]', 'confirmedBy: [vendor]')
    .replace('handoff: { from: customer, to: partner }', 'handoff: { from: vendor, to: partner }')
    .replace(/(id: proof-of-concept,.*owner: )customer/, '$1vendor')
    .replace(/(id: procurement,.*owner: )customer/, '$1vendor')
    .replace('handoff: { from: vendor, to: customer }', 'handoff: { from: partner, to: vendor }');
}

async function put(
  yaml: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${stack.url}/plans/${PLAN_ID}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/yaml', ...headers },
    body: yaml,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const dealEmails = async () => (await outbox(stack.url)).filter((e) => e.subject.startsWith(`[${NAME}]`));

describe('the living plan', () => {
  it('applies changes to a running deal, refuses what would rewrite the past, closes at stage 3, keeps history', async () => {
    const reference = await referencePlanVariant(stack.url, NAME);
    const v1 = `id: ${PLAN_ID}\n${withoutCustomer(reference)}`;
    const created = await fetch(`${stack.url}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: v1,
    });
    const body = (await created.json()) as { planId: string; warnings: { path: string }[] };
    expect(created.status, JSON.stringify(body)).toBe(201);
    expect(body.planId).toBe(PLAN_ID);
    expect(body.warnings.map((w) => w.path)).toContain('owners.customer');
    // The same id again: 409 naming the deal.
    const again = await fetch(`${stack.url}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: v1,
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { planId: string }).planId).toBe(PLAN_ID);
    const deal = new ReferenceDeal(stack.url, PLAN_ID, NAME);

    // --- An apply that completes a gate: both sides confirmed stage 1, then the fit check is dropped.
    await deal.waitForOpen(1);
    await deal.confirm(PEOPLE.ana, 1, { note: 'Committed joint account.' });
    await deal.confirm(PEOPLE.dana, 1, {});
    await deal.expectWaiting(1, { confirmations: [], milestones: ['fit-check'] });
    const v2 = v1.replace(/milestones:\n {6}- \{ id: fit-check,.*\n/, 'milestones: []\n');
    const completed = await put(v2, { 'if-match': '1' });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    expect(completed.body).toMatchObject({
      planId: PLAN_ID,
      version: 2,
      advanced: { from: 'target-account-selection' },
    });
    expect(completed.body.changes).toContainEqual(
      expect.objectContaining({
        path: 'stages.target-account-selection.milestones.fit-check',
        change: 'removed',
      }),
    );
    await deal.waitForOpen(2);

    // A stale If-Match changes nothing.
    const stale = await put(v2, { 'if-match': '1' });
    expect(stale.status).toBe(412);

    // --- Amend at stage 2: reassign the warm intro to Raj, add the customer sponsor, add a milestone.
    const danaIntroDone = await deal.link(PEOPLE.dana, 2, 'Mark done', M.warmIntro);
    const warmDue = /id: warm-intro,.*due: (\d{4}-\d\d-\d\d)/.exec(v2)?.[1] as string;
    const v3 = `id: ${PLAN_ID}\n${reference}`
      .replace(/milestones:\n {6}- \{ id: fit-check,.*\n/, 'milestones: []\n')
      .replace(/(id: warm-intro,.*owner: )partner/, `$1${RAJ}`)
      .replace(
        /^( {6}- \{ id: warm-intro,.*\n)/m,
        `$1      - { id: intro-brief, title: Brief Raj on the Globex intro, owner: vendor, due: ${warmDue} }\n`,
      );
    const beforeAmend = (await dealEmails()).length;
    const amended = await put(v3, { 'if-match': '2' });
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    expect(amended.body.version).toBe(3);
    const paths = (amended.body.changes as { path: string; change: string }[]).map(
      (c) => `${c.change} ${c.path}`,
    );
    expect(paths).toContain('changed stages.door-opener.milestones.warm-intro.owner');
    expect(paths).toContain('added owners.customer');
    expect(paths).toContain('added stages.door-opener.milestones.intro-brief');
    expect(amended.body.notified).toContain(RAJ);
    expect(amended.body.notified).not.toContain(PEOPLE.dana);
    // The old owner's link is superseded: 410, saying where the current links went.
    await expectRefused(stack.url, danaIntroDone, {
      planId: PLAN_ID,
      status: 410,
      says: /reassigned|replaced/,
    });
    // The new owner has exactly one email, and its links work.
    const toRaj = (await dealEmails()).filter((e) => e.to.includes(RAJ));
    expect(toRaj).toHaveLength(1);
    expect((await dealEmails()).length).toBeGreaterThan(beforeAmend);
    const plan = await deal.plan();
    expect(plan.stages[0]?.status).toBe('passed');
    expect(plan.stages[0]?.confirmations.map((c) => c.party)).toEqual(['vendor', 'partner']);
    await deal.markDone(RAJ, 2, M.warmIntro);
    await deal.markDone(PEOPLE.ana, 2, 'Brief Raj on the Globex intro');

    // --- A refused amendment changes nothing.
    const before = await getJson(`${stack.url}/plans/${PLAN_ID}`);
    const refused = await put(v3.replace('name: Northwind Integrators', 'name: Contoso Partners'));
    expect(refused.status).toBe(409);
    expect((refused.body.issues as { path: string }[]).map((i) => i.path)).toContain('partner.name');
    const doneChanged = await put(v3.replace(/(id: warm-intro, +title: )[^,]+/, '$1Another title'));
    expect(doneChanged.status).toBe(409);
    expect((doneChanged.body.issues as { path: string }[])[0]?.path).toBe(
      'stages.door-opener.milestones.warm-intro',
    );
    expect((await getJson(`${stack.url}/plans/${PLAN_ID}`)).body).toEqual(before.body);

    // --- Pass stage 2, then close at stage 3.
    await deal.confirm(PEOPLE.dana, 2, { meetingDate: warmDue, note: 'Booked.' });
    await deal.waitForOpen(3);
    const closeRes = await fetch(`${stack.url}/plans/${PLAN_ID}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        outcome: 'no-decision',
        reason: 'Globex froze the budget.',
        lesson: 'Ask about budget at stage 2.',
      }),
    });
    expect(closeRes.status, await closeRes.clone().text()).toBe(200);
    const closedLost = await waitFor('the Closed Lost event', async () => {
      const found = await eventsFor(stack.url, PLAN_ID, 'CoSell Deal Closed Lost');
      return found.length ? found : undefined;
    });
    expect(closedLost).toHaveLength(1);
    expect(closedLost[0]?.detail).toMatchObject({
      outcome: 'lost',
      closeOutcome: 'no-decision',
      reason: 'Globex froze the budget.',
      stage: 'joint-discovery',
    });
    const closeAgain = await fetch(`${stack.url}/plans/${PLAN_ID}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'lost', reason: 'again' }),
    });
    expect(closeAgain.status).toBe(409);
    expect((await put(v3)).status).toBe(409);
    const mailAtClose = (await dealEmails()).length;
    await advanceClock(stack.url, 'P14D');
    await advanceClock(stack.url, 'PT1H');
    // Nothing more after the close but its announcement (issue 14): each owner is told once that it was
    // lost, with the reason; one in quiet hours at the close hears at their next working morning.
    const afterClose = await dealEmails();
    const announcesLost = (e: { subject: string; text: string }) =>
      e.subject.endsWith('Closed lost') || e.text.includes('Closed lost:');
    expect(afterClose.slice(mailAtClose).every(announcesLost)).toBe(true);
    for (const who of [PEOPLE.ana, PEOPLE.dana, PEOPLE.lee]) {
      const told = afterClose.filter((e) => e.to.includes(who) && announcesLost(e));
      expect(told, who).toHaveLength(1);
      expect(told[0]?.text).toContain('Globex froze the budget.');
    }
    expect(await eventsFor(stack.url, PLAN_ID, 'CoSell Deal Closed Lost')).toHaveLength(1);
    expect((await deal.plan()).status).toBe('lost');

    // --- The history lists all of it, oldest first.
    const history = await getJson<{
      entries: { at: string; kind: string; by: string; detail: Record<string, unknown> }[];
    }>(`${stack.url}/plans/${PLAN_ID}/history`);
    expect(history.status).toBe(200);
    const kinds = history.body.entries.map((e) => e.kind);
    const first = (kind: string) => kinds.indexOf(kind);
    expect(first('created')).toBe(0);
    expect(kinds.filter((k) => k === 'amended')).toHaveLength(2);
    expect(first('email')).toBeGreaterThan(0);
    expect(first('link-action')).toBeGreaterThan(first('created'));
    expect(first('gate-passed')).toBeGreaterThan(first('link-action'));
    expect(kinds.lastIndexOf('closed')).toBeGreaterThan(kinds.lastIndexOf('amended'));
    const ats = history.body.entries.map((e) => e.at);
    expect([...ats].sort()).toEqual(ats);
    const emailToRaj = history.body.entries.find(
      (e) => e.kind === 'email' && (e.detail.to as string[]).includes(RAJ),
    );
    expect(emailToRaj?.detail).toMatchObject({ why: 'the plan was amended: new links' });
  });

  it('refuses a duplicate of an active deal, unless allowed, and answers a retried keyed POST with the first deal', async () => {
    const yaml = await referencePlanVariant(stack.url, 'Globex duplicate check');
    const post = (query = '', headers: Record<string, string> = {}) =>
      fetch(`${stack.url}/plans${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/yaml', ...headers },
        body: yaml,
      });
    const first = await post();
    expect(first.status).toBe(201);
    const { planId } = (await first.json()) as { planId: string };
    const duplicate = await post();
    expect(duplicate.status).toBe(409);
    expect(((await duplicate.json()) as { planId: string }).planId).toBe(planId);
    const keyed = await post('?duplicate=allow', { 'idempotency-key': 'retry-1' });
    expect(keyed.status).toBe(201);
    const again = await post('?duplicate=allow', { 'idempotency-key': 'retry-1' });
    expect(again.status).toBe(201);
    const a = (await keyed.json()) as { planId: string };
    const b = (await again.json()) as { planId: string };
    expect(b.planId).toBe(a.planId);
    expect(a.planId).not.toBe(planId);
    const list = await getJson<{ plans: { planId: string; name: string }[] }>(`${stack.url}/plans`);
    expect(list.body.plans.filter((p) => p.name === 'Globex duplicate check')).toHaveLength(2);
  });
});
