/**
 * Load: `npm run bench:load [-- --deals 50]`. On a fresh local stack (`npm start`, as test/e2e does), one
 * deal of the reference plan is first driven alone (the baseline: every email and event a deal makes),
 * then N deals at once, each by its people's email links as a browser does: the link's page (GET), then its
 * form (POST, form-encoded). Plans are created through the API, links read from the local outbox, polled
 * with `?since=<cursor>` so that a poll carries only new mail. Prints the wall time, actions per second
 * and p50/p95 per request kind, the errors, and the duplicate effects: every deal must have exactly the
 * baseline's emails (per recipient and subject) and events (per detail-type), and no event id twice.
 * Exit 1 on any error, lost or duplicate effect. A benchmark, not a test: nothing here is timed against a
 * budget.
 */
import { parseArgs } from 'node:util';
import {
  type LocalStackProcess,
  type OutboxEmail,
  parseEmailLinks,
  referencePlanVariant,
  removeStateDir,
  sleep,
  startStack,
} from '../test/e2e/helpers/local-stack';
import { CUSTOMER_TITLES, PEOPLE, REFERENCE_CLICKS, STAGES } from '../test/e2e/helpers/reference-deal';

type Kind = 'create plan' | 'link GET' | 'ordinary POST' | 'gate-passing POST' | 'final POST' | 'outbox poll';
const KINDS: Kind[] = [
  'create plan',
  'link GET',
  'ordinary POST',
  'gate-passing POST',
  'final POST',
  'outbox poll',
];

/** The last click of a stage passes its gate; the last of all closes the deal. */
function kindOf(index: number): Kind {
  if (index === REFERENCE_CLICKS.length - 1) return 'final POST';
  return REFERENCE_CLICKS[index + 1]?.stage !== REFERENCE_CLICKS[index]?.stage
    ? 'gate-passing POST'
    : 'ordinary POST';
}

const WAIT_MS = 180_000;

class Figures {
  readonly times = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  readonly errors: string[] = [];

  async timed<T>(kind: Kind, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      this.times.get(kind)?.push(performance.now() - t0);
    }
  }
}

/** The outbox as it grows, read with `?since=<cursor>` (one poller for every deal), by deal name. */
class OutboxMirror {
  private cursor = 0;
  private readonly byDeal = new Map<string, OutboxEmail[]>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  polls = 0;
  bytes = 0;

