import type { ProgramReport } from '../lambdas/domain/reports';
import { reportToCsv } from '../lambdas/views/reports/report-csv';
import { reportTables, type Table } from '../lambdas/views/reports/report-tables';
import { CliError, ExitCode } from './exit-codes';
import { type Column, renderTable } from './table-format';

/**
 * The program report (`GET /reports/program`) for a terminal or a spreadsheet, laid out by the same
 * functions the API's own CSV uses (`reportTables`, `reportToCsv` in lambdas/views/reports/), so the CLI
 * and the API can never disagree on a figure.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The API's answer as a program report, or a clear failure for an answer of another shape. */
export function asProgramReport(body: unknown): ProgramReport {
  const ok =
    isRecord(body) &&
    typeof body.currency === 'string' &&
    typeof body.generatedAt === 'string' &&
    isRecord(body.total) &&
    isRecord(body.total.deals) &&
    Array.isArray(body.partners) &&
    Array.isArray(body.stalled);
  if (!ok) {
    throw new CliError(
      'GET /reports/program answered a report this CLI does not know (update the CLI, or use --json)',
      ExitCode.failure,
    );
  }
  return body as unknown as ProgramReport;
}

/** Money, counts, rates and day figures line up on the right; names and stage cells on the left. */
const NUMERIC = /^(?:[-–]|[$€£¥]?-?[\d,.]+%?(?: [A-Z]{3})?)$/;

function tableText(table: Table): string {
  const columns: Column<string[]>[] = table.columns.map((header, index) => ({
    header,
    value: (row) => row[index],
    align:
      index > 0 && table.rows.length > 0 && table.rows.every((row) => NUMERIC.test(row[index] ?? ''))
        ? 'right'
        : 'left',
  }));
  return table.rows.length > 0 ? renderTable(columns, table.rows) : '  (none)';
}

/** `cosell report` (table): a heading, the four tables, then the deals left out or flagged. */
export function formatReportTable(report: ProgramReport): string {
  const scope = report.partnerFilter ? `, partner ${report.partnerFilter}` : '';
  const out = [
    `Program report at ${report.generatedAt} (${report.currency}, quarter ${report.quarter}${scope}; stalled means open more than ${report.stallDays} days or past the gate's deadline)`,
  ];
  for (const table of reportTables(report)) out.push('', table.title, tableText(table));
  const offList = report.partners.flatMap((p) =>
    p.offListAccounts.map((o) => ({ ...o, partner: p.partner })),
  );
  if (offList.length > 0) {
    out.push('', `Accounts not on their partner plan (${offList.length})`);
    for (const o of offList) out.push(`  ${o.partner}: ${o.name} (${o.account}) ${o.planId}`);
  }
  const disputed = report.partners.flatMap((p) =>
    (p.attributionDisagreements ?? []).map((d) => ({ ...d, partner: p.partner })),
  );
  if (disputed.length > 0) {
    out.push('', `Attribution the partner's credit rule does not bear out (${disputed.length})`);
    for (const d of disputed) {
      out.push(`  ${d.partner}: ${d.name} ${d.planId} (${d.attribution}; ${d.rule}: ${d.why})`);
    }
  }
  if (report.otherCurrency.length > 0) {
    out.push(
      '',
      `Left out of money figures (not in ${report.currency}): ${report.otherCurrency
        .map((d) => `${d.planId} (${d.partner}, ${d.currency})`)
        .join(', ')}`,
    );
  }
  return out.join('\n');
}

/** `cosell report --format csv`: the API's own CSV (`summary`, one row per partner and Total, or `stalled`). */
export function formatReportCsv(report: ProgramReport, table: 'summary' | 'stalled' = 'summary'): string {
  return reportToCsv(report, table);
}
