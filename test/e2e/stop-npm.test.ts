import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freePort, freshStateDir, pgrep, removeStateDir, repoRoot, sleep } from './helpers/local-stack';

// `npm start` as a newcomer runs it: a signal to npm's own process (not to the node process under it) stops
// everything, and while it runs `.cosell/endpoint` says where the stack listens (for the CLI).

it("stops the server and DynamoDB Local on a signal to npm's pid, and writes the endpoint while running", async () => {
  const stateDir = freshStateDir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), COSELL_STATE_DIR: stateDir, COSELL_NO_DEMO: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  npm.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  try {
    // Ready once it printed its banner (the endpoint file is written before).
    for (let i = 0; i < 600 && !/running locally on/.test(out); i++) await sleep(200);
    expect(out).toMatch(/running locally on/);
    expect(out).toContain(`Inbox (every email sent):   ${url}/_local/outbox`);
    expect(out).not.toMatch(/NodeVersionSupportWarning/);
    expect(readFileSync(join(stateDir, 'endpoint'), 'utf8').trim()).toBe(url);
    expect((await fetch(`${url}/plans`)).status).toBe(200);
    expect((await pgrep(stateDir)).length).toBeGreaterThan(0);

    process.kill(npm.pid as number, 'SIGTERM');

    let alive = true;
    // Polling on a keep-alive connection, as this loop does, once held server.close() open for good; each
    // part now stops within a bound (local/runtime.ts). A minute, for a loaded CI machine.
    for (let i = 0; i < 300 && alive; i++) {
      await sleep(200);
      alive =
        (await fetch(`${url}/plans`, { signal: AbortSignal.timeout(500) }).then(
          () => true,
          () => false,
        )) || (await pgrep(stateDir)).length > 0;
    }
    expect(alive, `still running after SIGTERM to npm; output:\n${out.slice(-2000)}`).toBe(false);
    expect(existsSync(join(stateDir, 'endpoint'))).toBe(false);
    // It stopped by its own shutdown (each part within its bound), not by the last-resort exit.
    expect(out).toMatch(/stopping the local stack\.\.\.\n[\s\S]*Stopped\./);
    expect(out).not.toMatch(/did not stop within/);
  } finally {
    npm.kill('SIGKILL');
    for (const line of await pgrep(stateDir)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    removeStateDir(stateDir);
  }
});
