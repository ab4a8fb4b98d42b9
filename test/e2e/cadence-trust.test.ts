import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  createPlan,
  getPlan,
  type LocalStackProcess,
  linkIn,
  localNow,
  newestEmail,
  type OutboxEmail,
  outbox,
  pageText,
  referencePlanYaml,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  subjectStarting,
} from './helpers/local-stack';
import { tagged, tzOf, who } from './helpers/tagged-people';

// A cadence people trust, on the local clock, with the tenant's settings read from a tenant file
// (COSELL_TENANT_FILE): 25 December is a holiday, the week is Monday to Friday, one working day of grace.
// Several plans on the reference plan, each with its own people (their addresses carry the plan's tag);
// nobody acts; the clock moves a week at a time; then the outbox is read.

const DAY = 86_400_000;
let stack: LocalStackProcess;
let tenantDir: string;
let startedAt: number;
let mail: OutboxEmail[] = [];

/** The tenant's holiday: the first 25 December at least ten days ahead of the local clock. */
let holiday: string;
/** The first Friday at least four days ahead: fit-check's due date in most plans. */
let friday: string;

function local(at: string, tz: string): { day: string; weekday: string; hm: string } {
  const d = new Date(at);
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const weekday = new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short' });
  const hm = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  });
  return { day: day.format(d), weekday: weekday.format(d), hm: hm.format(d) };
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** The reference plan with its dates moved so that fit-check (2026-12-04) falls on `fitDue`, people tagged. */
function variant(
  tag: string,
  fitDue: string,
  name: string,
  edit: (yaml: string) => string = (y) => y,
): string {
  const shift = Math.round((Date.parse(`${fitDue}T00:00:00Z`) - Date.parse('2026-12-04T00:00:00Z')) / DAY);
  const yaml = tagged(
    referencePlanYaml()
      .replace(/^name: .*$/m, `name: ${name}`)
      .replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) => addDays(d, shift)),
    tag,
  );
  return edit(yaml);
}

/** Sam's first rung after 2 hours instead of 24: a Friday 17:00 due time escalates at 19:00, in quiet hours. */
const samAfterTwoHours = (yaml: string) => yaml.replace(/(role: Partner manager, afterHours: )24/, '$12');

const names: Record<string, string> = {};

/** A plan as the API shows it, with the dates this test reads. */
type Dated = { closeDate: string; milestones: { id: string; due: string }[] };
let before: Dated;
let after: Dated;
let slipPage = '';
let previewPage = '';
let beforeProposal: Dated;
let afterApproval: Dated;
let approvalPage = '';
let approvedPage = '';

