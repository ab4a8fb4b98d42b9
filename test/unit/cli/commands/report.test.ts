import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { reportToCsv } from '../../../../lambdas/views/reports/report-csv';
import { REPORT } from '../fixtures';
import { cosell, type Route } from './cosell-harness';

describe('cosell report', () => {
  const route: Route = (r) =>
    new URL(r.url).pathname === '/reports/program' ? { status: 200, body: REPORT } : undefined;

  it('exits 1 with a clear message while the API has no program report', async () => {
    const run = await cosell(['report']);
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toMatch(
      /^cosell: the API at http:\/\/127\.0\.0\.1:3000 has no program report \(GET \/reports\/program answered 404/,
    );
  });

  it('prints tables, JSON or CSV, and passes --partner, --stall-days and --currency to the API', async () => {
    const table = await cosell(['report'], { route });
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toMatch(/^Pipeline and revenue \(USD\)$/m);
    expect(table.stdout).toMatch(/^Total +4 +2 +1 +1 /m);
    const csv = await cosell(
      ['report', '--format', 'csv', '--partner', 'Contoso', '--stall-days', '21', '--currency', 'USD'],
      { route },
    );
    const query = new URL(csv.requests[0]?.url ?? '').searchParams;
    expect([query.get('partner'), query.get('stallDays'), query.get('currency')]).toEqual([
      'Contoso',
      '21',
      'USD',
    ]);
    expect(csv.stdout).toBe(reportToCsv(REPORT));
    const stalled = await cosell(['report', '--format', 'csv', '--table', 'stalled'], { route });
    expect(stalled.stdout).toBe(reportToCsv(REPORT, 'stalled'));
    expect(JSON.parse((await cosell(['report', '--json'], { route })).stdout)).toEqual(REPORT);
  });

  it('exits 3 when --partner names a partner the report does not have', async () => {
    const empty: Route = (r) =>
      new URL(r.url).pathname === '/reports/program'
        ? { status: 200, body: { ...REPORT, partners: [], partnerFilter: 'Nobody' } }
        : undefined;
    const run = await cosell(['report', '--partner', 'Nobody'], { route: empty });
    expect(run.code).toBe(ExitCode.notFound);
    expect(run.stderr).toMatch(/no deals and no partner plan for partner "Nobody"/);
  });
});
