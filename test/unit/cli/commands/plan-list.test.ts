import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { cosell, PLANS_ROUTE as route } from './cosell-harness';

describe('cosell plan list', () => {
  it('lists plans as a table, filtered by partner and status; --json keeps the API shape', async () => {
    const all = await cosell(['plan', 'list'], { route });
    expect(all.stdout).toMatch(/^pl_1 +Globex +Northwind/m);
    expect(all.stdout).toContain('2 plans');
    const some = await cosell(['plan', 'list', '--partner', 'contoso', '--json'], { route });
    expect(JSON.parse(some.stdout).plans.map((p: { planId: string }) => p.planId)).toEqual(['pl_2']);
    expect(
      JSON.parse((await cosell(['plan', 'list', '--status', 'active', '--json'], { route })).stdout).plans,
    ).toHaveLength(1);
  });

  it('follows nextCursor to the last page and sends the filters to the API', async () => {
    const seen: URL[] = [];
    const row = (n: number) => ({
      planId: `pl_${n}`,
      name: 'Globex',
      partner: 'Northwind',
      account: 'Globex',
      stage: 'door-opener',
      status: 'active',
    });
    const run = await cosell(['plan', 'list', '--status', 'active', '--stage', 'door-opener', '--json'], {
      route: (r) => {
        const url = new URL(r.url);
        seen.push(url);
        const cursor = url.searchParams.get('cursor');
        if (!cursor) return { status: 200, body: { plans: [row(1), row(2)], nextCursor: 'c1' } };
        if (cursor === 'c1') return { status: 200, body: { plans: [row(3)], nextCursor: 'c2' } };
        return { status: 200, body: { plans: [row(4)] } };
      },
    });
    expect(JSON.parse(run.stdout).plans.map((p: { planId: string }) => p.planId)).toEqual([
      'pl_1',
      'pl_2',
      'pl_3',
      'pl_4',
    ]);
    expect(seen.map((u) => u.searchParams.get('cursor'))).toEqual([null, 'c1', 'c2']);
    expect(seen[0]?.searchParams.get('status')).toBe('active');
    expect(seen[0]?.searchParams.get('stage')).toBe('door-opener');
    expect(seen[0]?.searchParams.get('limit')).toBe('100');
  });

  it("exits 1 with the API's message on a server error", async () => {
    const run = await cosell(['plan', 'list'], {
      route: () => ({ status: 500, body: { error: 'internal error', issues: [] } }),
    });
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toBe('cosell: GET /plans failed (500): internal error\n');
  });
});
