import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPlan,
  getJson,
  type LocalStackProcess,
  localNow,
  type OutboxEmail,
  outbox,
  postBody,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
  subjectStarting,
} from './helpers/local-stack';

// A new user's try: load the example plan, move the local clock a week at a time to the close date doing
// nothing, and read the outbox. The weekly reviews arrive on Mondays at 09:30 in Chicago to the vendor and
// partner owners, once a week each, the first with the calendar invitation.

const NAME = 'Globex platform migration (weekly review)';
const ANA = 'ana.ruiz@vendor.example';
const DANA = 'dana.whit@northwind.example';
const CHICAGO = 'America/Chicago';

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

async function advance(by: string): Promise<Date> {
  const res = await postBody<{ now: string }>(
    `${stack.url}/_local/clock`,
    JSON.stringify({ advance: by }),
    'application/json',
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new Date(res.body.now);
}

function chicago(instant: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: CHICAGO,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    weekday: get('weekday'),
    time: `${get('hour')}:${get('minute')}`,
    date: `${get('year')}-${get('month')}-${get('day')}`,
  };
}

/** What the SES emulator stored, attachments included, from the state directory's outbox file. */
function storedEmails(): {
  email: {
    subject: string;
    destination: { to: string[] };
    attachments: { contentType: string; content: string }[];
  };
  sentAt: string;
}[] {
  return readFileSync(join(stack.stateDir, 'outbox.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('the weekly review, a week at a time to the close date', () => {
  it('previews the schedule, then sends one review a week to each attendee, the first with the invitation', async () => {
    // Prepare: the example plan, its dates as far ahead of the local clock as they are of 2026-11-23
    const yaml = await referencePlanVariant(stack.url, NAME);
    const closeDate = /closeDate: (\d{4}-\d{2}-\d{2})/.exec(yaml)?.[1] as string;
    const { planId } = await createPlan(stack.url, yaml);

    // The preview: who gets what, when, if nothing happens
    const preview = await getJson<{ emails: { at: string; to: string; kind: string; localTime: string }[] }>(
      `${stack.url}/plans/${planId}/schedule`,
    );
    expect(preview.status).toBe(200);
    const at = preview.body.emails.map((e) => e.at);
    expect(at).toEqual([...at].sort());
    const previewed = preview.body.emails.filter((e) => e.kind === 'weekly-review');
    expect(previewed).toHaveLength(8);
    expect(new Set(previewed.map((e) => e.to))).toEqual(new Set([ANA, DANA]));
    for (const e of previewed) expect(chicago(e.at)).toMatchObject({ weekday: 'Mon', time: '09:30' });
    expect(preview.body.emails.some((e) => e.kind === 'reminder')).toBe(true);
    expect((await getJson(`${stack.url}/plans/pl_unknown000000000000/schedule`)).status).toBe(404);

    // Act: a week at a time, doing nothing, until the close date has passed
    let now = await localNow(stack.url);
    let weeks = 0;
    while (chicago(now.toISOString()).date <= closeDate) {
      now = await advance('P7D');
      weeks++;
    }

    // Assess
    const prefix = subjectStarting(NAME, 'Weekly review');
    const reviews = (await outbox(stack.url)).filter((e: OutboxEmail) => prefix.test(e.subject));
    const story = reviews.map(
      (e) =>
        `${chicago(e.sentAt).date} ${chicago(e.sentAt).weekday} ${chicago(e.sentAt).time} ${e.to.join(',')}`,
    );
    for (const person of [ANA, DANA]) {
      const mine = reviews.filter((e) => e.to.length === 1 && e.to[0] === person);
      // One a week, each on a Monday at 09:30 in Chicago, never two the same day
      // (each week of the clock holds exactly one Monday 09:30)
      expect(mine.length, story.join('\n')).toBe(weeks);
      const days = mine.map((e) => chicago(e.sentAt).date);
      expect(new Set(days).size, story.join('\n')).toBe(days.length);
      for (const e of mine)
        expect(chicago(e.sentAt), e.subject).toMatchObject({ weekday: 'Mon', time: '09:30' });
      // The agenda, and the invitation said in the first only
      expect(mine[0]?.text).toContain('What moved since last week');
      expect(mine[0]?.text).toContain('Needs an escalation');
      expect(mine[0]?.text).toContain('A calendar invitation for this 15-minute review');
      for (const e of mine.slice(1)) expect(e.text).not.toContain('calendar invitation');
    }
    expect(reviews.every((e) => e.to.length === 1 && [ANA, DANA].includes(e.to[0] as string))).toBe(true);
    // Doing nothing shows: later reviews list the overdue work to escalate
    expect(reviews.at(-1)?.text).toMatch(/day\(s\) overdue/);

    // The calendar part itself, as the SES emulator received it (SES v2 SendEmail, an attachment)
    const raw = storedEmails().filter((s) => prefix.test(s.email.subject));
    const withCalendar = raw.filter((s) =>
      s.email.attachments.some((a) => a.contentType.startsWith('text/calendar')),
    );
    expect(withCalendar.map((s) => s.email.destination.to[0]).sort()).toEqual([ANA, DANA]);
    const ics = Buffer.from(withCalendar[0]?.email.attachments[0]?.content ?? '', 'base64').toString('utf8');
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).toContain('METHOD:REQUEST');
    expect(unfolded).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
    expect(unfolded).toMatch(/DTSTART;TZID=America\/Chicago:\d{8}T093000/);
    expect(unfolded).toContain('DURATION:PT15M');
    expect(unfolded).toContain(`mailto:${ANA}`);
    expect(unfolded).toContain(`mailto:${DANA}`);
    expect(unfolded).toContain(`SUMMARY:Weekly review: ${NAME}`);
    // The first reviews went out on the first Monday after loading, at 09:30 in Chicago
    expect(chicago(withCalendar[0]?.sentAt ?? '')).toMatchObject({ weekday: 'Mon', time: '09:30' });
  });
});
