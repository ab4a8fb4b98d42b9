import { describe, expect, it } from 'vitest';
import {
  filterByPartner,
  formatReportCsv,
  formatReportTable,
  mainSection,
  tabulateReport,
} from '../../../cli/report-format';
import { REPORT } from './fixtures';

describe('tabulateReport', () => {
  const report = tabulateReport(REPORT);

  it('turns scalars into a summary and records into tables, nested records into dotted columns', () => {
    expect(report.summary).toEqual([
      ['tenant', 'acme'],
      ['generatedAt', '2026-12-01T00:00:00.000Z'],
    ]);
    expect(report.sections.map((s) => s.title)).toEqual(['totals', 'byPartner', 'stalled']);
    const byPartner = report.sections[1];
    expect(byPartner?.columns).toEqual([
      'partner',
      'sourcedPipeline',
      'influencedPipeline',
      'wonRevenue',
      'winRate',
      'target.quarter',
      'target.amount',
    ]);
    expect(byPartner?.rows[1]).toMatchObject({ partner: 'Contoso', 'target.amount': 100000 });
  });

  it('prints tables with thousands separators and rates as percentages', () => {
    const text = formatReportTable(report);
    expect(text).toContain('tenant: acme');
    expect(text).toMatch(/^byPartner\npartner +sourcedPipeline/m);
    expect(text).toMatch(/Northwind Integrators +150,000 +0 +120,000 +50\.0%/);
  });

  it("keeps one partner's rows when asked, in every table that has a partner column", () => {
    const only = filterByPartner(report, 'contoso');
    expect(only.sections[1]?.rows.map((r) => r.partner)).toEqual(['Contoso']);
    expect(only.sections[2]?.rows).toHaveLength(1);
    expect(only.sections[0]?.rows).toHaveLength(1);
    expect(filterByPartner(report, 'Northwind Integrators').sections[2]?.rows).toEqual([]);
  });

  it('writes the per-partner table as CSV with raw numbers', () => {
    expect(mainSection(report)?.title).toBe('byPartner');
    expect(formatReportCsv(report).split('\r\n')).toEqual([
      'partner,sourcedPipeline,influencedPipeline,wonRevenue,winRate,target.quarter,target.amount',
      'Northwind Integrators,150000,0,120000,0.5,2026-Q4,300000',
      'Contoso,50000,50000,0,0,2026-Q4,100000',
      '',
    ]);
  });

  it('copes with a list of records, and with nothing', () => {
    expect(tabulateReport([{ a: 1 }]).sections[0]?.rows).toEqual([{ a: 1 }]);
    expect(formatReportTable(tabulateReport({}))).toBe('The report is empty.');
    expect(formatReportCsv(tabulateReport({}))).toBe('');
  });
});
