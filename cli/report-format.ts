import { type Cell, type Column, formatNumber, renderCsv, renderTable } from './table-format';

/**
 * The program report (`GET /reports/program`) as tables and CSV. The report's exact shape belongs to the
 * API, so the layout is derived from the JSON: every list of records (or map of records, such as one entry
 * per partner) is a table, nested records become dotted columns, top-level values a summary. A newer
 * report with more fields shows them without a CLI change.
 */

export type Row = Record<string, Cell>;

export interface ReportSection {
  title: string;
  columns: string[];
  rows: Row[];
}

export interface TabulatedReport {
  summary: [string, Cell][];
  sections: ReportSection[];
}

type Json = unknown;

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function flatten(value: Json, prefix: string, into: Row): Row {
  if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else if (Array.isArray(value)) {
    into[prefix] = value.every((v) => !isRecord(v) && !Array.isArray(v))
      ? value.join(', ')
      : `${value.length} items`;
  } else {
    into[prefix] = value as Cell;
  }
  return into;
}

function columnsOf(rows: readonly Row[]): string[] {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** The name of the key column of a map of records: `partner` for a by-partner map, `stage` for stages. */
function keyColumn(title: string): string {
  if (/partner/i.test(title)) return 'partner';
  if (/stage/i.test(title)) return 'stage';
  return 'key';
}

export function tabulateReport(report: Json): TabulatedReport {
  const summary: [string, Cell][] = [];
  const sections: ReportSection[] = [];
  const add = (title: string, rows: Row[]) => sections.push({ title, columns: columnsOf(rows), rows });
  if (Array.isArray(report)) {
    add(
      'report',
      report.map((item) => flatten(item, '', {})),
    );
    return { summary, sections };
  }
  if (!isRecord(report)) return { summary: [['report', String(report)]], sections };

  for (const [title, value] of Object.entries(report)) {
    if (Array.isArray(value) && value.every(isRecord)) {
      add(
        title,
        value.map((item) => flatten(item, '', {})),
      );
    } else if (isRecord(value) && Object.values(value).length > 0 && Object.values(value).every(isRecord)) {
      const key = keyColumn(title);
      add(
        title,
        Object.entries(value).map(([name, item]) => flatten(item, '', { [key]: name })),
      );
    } else if (isRecord(value)) {
      add(title, [flatten(value, '', {})]);
    } else {
      summary.push([title, Array.isArray(value) ? value.join(', ') : (value as Cell)]);
    }
  }
  return { summary, sections };
}

/** Keeps only the rows about one partner (case-insensitive), in the sections that have a partner column. */
export function filterByPartner(report: TabulatedReport, partner: string): TabulatedReport {
  const wanted = partner.toLowerCase();
  const matches = (row: Row) =>
    ['partner', 'partner.name', 'partnerName'].some((key) => String(row[key] ?? '').toLowerCase() === wanted);
  return {
    summary: report.summary,
    sections: report.sections.map((section) =>
      section.columns.some((c) => ['partner', 'partner.name', 'partnerName'].includes(c))
        ? { ...section, rows: section.rows.filter(matches) }
        : section,
    ),
  };
}

function displayValue(column: string, value: Cell): string {
  if (typeof value !== 'number') return value === null || value === undefined ? '' : String(value);
  if (/(rate|conversion|ratio|progress|share)$/i.test(column) && value >= 0 && value <= 1) {
    return `${(value * 100).toFixed(1)}%`;
  }
  return formatNumber(value, 1);
}

function tableColumns(section: ReportSection): Column<Row>[] {
  return section.columns.map((name) => ({
    header: name,
    value: (row: Row) => displayValue(name, row[name]),
    align: section.rows.some((row) => typeof row[name] === 'number') ? 'right' : 'left',
  }));
}

export function formatReportTable(report: TabulatedReport): string {
  const out: string[] = [];
  for (const [key, value] of report.summary) out.push(`${key}: ${value ?? ''}`);
  for (const section of report.sections) {
    if (out.length > 0) out.push('');
    out.push(section.title);
    out.push(section.rows.length > 0 ? renderTable(tableColumns(section), section.rows) : '  (none)');
  }
  return out.length > 0 ? out.join('\n') : 'The report is empty.';
}

/** The section a spreadsheet wants: the per-partner one, else the first table. */
export function mainSection(report: TabulatedReport): ReportSection | undefined {
  return (
    report.sections.find((s) => /partner/i.test(s.title) && s.rows.length > 0) ??
    report.sections.find((s) => s.rows.length > 0) ??
    report.sections[0]
  );
}

/** CSV of the main section: raw values (no thousands separators or percent signs), one header row. */
export function formatReportCsv(report: TabulatedReport): string {
  const section = mainSection(report);
  if (!section) return '';
  return renderCsv(
    section.columns.map((name) => ({ header: name, value: (row: Row) => row[name] })),
    section.rows,
  );
}
