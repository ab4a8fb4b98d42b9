import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

/**
 * The local stack as a user runs it: `node --import tsx bin/local.ts` (what `npm start` runs) as a child
 * process, with its own port and a fresh state directory, stopped with SIGINT (Ctrl-C). Everything the
 * tests do goes through HTTP and the links in the outbox emails; nothing here imports product code.
 */

export const repoRoot = resolve(import.meta.dirname, '../../..');
/** The reference plan, as the issue names it: `../shared/plan-example.yaml` from the repository. */
export const REFERENCE_PLAN_PATH = resolve(repoRoot, '../shared/plan-example.yaml');

const READY_TIMEOUT_MS = 120_000;
const EXIT_TIMEOUT_MS = 30_000;

export interface StackExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGINT to the process's exit. */
  stopMs: number;
  /** Processes whose command line names the state directory and were still there after the exit. */
  leftovers: string[];
}

export interface LocalStackProcess {
  url: string;
  port: number;
  stateDir: string;
  child: ChildProcess;
  /** From spawn to the first answered `GET /plans`. */
  startupMs: number;
  /** The DynamoDB Local java process(es) seen once the stack answered: `{pid, port}`. */
  dynamo: { pid: number; port: number }[];
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches `pattern` (or rejects after `timeoutMs`). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C: SIGINT, then waits for the exit and for every process under the state dir to be gone. */
  stop(): Promise<StackExit>;
  exited: boolean;
}

export interface StartOptions {
  /** Reuse a state directory (a restart); a fresh temp dir when omitted. */
  stateDir?: string;
  /** Reuse a port (a restart: the links in earlier emails name it); a free one when omitted. */
  port?: number;
  /** More environment for `npm start`, e.g. `COSELL_TENANT_FILE`. */
  env?: Record<string, string>;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function freshStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'cosell-e2e-'));
}

/** The environment a user's shell would give `npm start`: without the test runner's own variables. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k === 'NODE_ENV' || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** `pgrep -af <pattern>` lines (pid and command line); none when nothing matches. */
export function pgrep(pattern: string): Promise<string[]> {
  return new Promise((resolveLines, reject) => {
    execFile('pgrep', ['-af', pattern], (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException & { code?: number }).code !== 1) return reject(error);
      resolveLines(
        stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      );
    });
  });
}

