/** Plain-text tables, Markdown tables and CSV: the three ways the CLI lays out rows. */

export type Cell = string | number | boolean | null | undefined;

export interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
  /** Right-align (numbers). */
  align?: 'left' | 'right';
}

export function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

// Terminal cells stay on one line: a newline or tab inside a value would break the columns.
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/** Columns separated by two spaces, a dashed rule under the header; nothing but the header when empty. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(cellText(column.value(row)))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.align === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

/** A GitHub-flavoured Markdown table; pipes and line breaks in values are escaped. */
export function renderMarkdownTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const escapeCell = (text: string) => oneLine(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
  const header = `| ${columns.map((column) => escapeCell(column.header)).join(' | ')} |`;
  const rule = `| ${columns.map((column) => (column.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  const body = rows.map(
    (row) => `| ${columns.map((column) => escapeCell(cellText(column.value(row)))).join(' | ')} |`,
  );
  return [header, rule, ...body].join('\n');
}

// A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180 CSV (CRLF line ends), with formula-looking text cells prefixed by `'`. */
export function renderCsv<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const field = (value: Cell) => {
    let text = cellText(value);
    if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    columns.map((column) => field(column.header)).join(','),
    ...rows.map((row) => columns.map((column) => field(column.value(row))).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** `80000` -> `80,000`; non-numbers pass through. */
export function formatNumber(value: unknown, fractionDigits = 0): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return cellText(value as Cell);
  return value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits });
}
