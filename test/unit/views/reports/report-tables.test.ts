import { describe, expect, it } from 'vitest';
import { programReport } from '../../../../lambdas/domain/reports';
import { reportTables } from '../../../../lambdas/views/reports/report-tables';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  programPartnerPlans,
} from '../../../../scripts/lib/program-fixture';

const report = programReport(generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans(), PROGRAM_NOW);

describe('reportTables', () => {
  it('gives the CLI tables with formatted figures', () => {
    const tables = reportTables(report);
    expect(tables.map((t) => t.title)).toEqual([
      'Pipeline and revenue (USD)',
      'Stages (conversion to the next stage / median days, passed stages only)',
      'Quarterly targets',
      "Stalled now (open more than 14 days, or past the gate's deadline)",
      'Forecast by expected close quarter (USD; weighted by stage 10/20/40/60/80%)',
      'Program return per quarter (USD; return = (won - fees - cost) / cost)',
    ]);
    const [money, , targets, stalled] = tables as [
      (typeof tables)[0],
      unknown,
      (typeof tables)[0],
      (typeof tables)[0],
    ];
    expect(money.rows.at(-1)).toEqual([
      'Total',
      '510',
      '265',
      '165',
      '80',
      '$7,450,000',
      '$7,900,000',
      '$3,600,000',
      '$6,950,000',
      '67.3%',
      '155',
    ]);
    expect(targets.rows.map((r) => r[0])).toEqual([
      'Contoso Partners',
      'Fabrikam Services',
      'Northwind Integrators',
      'Tailspin Cloud',
      'Total',
    ]);
    expect(stalled.rows).toHaveLength(155);
    expect(stalled.rows[0]?.slice(4)).toEqual([
      '2. Door-opener move',
      '30',
      '2027-04-19',
      'partner (Dana Whit)',
    ]);
  });
});
