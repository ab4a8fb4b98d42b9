import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { MAX_PLAN_BYTES } from '../../../../lambdas/domain/plan-document';
import {
  cosell,
  PARTNER_PLAN_EXAMPLE as file,
  partnerPlansRoute,
  type Route,
  tempDir,
} from './cosell-harness';

describe('cosell partner-plan put', () => {
  it('puts a partner plan file', async () => {
    const seen: { method: string; contentType: string | null }[] = [];
    const put = await cosell(['partner-plan', 'put', file], { route: partnerPlansRoute(seen) });
    expect(put.code, put.stderr).toBe(ExitCode.ok);
    expect(put.stdout).toBe(
      'Stored the partner plan for Northwind Integrators: 4 target accounts, target 600000 USD in 2027-Q1\n',
    );
    expect(seen[0]?.contentType).toBe('application/yaml');
  });

  it("prints the API's problems with a partner plan at their lines (exit 2)", async () => {
    const route: Route = (r) =>
      new URL(r.url).pathname === '/partner-plans'
        ? {
            status: 400,
            body: {
              error: 'the partner plan is not valid',
              issues: [{ path: 'quarterlyTarget.arr', message: 'must be more than 0' }],
            },
          }
        : undefined;
    const run = await cosell(['partner-plan', 'put', file], { route });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toMatch(
      /partner-plan-northwind\.yaml:\d+:\d+ {2}quarterlyTarget\.arr {2}must be more than 0/,
    );
  });

  it('sends nothing for a file the API would not read (exit 2)', async () => {
    const large = join(tempDir(), 'large.yaml');
    writeFileSync(large, `kind: PartnerPlan\n# ${'x'.repeat(MAX_PLAN_BYTES)}\n`);
    const run = await cosell(['partner-plan', 'put', large], { route: partnerPlansRoute() });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.requests).toHaveLength(0);
    expect(run.stderr).toBe(`${large}:1:1  (root)  the plan file is larger than the 256 KB limit\n`);
  });
});
