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

  it("exits 1 with the API's message on a server error", async () => {
    const run = await cosell(['plan', 'list'], {
      route: () => ({ status: 500, body: { error: 'internal error', issues: [] } }),
    });
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toBe('cosell: GET /plans failed (500): internal error\n');
  });
});
