import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { cosell, type Route } from './cosell-harness';

const LINK = {
  planId: 'pl_0123456789abcdef0123',
  recipient: 'ana.ruiz@vendor.example',
  url: 'http://127.0.0.1:3000/room/abc.def',
  expiresAt: '2027-03-01T12:00:00.000Z',
};

const route: Route = (request) => {
  const path = new URL(request.url).pathname;
  if (request.method === 'POST' && path === `/plans/${LINK.planId}/room-link`)
    return { status: 200, body: LINK };
  return undefined;
};

describe('cosell plan room', () => {
  it("prints the vendor owner's view link, or the whole answer with --json", async () => {
    const run = await cosell(['plan', 'room', LINK.planId], { route });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toBe(`${LINK.url}\n`);
    expect(run.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `POST /plans/${LINK.planId}/room-link`,
    ]);
    const json = await cosell(['plan', 'room', LINK.planId, '--json'], { route });
    expect(JSON.parse(json.stdout)).toEqual(LINK);
  });

  it('exits 3 for an unknown plan id', async () => {
    const run = await cosell(['plan', 'room', 'pl_nope'], { route });
    expect(run.code).toBe(ExitCode.notFound);
    expect(run.stderr).toBe('cosell: no plan with id pl_nope (see: cosell plan list)\n');
  });
});
