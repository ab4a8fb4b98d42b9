import { describe, expect, it } from 'vitest';
import { CliError } from '../../../cli/exit-codes';
import { asProgramReport, formatReportCsv, formatReportTable } from '../../../cli/report-format';
import { reportToCsv } from '../../../lambdas/views/reports/report-csv';
import { REPORT } from './fixtures';

describe('asProgramReport', () => {
  it('accepts the API report and refuses an answer of another shape', () => {
    expect(asProgramReport(REPORT)).toBe(REPORT);
    expect(() => asProgramReport({ byPartner: {} })).toThrow(CliError);
    expect(() => asProgramReport([])).toThrow(/does not know/);
  });
});

describe('formatReportTable', () => {
  const text = formatReportTable(REPORT);

  it('prints a heading and the four tables of reportTables', () => {
    expect(text.split('\n')[0]).toBe(
      "Program report at 2027-03-20T12:00:00.000Z (USD, quarter 2027-Q1; stalled means open more than 14 days or past the gate's deadline)",
    );
    for (const title of [
      'Pipeline and revenue (USD)',
      'Stages (conversion to the next stage / median days, passed stages only)',
      'Quarterly targets',
      'Stalled now (open more than 14 days, or past the gate',
    ])
      expect(text).toContain(`\n${title}`);
  });

  it('has a row per partner and a Total row whose counts and money are the sums of the partners', () => {
    const row = (name: string) =>
      text.split('\n').find((line) => line.startsWith(`${name} `) && /\$/.test(line)) ?? '';
    expect(row('Northwind Integrators')).toMatch(
      /^Northwind Integrators +3 +2 +1 +0 +\$100,000 +\$50,000 +\$120,000 +\$0 +100\.0% +1$/,
    );
    expect(row('Contoso Partners')).toMatch(/^Contoso Partners +1 +0 +0 +1 +\$0 +\$0 +\$0 +\$0 +0\.0% +0$/);
    expect(row('Total')).toMatch(/^Total +4 +2 +1 +1 +\$100,000 +\$50,000 +\$120,000 +\$0 +50\.0% +1$/);
  });

  it('lists the stalled deal with whose move it is, and the deal off its partner plan', () => {
    expect(text).toMatch(
      /Globex platform migration +pl_\S+ +Northwind Integrators +Globex Corporation +2\. Door-opener move +30 /,
    );
    expect(text).toContain(
      'Accounts not on their partner plan (1)\n  Northwind Integrators: Globex platform migration (Initech)',
    );
  });

  it('says (none) for an empty table', () => {
    const quiet = { ...REPORT, stalled: [] };
    expect(formatReportTable(quiet)).toMatch(/Stalled now [^\n]*\n {2}\(none\)/);
  });
});

describe('formatReportCsv', () => {
  it("is the API's own CSV, summary or stalled", () => {
    expect(formatReportCsv(REPORT)).toBe(reportToCsv(REPORT));
    expect(formatReportCsv(REPORT, 'stalled')).toBe(reportToCsv(REPORT, 'stalled'));
    expect(
      formatReportCsv(REPORT)
        .split('\r\n')
        .map((l) => l.split(',')[0]),
    ).toEqual(['partner', 'Contoso Partners', 'Northwind Integrators', 'Total', '']);
  });
});