/** The newest email to `to` whose text contains `text`, waiting for it. */
async function waitForEmail(address: string, text: string): Promise<OutboxEmail> {
  for (let i = 0; i < 100; i++) {
    const found = (await outbox(stack.url))
      .filter((e) => e.to[0] === address && e.text.includes(text))
      .at(-1);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${address} containing ${text}`);
}
let slipDone = '';

/** The emails to `to`, sent once the test's clock started moving (not the gate-open emails at creation). */
function to(address: string): OutboxEmail[] {
  return mail.filter((e) => e.to[0] === address && Date.parse(e.sentAt) > startedAt);
}

function escalations(address: string): OutboxEmail[] {
  return to(address).filter((e) => e.subject.includes('] Escalation: '));
}

beforeAll(async () => {
  tenantDir = mkdtempSync(join(tmpdir(), 'cosell-tenant-'));
  // A fresh state directory's local clock is this machine's: the tenant file is written before the start.
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  friday = addDays(today, 4);
  while (new Date(`${friday}T00:00:00Z`).getUTCDay() !== 5) friday = addDays(friday, 1);
  holiday = `${today.slice(0, 4)}-12-25`;
  if (holiday < addDays(today, 10)) holiday = `${Number(today.slice(0, 4)) + 1}-12-25`;
  const file = join(tenantDir, 'local.json');
  writeFileSync(
    file,
    `// The local tenant: the same format as tenants/<name>.json.\n${JSON.stringify({
      holidays: [holiday],
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      escalationGraceBusinessDays: 1,
    })}\n`,
  );
  stack = await startStack({ env: { COSELL_TENANT_FILE: file } });
  const make = async (tag: string, fitDue: string, label: string, edit?: (yaml: string) => string) => {
    names[tag] = `Globex platform migration (trust ${label})`;
    return createPlan(stack.url, variant(tag, fitDue, names[tag] as string, edit));
  };
  // Stuck in stage 1: nobody acts.
  await make('s', friday, 'stuck');
  // A Friday-evening escalation.
  await make('f', friday, 'friday', samAfterTwoHours);
  // The day before the holiday, with the same 2-hour rung.
  await make('h', addDays(holiday, -1), 'holiday', samAfterTwoHours);
  // The customer owns stage 1's milestone and never acts.
  await make('g', friday, 'buyer', (y) => y.replace(/(id: fit-check,[^\n]*owner: )vendor/, '$1customer'));
  // A slip absorbed: Ana moves fit-check by three days from the link in her stage-1 email.
  const absorbed = await make('a', friday, 'absorb');
  before = (await getPlan(stack.url, absorbed.planId)) as unknown as Dated;
  const gateEmail = await newestEmail(stack.url, {
    to: who('a', 'ana'),
    subject: subjectStarting(names.a as string, 'Stage 1, Target account selection:'),
  });
  const slipUrl = linkIn(gateEmail, 'Report a slip', 'Confirm Globex fits');
  slipPage = pageText(await (await fetch(slipUrl)).text());
  const post = (form: Record<string, string>) =>
    fetch(slipUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const typed = { newDue: addDays(friday, 3), reason: 'Waiting on the ICP scoring' };
  previewPage = pageText(await (await post(typed)).text());
  const res = await post({ ...typed, choice: 'absorb' });
  slipDone = pageText(await res.text());
  after = (await getPlan(stack.url, absorbed.planId)) as unknown as Dated;
  // A slip proposed, approved and shifted: Ana proposes moving the close date, then approves it herself.
  const proposedPlan = await make('p', friday, 'propose');
  beforeProposal = (await getPlan(stack.url, proposedPlan.planId)) as unknown as Dated;
  const stage1 = await newestEmail(stack.url, {
    to: who('p', 'ana'),
    subject: subjectStarting(names.p as string, 'Stage 1, Target account selection:'),
  });
  await fetch(linkIn(stage1, 'Report a slip', 'Confirm Globex fits'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      newDue: addDays(friday, 3),
      reason: 'ICP scoring late',
      choice: 'propose',
    }).toString(),
  });
  const ask = await waitForEmail(who('p', 'ana'), 'proposes moving the close date');
  approvalPage = pageText(await (await fetch(linkIn(ask, 'Approve or decline the re-plan'))).text());
  approvedPage = pageText(
    await (
      await fetch(linkIn(ask, 'Approve or decline the re-plan'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision: 'approve' }).toString(),
      })
    ).text(),
  );
  afterApproval = (await getPlan(stack.url, proposedPlan.planId)) as unknown as Dated;
  // What the plans' creation sent (gate-open emails, at once, whatever the day) is not the sweep's.
  await new Promise((r) => setTimeout(r, 5_000));
  startedAt = (await localNow(stack.url)).getTime() + 60_000;
  const end = Date.parse(`${addDays(holiday, 6)}T12:00:00Z`);
  while ((await localNow(stack.url)).getTime() < end) await advanceClock(stack.url, 'P7D');
  mail = await outbox(stack.url);
}, 1_200_000);

afterAll(async () => {
  try {
    if (stack && !stack.exited) await stopAndAssertClean(stack);
  } finally {
    if (stack) removeStateDir(stack.stateDir);
    if (tenantDir) rmSync(tenantDir, { recursive: true, force: true });
  }
});

describe('a cadence people trust, on the local clock', () => {
  it('absorbs a slip by default: the close date holds and only the slipped owner’s date moves', () => {
    expect(slipPage).toContain('Show the impact');
    // The first POST shows the impact, before anything is saved; then the reporter chooses.
    expect(previewPage).toContain('only this milestone moves; the close date holds');
    expect(previewPage).toContain('Absorb it: only this milestone moves');
    expect(slipDone).toContain(
      `Absorbed: “Confirm Globex fits both ideal customer profiles” now due ${addDays(friday, 3)}`,
    );
    expect(after.closeDate).toBe(before.closeDate);
    const moved = after.milestones.filter((m) => m.due !== before.milestones.find((b) => b.id === m.id)?.due);
    expect(moved.map((m) => [m.id, m.due])).toEqual([['fit-check', addDays(friday, 3)]]);
  });

  it('proposes, approves and shifts a slip, telling the customer the new date once', () => {
    expect(approvalPage).toContain('proposes moving the close date');
    expect(approvedPage).toContain(
      `Approved: the close date moves to ${addDays(beforeProposal.closeDate, 3)}`,
    );
    expect(afterApproval.closeDate).toBe(addDays(beforeProposal.closeDate, 3));
    const shifted = afterApproval.milestones.filter(
      (m) => m.due === addDays(beforeProposal.milestones.find((b) => b.id === m.id)?.due ?? '', 3),
    );
    expect(shifted.length).toBe(afterApproval.milestones.length);
    const toLee = mail.filter((e) => e.to[0] === who('p', 'lee') && /close date moves/.test(e.text));
    expect(toLee).toHaveLength(1);
  });

  it('never mails the partner’s ladder about stage 2 while the deal is stuck in stage 1', () => {
    const raj = to(who('s', 'raj'));
    expect(raj.filter((e) => /Warm introduction/.test(`${e.subject}\n${e.text}`))).toEqual([]);
    // Raj hears of stage 1 only: the gate waits on the partner's confirmation, once.
    expect(escalations(who('s', 'raj')).map((e) => e.subject)).toEqual([
      `[${names.s}] Escalation: stage 1, Target account selection, is past its deadline.`,
    ]);
    // Dana, warm-intro's owner, gets one early warning once its date passed; nobody above her.
    const early = to(who('s', 'dana')).filter((e) => e.text.includes('Early warning: “Warm introduction'));
    expect(early).toHaveLength(1);
  });

  it('sends each rung one message for a gate miss, not two', () => {
    for (const person of ['sam', 'kim'] as const) {
      expect(escalations(who('s', person)).map((e) => e.subject)).toEqual([
        `[${names.s}] Escalation: “Confirm Globex fits both ideal customer profiles” is overdue (due ${friday}).`,
      ]);
    }
  });

  it('escalates a Friday-evening deadline on Monday morning', () => {
    const sam = escalations(who('f', 'sam'));
    expect(sam).toHaveLength(1);
    const at = local(sam[0]?.sentAt ?? '', 'America/Chicago');
    expect([at.day, at.weekday, at.hm]).toEqual([addDays(friday, 3), 'Mon', '08:00']);
  });

  it('skips the tenant’s holiday: a miss on the eve of 25 December goes out on the next working morning', () => {
    let next = addDays(holiday, 1);
    while ([0, 6].includes(new Date(`${next}T00:00:00Z`).getUTCDay())) next = addDays(next, 1);
    const sam = escalations(who('h', 'sam'));
    expect(sam).toHaveLength(1);
    const at = local(sam[0]?.sentAt ?? '', 'America/Chicago');
    expect([at.day, at.hm]).toEqual([next, '08:00']);
  });

  it('sends nothing on weekends or on the holiday, nor in quiet hours, on anyone’s own calendar', () => {
    const sent = mail
      .filter((e) => Date.parse(e.sentAt) > startedAt && !/weekly review/i.test(e.subject))
      .map((e) => ({
        to: e.to[0] as string,
        subject: e.subject,
        ...local(e.sentAt, tzOf(e.to[0] as string)),
      }));
    expect(sent.length).toBeGreaterThan(20);
    expect(sent.filter((e) => ['Sat', 'Sun'].includes(e.weekday) || e.day === holiday)).toEqual([]);
    expect(sent.filter((e) => e.hm >= '19:00' || e.hm < '08:00')).toEqual([]);
  });

  it('tells the vendor and partner owners once when the buyer goes quiet', () => {
    for (const person of ['ana', 'dana'] as const) {
      const told = to(who('g', person)).filter((e) =>
        e.text.includes('Gone quiet: no one at Globex Corporation'),
      );
      expect(told, person).toHaveLength(1);
    }
    // The customer's own ladder is only its owner: nobody above Lee is told, and Lee is not told of himself.
    expect(to(who('g', 'lee')).filter((e) => e.text.includes('Gone quiet: no one at Globex'))).toEqual([]);
  });
});
