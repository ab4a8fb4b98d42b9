import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpServer } from '../../../local/http-server';

// The local HTTP server as API Gateway: a path that is not valid percent-encoding is a 400 before any
// function sees it (it was a 500 with a stack trace).

let server: Server;
let base: string;
const calls: string[] = [];

beforeAll(async () => {
  const handler = async (event: { rawPath: string }) => {
    calls.push(event.rawPath);
    return { statusCode: 200, body: 'ok' };
  };
  server = await startHttpServer(
    { plansApi: handler, reportsApi: handler, actionLink: handler, dealRoom: handler, local: {} } as never,
    0,
  );
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

it('answers /a/%ZZ with 400 and a JSON reason, calling no handler', async () => {
  const res = await fetch(`${base}/a/%ZZ`);

  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: 'the path is not valid percent-encoding' });
  expect(calls).toEqual([]);
});

it('still passes a well-formed token to the action-link handler', async () => {
  const res = await fetch(`${base}/a/abc.def`);

  expect(res.status).toBe(200);
  expect(calls).toEqual(['/a/abc.def']);
});
