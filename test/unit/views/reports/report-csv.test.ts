import { describe, expect, it } from 'vitest';
import { programReport } from '../../../../lambdas/domain/reports';
import { reportToCsv } from '../../../../lambdas/views/reports/report-csv';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  programPartnerPlans,
} from '../../../../scripts/lib/program-fixture';

// The figures are worked out by hand in test/unit/domain/reports.test.ts; here only how they are written.
const report = programReport(generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans(), PROGRAM_NOW);

describe('reportToCsv', () => {
  it('writes one row per partner and a total, amounts and rates exact', () => {
    const lines = reportToCsv(report).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 5 + 1);
    const header = (lines[0] as string).split(',');
    const total = (lines[6] as string).split(',');
    const col = (name: string) => total[header.indexOf(name)];
    expect(col('partner')).toBe('Total');
    expect(col('deals')).toBe('510');
    expect(col('open_pipeline_sourced')).toBe('7450000');
    expect(col('open_pipeline_influenced')).toBe('7900000');
    expect(col('won_total')).toBe('10550000');
    expect(col('win_rate')).toBe('0.6735'); // 165 / 245
    expect(col('stage1_median_days')).toBe('2.5');
    expect(col('stage5_conversion')).toBe('0.5593'); // 165 / 295
    expect(col('target_arr')).toBe('6500000');
    expect(col('target_progress')).toBe('1.3923');
    const litware = (lines[3] as string).split(',');
    expect(litware[header.indexOf('target_quarter')]).toBe('');
    expect(litware[header.indexOf('stage5_median_days')]).toBe('');
  });

  it('quotes text and defuses spreadsheet formulas', () => {
    const deal = generateProgram(
      [
        {
          partner: '=HYPERLINK("x"), Inc',
          rows: [
            {
              count: 1,
              attribution: 'sourced',
              arr: [1, 1],
              fate: { kind: 'active', stage: 1, openDays: 30 },
              days: [],
            },
          ],
        },
      ],
      PROGRAM_NOW,
    );
    const r = programReport(deal, [], PROGRAM_NOW);
    expect(reportToCsv(r).split('\r\n')[1]).toMatch(/^"'=HYPERLINK\(""x""\), Inc",USD,1,/);
    expect(reportToCsv(r, 'stalled').split('\r\n')[1]).toContain(`"'=HYPERLINK(""x""), Inc"`);
  });
});
