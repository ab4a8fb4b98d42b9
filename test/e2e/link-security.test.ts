import { CORE_SCHEMA, load as parseYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atLabel } from '../../lambdas/views/people-dates';
import {
  advanceClock,
  escapeRegExp,
  exactState,
  fetchPage,
  type LocalStackProcess,
  listPlans,
  matching,
  newestEmail,
  outbox,
  type PageResponse,
  pageText,
  postBody,
  referencePlanVariant,
  removeStateDir,
  settle,
  sleep,
  stageOf,
  startStack,
  stopAndAssertClean,
  subjectStarting,
} from './helpers/local-stack';
import { ACTIONS, M, PEOPLE, ReferenceDeal, STAGES } from './helpers/reference-deal';
import { LinkMinter, tokenOf } from './helpers/tokens';

// One local stack for the file; each test its own deal on the reference plan (dates laid out ahead of the
// local clock's today). Links come from the outbox, or are minted with the stack's own key where a test
// needs many valid links for one target, or a valid link the stack would never send.
// The clock only moves in the last test (expiry).

const STAGE1 = STAGES[0].key;
let stack: LocalStackProcess;
let minter: LinkMinter | undefined;

beforeAll(async () => {
  // The stack logs everything it would log at its most verbose, so the last test can look for tokens in it.
  const level = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  try {
    stack = await startStack();
  } finally {
    if (level === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = level;
  }
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

/** A deal on the reference plan at stage 1, its gate-open emails sent. */
async function openDeal(label: string): Promise<ReferenceDeal> {
  const name = `Globex platform migration (links, ${label})`;
  const deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
  await deal.waitForOpen(1);
  return deal;
}

/** Mints with the stack's key, checked against a link the stack sent on `deal`. */
async function minterFor(deal: ReferenceDeal): Promise<LinkMinter> {
  minter ??= LinkMinter.forStack(
    stack.url,
    stack.stateDir,
    await deal.link(PEOPLE.ana, 1, 'Confirm the gate'),
  );
  return minter;
}

/** The headers every link page carries, whatever it says. */
function expectPageHeaders(res: Pick<PageResponse, 'headers'>, what: string): void {
  const h = res.headers;
  expect(h.get('content-type'), what).toMatch(/^text\/html/);
  const csp = h.get('content-security-policy') ?? '';
  const directives = new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [(name as string).toLowerCase(), sources]),
  );
  // Scripts fall under script-src, or default-src without it; the pages have none, so none may run.
  expect(directives.get('script-src') ?? directives.get('default-src'), `${what}: CSP "${csp}"`).toEqual([
    "'none'",
  ]);
  for (const [name, sources] of directives) {
    if (name.startsWith('script-src') || name === 'default-src') {
      expect(sources, `${what}: CSP ${name}`).not.toContain("'unsafe-inline'");
      expect(sources, `${what}: CSP ${name}`).not.toContain("'unsafe-eval'");
    }
  }
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('cache-control'), what).toMatch(/\bno-store\b/);
  expect(h.get('x-frame-options'), what).toBe('DENY');
}

/** No script, nothing loaded from anywhere: no such element, no `src`, no event-handler attribute. */
function expectSelfContained(html: string, what: string): void {
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  expect(tags.length, what).toBeGreaterThan(0);
  for (const tag of tags)
    expect(tag, what).not.toMatch(/^<(script|link|img|iframe|object|embed)\b|\s(src|on[a-z]+)=/i);
}

/** A used page's words: Dana confirmed the stage-1 gate, at `at` in her time zone (New York), no ISO text. */
const confirmedOn = (at: string) =>
  new RegExp(
    `You confirmed the Target account selection gate on ${escapeRegExp(atLabel(at, 'America/New_York'))} \\(New York time\\)`,
  );

function expectIsPage(res: PageResponse, status: number, says: RegExp, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(status);
  expectPageHeaders(res, what);
  expectSelfContained(res.html, what);
  expect(res.text, what).toMatch(says);
}

