import { describe, expect, it } from 'vitest';
import {
  type Column,
  formatNumber,
  renderCsv,
  renderMarkdownTable,
  renderTable,
} from '../../../cli/table-format';

interface Row {
  name: string;
  arr: number;
  note?: string;
}

const columns: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'ARR', value: (r) => formatNumber(r.arr), align: 'right' },
  { header: 'NOTE', value: (r) => r.note },
];

describe('renderTable', () => {
  it('aligns columns under a dashed rule, numbers to the right, without trailing spaces', () => {
    const text = renderTable(columns, [
      { name: 'Northwind', arr: 120000, note: 'sourced' },
      { name: 'Contoso', arr: 5000 },
    ]);
    expect(text.split('\n')).toEqual([
      'NAME           ARR  NOTE',
      '---------  -------  -------',
      'Northwind  120,000  sourced',
      'Contoso      5,000',
    ]);
  });

  it('keeps a row on one line when a value holds line breaks or tabs', () => {
    const text = renderTable(columns, [{ name: 'a\nb\tc', arr: 1 }]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('a b c');
  });
});

describe('renderMarkdownTable', () => {
  it('escapes pipes and marks numeric columns right-aligned', () => {
    const text = renderMarkdownTable(columns, [{ name: 'A|B', arr: 10, note: 'x\ny' }]);
    expect(text.split('\n')).toEqual([
      '| NAME | ARR | NOTE |',
      '| --- | ---: | --- |',
      '| A\\|B | 10 | x y |',
    ]);
  });
});

describe('renderCsv', () => {
  it('quotes commas, quotes and line breaks, with CRLF line ends', () => {
    const csv = renderCsv(
      [
        { header: 'name', value: (r: { name: string; n: number }) => r.name },
        { header: 'n', value: (r: { name: string; n: number }) => r.n },
      ],
      [
        { name: 'Smith, "Jo"', n: -3 },
        { name: 'two\nlines', n: 0.5 },
      ],
    );
    expect(csv).toBe('name,n\r\n"Smith, ""Jo""",-3\r\n"two\nlines",0.5\r\n');
  });

  it('defuses text that a spreadsheet would run as a formula', () => {
    const csv = renderCsv(
      [{ header: 'v', value: (r: { v: string }) => r.v }],
      [{ v: '=HYPERLINK("x")' }, { v: '@SUM(1)' }],
    );
    expect(csv).toBe('v\r\n"\'=HYPERLINK(""x"")"\r\n\'@SUM(1)\r\n');
  });
});