  constructor(
    private readonly url: () => string,
    private readonly figures?: Figures,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.poll().catch((error: unknown) =>
          this.figures?.errors.push(`outbox poll: ${String(error)}`),
        );
        await sleep(100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  async poll(): Promise<void> {
    const read = async () => {
      const res = await fetch(`${this.url()}/_local/outbox?since=${this.cursor}`);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET /_local/outbox answered ${res.status}: ${text}`);
      return { text, cursor: Number(res.headers.get('x-outbox-cursor')) };
    };
    const { text, cursor } = this.figures ? await this.figures.timed('outbox poll', read) : await read();
    this.polls++;
    this.bytes += text.length;
    for (const e of JSON.parse(text) as OutboxEmail[]) {
      const deal = /^\[([^\]]+)\]/.exec(e.subject)?.[1] ?? '';
      const list = this.byDeal.get(deal) ?? [];
      list.push(e);
      this.byDeal.set(deal, list);
    }
    this.cursor = cursor;
  }

  of(deal: string): OutboxEmail[] {
    return this.byDeal.get(deal) ?? [];
  }

  /** The newest gate email of stage `n` to `address` (the deal's `person`) on deal `name`, waiting for it. */
  async gateEmail(name: string, person: string, address: string, n: number): Promise<OutboxEmail> {
    const prefix =
      person === PEOPLE.lee
        ? `[${name}] ${CUSTOMER_TITLES[n - 1]}:`
        : `[${name}] Stage ${n}, ${STAGES[n - 1]?.title}:`;
    const t0 = performance.now();
    for (;;) {
      const found = this.of(name)
        .filter((e) => e.to.includes(address) && e.subject.startsWith(prefix))
        .at(-1);
      if (found) return found;
      if (performance.now() - t0 > WAIT_MS) throw new Error(`${name}: no stage ${n} email to ${address}`);
      await sleep(50);
    }
  }
}

/**
 * Each deal has its own people (`ana.ruiz.d7@vendor.example`): with the same three people on every deal,
 * the per-person cap on announcements would hold back their "Stage passed" mail, as it should.
 */
const personOf = (person: string, tag: string) => person.replace('@', `.${tag}@`);
const untagged = (address: string, tag: string) => address.replace(`.${tag}@`, '@');

/** One deal through every click: each link's page, then its form, as the page's button posts it. */
async function driveDeal(
  url: string,
  name: string,
  tag: string,
  mirror: OutboxMirror,
  figures: Figures,
): Promise<string> {
  const yaml = (await referencePlanVariant(url, name)).replace(
    /\b([a-z]+\.[a-z]+)@([a-z]+\.example)\b/g,
    `$1.${tag}@$2`,
  );
  const created = await figures.timed('create plan', async () => {
    const res = await fetch(`${url}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    });
    return { status: res.status, body: (await res.json()) as { planId?: string } };
  });
  if (created.status !== 201 || !created.body.planId)
    throw new Error(`${name}: POST /plans answered ${created.status}: ${JSON.stringify(created.body)}`);
  const planId = created.body.planId;
  for (const [i, click] of REFERENCE_CLICKS.entries()) {
    const email = await mirror.gateEmail(name, click.to, personOf(click.to, tag), click.stage);
    const link = parseEmailLinks(email.text).find(
      (l) => l.label === click.label && (click.item === undefined || l.item.startsWith(click.item)),
    );
    if (!link) throw new Error(`${name}: no "${click.label}" link for ${click.to} in "${email.subject}"`);
    const page = await figures.timed('link GET', async () => {
      const res = await fetch(link.url);
      return { status: res.status, html: await res.text() };
    });
    if (page.status !== 200) throw new Error(`${name}: GET of "${click.label}" answered ${page.status}`);
    const done = await figures.timed(kindOf(i), async () => {
      const res = await fetch(link.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(click.form).toString(),
      });
      return { status: res.status, html: await res.text() };
    });
    if (done.status !== 200 || !done.html.includes('<h1>Done</h1>'))
      throw new Error(`${name}: POST of "${click.label}" ${click.item ?? ''} answered ${done.status}`);
  }
  // The registration follows the last click (a workflow task): the deal is won once it is recorded.
  const t0 = performance.now();
  for (;;) {
    const res = await fetch(`${url}/plans/${planId}`);
    const plan = (await res.json()) as { status?: string; registeredAt?: string };
    if (plan.status === 'won' && plan.registeredAt) return planId;
    if (performance.now() - t0 > WAIT_MS) throw new Error(`${name}: not won and registered after 3 minutes`);
    await sleep(250);
  }
}

interface BusEvent {
  'detail-type': string;
  detail: { planId?: string; eventId?: string; registrationId?: string };
}

/** Per deal: emails by recipient and subject (the deal's name taken out), events by detail-type. */
function effects(name: string, tag: string, planId: string, mirror: OutboxMirror, events: BusEvent[]) {
  const emails = new Map<string, number>();
  for (const e of mirror.of(name)) {
    const key = `${e.to.map((a) => untagged(a, tag)).join(',')}|${e.subject.slice(name.length + 2)}`;
    emails.set(key, (emails.get(key) ?? 0) + 1);
  }
  const byType = new Map<string, number>();
  for (const e of events.filter((x) => x.detail.planId === planId))
    byType.set(e['detail-type'], (byType.get(e['detail-type']) ?? 0) + 1);
  return { emails, events: byType };
}

