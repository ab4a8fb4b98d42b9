/**
 * Local start: `npm run bench:start [-- --runs N]`. In one run it times
 *   1. DynamoDB Local alone, from spawn to answering (the floor: a JVM start), on a fresh data directory;
 *   2. `npm start` (`node --import tsx bin/local.ts`, COSELL_NO_DEMO=1) on a fresh state directory, from
 *      spawn to its HTTP server answering GET /_local/clock;
 * and prints both and their ratio (target: at most 1.5x). With --runs N, the medians of N rounds, each
 * round's figures and the load average. It also prints when each phase of the stack's start was done
 * (COSELL_START_TRACE=1), to see what dominates. The local runtime's bundle (local/runtime-bundle.ts) is
 * built first if its sources changed, so each round starts as a repeated `npm start` does; `--source`
 * times the start from source instead (COSELL_LOCAL_BUNDLE=0: what the first start after a change does).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/free-port';
import { ensureLocalRuntimeBundle } from '../local/runtime-bundle';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

async function dynamoDbAlone(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cosell-bench-ddb-'));
  const t0 = performance.now();
  const db = await startDynamoDbLocal({ dbPath: dir });
  const ms = performance.now() - t0;
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

/** The stack's ready time, and the phases it printed on the way (COSELL_START_TRACE=1, ms since its spawn). */
async function stackReady(fromSource: boolean): Promise<{ ms: number; phases: string[] }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'cosell-bench-start-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      COSELL_STATE_DIR: stateDir,
      COSELL_NO_DEMO: '1',
      COSELL_START_TRACE: '1',
      ...(fromSource ? { COSELL_LOCAL_BUNDLE: '0' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const phases: string[] = [];
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  // Each trace line, stamped on arrival with the time since spawn (the child's own clock starts later).
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^start: (.+) at \d+ ms$/.exec(line);
      if (m) phases.push(`${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s  ${m[1]}`);
    }
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the stack exited (${child.exitCode}):\n${err}`);
      if (performance.now() - t0 > 120_000) throw new Error(`the stack was not ready in 120 s:\n${err}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/_local/clock`);
        if (res.ok) return { ms: performance.now() - t0, phases };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const at = process.argv.indexOf('--runs');
  const runs = at > 0 ? Number(process.argv[at + 1]) : 1;
  const fromSource = process.argv.includes('--source');
  if (fromSource) console.log('npm start from source (COSELL_LOCAL_BUNDLE=0)');
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`load average before: ${load()}`);
  const alone: number[] = [];
  const stack: number[] = [];
  let phases: string[] = [];
  for (let r = 0; r < runs; r++) {
    // Untimed: a source edited since the last round (someone at work in the tree) would make this round a
    // start from source.
    const rebuilt = !fromSource && (await ensureLocalRuntimeBundle()) === 'built';
    alone.push(await dynamoDbAlone());
    const ready = await stackReady(fromSource);
    stack.push(ready.ms);
    phases = ready.phases;
    const [a, s] = [alone[r] as number, ready.ms];
    // Within the stack's start: when its DynamoDB Local was spawned and answered.
    const at = (phase: string) =>
      ready.phases
        .find((p) => p.endsWith(phase))
        ?.trim()
        .split(' ')[0] ?? '?';
    const ddb = `(its DynamoDB Local: spawned ${at('spawned (early)')} s, ready ${at('DynamoDB Local ready')} s)`;
    console.log(
      `run ${r + 1}: alone ${(a / 1000).toFixed(2)} s, stack ${(s / 1000).toFixed(2)} s ${ddb}, ${(s / a).toFixed(2)}x` +
        (rebuilt ? ' (bundle rebuilt before it)' : '') +
        (ready.phases.some((p) => p.includes('from source'))
          ? ' (from source: a source changed meanwhile)'
          : ''),
    );
  }
  console.log(`load average after: ${load()}`);
  const a = median(alone);
  const s = median(stack);
  console.log(`npm start, by phase (last run; the time since spawn each was done):\n${phases.join('\n')}`);
  console.log(`DynamoDB Local alone ready: ${(a / 1000).toFixed(2)} s`);
  console.log(`local stack (npm start) ready: ${(s / 1000).toFixed(2)} s`);
  console.log(`ratio: ${(s / a).toFixed(2)}x (target <= 1.5x)${runs > 1 ? `, medians of ${runs} runs` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
