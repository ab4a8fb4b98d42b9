import {
  advanceClock,
  getJson,
  type LocalStackProcess,
  localNow,
  outbox,
  parseEmailLinks,
  pgrep,
  postBody,
  referencePlanVariant,
  sleep,
  startStack,
  toWorkingDay1700Z,
} from './local-stack';
import { CUSTOMER_TITLES, PEOPLE, REFERENCE_CLICKS, type ReferenceClick, STAGES } from './reference-deal';

/**
 * The chaos suite's driver (test/e2e/chaos.test.ts, `npm run chaos -- --seed N --runs R`): deals on the
 * reference plan driven through all five stages by their people's links, while faults chosen by a seeded
 * PRNG go into SES (throttle, reject), EventBridge (failed PutEvents), Step Functions callbacks and
 * DynamoDB (throttling), and the local stack is killed with SIGKILL at random step boundaries and started
 * again. When a person's next email does not come, ops do what the alarm tells them: a sweep (the
 * reconciler), and `cosell plan retry` for a deal needing attention. Then every deal is checked against
 * a fault-free run of the same clicks: its end state, every email once per recipient and subject, every
 * event once.
 */

export interface ChaosOptions {
  seed: number;
  runs: number;
  /** Chance of a fault at a step boundary. */
  faultRate?: number;
  /** Chance of a SIGKILL at a step boundary (the stack then restarts on the same state and port). */
  killRate?: number;
  log?: (line: string) => void;
}

export interface ChaosFigures {
  runs: number;
  deals: number;
  faults: Record<string, number>;
  kills: number;
  emailsChecked: number;
  eventsChecked: number;
  lost: number;
  doubled: number;
  failedWithoutAttention: number;
  wrongState: number;
  ms: number;
  problems: string[];
}

