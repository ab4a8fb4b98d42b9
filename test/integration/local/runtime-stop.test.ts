import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const stateDir = mkdtempSync(join(tmpdir(), 'cosell-runtime-stop-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

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

const canListen = (port: number) =>
  new Promise<boolean>((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });

/** Processes whose command line names the state directory (DynamoDB Local's `-dbPath`). */
const processesOn = (dir: string) =>
  new Promise<string[]>((resolveLines) =>
    execFile('pgrep', ['-f', dir], (_error, stdout) => resolveLines(stdout.split('\n').filter(Boolean))),
  );

it('stopped while it starts: start-up goes no further and nothing is left running', async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { startLocalStack } = await import('../../../local/runtime');
  const port = await freePort();
  const stopping = new AbortController();
  const phases: string[] = [];
  const starting = startLocalStack({
    port,
    stateDir,
    log: () => undefined,
    signal: stopping.signal,
    trace: (phase) => {
      phases.push(phase);
      // The emulators are up, DynamoDB Local is booting, the HTTP server is yet to start.
      if (phase === 'emulators listening') stopping.abort();
    },
  });
  await expect(starting).rejects.toThrow(/stopped while it started/);
  expect(phases).not.toContain('HTTP server listening');
  expect(await canListen(port)).toBe(true);
  expect(await processesOn(join(stateDir, 'dynamodb'))).toEqual([]);
});
