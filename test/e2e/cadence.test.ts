import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  advanceClock,
  createPlan,
  type LocalStackProcess,
  localNow,
  type OutboxEmail,
  outbox,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';
import { tagged, tzOf, who } from './helpers/tagged-people';

// One local stack; five plans on the reference plan, each with its own people (their addresses carry the
// plan's tag), created at once. Then, as a new user would, the clock moves a week at a time, nobody acts,
// and the outbox is read: the cadence's story for each plan.

const DAY = 86_400_000;
const HOUR = 3_600_000;
let stack: LocalStackProcess;
let mail: (OutboxEmail & { cc?: string[] })[] = [];

/** The instant a wall clock in `tz` reads `date` `time` (two offsets tried: no DST change at 17:00). */
function wall(date: string, time: string, tz: string): Date {
  const guess = Date.parse(`${date}T${time}:00Z`);
  for (const h of [-4, -5, -6, -7, -8]) {
    const at = new Date(guess - h * HOUR);
    if (localHm(at, tz) === time && localDay(at, tz) === date) return at;
  }
  throw new Error(`no ${date} ${time} in ${tz}`);
}

function localHm(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
}

function localDay(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

const CADENCE = /\] (Due soon: |Escalation: |Overdue: |Partner gone quiet: |.*: your move$)/;

function plansMail(tag: string) {
  return mail.filter((e) => e.to.some((t) => t.endsWith(`-${tag}.example`)) && CADENCE.test(e.subject));
}

function dueOf(yaml: string, id: string): string {
  const m = new RegExp(`id: ${id},[^\\n]*due: (\\d{4}-\\d{2}-\\d{2})`).exec(yaml);
  if (!m) throw new Error(`no due date for ${id}`);
  return m[1] as string;
}

function variant(yaml: string, tag: string, shiftDays = 0): string {
  const shifted = yaml.replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + shiftDays * DAY).toISOString().slice(0, 10),
  );
  return tagged(shifted, tag);
}

const plans: Record<string, { yaml: string; name: string }> = {};