/** mulberry32: small, fast, good enough to pick faults by seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZERO_FAULTS = {
  ses: { throttle: 0, reject: 0 },
  events: { fail: 0 },
  sfn: { failCallbacks: 0 },
  dynamodb: { throttle: 0 },
};

interface Plan {
  status: string;
  stage: string;
  needsAttention?: unknown;
  stages: { key: string; status: string; confirmations: { party: string; by: string }[] }[];
  milestones: { id: string; status: string }[];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const random = prng(options.seed);
  const faultRate = options.faultRate ?? 0.35;
  const killRate = options.killRate ?? 0.04;
  const figures: ChaosFigures = {
    runs: options.runs,
    deals: 0,
    faults: {},
    kills: 0,
    emailsChecked: 0,
    eventsChecked: 0,
    lost: 0,
    doubled: 0,
    failedWithoutAttention: 0,
    wrongState: 0,
    ms: 0,
    problems: [],
  };
  let stack = await startStack();
  const url = () => stack.url;
  const injected = async () => {
    const report = (
      await getJson<{ injected: Record<string, Record<string, number>> }>(`${url()}/_local/faults`)
    ).body;
    for (const [service, kinds] of Object.entries(report.injected))
      for (const [kind, n] of Object.entries(kinds))
        figures.faults[`${service}.${kind}`] = (figures.faults[`${service}.${kind}`] ?? 0) + n;
  };
  const post = (path: string, body = '') => postBody(`${url()}${path}`, body, 'application/json');
  const plan = async (planId: string) => {
    for (;;) {
      const res = await getJson<Plan>(`${url()}/plans/${planId}`).catch(() => undefined);
      if (res?.status === 200) return res.body;
      await sleep(200);
    }
  };
  /** What ops do when a deal stalls: clear nothing they cannot see; sweep; retry what needs attention. */
  const recover = async (planId: string) => {
    await post('/_local/faults', JSON.stringify(ZERO_FAULTS)).catch(() => undefined);
    if ((await plan(planId)).needsAttention) await post(`/plans/${planId}/retry`).catch(() => undefined);
    await post('/_local/sweep').catch(() => undefined);
    await post('/_local/settle').catch(() => undefined);
  };
  const kill = async () => {
    await post('/_local/settle').catch(() => undefined);
    await injected();
    const { stateDir, port } = stack;
    stack.child.kill('SIGKILL');
    await new Promise<void>((r) =>
      stack.child.exitCode !== null || stack.child.signalCode !== null
        ? r()
        : stack.child.once('exit', () => r()),
    );
    for (let i = 0; i < 100 && (await pgrep(stateDir)).length > 0; i++) await sleep(200);
    figures.kills++;
    log(`  SIGKILL; restarting on ${stateDir}`);
    stack = await startStack({ stateDir, port });
    await post('/_local/sweep'); // the reconciler after the restart
  };
  const maybeFault = async () => {
    if (random() >= faultRate) return;
    const pick = Math.floor(random() * 5);
    const n = (max: number) => 1 + Math.floor(random() * max);
    const fault = [
      { ses: { throttle: n(10) } },
      { ses: { reject: 1 } },
      { events: { fail: n(2) } },
      { sfn: { failCallbacks: n(6) } },
      { dynamodb: { throttle: n(6) } },
    ][pick];
    await post('/_local/faults', JSON.stringify(fault));
  };

  const expectedEmails = new Map<string, number>();
  try {
    for (let run = 0; run <= options.runs; run++) {
      // Run 0 is the same clicks without faults or kills: what every other run must end with.
      const reference = run === 0;
      const name = `Chaos ${options.seed}-${run}`;
      // Announcements keep each person's quiet hours and daily cap, which count across deals (issue 14):
      // every run starts on a fresh working day at 17:00Z (09:00 to 12:00 for the reference people), after
      // a day that lets the last run's held announcements go, so it meets the fault-free run's hours and cap.
      for (let day = 0; day < 2; day++) await advanceClock(url(), toWorkingDay1700Z(await localNow(url())));
      const yaml = await referencePlanVariant(url(), name);
      let created: { planId?: string } | undefined;
      for (let i = 0; !created?.planId && i < 20; i++) {
        const res = await postBody<{ planId?: string }>(`${url()}/plans`, yaml, 'application/yaml').catch(
          () => undefined,
        );
        if (res?.status === 201) created = res.body;
        else await sleep(300);
      }
      const planId = created?.planId as string;
      let stage = 0;
      for (const click of REFERENCE_CLICKS) {
        if (!reference) {
          await maybeFault();
          if (random() < killRate) await kill();
        }
        if (click.stage !== stage) {
          stage = click.stage;
          await waitForStage(stage);
        }
        await clickOnce(click);
      }
      await waitFor(
        async () => (await plan(planId)).status === 'won',
        async () => recover(planId),
      );
      await post('/_local/faults', JSON.stringify(ZERO_FAULTS));
      await post('/_local/sweep');
      await post('/_local/settle');
      await check(name, planId, reference);
      if (!reference) figures.deals++;
      log(`run ${run} (${reference ? 'reference' : `seed ${options.seed}`}): ${planId} won`);

      async function waitForStage(n: number) {
        const key = STAGES[n - 1]?.key;
        await waitFor(
          async () => {
            const p = await plan(planId);
            if (p.stage !== key || p.stages.find((s) => s.key === key)?.status !== 'open') return false;
            const mail = await outbox(url());
            return (STAGES[n - 1]?.emailed ?? []).every((to) => emailFor(mail, name, to, n) !== undefined);
          },
          () => recover(planId),
        );
      }

      async function clickOnce(click: ReferenceClick) {
        for (let attempt = 0; attempt < 8; attempt++) {
          const mail = await outbox(url());
          const email = emailFor(mail, name, click.to, click.stage);
          const link = email
            ? parseEmailLinks(email.text).find(
                (l) => l.label === click.label && (click.item === undefined || l.item.startsWith(click.item)),
              )
            : undefined;
          if (!link) {
            await recover(planId);
            continue;
          }
          const res = await fetch(link.url, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(click.form).toString(),
          }).catch(() => undefined);
          const html = res ? await res.text() : '';
          // Done, or done already (a retry after an answer that was lost): the same state either way.
          if (res?.status === 200 && html.includes('<h1>Done</h1>')) return;
          if (res?.status === 409) return;
          await sleep(200 * (attempt + 1));
        }
        throw new Error(`${name}: could not ${click.label} ${click.item ?? ''} for ${click.to}`);
      }
    }
  } finally {
    await injected().catch(() => undefined);
    if (!stack.exited) await stack.stop().catch(() => undefined);
    figures.ms = Math.round(performance.now() - t0);
  }
  return figures;

  async function check(name: string, planId: string, reference: boolean) {
    const p = await plan(planId);
    const state = JSON.stringify({
      status: p.status,
      stages: p.stages.map((s) => [s.key, s.status, s.confirmations.map((c) => `${c.party}:${c.by}`)]),
      milestones: p.milestones.map((m) => [m.id, m.status]),
    });
    if (p.needsAttention) figures.problems.push(`${name}: still needs attention`);
    // Emails: per recipient and subject (the deal's name taken out), exactly as in the reference run.
    const mail = (await outbox(url())).filter((e) => e.subject.startsWith(`[${name}]`));
    const counts = new Map<string, number>();
    for (const e of mail) {
      const key = `${e.to.join(',')}|${e.subject.slice(name.length + 2)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const events = (
      await getJson<
        { 'detail-type': string; detail: { planId?: string; eventId?: string; registrationId?: string } }[]
      >(`${url()}/_local/events`)
    ).body.filter((e) => e.detail.planId === planId);
    const eventCounts = new Map<string, number>();
    for (const e of events) eventCounts.set(e['detail-type'], (eventCounts.get(e['detail-type']) ?? 0) + 1);
    const executions = (await getJson<{ name: string; status: string }[]>(`${url()}/_local/executions`)).body;
    const failed = executions.filter((e) => e.name.startsWith(planId) && e.status === 'FAILED');
    if (reference) {
      referenceState = state;
      for (const [k, v] of counts) expectedEmails.set(k, v);
      referenceEvents = new Map(eventCounts);
      return;
    }
    if (state !== referenceState) {
      figures.wrongState++;
      figures.problems.push(`${name}: end state differs from the fault-free run: ${state}`);
    }
    for (const [k, v] of expectedEmails) {
      const got = counts.get(k) ?? 0;
      figures.emailsChecked += v;
      if (got < v) {
        figures.lost += v - got;
        figures.problems.push(`${name}: email lost: ${k}`);
      } else if (got > v) {
        figures.doubled += got - v;
        figures.problems.push(`${name}: email doubled: ${k}`);
      }
    }
    for (const [k, got] of counts) {
      if (!expectedEmails.has(k)) {
        figures.doubled += got;
        figures.problems.push(`${name}: email not in the fault-free run: ${k}`);
      }
    }
    for (const [type, v] of referenceEvents) {
      const got = eventCounts.get(type) ?? 0;
      figures.eventsChecked += v;
      if (got < v) figures.lost += v - got;
      if (got > v) figures.doubled += got - v;
      if (got !== v) figures.problems.push(`${name}: ${type} ${got} times, ${v} expected`);
    }
    const ids = events.map((e) => e.detail.eventId ?? e.detail.registrationId);
    if (new Set(ids).size !== ids.length) figures.problems.push(`${name}: an event id twice`);
    if (failed.length && !p.needsAttention) {
      figures.failedWithoutAttention += failed.length;
      figures.problems.push(`${name}: ${failed.length} failed execution(s) without needsAttention`);
    }
  }
}

let referenceState = '';
let referenceEvents = new Map<string, number>();

/** The newest gate email of stage `n` to `to` on deal `name`. */
function emailFor(mail: Awaited<ReturnType<typeof outbox>>, name: string, to: string, n: number) {
  const prefix =
    to === PEOPLE.lee
      ? `[${name}] ${CUSTOMER_TITLES[n - 1]}:`
      : `[${name}] Stage ${n}, ${STAGES[n - 1]?.title}:`;
  return mail.filter((e) => e.to.includes(to) && e.subject.startsWith(prefix)).at(-1);
}

/** Polls `done`; every 20 s without it, runs `remedy` (what ops would do), for at most 3 minutes. */
async function waitFor(done: () => Promise<boolean>, remedy: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  let last = t0;
  for (;;) {
    if (await done().catch(() => false)) return;
    if (performance.now() - t0 > 180_000) throw new Error('gave up waiting (3 minutes)');
    if (performance.now() - last > 20_000) {
      await remedy();
      last = performance.now();
    }
    await sleep(250);
  }
}

export function formatFigures(f: ChaosFigures): string {
  const faults = Object.entries(f.faults)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `chaos: ${f.runs} runs, ${f.deals} deals, ${f.kills} SIGKILLs, in ${Math.round(f.ms / 1000)} s`,
    `  faults injected: ${faults || 'none'}`,
    `  emails checked: ${f.emailsChecked}; events checked: ${f.eventsChecked}`,
    `  lost: ${f.lost}; doubled: ${f.doubled}; wrong end state: ${f.wrongState}; failed executions without needsAttention: ${f.failedWithoutAttention}`,
    ...f.problems.map((p) => `  ! ${p}`),
  ].join('\n');
}

export type { LocalStackProcess };

/** The ISO duration from `now` to 17:00Z of the next Monday-to-Friday day. */