export async function startStack(options: StartOptions = {}): Promise<LocalStackProcess> {
  const stateDir = options.stateDir ?? freshStateDir();
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: repoRoot,
    env: userEnv({ PORT: String(port), COSELL_STATE_DIR: stateDir, COSELL_NO_DEMO: '1', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const watchdog = ctrlCWhenWeDie(child.pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      watchdog.release();
      for (const l of listeners) l();
      r(exitInfo);
    }),
  );

  const stack: LocalStackProcess = {
    url,
    port,
    stateDir,
    child,
    startupMs: 0,
    dynamo: [],
    exited: false,
    output: () => out,
    waitForOutput: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolveWait, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            done();
            resolveWait();
          } else if (exitInfo) {
            done();
            reject(new Error(`the stack exited (${JSON.stringify(exitInfo)}) before printing ${pattern}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      const t0 = performance.now();
      if (!exitInfo) child.kill('SIGINT');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_TIMEOUT_MS).unref());
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await exited;
        await killLeftovers(stateDir);
        throw new Error(`the stack did not exit within ${EXIT_TIMEOUT_MS} ms of SIGINT; output:\n${out}`);
      }
      stack.exited = true;
      const stopMs = performance.now() - t0;
      // The stack stops DynamoDB Local before it exits; allow the OS a moment to reap what it killed.
      let leftovers = await pgrep(stateDir);
      for (let i = 0; i < 20 && leftovers.length > 0; i++) {
        await sleep(250);
        leftovers = await pgrep(stateDir);
      }
      if (leftovers.length > 0) await killLeftovers(stateDir);
      return { ...result, stopMs, leftovers };
    },
  };

  // Ready when `GET /plans` answers, as a user's first request would.
  for (;;) {
    if (exitInfo) {
      throw new Error(`the local stack exited while starting (${JSON.stringify(exitInfo)}):\n${out}`);
    }
    if (performance.now() - startedAt > READY_TIMEOUT_MS) {
      child.kill('SIGKILL');
      await killLeftovers(stateDir);
      throw new Error(`GET /plans did not answer within ${READY_TIMEOUT_MS} ms:\n${out}`);
    }
    try {
      const res = await fetch(`${url}/plans`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) {
        await res.arrayBuffer();
        break;
      }
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  stack.startupMs = performance.now() - startedAt;
  for (const line of await pgrep(stateDir)) {
    const m = /^(\d+) .*java .*DynamoDBLocal.*-port (\d+)/.exec(line);
    if (m) stack.dynamo.push({ pid: Number(m[1]), port: Number(m[2]) });
  }
  return stack;
}

/** Stops the stack with SIGINT and asserts a clean exit: code 0 and no DynamoDB Local left behind. */
export async function stopAndAssertClean(stack: LocalStackProcess): Promise<StackExit> {
  const exit = await stack.stop();
  expect(stack.dynamo, 'a DynamoDB Local java process was running under the state dir').not.toEqual([]);
  expect(exit.leftovers, `processes left under ${stack.stateDir}`).toEqual([]);
  for (const d of stack.dynamo) {
    expect(await pgrep(`DynamoDBLocal.*-port ${d.port}`), `DynamoDB Local on ${d.port}`).toEqual([]);
  }
  expect(
    { code: exit.code, signal: exit.signal },
    `exit after SIGINT; output:\n${stack.output().slice(-3000)}`,
  ).toEqual({ code: 0, signal: null });
  return exit;
}

/** Ctrl-C, then `npm start` again on the same state directory and port. */
export async function restartStack(
  stack: LocalStackProcess,
  env?: Record<string, string>,
): Promise<LocalStackProcess> {
  await stopAndAssertClean(stack);
  return startStack({ stateDir: stack.stateDir, port: stack.port, ...(env ? { env } : {}) });
}

/**
 * `COSELL_TENANT_FILE` for a local tenant that works every day with no escalation grace: for tests of gates
 * and restarts, whose clock steps must not depend on the weekday the test runs on (the working-day rules
 * have their own tests, in test/e2e/cadence-trust.test.ts).
 */
export function everyDayTenantEnv(): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'cosell-tenant-')), 'local.json');
  writeFileSync(
    file,
    `${JSON.stringify({
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'],
      escalationGraceBusinessDays: 0,
    })}\n`,
  );
  return { COSELL_TENANT_FILE: file };
}

/**
 * If the test process dies without stopping the stack (a crash, a killed worker, an aborted run), nobody
 * would send Ctrl-C: a small shell holds a pipe from us and sends SIGINT to the stack when the pipe closes.
 */
function ctrlCWhenWeDie(pid: number | undefined): { release(): void } {
  if (pid === undefined) return { release: () => undefined };
  const shell = spawn(
    '/bin/sh',
    ['-c', 'cat >/dev/null; kill -INT "$1" 2>/dev/null', 'e2e-watchdog', String(pid)],
    {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    },
  );
  shell.unref();
  (shell.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    // The stack has exited: end the watchdog without letting it signal (its pid may be reused later).
    release: () => {
      try {
        if (shell.pid !== undefined) process.kill(-shell.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      shell.stdin?.destroy();
    },
  };
}

/** Last resort after a failed stop: kill (by pid) whatever still runs under our own temp state dir. */
async function killLeftovers(stateDir: string): Promise<void> {
  for (const line of await pgrep(stateDir)) {
    const pid = Number(line.split(' ')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function removeStateDir(stateDir: string): void {
  rmSync(stateDir, { recursive: true, force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a value (not undefined), or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() - t0 > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

// ---- HTTP ----

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function getJson<T = unknown>(url: string): Promise<JsonResponse<T>> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

export async function postBody<T = unknown>(
  url: string,
  body: string | Buffer,
  contentType: string,
): Promise<JsonResponse<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test looks at the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface PlanView {
  planId: string;
  name: string;
  partner: string;
  status: 'active' | 'won' | 'lost';
  stage: string;
  stages: {
    key: string;
    status: 'pending' | 'open' | 'passed';
    confirmations: { party: string; by: string; at: string; evidence: Record<string, unknown> }[];
    waitingFor: { confirmations: string[]; milestones: string[] };
  }[];
  milestones: {
    id: string;
    stage: string;
    title: string;
    owner: { party: string; name: string; email: string };
    status: 'open' | 'done' | 'waived';
    handoff?: { from: string; to: string; acceptedAt?: string; acceptedBy?: string };
  }[];
  outcome?: { result: string; finalArr: number; lesson: string };
  registeredAt?: string;
  updatedAt: string;
}

export interface PlanSummary {
  planId: string;
  name: string;
  partner: string;
  stage: string;
  status: string;
}

export async function listPlans(base: string): Promise<PlanSummary[]> {
  const res = await getJson<{ plans: PlanSummary[] }>(`${base}/plans`);
  expect(res.status).toBe(200);
  return res.body.plans;
}

export async function getPlan(base: string, planId: string): Promise<PlanView> {
  const res = await getJson<PlanView>(`${base}/plans/${planId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export function stageOf(plan: PlanView, key: string): PlanView['stages'][number] {
  const s = plan.stages.find((x) => x.key === key);
  if (!s) throw new Error(`no stage ${key} in ${plan.planId}`);
  return s;
}

// ---- Outbox ----

export interface OutboxEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  links: string[];
  sentAt: string;
}

export interface EmailLink {
  /** The heading of the section the item is under, e.g. `Your milestones`. */
  section: string;
  /** The item's text, e.g. `Joint discovery call (due 2026-12-18)`. */
  item: string;
  label: string;
  url: string;
}

export async function outbox(base: string): Promise<OutboxEmail[]> {
  const res = await getJson<OutboxEmail[]>(`${base}/_local/outbox`);
  expect(res.status).toBe(200);
  return res.body;
}

export interface EmailQuery {
  to: string;
  subject: RegExp;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Subjects are `[<deal name>] <rest>`: a pattern for those starting with `rest`. */
export function subjectStarting(dealName: string, rest: string): RegExp {
  return new RegExp(`^${escapeRegExp(`[${dealName}] ${rest}`)}`);
}

export function matching(emails: OutboxEmail[], q: EmailQuery): OutboxEmail[] {
  const to = q.to.toLowerCase();
  return emails.filter((e) => e.to.some((x) => x.toLowerCase() === to) && q.subject.test(e.subject));
}

/** The newest email to `to` whose subject matches, waiting for it to arrive. */
export async function newestEmail(base: string, q: EmailQuery, timeoutMs = 30_000): Promise<OutboxEmail> {
  return waitFor(
    `an email to ${q.to} with subject ${q.subject}`,
    async () => matching(await outbox(base), q).at(-1),
    timeoutMs,
  );
}

/**
 * The links in an email's text part: each item is `- <text>`, each of its links `    <label>: <url>` under it,
 * and each section a heading line after a blank line.
 */
export function parseEmailLinks(text: string): EmailLink[] {
  const links: EmailLink[] = [];
  let section = '';
  let item = '';
  let previousBlank = false;
  for (const line of text.split('\n')) {
    const link = /^ {4}(.+?): (https?:\/\/\S+)$/.exec(line);
    if (link) {
      links.push({ section, item, label: link[1] as string, url: link[2] as string });
    } else if (line.startsWith('- ')) {
      item = line.slice(2);
    } else if (previousBlank && line.trim() !== '') {
      section = line.trim();
      item = '';
    }
    previousBlank = line.trim() === '';
  }
  return links;
}

/** The one link labelled `label` in the email (under the item starting with `item`, when given). */
export function linkIn(email: OutboxEmail, label: string, item?: string): string {
  const all = parseEmailLinks(email.text);
  const found = all.filter((l) => l.label === label && (item === undefined || l.item.startsWith(item)));
  if (found.length !== 1) {
    const listing = all.map((l) => `  [${l.section}] ${l.item} -> ${l.label}`).join('\n');
    throw new Error(
      `expected one "${label}" link${item ? ` under "${item}"` : ''} in "${email.subject}" to ${email.to.join(', ')}, found ${found.length}:\n${listing}`,
    );
  }
  const url = (found[0] as EmailLink).url;
  // The structured list the outbox gives agrees with what the text shows.
  expect(email.links).toContain(url);
  return url;
}

// ---- Events ----

export interface BusEvent {
  'detail-type': string;
  source: string;
  detail: Record<string, unknown> & { planId?: string };
  time: string;
}

export async function events(base: string): Promise<BusEvent[]> {
  const res = await getJson<BusEvent[]>(`${base}/_local/events`);
  expect(res.status).toBe(200);
  return res.body;
}

export async function eventsFor(base: string, planId: string, detailType?: string): Promise<BusEvent[]> {
  return (await events(base)).filter(
    (e) => e.detail?.planId === planId && (detailType === undefined || e['detail-type'] === detailType),
  );
}

// ---- Plans ----

/** The date the reference plan's dates were written against: all of them lie ahead of it. */
const REFERENCE_TODAY = Date.UTC(2026, 10, 23);
const DAY_MS = 86_400_000;

export function referencePlanYaml(): string {
  return readFileSync(REFERENCE_PLAN_PATH, 'utf8');
}

/** The local stack's clock (moved by `POST /_local/clock`). */
export async function localNow(base: string): Promise<Date> {
  const res = await getJson<{ now: string }>(`${base}/_local/clock`);
  expect(res.status).toBe(200);
  return new Date(res.body.now);
}

/**
 * The reference plan under another name, its dates moved by whole days so that they lie as far ahead of
 * the local clock's today as they lie ahead of 2026-11-23 (so tests that move the clock see the same
 * deadlines whenever they run).
 */
export async function referencePlanVariant(base: string, name: string): Promise<string> {
  const now = await localNow(base);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const shift = Math.round((today - REFERENCE_TODAY) / DAY_MS);
  const yaml = referencePlanYaml().replace(/^name: .*$/m, `name: ${name}`);
  return yaml.replace(/\b(\d{4}-\d{2}-\d{2})\b/g, (d) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + shift * DAY_MS).toISOString().slice(0, 10),
  );
}

export async function createPlan(base: string, yaml: string): Promise<{ planId: string; name: string }> {
  const res = await postBody<{ planId: string; name: string }>(`${base}/plans`, yaml, 'application/yaml');
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.planId).toMatch(/^pl_/);
  return res.body;
}

// ---- Link pages ----

export interface FormField {
  name: string;
  type: string;
  required: boolean;
  values: string[];
}

/** The page's form fields (input and textarea, by name; radio and checkbox values collected). */
export function formFields(html: string): Map<string, FormField> {
  const fields = new Map<string, FormField>();
  const form = /<form\b[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(html)?.[1] ?? '';
  for (const m of form.matchAll(/<(input|textarea)\b([^>]*)>/gi)) {
    const attrs = m[2] as string;
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    const type =
      m[1]?.toLowerCase() === 'textarea' ? 'textarea' : (/\btype="([^"]*)"/.exec(attrs)?.[1] ?? 'text');
    const value = /\bvalue="([^"]*)"/.exec(attrs)?.[1];
    const field = fields.get(name) ?? { name, type, required: false, values: [] };
    if (/\brequired\b/.test(attrs)) field.required = true;
    if (value !== undefined) field.values.push(value);
    fields.set(name, field);
  }
  return fields;
}

/** A page's visible text: tags dropped, entities decoded, whitespace collapsed. */
export function pageText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Waits for the stack to be at rest: no workflow task running, every event on the bus taken by its rules
 * (the announcements an earlier click set going are sent). Read a "before" after this.
 */
export async function settle(base: string): Promise<void> {
  const settled = await fetch(`${base}/_local/settle`, { method: 'POST' });
  expect(settled.status).toBe(200);
}

/**
 * What must not change when a page is only viewed: the deal, its emails and its events. Read with the stack
 * at rest, so that what an earlier click set going (the workflow's next task, the announcements its deal
 * event sends) is counted before, not mistaken for the page's doing.
 */
export async function observable(base: string, planId: string) {
  await settle(base);
  const plan = await getPlan(base, planId);
  const prefix = `[${plan.name}]`;
  return {
    plan,
    emails: (await outbox(base)).filter((e) => e.subject.startsWith(prefix)).length,
    events: (await eventsFor(base, planId)).length,
  };
}

/** The reference plan's people by address, as pages name them. */
export const PERSON_NAMES: Record<string, string> = {
  'ana.ruiz@vendor.example': 'Ana Ruiz',
  'dana.whit@northwind.example': 'Dana Whit',
  'lee.park@globex.example': 'Lee Park',
  'sam.ortiz@vendor.example': 'Sam Ortiz',
  'kim.lau@vendor.example': 'Kim Lau',
  'raj.mehta@northwind.example': 'Raj Mehta',
};

export interface UseLinkOptions {
  planId: string;
  /** The page's heading, e.g. `Confirm the gate`. */
  action: string;
  /** The deal's name, shown on the page. */
  deal: string;
  /** Who the link is for, shown on the page. */
  recipient: string;
  /** The form's fields, exactly those the page asks for (every required one). */
  form?: Record<string, string>;
}

/**
 * What a person does with a link: open it (GET: the page says what, on which deal, for whom, and nothing
 * changes), then submit its form (POST, form-encoded). Returns the result page's text.
 */
export async function useLink(base: string, url: string, o: UseLinkOptions): Promise<string> {
  const before = await observable(base, o.planId);
  const page = await fetch(url);
  const html = await page.text();
  expect(page.status, pageText(html)).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const text = pageText(html);
  expect(text).toContain(o.action);
  expect(text).toContain(`Deal ${o.deal}`);
  // Pages name people, not addresses.
  expect(text).toContain(`For ${PERSON_NAMES[o.recipient.toLowerCase()] ?? o.recipient}`);
  const form = o.form ?? {};
  const fields = formFields(html);
  for (const f of fields.values()) {
    if (f.required) expect(form, `the page requires ${f.name}`).toHaveProperty(f.name);
  }
  for (const [name, value] of Object.entries(form)) {
    const field = fields.get(name);
    expect(field, `the page has no field ${name} (it has ${[...fields.keys()].join(', ')})`).toBeDefined();
    if (field && (field.type === 'radio' || field.type === 'checkbox')) expect(field.values).toContain(value);
  }
  expect(await observable(base, o.planId), 'GET of a link page changed something').toEqual(before);

  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const resultHtml = await res.text();
  const result = pageText(resultHtml);
  expect(res.status, result).toBe(200);
  expect(resultHtml.includes('<h1>Done</h1>'), `the form was not accepted: ${result}`).toBe(true);
  return result;
}

/**
 * A link that must refuse: GET and POST both answer `status` with a page matching `says`, and nothing changes.
 */
export async function expectRefused(
  base: string,
  url: string,
  o: { planId: string; status: number; says: RegExp; form?: Record<string, string> },
): Promise<void> {
  const before = await observable(base, o.planId);
  const view = await fetch(url);
  const viewText = pageText(await view.text());
  expect(view.status, viewText).toBe(o.status);
  expect(view.headers.get('content-type')).toMatch(/^text\/html/);
  expect(viewText).toMatch(o.says);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(o.form ?? {}).toString(),
  });
  const text = pageText(await res.text());
  expect(res.status, text).toBe(o.status);
  expect(text).toMatch(o.says);
  expect(await observable(base, o.planId), 'a refused link changed something').toEqual(before);
}

