#!/usr/bin/env -S npx tsx
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MissingJavaError, startStateDynamoDb } from '../local/dynamodb-process';
import { PortInUseError } from '../local/free-port';

/**
 * `npm start`: Cosell Flow on this machine, no AWS account needed. Data lives in `.cosell/` and survives
 * restarts; Ctrl-C, a signal to npm, or npm going away stops every child process. The URL it listens on is
 * written to `.cosell/endpoint`, where the CLI finds it whatever `PORT` says.
 */
// The SDK's Node-version notice is for deployments; locally it would print on every start (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = Number(process.env.PORT ?? 3000);
const stateDir = process.env.COSELL_STATE_DIR ?? '.cosell';
const demoPlan = resolve(import.meta.dirname, '../examples/globex-platform-migration.yaml');

/** After a signal, the stack has this long to stop before the process exits regardless. */
const STOP_LIMIT_MS = 45_000;

/** Set on Ctrl-C: whatever start-up was still doing fails as the services stop, and that is no error. */
let stopping = false;

/** `npm run reset`: local data is cleared (unless a stack still runs on it), then the demo loads again. */
async function resetState(): Promise<void> {
  const dir = resolve(stateDir);
  let running: string | undefined;
  try {
    running = readFileSync(join(dir, 'endpoint'), 'utf8').trim();
  } catch {
    running = undefined;
  }
  // A stack killed outright leaves its endpoint file behind: only one that still answers blocks the reset.
  const alive =
    running !== undefined &&
    (await fetch(`${running}/_local/clock`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    ));
  if (alive) {
    throw new Error(
      `a local stack still runs on ${dir} (${running}): stop it first (Ctrl-C), then npm run reset`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`Cleared ${dir}.`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--reset')) await resetState();
  // COSELL_START_TRACE=1: when each part of the start was done, in ms since this process started.
  const trace =
    process.env.COSELL_START_TRACE === '1'
      ? (phase: string) => console.log(`start: ${phase} at ${Math.round(performance.now())} ms`)
      : undefined;
  // DynamoDB Local (a JVM, the slowest part) starts before the rest of the stack is even loaded.
  const dynamodb = await startStateDynamoDb(stateDir, (line) => console.log(line));
  trace?.('DynamoDB Local spawned (early)');
  const endpointFile = join(resolve(stateDir), 'endpoint');
  // The signals are handled from here on, start-up included: a Ctrl-C while the stack still starts aborts
  // the start, which stops what had started (local/runtime.ts) before it rejects.
  const abort = new AbortController();
  let starting: Promise<unknown> | undefined;
  let stack: Awaited<ReturnType<typeof import('../local/runtime')['startLocalStack']>> | undefined;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    rmSync(endpointFile, { force: true });
    // Each part stops within its own bound (local/runtime.ts); this is the last resort. Exiting kills
    // DynamoDB Local's process group too (its exit hook).
    setTimeout(() => {
      console.error(`The local stack did not stop within ${STOP_LIMIT_MS / 1000} s: exiting anyway.`);
      process.exit(1);
    }, STOP_LIMIT_MS);
    if (stack) await stack.stop();
    else {
      abort.abort();
      await starting?.catch(() => undefined);
      // The runtime stops DynamoDB Local once it has it; one that never got that far is stopped here.
      await dynamodb.starting.then((db) => db.stop()).catch(() => undefined);
    }
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // From a cached bundle, not module by module through tsx (from source while a changed one is rebuilt).
  const { loadLocalRuntime } = await import('../local/runtime-bundle');
  const { startLocalStack } = await loadLocalRuntime(trace ? { trace } : {});
  trace?.('local runtime loaded');
  if (stopping) return;
  starting = startLocalStack({ port, stateDir, dynamodb, signal: abort.signal, ...(trace ? { trace } : {}) });
  stack = (await starting) as NonNullable<typeof stack>;
  // A signal to npm's own process ends npm without always passing it on: when our parent goes away
  // (we are re-parented), stop too, so no server or DynamoDB Local is left behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown('parent process exited');
  }, 500).unref();
  mkdirSync(resolve(stateDir), { recursive: true });
  writeFileSync(endpointFile, `${stack.url}\n`);

  const plans = (await (await fetch(`${stack.url}/plans`)).json()) as { plans: { planId: string }[] };
  let planId = plans.plans[0]?.planId;
  let demoLoaded = false;
  if (!planId && process.env.COSELL_NO_DEMO !== '1') {
    const res = await fetch(`${stack.url}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: readFileSync(demoPlan, 'utf8'),
    });
    const created = (await res.json()) as { planId: string };
    planId = created.planId;
    demoLoaded = true;
    console.log(`Loaded the demo plan (${demoPlan}).`);
  }
  // A link is a capability: print one only for the demo deal this start loaded, never someone else's.
  const firstLink = demoLoaded ? await firstActionLink(stack.url) : undefined;
  const room = demoLoaded && planId ? await vendorRoomLink(stack.url, planId) : undefined;
  console.log(
    [
      '',
      `Cosell Flow is running locally on ${stack.url}`,
      `  Inbox (every email sent):   ${stack.url}/_local/outbox   (open it in a browser)`,
      ...(room ? [`  The demo deal's room:       ${room}   (as the vendor owner)`] : []),
      ...(firstLink ? [`  First action link:          ${firstLink}`] : []),
      ...(planId ? [`  The plan:                   ${stack.url}/plans/${planId}`] : []),
      `  Events on the tenant bus:   ${stack.url}/_local/events`,
      `  Move the clock:             curl -X POST ${stack.url}/_local/clock -d '{"advance":"PT72H"}'`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

/** The vendor owner's view link to the deal room (`POST /plans/{id}/room-link`, as `cosell plan room` asks). */
async function vendorRoomLink(url: string, planId: string): Promise<string | undefined> {
  const res = await fetch(`${url}/plans/${encodeURIComponent(planId)}/room-link`, { method: 'POST' });
  return res.ok ? ((await res.json()) as { url: string }).url : undefined;
}

/** The workflow opens stage 1 just after the plan is loaded; wait briefly for its first email. */
async function firstActionLink(url: string): Promise<string | undefined> {
  for (let i = 0; i < 50; i++) {
    const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as { links: string[] }[];
    const link = outbox.flatMap((m) => m.links)[0];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

main().catch((error) => {
  if (stopping) return; // the shutdown handler finishes stopping and exits 0
  // By name: the runtime's PortInUseError is the bundle's own class (local/runtime-bundle.ts), not this one.
  if (error instanceof MissingJavaError || (error instanceof Error && error.name === PortInUseError.name)) {
    console.error(error.message);
  } else {
    console.error('The local stack could not start:', error instanceof Error ? error.message : error);
    if (process.env.DEBUG) console.error(error);
  }
  process.exit(1);
});
