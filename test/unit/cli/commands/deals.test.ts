import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { programReport } from '../../../../lambdas/domain/reports';
import { dashboardCells } from '../../../../lambdas/views/reports/dashboard-rows';
import {
  FORECAST_PROGRAM,
  FORECAST_PROGRAM_COST,
  forecastPartnerPlans,
} from '../../../../scripts/lib/forecast-program';
import { generateProgram, PROGRAM_NOW } from '../../../../scripts/lib/program-fixture';
import { cosell, type Route } from './cosell-harness';

const REPORT = JSON.parse(
  JSON.stringify(
    programReport(generateProgram(FORECAST_PROGRAM, PROGRAM_NOW), forecastPartnerPlans(), PROGRAM_NOW, {
      programCost: FORECAST_PROGRAM_COST,
    }),
  ),
);

describe('cosell deals', () => {
  const route: Route = (r) =>
    new URL(r.url).pathname === '/reports/program' ? { status: 200, body: REPORT } : undefined;

  it('prints one line per active deal in the dashboard order, and --json the dashboard itself', async () => {
    const table = await cosell(['deals'], { route });
    expect(table.code, table.stderr).toBe(ExitCode.ok);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('35 active deal(s) shown (needs-attention 7, stalled 9, at-risk 9, on-track 10)');
    expect(lines[1]).toMatch(
      /^Deal +Plan id +Partner +Account +Vendor owner +Stage +Days in stage +Whose move/,
    );
    expect(lines).toHaveLength(3 + 35);
    const first = dashboardCells(REPORT.dashboard.rows[0]);
    expect(lines[3]?.split(/ {2,}/)).toEqual(first);
    expect(JSON.parse((await cosell(['deals', '--json'], { route })).stdout)).toEqual(REPORT.dashboard);
  });

  it('passes --partner, --owner, --stage and --health to the API, and refuses an unknown health', async () => {
    const run = await cosell(
      [
        'deals',
        '--partner',
        'Contoso',
        '--owner',
        'sam@vendor.example',
        '--stage',
        'door-opener',
        '--health',
        'stalled',
      ],
      { route },
    );
    const query = new URL(run.requests[0]?.url ?? '').searchParams;
    expect(['partner', 'owner', 'stage', 'health'].map((k) => query.get(k))).toEqual([
      'Contoso',
      'sam@vendor.example',
      'door-opener',
      'stalled',
    ]);
    const bad = await cosell(['deals', '--health', 'fine'], { route });
    expect(bad.code).not.toBe(ExitCode.ok);
    expect(bad.stderr).toMatch(/Allowed choices are needs-attention, stalled, at-risk, on-track/);
  });

  it('exits 1 with a clear message when the API has no dashboard', async () => {
    const old: Route = (r) =>
      new URL(r.url).pathname === '/reports/program'
        ? { status: 200, body: { ...REPORT, dashboard: undefined } }
        : undefined;
    const run = await cosell(['deals'], { route: old });
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toMatch(/without the deals dashboard/);
  });
});