// ---- Pages, state and clock (for tests that probe links directly) ----

/** The advance (`PT…S`) to the next weekday after `now`, 17:00Z: working hours for every reference person. */
export function toWorkingDay1700Z(now: Date): string {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 17));
  while (at.getUTCDay() === 0 || at.getUTCDay() === 6) at.setUTCDate(at.getUTCDate() + 1);
  return `PT${Math.ceil((at.getTime() - now.getTime()) / 1000)}S`;
}

/** Moves the local stack's clock forward (`{"advance": "P15D"}`); answers once what fell due is done. */
export async function advanceClock(base: string, advance: string): Promise<Date> {
  const res = await postBody<{ now: string }>(
    `${base}/_local/clock`,
    JSON.stringify({ advance }),
    'application/json',
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return new Date(res.body.now);
}

/**
 * Announcements keep the recipient's quiet hours, working days and daily cap (issue 14): the local clock
 * (which starts at the real time) moves on an hour at a time until `done` holds, as at most the next working
 * morning of every owner (a weekend at most: 80 hours).
 */
export async function advanceUntil(base: string, done: (mails: OutboxEmail[]) => boolean): Promise<void> {
  for (let hour = 0; hour < 80 && !done(await outbox(base)); hour++) await advanceClock(base, 'PT1H');
  expect(done(await outbox(base))).toBe(true);
}

export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
  /** `pageText(html)`. */
  text: string;
}

/** One request to a link page: GET, HEAD, or POST of `form` (form-encoded, as the page's form sends it). */
export async function fetchPage(
  url: string,
  method: 'GET' | 'HEAD' | 'POST' = 'GET',
  form: Record<string, string> = {},
): Promise<PageResponse> {
  const res = await fetch(url, {
    method,
    ...(method === 'POST'
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });
  const html = await res.text();
  return { status: res.status, headers: res.headers, html, text: pageText(html) };
}

/**
 * Everything a link could change, byte for byte: the deal as `GET /plans/{planId}` answers it, the whole
 * outbox and every event on the bus. Read with the stack at rest (see `observable`).
 */
export async function exactState(
  base: string,
  planId: string,
): Promise<{ plan: string; outbox: string; events: string }> {
  await settle(base);
  const read = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  return {
    plan: await read(`/plans/${planId}`),
    outbox: await read('/_local/outbox'),
    events: await read('/_local/events'),
  };
}