function compare(expected: Map<string, number>, got: Map<string, number>) {
  let lost = 0;
  let doubled = 0;
  const keys: string[] = [];
  for (const key of new Set([...expected.keys(), ...got.keys()])) {
    const d = (got.get(key) ?? 0) - (expected.get(key) ?? 0);
    if (d < 0) lost -= d;
    else doubled += d;
    if (d !== 0) keys.push(`${key} ${d > 0 ? '+' : ''}${d}`);
  }
  return { lost, doubled, keys };
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { deals: { type: 'string', default: '50' } },
  });
  const deals = Number(values.deals);
  if (!Number.isInteger(deals) || deals < 1) throw new Error('--deals must be a whole number of at least 1');
  let stack: LocalStackProcess | undefined;
  try {
    stack = await startStack();
    const url = stack.url;
    console.log(`local stack on ${url} (state ${stack.stateDir})`);

    // The baseline: one deal alone (also warms the stack up).
    const warm = new OutboxMirror(() => url);
    warm.start();
    const baselineId = await driveDeal(url, 'Load baseline', 'd0', warm, new Figures());
    await fetch(`${url}/_local/settle`, { method: 'POST' });
    await warm.poll();
    await warm.stop();

    const figures = new Figures();
    const mirror = new OutboxMirror(() => url, figures);
    mirror.start(); // its first poll reads the baseline's mail, every later one only what is new
    const names = Array.from({ length: deals }, (_, i) => `Load ${i + 1}`);
    const t0 = performance.now();
    const outcomes = await Promise.allSettled(
      names.map((name, i) => driveDeal(url, name, `d${i + 1}`, mirror, figures)),
    );
    const wallMs = performance.now() - t0;
    await fetch(`${url}/_local/settle`, { method: 'POST' });
    await mirror.poll();
    await mirror.stop();
    for (const o of outcomes) if (o.status === 'rejected') figures.errors.push(String(o.reason));

    const events = (await (await fetch(`${url}/_local/events`)).json()) as BusEvent[];
    // Events a rule's target never took (after its retries): announce's, for instance.
    const deadLetters = (await (await fetch(`${url}/_local/dead-letters`)).json()) as {
      rule: string;
      detailType: string;
      error: string;
    }[];
    const baseline = effects('Load baseline', 'd0', baselineId, warm, events);
    let lost = 0;
    let doubled = 0;
    const problems: string[] = [];
    for (const [i, o] of outcomes.entries()) {
      if (o.status !== 'fulfilled') continue;
      const name = names[i] as string;
      const got = effects(name, `d${i + 1}`, o.value, mirror, events);
      const mail = compare(baseline.emails, got.emails);
      const bus = compare(baseline.events, got.events);
      lost += mail.lost + bus.lost;
      doubled += mail.doubled + bus.doubled;
      if (mail.lost + mail.doubled + bus.lost + bus.doubled > 0)
        problems.push(
          `${name}: emails lost ${mail.lost}, doubled ${mail.doubled}; events lost ${bus.lost}, doubled ${bus.doubled}: ${[...mail.keys, ...bus.keys].join('; ')}`,
        );
    }
    const ids = events.flatMap((e) => {
      const id = e.detail.eventId ?? e.detail.registrationId;
      return id ? [`${e['detail-type']}|${id}`] : [];
    });
    const repeatedIds = ids.length - new Set(ids).size;

    const actions = [...figures.times.entries()]
      .filter(([k]) => k !== 'outbox poll')
      .reduce((n, [, xs]) => n + xs.length, 0);
    const baselineMails = [...baseline.emails.values()].reduce((a, b) => a + b, 0);
    const baselineEvents = [...baseline.events.values()].reduce((a, b) => a + b, 0);
    console.log(
      `bench:load: ${deals} deals at once, ${REFERENCE_CLICKS.length} clicks each (a GET and a POST per click)`,
    );
    console.log(`  wall time: ${(wallMs / 1000).toFixed(1)} s`);
    console.log(
      `  actions: ${actions} requests (plan creations, link GETs and POSTs), ${((actions * 1000) / wallMs).toFixed(1)} per second`,
    );
    console.log(
      `  clicks: ${((deals * REFERENCE_CLICKS.length * 1000) / wallMs).toFixed(1)} per second (GET + POST)`,
    );
    console.log('  kind                 count    p50 ms    p95 ms');
    for (const [kind, xs] of figures.times) {
      console.log(
        `  ${kind.padEnd(19)} ${String(xs.length).padStart(6)} ${quantile(xs, 0.5).toFixed(0).padStart(9)} ${quantile(xs, 0.95).toFixed(0).padStart(9)}`,
      );
    }
    console.log(
      `  outbox polls: ${mirror.polls}, ${(mirror.bytes / 1e6).toFixed(1)} MB in all (?since=<cursor>)`,
    );
    console.log(`  per deal (baseline): ${baselineMails} emails, ${baselineEvents} events`);
    console.log(`  errors: ${figures.errors.length}`);
    console.log(
      `  duplicate effects: ${doubled} (emails and events beyond the baseline's), event ids repeated: ${repeatedIds}`,
    );
    console.log(`  lost effects: ${lost}`);
    console.log(`  dead letters: ${deadLetters.length}`);
    for (const d of deadLetters.slice(0, 5))
      console.log(`  ! dead letter: ${d.rule} ${d.detailType}: ${d.error}`);
    for (const e of figures.errors.slice(0, 10)) console.log(`  ! ${e}`);
    for (const p of problems.slice(0, 10)) console.log(`  ! ${p}`);
    process.exitCode = figures.errors.length || doubled || lost || repeatedIds || deadLetters.length ? 1 : 0;
  } finally {
    if (stack && !stack.exited) await stack.stop().catch(() => undefined);
    if (stack) removeStateDir(stack.stateDir);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
