import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { programReport } from '../../../../lambdas/domain/reports';
import { PRINT_STYLE } from '../../../../lambdas/views/pages/print-layout';
import { REPORT_PAGE_HEADERS, renderProgramReportPage } from '../../../../lambdas/views/pages/report-page';
import {
  generateProgram,
  PROGRAM,
  PROGRAM_NOW,
  partnerPlanFixture,
  programPartnerPlans,
} from '../../../../scripts/lib/program-fixture';

const report = programReport(generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans(), PROGRAM_NOW);
// Table cells carry their column's name for the phone layout (data-label); the figures are checked without it.
const html = renderProgramReportPage(report).replace(/ data-label="[^"]*"/g, '');

const HOSTILE = `<img src=x onerror="alert(1)">&'`;

function hostileReport() {
  const deals = generateProgram(
    [
      {
        partner: HOSTILE,
        rows: [
          {
            count: 2,
            attribution: 'sourced',
            arr: [10_000, 20_000],
            fate: { kind: 'active', stage: 2, openDays: 20 },
            days: [3],
            account: { name: `</table><script>alert(2)</script>` },
          },
        ],
      },
    ],
    PROGRAM_NOW,
  );
  for (const d of deals) d.deal.plan.name = `Deal "${HOSTILE}"`;
  return programReport(deals, [partnerPlanFixture(HOSTILE, { quarter: '2027-Q1', arr: 1 })], PROGRAM_NOW);
}

describe('renderProgramReportPage', () => {
  it('is a complete page with no script, no external assets and no inline style attributes', () => {
    expect(html.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\sstyle=/i);
    // Links only within the API: the dashboard's filters and each deal's one-pager and plan.
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/\shref="(?!program\.html|\.\.\/plans\/)/i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).toContain('@media print');
  });

  it('draws three accessible inline SVG charts, each followed by its data as a table', () => {
    const svgs = html.match(/<svg[^>]*>/g) ?? [];
    expect(svgs).toHaveLength(3);
    for (const id of ['pipeline', 'funnel', 'days']) {
      expect(html).toContain(`aria-labelledby="${id}-title ${id}-desc"`);
      expect(html).toMatch(
        new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`),
      );
    }
    for (const svg of svgs) expect(svg).toContain('role="img"');
    expect(html).toContain('<caption>Pipeline and revenue by partner</caption>');
    expect(html).toContain('<caption>Conversion from each stage to the next (all partners)</caption>');
    expect(html).toContain('<caption>Median days in each stage by partner (passed stages only)</caption>');
  });

  it('shows the figures: pipeline split, funnel, days, targets and stalled deals', () => {
    // Northwind's bar segments and the totals
    expect(html).toContain('<title>Northwind Integrators: sourced $3,000,000</title>');
    expect(html).toContain('<title>Northwind Integrators: influenced $1,000,000</title>');
    expect(html).toContain(
      '<td>Total</td><td class="num">265</td><td class="num">165</td><td class="num">80</td>',
    );
    expect(html).toContain('<td class="num">$7,450,000</td><td class="num">$7,900,000</td>');
    // funnel: stage 1 reached 510, passed 470
    expect(html).toContain(
      '<td>1. Target account selection</td><td class="num">510</td><td class="num">470</td><td class="num">92.2%</td>',
    );
    expect(html).toContain('reached 295, passed 165 (55.9%)');
    expect(html).toContain('2.5 days');
    expect(html).toContain(
      '<td>Tailspin Cloud</td><td>2027-Q1</td><td class="num">$2,000,000</td><td class="num">$2,450,000</td><td class="num">122.5%</td>',
    );
    expect(html).toContain('Stalled now (155)');
    expect(html).toContain(
      '<td>close-register-review</td>'.replace('close-register-review', '5. Close, register, review'),
    );
    expect(html).toContain('partner (Dana Whit)');
    expect(html).toContain('Accounts not on the partner plan (15)');
    expect(html).toContain('20 deal(s) in other currencies (EUR)');
    expect(html).toContain('How the numbers are computed');
  });

  it('escapes every value taken from plans, in tables and inside the SVG', () => {
    const page = renderProgramReportPage(hostileReport());
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain('</table><script');
    expect(page).toContain('&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#38;&#39;');
    // the SVG label is cut to fit, and still escaped
    expect(page).toMatch(/<text x="200"[^>]*>&#60;img src=x onerror=&#34;alert\(1\)&#34;…<\/text>/);
    expect(page).toContain('Deal &#34;&#60;img');
  });

  it('carries the link pages’ strict headers with this stylesheet’s hash', () => {
    const hash = createHash('sha256').update(PRINT_STYLE).digest('base64');
    expect(REPORT_PAGE_HEADERS['content-security-policy']).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(html).toContain(`<style>${PRINT_STYLE}</style>`);
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(REPORT_PAGE_HEADERS).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });

  it('renders an empty program', () => {
    const empty = renderProgramReportPage(programReport([], [], PROGRAM_NOW));
    expect(empty).toContain('No partners yet.');
    expect(empty).toContain('Stalled now (0)');
    expect(empty).not.toContain('NaN');
    expect(html).not.toContain('NaN');
  });
});
