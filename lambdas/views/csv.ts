/** CSV (RFC 4180, CRLF) as the views write it: quoted where needed, spreadsheet formulas defused. */

export type CsvValue = string | number | null;

/** One CSV field: quoted when needed, and text that a spreadsheet would run as a formula defused. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(rows: CsvValue[][]): string {
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