/**
 * A link that must refuse: GET, HEAD and POST (with `form`) all answer `status`, the pages say `says`,
 * and nothing changes: the deal byte for byte as `GET /plans/{id}` shows it, the outbox, the events.
 */
async function expectRefusedExactly(
  deal: ReferenceDeal,
  url: string,
  o: { status: number; says: RegExp; form?: Record<string, string> },
): Promise<PageResponse> {
  const before = await exactState(stack.url, deal.planId);
  const view = await fetchPage(url);
  expectIsPage(view, o.status, o.says, 'GET');
  // The page says what to do next, too.
  expect(view.text).toMatch(/latest email|deal owner|nothing more is needed/i);
  const head = await fetchPage(url, 'HEAD');
  expect(head.status, 'HEAD').toBe(o.status);
  expect(head.html, 'HEAD has no body').toBe('');
  expectPageHeaders(head, 'HEAD');
  const post = await fetchPage(url, 'POST', o.form ?? {});
  expectIsPage(post, o.status, o.says, 'POST');
  expect(await exactState(stack.url, deal.planId), 'a refused link changed something').toEqual(before);
  return view;
}

function countBy<T>(items: T[], key: (x: T) => string | number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

const DONE = '<h1>Done</h1>';

describe('viewing a link (mail scanners, previews)', () => {
  it('GET and HEAD of a valid link, 50 times each, change nothing, and the link still works', async () => {
    const deal = await openDeal('scanner');
    const url = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
    const before = await exactState(stack.url, deal.planId);

    const first = await fetchPage(url);
    expectIsPage(first, 200, /Confirm the gate/, 'first GET');
    // As a scanner would: in bursts, GETs and HEADs together.
    for (let wave = 0; wave < 5; wave++) {
      const gets = Array.from({ length: 10 }, () => fetchPage(url, 'GET'));
      const heads = Array.from({ length: 10 }, () => fetchPage(url, 'HEAD'));
      for (const res of await Promise.all(gets)) {
        expect(res.status).toBe(200);
        expect(res.html, 'the page is the same every time').toBe(first.html);
      }
      for (const res of await Promise.all(heads)) {
        expect(res.status).toBe(200);
        expect(res.html).toBe('');
        expectPageHeaders(res, 'HEAD');
      }
    }
    expect(await exactState(stack.url, deal.planId), '100 views changed something').toEqual(before);

    // Still good: the recipient uses it.
    await deal.use(url, ACTIONS.confirm, PEOPLE.dana, { note: 'after the scanner' });
    expect(stageOf(await deal.plan(), STAGE1)).toMatchObject({
      confirmations: [{ party: 'partner', by: PEOPLE.dana, evidence: { note: 'after the scanner' } }],
      waitingFor: { confirmations: ['vendor'], milestones: ['fit-check'] },
    });
  });
});

describe('concurrent use', () => {
  it('20 different valid links for one confirmation, posted at once: exactly one lands, 19 are told it is already done', async () => {
    const deal = await openDeal('twenty links');
    const urls = await (await minterFor(deal)).mintMany(20, {
      planId: deal.planId,
      action: 'confirm-gate',
      target: STAGE1,
      recipient: PEOPLE.dana,
    });
    // Each is a valid link in its own right.
    for (const url of urls.slice(0, 3)) expect((await fetchPage(url)).status).toBe(200);
    const before = await exactState(stack.url, deal.planId);

    const results = await Promise.all(urls.map((url, i) => fetchPage(url, 'POST', { note: `link ${i}` })));

    expect(countBy(results, (r) => r.status)).toEqual({ 200: 1, 409: 19 });
    const winner = results.findIndex((r) => r.status === 200);
    expect((results[winner] as PageResponse).html).toContain(DONE);
    for (const r of results.filter((x) => x.status === 409)) {
      expectIsPage(r, 409, /Already done/, 'a losing POST');
      // In words, in the reader's timezone: who confirmed, and when ("Fri 11 Dec at 14:05 (New York time)").
      expect(r.text).toContain('The partner side already confirmed this gate.');
      expect(r.text).toMatch(/Done by Dana Whit on \w{3} \d{1,2} \w{3} at \d{2}:\d{2} \(New York time\)\./);
    }
    const stage = stageOf(await deal.plan(), STAGE1);
    expect(stage.confirmations).toEqual([
      { party: 'partner', by: PEOPLE.dana, at: expect.any(String), evidence: { note: `link ${winner}` } },
    ]);
    expect(stage.waitingFor).toEqual({ confirmations: ['vendor'], milestones: ['fit-check'] });
    const after = await exactState(stack.url, deal.planId);
    expect({ outbox: after.outbox, events: after.events }).toEqual({
      outbox: before.outbox,
      events: before.events,
    });
  });

  it('20 different valid links for the confirmation that passes the gate: it passes once, the next stage opens once', async () => {
    const deal = await openDeal('twenty links pass');
    await deal.confirm(PEOPLE.ana, 1, {});
    await deal.markDone(PEOPLE.ana, 1, M.fitCheck);
    await deal.expectWaiting(1, { confirmations: ['partner'], milestones: [] });
    const urls = await (await minterFor(deal)).mintMany(20, {
      planId: deal.planId,
      action: 'confirm-gate',
      target: STAGE1,
      recipient: PEOPLE.dana,
    });

    const results = await Promise.all(urls.map((url, i) => fetchPage(url, 'POST', { note: `link ${i}` })));

    // The losers are told their side already confirmed, and that the gate has passed.
    expect(countBy(results, (r) => r.status)).toEqual({ 200: 1, 409: 19 });
    const winner = results.findIndex((r) => r.status === 200);
    expect((results[winner] as PageResponse).text).toContain('The Target account selection gate has passed.');
    for (const r of results.filter((x) => x.status === 409)) {
      expectIsPage(
        r,
        409,
        /already confirmed.*Target account selection gate has already passed/i,
        'a losing POST',
      );
    }

    const atStage2 = await deal.expectPassed(1);
    expect(stageOf(atStage2, STAGE1).confirmations.map((c) => [c.party, c.evidence.note ?? null])).toEqual([
      ['vendor', null],
      ['partner', `link ${winner}`],
    ]);
    // The workflow moved on once: one stage-2 email to each person, even a moment later.
    await sleep(1_000);
    const emails = await outbox(stack.url);
    for (const to of STAGES[1].emailed) {
      expect(matching(emails, { to, subject: deal.gateSubject(2) }), `stage-2 emails to ${to}`).toHaveLength(
        1,
      );
    }
    await deal.expectWaiting(2, { confirmations: ['partner'], milestones: ['warm-intro'] });
  });

  it('20 POSTs of the same link at once: one 200, 19 told it was already used, by whom and when', async () => {
    const deal = await openDeal('same link');
    const url = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetchPage(url, 'POST', { note: `click ${i}` })),
    );

    expect(countBy(results, (r) => r.status)).toEqual({ 200: 1, 409: 19 });
    const winner = results.findIndex((r) => r.status === 200);
    expect((results[winner] as PageResponse).html).toContain(DONE);
    const stage = stageOf(await deal.plan(), STAGE1);
    expect(stage.confirmations).toEqual([
      { party: 'partner', by: PEOPLE.dana, at: expect.any(String), evidence: { note: `click ${winner}` } },
    ]);
    const at = (stage.confirmations[0] as { at: string }).at;
    const says = confirmedOn(at);
    for (const r of results.filter((x) => x.status === 409)) expectIsPage(r, 409, says, 'a losing POST');
  });

  it('two parties confirming the same gate at the same moment both land (no lost update)', async () => {
    // On two deals at once: one where both confirmations leave the gate waiting for a milestone, one
    // where whichever lands second passes it.
    const [waiting, passing] = await Promise.all([openDeal('two parties'), openDeal('two parties pass')]);
    await passing.markDone(PEOPLE.ana, 1, M.fitCheck);
    const race = async (deal: ReferenceDeal) => {
      const [vendor, partner] = await Promise.all([
        deal.link(PEOPLE.ana, 1, 'Confirm the gate'),
        deal.link(PEOPLE.dana, 1, 'Confirm the gate'),
      ]);
      return Promise.all([
        fetchPage(vendor, 'POST', { note: 'vendor at once' }),
        fetchPage(partner, 'POST', { note: 'partner at once' }),
      ]);
    };
    const [onWaiting, onPassing] = await Promise.all([race(waiting), race(passing)]);

    for (const r of [...onWaiting, ...onPassing])
      expectIsPage(r, 200, /Confirmed: Target account selection\./, 'POST');
    const confirmations = (plan: Awaited<ReturnType<ReferenceDeal['plan']>>) =>
      stageOf(plan, STAGE1)
        .confirmations.map((c) => [c.party, c.by, c.evidence.note])
        .sort();
    const both = [
      ['partner', PEOPLE.dana, 'partner at once'],
      ['vendor', PEOPLE.ana, 'vendor at once'],
    ];
    expect(confirmations(await waiting.plan())).toEqual(both);
    await waiting.expectWaiting(1, { confirmations: [], milestones: ['fit-check'] });

    // Exactly one of the two passed the gate, and stage 2 opened once.
    expect(onPassing.filter((r) => r.text.includes('gate has passed'))).toHaveLength(1);
    const atStage2 = await passing.expectPassed(1);
    expect(confirmations(atStage2)).toEqual(both);
    await sleep(1_000);
    const emails = await outbox(stack.url);
    for (const to of STAGES[1].emailed) {
      expect(matching(emails, { to, subject: passing.gateSubject(2) })).toHaveLength(1);
    }
  });
});

