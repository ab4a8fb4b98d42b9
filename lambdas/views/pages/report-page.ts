import type { Figures, ProgramReport } from '../../domain/reports';
import { html, type SafeHtml } from '../html';
import { dashboardSection } from '../reports/dashboard-html';
import { SUMMARY_METHOD } from '../reports/definitions';
import { forecastSection, returnSection } from '../reports/forecast-html';
import { formatMoney, formatRate, whoseMoveText } from '../reports/format';
import { section, table } from '../reports/report-html';
import { PRINT_PAGE_HEADERS, printLayout } from './print-layout';
import { daysChart, funnelChart, pipelineChart } from './report-charts';

/**
 * `GET /reports/program.html`: the program report as one printable page. Three inline SVG charts (pipeline
 * by partner, sourced vs influenced; the stage funnel; median days per stage), each with a title and a
 * description and followed by the same figures as a table, so nothing is only in a picture.
 */

export const REPORT_PAGE_HEADERS = PRINT_PAGE_HEADERS;

function kpis(report: ProgramReport): SafeHtml {
  const t = report.total;
  const money = (v: number) => formatMoney(v, report.currency);
  const items: [string, string, string][] = [
    [
      'Open pipeline',
      money(t.openPipeline.total),
      `sourced ${money(t.openPipeline.sourced)} · influenced ${money(t.openPipeline.influenced)}`,
    ],
    [
      'Won revenue',
      money(t.wonRevenue.total),
      `sourced ${money(t.wonRevenue.sourced)} · influenced ${money(t.wonRevenue.influenced)}`,
    ],
    ['Win rate', formatRate(t.winRate), `${t.deals.won} won, ${t.deals.lost} lost`],
    ['Stalled now', String(t.stalled), `of ${t.deals.active} active deals`],
  ];
  if (t.quarterlyTarget) {
    const q = t.quarterlyTarget;
    items.push([
      `${q.quarter} target`,
      formatRate(q.progress),
      `${formatMoney(q.won, q.currency)} of ${formatMoney(q.target, q.currency)}`,
    ]);
  }
  return html`<div class="kpis">${items.map(
    ([k, v, sub]) => html`<div class="kpi">${k}<b>${v}</b><span class="muted">${sub}</span></div>`,
  )}</div>`;
}

/** `rooms`: a signed deal-room link per plan id (the dashboard links each deal's room when it has one). */
export function renderProgramReportPage(
  report: ProgramReport,
  links: { rooms?: Readonly<Record<string, string>> } = {},
): string {
  const money = (v: number) => formatMoney(v, report.currency);
  const scopes: [string, Figures][] = [
    ...report.partners.map((p): [string, Figures] => [p.partner, p]),
    ['Total', report.total],
  ];
  const title = report.partnerFilter
    ? `Co-sell program report: ${report.partnerFilter}`
    : 'Co-sell program report';
  const generated = report.generatedAt.replace('T', ' ').slice(0, 16);
  const header = html`<h1>${title}</h1><p class="muted">Generated ${generated} UTC · amounts in ${report.currency} · stalled means open more than ${report.stallDays} days or past the gate’s deadline</p>`;

  const pipeline = section(
    'pipeline',
    'Pipeline and revenue by partner',
    pipelineChart(report),
    table(
      'Pipeline and revenue by partner',
      [
        'Partner',
        'Active',
        'Won',
        'Lost',
        'Pipeline sourced',
        'Pipeline influenced',
        'Won sourced',
        'Won influenced',
        'Win rate',
      ],
      scopes.map(([name, f]) => [
        name,
        String(f.deals.active),
        String(f.deals.won),
        String(f.deals.lost),
        money(f.openPipeline.sourced),
        money(f.openPipeline.influenced),
        money(f.wonRevenue.sourced),
        money(f.wonRevenue.influenced),
        formatRate(f.winRate),
      ]),
      [1, 2, 3, 4, 5, 6, 7, 8],
    ),
  );

  const stages = report.total.stages;
  const funnel = section(
    'funnel',
    'Stage funnel',
    funnelChart(stages),
    table(
      'Conversion from each stage to the next (all partners)',
      ['Stage', 'Reached', 'Passed', 'Conversion'],
      stages.map((s) => [
        `${s.number}. ${s.title}`,
        String(s.reached),
        String(s.passed),
        formatRate(s.conversion),
      ]),
      [1, 2, 3],
    ),
    table(
      'Conversion by partner',
      ['Partner', ...stages.map((s) => `Stage ${s.number}`)],
      scopes.map(([name, f]) => [
        name,
        ...f.stages.map((s) => `${formatRate(s.conversion)} of ${s.reached}`),
      ]),
      [1, 2, 3, 4, 5],
    ),
  );

  const days = section(
    'days',
    'Days per stage',
    daysChart(stages),
    table(
      'Median days in each stage by partner (passed stages only)',
      ['Partner', ...stages.map((s) => `Stage ${s.number}`)],
      scopes.map(([name, f]) => [
        name,
        ...f.stages.map((s) => (s.medianDays === null ? '–' : String(s.medianDays))),
      ]),
      [1, 2, 3, 4, 5],
    ),
  );

  const targets = section(
    'targets',
    'Quarterly targets',
    table(
      'Progress to each partner’s quarterly target',
      ['Partner', 'Quarter', 'Target', 'Won in quarter', 'Progress'],
      scopes
        .filter(([, f]) => f.quarterlyTarget)
        .map(([name, f]) => {
          const q = f.quarterlyTarget as NonNullable<Figures['quarterlyTarget']>;
          return [
            name,
            q.quarter,
            formatMoney(q.target, q.currency),
            formatMoney(q.won, q.currency),
            formatRate(q.progress),
          ];
        }),
      [2, 3, 4],
    ),
  );

  const stalled = section(
    'stalled',
    `Stalled now (${report.stalled.length})`,
    table(
      'Deals stalled now, longest first',
      ['Deal', 'Partner', 'Account', 'Stage', 'Days', 'Deadline', 'Whose move'],
      report.stalled.map((s) => [
        s.name,
        s.partner,
        s.account,
        `${s.stageNumber}. ${s.stageTitle}`,
        String(s.days),
        `${s.deadline.slice(0, 10)}${s.pastDeadline ? ' (past)' : ''}`,
        whoseMoveText(s),
      ]),
      [4],
    ),
  );

  const offList = report.partners.flatMap((p) =>
    p.offListAccounts.map((o) => [p.partner, o.name, o.account]),
  );
  const currencies = [...new Set(report.otherCurrency.map((o) => o.currency))].join(', ');
  const flags = section(
    'flags',
    `Accounts not on the partner plan (${offList.length})`,
    table('Deals for accounts their partner plan does not name', ['Partner', 'Deal', 'Account'], offList),
    html`${
      report.otherCurrency.length > 0 &&
      html`<p class="muted">${report.otherCurrency.length} deal(s) in other currencies (${currencies}) are counted in deals, win rate, conversion and stalls, but not in ${report.currency} amounts.</p>`
    }`,
  );

  const methods = section(
    'method',
    'How the numbers are computed',
    html`<ul>${SUMMARY_METHOD.map((m) => html`<li>${m}</li>`)}</ul>`,
  );

  return printLayout(
    title,
    html`${header}${dashboardSection(report, links.rooms)}${kpis(report)}${pipeline}${forecastSection(report)}${returnSection(report)}${funnel}${days}${targets}${stalled}${flags}${methods}`,
  );
}
