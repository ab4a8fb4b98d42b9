import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LocalStack } from '../../../local/runtime';

// The reminder sweep, counted: how many run at once, and whether one starts once the stack is stopping.
const sweeps = vi.hoisted(() => ({
  inFlight: 0,
  most: 0,
  count: 0,
  startedWhileStopping: 0,
  ms: 40,
  stopping: false,
}));
vi.mock('../../../lambdas/handlers/reminder-sweep', () => ({
  handler: async () => {
    sweeps.count++;
    if (sweeps.stopping) sweeps.startedWhileStopping++;
    sweeps.inFlight++;
    sweeps.most = Math.max(sweeps.most, sweeps.inFlight);
    await new Promise((r) => setTimeout(r, sweeps.ms));
    sweeps.inFlight--;
  },
}));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const post = (url: string, body = '') => fetch(url, { method: 'POST', body });

describe('the local clock (local/runtime.ts)', () => {
  let stack: LocalStack;
  let stateDir: string;
  const lines: string[] = [];

  beforeAll(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    stateDir = mkdtempSync(join(tmpdir(), 'cosell-runtime-clock-'));
    const { startLocalStack } = await import('../../../local/runtime');
    stack = await startLocalStack({ port: await freePort(), stateDir, log: (line) => lines.push(line) });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs concurrent moves of the clock and manual sweeps one at a time: never two sweeps at once', async () => {
    const answers = await Promise.all([
      post(`${stack.url}/_local/clock`, JSON.stringify({ advance: 'PT2H' })),
      post(`${stack.url}/_local/sweep`),
      post(`${stack.url}/_local/clock`, JSON.stringify({ advance: 'PT3H' })),
      post(`${stack.url}/_local/sweep`),
      post(`${stack.url}/_local/clock`, JSON.stringify({ advance: 'PT1H' })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sweeps.count).toBeGreaterThanOrEqual(3);
    expect(sweeps.most).toBe(1);
  });

  it('stops with a move in flight: no sweep starts and the clock is not saved once stopping began', async () => {
    const clockFile = join(stateDir, 'clock.json');
    const before = existsSync(clockFile) ? readFileSync(clockFile, 'utf8') : undefined;
    sweeps.ms = 400;
    const counted = sweeps.count;
    const move = post(`${stack.url}/_local/clock`, JSON.stringify({ advance: 'P7D' })).catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (sweeps.inFlight === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(sweeps.count).toBe(counted + 1);
    sweeps.stopping = true;
    await stack.stop();
    // Stopping waited for the move in flight to end.
    expect(sweeps.inFlight).toBe(0);
    await move;
    await new Promise((r) => setTimeout(r, 100));
    expect(sweeps.startedWhileStopping).toBe(0);
    expect(existsSync(clockFile) ? readFileSync(clockFile, 'utf8') : undefined).toEqual(before);
    expect(lines.join('\n')).not.toMatch(/did not stop within|still ran after/);
  });
});