describe('links that must not act', () => {
  it('refuses replayed, wrong-recipient, wrong-tenant and superseded links with the right page and changes nothing', async () => {
    const deal = await openDeal('refusals');
    const mint = await minterFor(deal);
    const base = { planId: deal.planId, action: 'confirm-gate', target: STAGE1 } as const;

    // Replayed: a used link says who used it and when.
    const partnerLink = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
    await deal.use(partnerLink, ACTIONS.confirm, PEOPLE.dana, {});
    const at = (stageOf(await deal.plan(), STAGE1).confirmations[0] as { at: string }).at;
    await expectRefusedExactly(deal, partnerLink, {
      status: 409,
      says: new RegExp(`already used.*${confirmedOn(at).source}`, 'i'),
      form: { note: 'again' },
    });

    // Wrong recipient: a well-signed confirm link for someone whose party does not confirm this gate
    // (the customer sponsor), and for someone the plan does not name at all.
    for (const recipient of [PEOPLE.lee, 'mallory@attacker.example']) {
      await expectRefusedExactly(deal, await mint.mint({ ...base, recipient }), {
        status: 403,
        says: /cannot do that.*does not confirm the Target account selection gate/i,
        form: { note: 'let me in' },
      });
    }

    // Wrong tenant: the same key, but signed for another tenant.
    await expectRefusedExactly(deal, await mint.mint({ ...base, recipient: PEOPLE.ana, tenant: 'other' }), {
      status: 404,
      says: /not valid/i,
      form: {},
    });

    // Once the gate has passed, a never-used vendor link for it says so (the vendor side confirmed it).
    const unusedVendorLink = await mint.mint({ ...base, recipient: PEOPLE.ana });
    await deal.confirm(PEOPLE.ana, 1, {});
    await deal.markDone(PEOPLE.ana, 1, M.fitCheck);
    await deal.expectPassed(1);
    await expectRefusedExactly(deal, unusedVendorLink, {
      status: 409,
      says: /already confirmed.*Target account selection gate has already passed/i,
      form: { note: 'late' },
    });
    // Superseded: a link whose target is no longer in the plan is out of date.
    const goneMilestoneLink = await mint.mint({
      ...base,
      action: 'milestone-done',
      target: 'retired-step',
      recipient: PEOPLE.ana,
    });
    await expectRefusedExactly(deal, goneMilestoneLink, {
      status: 410,
      says: /out of date.*no longer in the plan/i,
      form: { note: 'late' },
    });
    // And none of that left a trace on the deal.
    expect(stageOf(await deal.plan(), STAGE1).confirmations.map((c) => c.by)).toEqual([
      PEOPLE.dana,
      PEOPLE.ana,
    ]);
  });
});