beforeAll(async () => {
  stack = await startStack();
  const make = async (tag: string, label: string, edit: (yaml: string) => string, shift = 0) => {
    const name = `Globex platform migration (cadence ${label})`;
    const yaml = edit(variant(await referencePlanVariant(stack.url, name), tag, shift));
    await createPlan(stack.url, yaml);
    plans[tag] = { yaml, name };
  };
  await make('a', 'story', (y) => y);
  // Two of Ana's milestones due the same day, both in stage 1 (only the open stage is reminded): one digest.
  await make('b', 'digest', (y) => {
    const line = /\n( +- \{ id: discovery-call,[^\n]*)/.exec(y)?.[1] ?? '';
    const moved = y.replace(`\n${line}`, '').replace(/(\n +- \{ id: fit-check,[^\n]*)/, `$1\n${line}`);
    return moved.replace(/(id: discovery-call,[^\n]*due: )\d{4}-\d{2}-\d{2}/, `$1${dueOf(y, 'fit-check')}`);
  });
  await make('c', 'cap', (y) => y.replace(/maxPerRecipientPerDay: \d+/, 'maxPerRecipientPerDay: 1'));
  // fit-check due on Monday 15 March 2027, the day after Chicago (and New York) spring forward.
  const now = await localNow(stack.url);
  const shift = Math.round((Date.parse('2027-03-15T00:00:00Z') - Date.parse('2026-12-04T00:00:00Z')) / DAY);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const dstShift = shift - Math.round((today - Date.UTC(2026, 10, 23)) / DAY);
  await make('d', 'dst', (y) => y, dstShift);
  // A week at a time, nobody acting, until after the DST plan's first milestone escalated.
  const end = Date.parse('2027-03-21T00:00:00Z');
  while ((await localNow(stack.url)).getTime() < end) await advanceClock(stack.url, 'P7D');
  mail = (await outbox(stack.url)) as typeof mail;
}, 900_000);

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

describe('the cadence, a week at a time with nobody acting', () => {
  it('reminds leadDays before due, not before, and climbs each rung once, owner copied', () => {
    const { yaml, name } = plans.a ?? fail();
    const dueAt = wall(dueOf(yaml, 'fit-check'), '17:00', 'America/Chicago');
    const reminder = plansMail('a').filter(
      (e) => e.subject === `[${name}] Due soon: Confirm Globex fits both ideal customer profiles`,
    );
    expect(reminder.map((e) => e.to[0])).toEqual([who('a', 'ana')]);
    const sentAt = Date.parse(reminder[0]?.sentAt ?? '');
    expect(sentAt).toBeGreaterThanOrEqual(dueAt.getTime() - 2 * DAY);
    expect(sentAt).toBeLessThan(dueAt.getTime() - 2 * DAY + 15 * 60_000);
    const overdue = plansMail('a').filter((e) => e.subject.includes('Escalation: “Confirm Globex fits both'));
    expect(overdue.map((e) => [e.to[0], e.cc?.[0]])).toEqual([
      [who('a', 'sam'), who('a', 'ana')],
      [who('a', 'kim'), who('a', 'ana')],
    ]);
    expect(Date.parse(overdue[0]?.sentAt ?? '')).toBeGreaterThanOrEqual(dueAt.getTime() + 24 * HOUR);
    expect(Date.parse(overdue[1]?.sentAt ?? '')).toBeGreaterThanOrEqual(dueAt.getTime() + 72 * HOUR);
  });

  // Changed with issue 15 (the current-stage rule, ghosting from every side): the deal never leaves stage 1,
  // where only the vendor owns work, so the partner is never chased for its stage-2 and stage-4 work (no
  // "Partner gone quiet", no handoff escalation); the vendor's silence is told to its first rung and to the
  // partner owner, once.
  it('tells the vendor’s first rung and the partner owner once when the vendor goes quiet; the partner’s ladder only of its own owed confirmation', () => {
    // Changed with issue 15's "ghosting from every side": the partner owes stage 1's confirmation (open work
    // of the open stage) and is silent too, so its ladder hears that once; nothing about stage 2's work.
    const partnerQuiet = plansMail('a').filter((e) => e.subject.includes('Partner gone quiet'));
    expect(partnerQuiet.map((e) => e.to[0])).toEqual([who('a', 'raj')]);
    expect(partnerQuiet[0]?.text).toContain('their confirmation of stage 1');
    expect(partnerQuiet[0]?.text).not.toContain('Warm introduction');
    const quiet = mail.filter(
      (e) => e.to[0]?.endsWith('-a.example') && e.text.includes('Gone quiet: no one at the vendor side'),
    );
    expect(quiet.map((e) => e.to[0]).sort()).toEqual([who('a', 'dana'), who('a', 'sam')].sort());
  });

  it('does not escalate a later stage’s handoff while stage 1 is open', () => {
    const { name } = plans.a ?? fail();
    const handoff = plansMail('a').filter((e) =>
      e.subject.startsWith(`[${name}] Escalation: The handoff of “Partner completes the security`),
    );
    expect(handoff).toEqual([]);
  });

  it('sends nothing in anyone’s quiet hours (19:00 to 08:00 in their own timezone)', () => {
    const all = ['a', 'b', 'c', 'd'].flatMap(plansMail);
    expect(all.length).toBeGreaterThan(20);
    const late = all
      .map((e) => ({
        to: e.to[0] as string,
        subject: e.subject,
        local: localHm(new Date(e.sentAt), tzOf(e.to[0] as string)),
      }))
      .filter((e) => e.local >= '19:00' || e.local < '08:00');
    expect(late).toEqual([]);
  });

  it('sends nothing twice', () => {
    const all = ['a', 'b', 'c', 'd'].flatMap(plansMail).map((e) => `${e.to[0]} ${e.subject}`);
    expect(all.filter((x, i) => all.indexOf(x) !== i)).toEqual([]);
  });

  it('sends several reminders for one person in one sweep as one digest, links per item', () => {
    const { name } = plans.b ?? fail();
    const toAna = plansMail('b').filter((e) => e.to[0] === who('b', 'ana'));
    const digest = toAna.filter((e) => e.subject === `[${name}] 2 due soon: your move`);
    expect(digest).toHaveLength(1);
    expect(digest[0]?.links).toHaveLength(6);
    expect(digest[0]?.text).toContain('- Confirm Globex fits both ideal customer profiles (due ');
    expect(digest[0]?.text).toContain('- Joint discovery call (due ');
    expect(
      toAna.filter((e) => /Due soon: (Confirm Globex fits|Joint discovery call)/.test(e.subject)),
    ).toEqual([]);
  });

  it('keeps each recipient to the plan’s daily cap on their local day, and holds the rest to the morning', () => {
    const perDay = new Map<string, string[]>();
    for (const e of plansMail('c')) {
      const to = e.to[0] as string;
      const key = `${to} ${localDay(new Date(e.sentAt), tzOf(to))}`;
      perDay.set(key, [...(perDay.get(key) ?? []), e.subject]);
    }
    expect([...perDay.entries()].filter(([, s]) => s.length > 1)).toEqual([]);
    // Changed with issue 15: Sam hears of stage 1's miss once (fit-check's escalation stands for the gate's
    // timeout too), so nothing of his is held back; what is held goes out at 08:00 local.
    const sam = plansMail('c').filter((e) => e.to[0] === who('c', 'sam'));
    expect(sam.filter((e) => e.subject.includes('Escalation: stage 1,'))).toEqual([]);
    expect(sam.filter((e) => e.subject.includes('Escalation: “Confirm Globex fits'))).toHaveLength(1);
    const held = plansMail('c').filter(
      (e) => localHm(new Date(e.sentAt), tzOf(e.to[0] as string)) === '08:00',
    );
    expect(held.length).toBeGreaterThan(0);
  });

  it('keeps local times across a daylight-saving change', () => {
    const { name } = plans.d ?? fail();
    const toAna = plansMail('d').filter(
      (e) => e.subject === `[${name}] Due soon: Confirm Globex fits both ideal customer profiles`,
    );
    // Due Monday 15 March 17:00 CDT (22:00Z); two days (48 h) before is Saturday 13 March, 16:00 CST: not a
    // working day (changed with issue 15), so it goes on Monday at 08:00 CDT, 13:00Z (not 14:00Z, as in CST).
    expect(toAna.map((e) => e.sentAt.slice(0, 16))).toEqual(['2027-03-15T13:00']);
    const sam = plansMail('d').filter(
      (e) => e.to[0] === who('d', 'sam') && e.subject.includes('“Confirm Globex fits'),
    );
    // 24 h after the due time: Tuesday 16 March 17:00 CDT.
    expect(sam.map((e) => [e.sentAt.slice(0, 16), localHm(new Date(e.sentAt), 'America/Chicago')])).toEqual([
      ['2027-03-16T22:00', '17:00'],
    ]);
  });
});

function fail(): never {
  throw new Error('expected a value');
}
