import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { closeHttpServer, startHttpServer } from '../../../local/http-server';

// `npm start` stopping while a client polls on a keep-alive connection (the stop-npm e2e test does, every
// 200 ms): server.close() alone waited for that connection to go idle, which it never did, and the stack
// never stopped. closeHttpServer ends it after the answer in flight.

it('stops while a client keeps polling on a keep-alive connection, once the answer in flight is sent', async () => {
  const slow = async () => {
    await new Promise((r) => setTimeout(r, 300));
    return { status: 200, body: 'ok' };
  };
  const server = await startHttpServer(
    { local: { 'GET /slow': slow } } as unknown as Parameters<typeof startHttpServer>[0],
    0,
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
  let answered = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await fetch(url, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.text())
        .then(
          () => answered++,
          () => undefined,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await new Promise((r) => setTimeout(r, 500)); // a request is in flight on the kept-alive connection
  const forced = await closeHttpServer(server, 5_000);
  polling = false;
  await poller;

  expect(forced).toBe(0); // closed by itself after its last answer, not destroyed at the grace's end
  expect(answered).toBeGreaterThan(0);
  await expect(fetch(url)).rejects.toThrow();
});