describe('hostile plan text', () => {
  const NAME = `<script>alert(1)</script> Globex "Q1" & 'Co'`;
  const ACCOUNT = 'Globex & Sons "Intl" <b>bold</b>';
  const PARTNER = '<img src=x onerror=alert(1)> Northwind';
  const VENDOR_OWNER = `Ana "<script>alert(2)</script>" O'Ruiz`;
  const PARTNER_OWNER = 'Dana & <i>Whit</i>';
  const LADDER = 'Sam <script>alert(3)</script> Ortiz';
  const EXIT = `Both sides say <script>alert(4)</script> & "yes" to 'Globex'.`;
  const TITLE = `Fit check <script>alert(5)</script> & "ICP" 'ok'`;
  const REASON = `<script>alert(6)</script> blocked & "stuck"`;
  const RAW_TAG = /<\s*\/?\s*(script|img|b|i)\b/i;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a header must not hold
  const HEADER_UNSAFE = /[\u0000-\u001f\u007f]/;

  type PlanDoc = {
    name: string;
    account: { name: string };
    partner: { name: string };
    owners: Record<string, { name: string }>;
    escalation: Record<string, { name: string }[]>;
    stages: Record<string, { exit: string; milestones: { title: string }[] }>;
  };

  async function referenceDoc(): Promise<PlanDoc> {
    return parseYaml(await referencePlanVariant(stack.url, 'placeholder'), {
      schema: CORE_SCHEMA,
    }) as PlanDoc;
  }

  /** `html` shows each value (decoded) and holds none raw: no tag from the plan, no unescaped quote or `&`. */
  function expectEscaped(html: string, values: string[], what: string): void {
    expect(html, `${what}: a raw tag from the plan`).not.toMatch(RAW_TAG);
    expect(html, what).toMatch(/&(#60|lt);script&(#62|gt);/);
    const text = pageText(html);
    for (const v of values) {
      expect(text, `${what} shows ${v}`).toContain(v);
      expect(html, `${what} holds ${v} unescaped`).not.toContain(v);
    }
  }

  it('rejects CR/LF in names and titles with a 400 naming each path, and stores nothing', async () => {
    await settle(stack.url);
    const plansBefore = await listPlans(stack.url);
    const emailsBefore = (await outbox(stack.url)).length;
    const doc = await referenceDoc();
    doc.name = 'Globex\r\nBcc: victim@attacker.example';
    doc.partner.name = 'North\nwind';
    (doc.owners.vendor as { name: string }).name = 'Ana\rRuiz';
    (doc.stages[STAGE1]?.milestones[0] as { title: string }).title = 'Fit\r\ncheck';
    (doc.escalation.vendor?.[0] as { name: string }).name = 'Sam\nOrtiz';

    const res = await postBody<{ error: string; issues: { path: string; message: string }[] }>(
      `${stack.url}/plans`,
      JSON.stringify(doc),
      'application/json',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const paths = res.body.issues.map((i) => i.path);
    for (const path of [
      'name',
      'partner.name',
      'owners.vendor.name',
      `stages.${STAGE1}.milestones[0].title`,
      'escalation.vendor[0].name',
    ]) {
      expect(paths, JSON.stringify(res.body.issues)).toContain(path);
      expect(res.body.issues.find((i) => i.path === path)?.message).toMatch(/single line|line break/i);
    }
    expect(await listPlans(stack.url)).toEqual(plansBefore);
    expect((await outbox(stack.url)).length).toBe(emailsBefore);
  });

  it('renders every plan value escaped in link pages and emails, and keeps mail subjects to one line', async () => {
    const doc = await referenceDoc();
    doc.name = NAME;
    doc.account.name = ACCOUNT;
    doc.partner.name = PARTNER;
    (doc.owners.vendor as { name: string }).name = VENDOR_OWNER;
    (doc.owners.partner as { name: string }).name = PARTNER_OWNER;
    (doc.escalation.vendor?.[0] as { name: string }).name = LADDER;
    (doc.stages[STAGE1] as { exit: string }).exit = EXIT;
    (doc.stages[STAGE1]?.milestones[0] as { title: string }).title = TITLE;
    const created = await postBody<{ planId: string; name: string }>(
      `${stack.url}/plans`,
      JSON.stringify(doc),
      'application/json',
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.name).toBe(NAME);
    const deal = new ReferenceDeal(stack.url, created.body.planId, NAME);
    await deal.waitForOpen(1);

    // The pages: the confirm page (deal, account, partner, exit), a milestone page (its title).
    const confirm = await fetchPage(await deal.link(PEOPLE.dana, 1, 'Confirm the gate'));
    expectIsPage(confirm, 200, /Confirm the gate/, 'confirm page');
    expectEscaped(confirm.html, [NAME, ACCOUNT, PARTNER, EXIT], 'confirm page');
    const doneUrl = await deal.link(PEOPLE.ana, 1, 'Mark done', TITLE);
    const done = await fetchPage(doneUrl);
    expectIsPage(done, 200, /Mark a milestone done/, 'milestone page');
    expectEscaped(done.html, [NAME, TITLE], 'milestone page');

    // Text a person types in is escaped too: the stuck reason, on the result page and in the escalation.
    const stuck = await fetchPage(await deal.link(PEOPLE.ana, 1, 'Say stuck', TITLE), 'POST', {
      reason: REASON,
    });
    expectIsPage(stuck, 200, /Escalated/, 'stuck result page');
    expectEscaped(stuck.html, [NAME, TITLE], 'stuck result page');
    const escalation = await newestEmail(stack.url, {
      to: 'sam.ortiz@vendor.example',
      subject: subjectStarting(NAME, 'Escalation:'),
    });
    expectEscaped(escalation.html, [NAME, LADDER, VENDOR_OWNER, TITLE, REASON], 'escalation email');

    // A result page and a refusal that name the title.
    const marked = await fetchPage(doneUrl, 'POST', { note: '<script>alert(7)</script>' });
    expectIsPage(marked, 200, /Marked done/, 'done result page');
    expectEscaped(marked.html, [NAME, TITLE], 'done result page');
    const slipAfterDone = await fetchPage(await deal.link(PEOPLE.ana, 1, 'Report a slip', TITLE));
    expectIsPage(slipAfterDone, 409, /already done/i, 'refusal page');
    expectEscaped(slipAfterDone.html, [TITLE], 'refusal page');

    // Every email of the deal: escaped html, one-line subjects.
    const emails = (await outbox(stack.url)).filter((e) => e.subject.startsWith(`[${NAME}]`));
    const gateOpen = emails.filter((e) => deal.gateSubject(1).test(e.subject));
    expect(gateOpen.map((e) => e.to[0]).sort()).toEqual([PEOPLE.ana, PEOPLE.dana].sort());
    expect(emails.length).toBeGreaterThanOrEqual(3);
    for (const e of emails) {
      expect(e.subject, 'a mail subject').not.toMatch(HEADER_UNSAFE);
      expectEscaped(
        e.html,
        [NAME, ACCOUNT, PARTNER].filter((v) => pageText(e.html).includes(v)),
        e.subject,
      );
    }
    for (const e of gateOpen) {
      const owner = e.to[0] === PEOPLE.ana ? VENDOR_OWNER : PARTNER_OWNER;
      expectEscaped(e.html, [NAME, ACCOUNT, PARTNER, EXIT, owner], `gate-open email to ${e.to[0]}`);
    }
    const toVendor = gateOpen.find((e) => e.to[0] === PEOPLE.ana);
    expectEscaped(toVendor?.html ?? '', [TITLE], 'gate-open email to the milestone owner');
    // Across the whole outbox, not just this deal: no subject carries a line break or control character.
    for (const e of await outbox(stack.url)) expect(e.subject).not.toMatch(HEADER_UNSAFE);
  });
});

describe('expiry', () => {
  // Last in the file: it moves the stack's clock 15 days on (the other tests lay their dates out from the
  // clock's today, so they do not mind, but they run first anyway).
  it('a link past its 14 days says it has expired (410) and changes nothing; a day before, it still works', async () => {
    const deal = await openDeal('expiry');
    const confirm = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');
    const markDone = await deal.link(PEOPLE.ana, 1, 'Mark done', M.fitCheck);

    await advanceClock(stack.url, 'P13D');
    expectIsPage(await fetchPage(confirm), 200, /Confirm the gate/, 'day 13');

    await advanceClock(stack.url, 'P2D');
    // Which deal and step, and when it expired, in words and in the reader's time zone; no ISO text.
    const words = [
      /This link was for you to confirm the Target account selection gate\. It expired on \w{3} \d+ \w{3} at \d\d:\d\d \(New York time\)\./,
      /This link was for you to mark “[^”]+” done\. It expired on \w{3} \d+ \w{3} at \d\d:\d\d \(Chicago time\)\./,
    ];
    for (const [i, url] of [confirm, markDone].entries()) {
      const page = await fetchPage(url);
      expect(page.text).toMatch(words[i] as RegExp);
      expect(page.text).toContain(`Deal ${deal.name}`);
      expect(page.text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    }
    for (const url of [confirm, markDone]) {
      const before = await exactState(stack.url, deal.planId);
      expectIsPage(await fetchPage(url), 410, /expired/i, 'GET of an expired link');
      const head = await fetchPage(url, 'HEAD');
      expect(head.status).toBe(410);
      expectPageHeaders(head, 'HEAD of an expired link');
      expect(await exactState(stack.url, deal.planId), 'viewing an expired link changed something').toEqual(
        before,
      );
      // Posting its form acts on nothing. (Whether an expired page may mail a fresh link is another feature's
      // business, so only the deal and the events are compared here.)
      expectIsPage(
        await fetchPage(url, 'POST', { note: 'too late' }),
        410,
        /expired/i,
        'POST of an expired link',
      );
      const after = await exactState(stack.url, deal.planId);
      expect({ plan: after.plan, events: after.events }).toEqual({
        plan: before.plan,
        events: before.events,
      });
    }
    await deal.expectWaiting(1, { confirmations: ['vendor', 'partner'], milestones: ['fit-check'] });
  });
});

describe('logs', () => {
  // Last: by now every kind of link page, action and refusal above has been logged.
  it('never hold a link token, nor either half of one', async () => {
    // The start-up banner prints a link on purpose (README: where to click): that is the console of the
    // developer's own stack, not a log; every other line is.
    const output = stack
      .output()
      .split('\n')
      .filter((l) => !/^\s*First action link:/.test(l))
      .join('\n');
    // The handlers' logs are there to look at: one line per link action.
    expect(output).toMatch(/"message":"link action"/);
    expect(output, 'a link action failed or saved with warnings').not.toMatch(
      /link action failed|saved with warnings/,
    );
    const tokens = [
      ...(await outbox(stack.url)).flatMap((e) => e.links.map(tokenOf)),
      ...(minter?.minted ?? []),
    ];
    expect(tokens.length).toBeGreaterThan(50);
    for (const token of tokens) {
      const [payload, signature] = token.split('.') as [string, string];
      for (const part of [token, payload, signature]) {
        const line = output.split('\n').find((l) => l.includes(part));
        expect(line, `the stack's output holds a token (${part.slice(0, 24)}...)`).toBeUndefined();
      }
    }
  });
});
