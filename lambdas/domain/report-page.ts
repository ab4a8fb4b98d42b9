import { escapeHtml as e } from './emails';
import { PRINT_PAGE_HEADERS, printLayout } from './print-layout';
import {
  type Figures,
  formatMoney,
  formatRate,
  type ProgramReport,
  type StageFigures,
  whoseMoveText,
} from './reports';

/**
 * `GET /reports/program.html`: the program report as one printable page. Three inline SVG charts (pipeline
 * by partner, sourced vs influenced; the stage funnel; median days per stage), each with a title and a
 * description and followed by the same figures as a table, so nothing is only in a picture.
 */

export const REPORT_PAGE_HEADERS = PRINT_PAGE_HEADERS;

const CHART_WIDTH = 780;
const LABEL_WIDTH = 200;
const BAR_X = 210;
const BAR_MAX = 340;
const ROW = 30;
const BAR = 18;
const COLORS = {
  sourced: '#0b57d0',
  influenced: '#8ab4f8',
  reached: '#c6dafc',
  passed: '#0b57d0',
  days: '#5b6b7f',
};

/** Cuts a label to `max` characters (code points, so no half of a surrogate pair is left). */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** A number for an SVG attribute: finite, two decimals at most. */
const n = (value: number) => String(Math.round((Number.isFinite(value) ? value : 0) * 100) / 100);

function svgChart(id: string, title: string, desc: string, height: number, body: string): string {
  return (
    `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${CHART_WIDTH} ${n(height)}" width="${CHART_WIDTH}" height="${n(height)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">` +
    `<title id="${id}-title">${e(title)}</title><desc id="${id}-desc">${e(desc)}</desc>${body}</svg>`
  );
}

function label(y: number, text: string): string {
  return `<text x="${LABEL_WIDTH}" y="${n(y + BAR / 2 + 4)}" text-anchor="end" fill="#1a1a1a">${e(truncate(text, 30))}</text>`;
}

function rect(x: number, y: number, width: number, fill: string, tooltip: string): string {
  if (width <= 0) return '';
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(width, 1))}" height="${BAR}" fill="${fill}"><title>${e(tooltip)}</title></rect>`;
}

function legend(items: { color: string; text: string }[]): string {
  let x = BAR_X;
  return items
    .map((item) => {
      const out = `<rect x="${x}" y="4" width="12" height="12" fill="${item.color}"/><text x="${x + 17}" y="14" fill="#1a1a1a">${e(item.text)}</text>`;
      x += 30 + item.text.length * 7;
      return out;
    })
    .join('');
}

export function pipelineChart(report: ProgramReport): string {
  const money = (v: number) => formatMoney(v, report.currency);
  const partners = report.partners;
  const max = Math.max(1, ...partners.map((p) => p.openPipeline.total));
  const top = 26;
  const rows = partners
    .map((p, i) => {
      const y = top + i * ROW;
      const ws = (p.openPipeline.sourced / max) * BAR_MAX;
      const wi = (p.openPipeline.influenced / max) * BAR_MAX;
      return (
        label(y, p.partner) +
        rect(BAR_X, y, ws, COLORS.sourced, `${p.partner}: sourced ${money(p.openPipeline.sourced)}`) +
        rect(
          BAR_X + ws,
          y,
          wi,
          COLORS.influenced,
          `${p.partner}: influenced ${money(p.openPipeline.influenced)}`,
        ) +
        `<text x="${n(BAR_X + ws + wi + 6)}" y="${n(y + BAR / 2 + 4)}" fill="#1a1a1a">${e(money(p.openPipeline.total))}</text>`
      );
    })
    .join('');
  const desc = partners.length
    ? partners
        .map(
          (p) =>
            `${p.partner}: sourced ${money(p.openPipeline.sourced)}, influenced ${money(p.openPipeline.influenced)}`,
        )
        .join('; ')
    : 'No partners yet.';
  return svgChart(
    'pipeline',
    `Open pipeline by partner (${report.currency}, ARR range midpoints): partner-sourced and partner-influenced`,
    desc,
    top + Math.max(1, partners.length) * ROW + 4,
    legend([
      { color: COLORS.sourced, text: 'Partner-sourced' },
      { color: COLORS.influenced, text: 'Partner-influenced' },
    ]) + rows,
  );
}

export function funnelChart(stages: StageFigures[]): string {
  const max = Math.max(1, ...stages.map((s) => s.reached));
  const top = 26;
  const rows = stages
    .map((s, i) => {
      const y = top + i * ROW;
      const text = `reached ${s.reached}, passed ${s.passed} (${formatRate(s.conversion)})`;
      return (
        label(y, `${s.number}. ${s.title}`) +
        rect(BAR_X, y, (s.reached / max) * BAR_MAX, COLORS.reached, `${s.title}: reached ${s.reached}`) +
        rect(BAR_X, y, (s.passed / max) * BAR_MAX, COLORS.passed, `${s.title}: passed ${s.passed}`) +
        `<text x="${n(BAR_X + (s.reached / max) * BAR_MAX + 6)}" y="${n(y + BAR / 2 + 4)}" fill="#1a1a1a">${e(text)}</text>`
      );
    })
    .join('');
  return svgChart(
    'funnel',
    'Stage funnel: deals that reached each stage and passed its gate',
    stages
      .map(
        (s) =>
          `Stage ${s.number}, ${s.title}: reached ${s.reached}, passed ${s.passed}, ${formatRate(s.conversion)}`,
      )
      .join('; '),
    top + stages.length * ROW + 4,
    legend([
      { color: COLORS.reached, text: 'Reached' },
      { color: COLORS.passed, text: 'Passed the gate' },
    ]) + rows,
  );
}

const daysText = (d: number | null) => (d === null ? 'no passed deals' : `${d} ${d === 1 ? 'day' : 'days'}`);

export function daysChart(stages: StageFigures[]): string {
  const max = Math.max(1, ...stages.map((s) => s.medianDays ?? 0));
  const top = 6;
  const rows = stages
    .map((s, i) => {
      const y = top + i * ROW;
      const w = ((s.medianDays ?? 0) / max) * BAR_MAX;
      return (
        label(y, `${s.number}. ${s.title}`) +
        rect(BAR_X, y, w, COLORS.days, `${s.title}: median ${daysText(s.medianDays)}`) +
        `<text x="${n(BAR_X + w + 6)}" y="${n(y + BAR / 2 + 4)}" fill="#1a1a1a">${e(daysText(s.medianDays))}</text>`
      );
    })
    .join('');
  return svgChart(
    'days',
    'Median days in each stage (passed stages only)',
    stages.map((s) => `Stage ${s.number}, ${s.title}: ${daysText(s.medianDays)}`).join('; '),
    top + stages.length * ROW + 4,
    rows,
  );
}

function table(caption: string, head: string[], rows: string[][], numeric: number[] = []): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : '');
  const th = head.map((h, i) => `<th scope="col"${cls(i)}>${e(h)}</th>`).join('');
  const body = rows.length
    ? rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${e(c)}</td>`).join('')}</tr>`).join('')
    : `<tr><td colspan="${head.length}">None.</td></tr>`;
  return `<table><caption>${e(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

function kpis(report: ProgramReport): string {
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
  return `<div class="kpis">${items
    .map(([k, v, sub]) => `<div class="kpi">${e(k)}<b>${e(v)}</b><span class="muted">${e(sub)}</span></div>`)
    .join('')}</div>`;
}

const METHOD = [
  'Open pipeline: active deals only, each at the midpoint of its plan’s ARR range ((min + max) / 2), split by the attribution agreed in the plan.',
  'Won revenue: the final ARR logged when each won deal closed.',
  'Win rate: won / (won + lost); active deals do not count.',
  'Conversion: of the deals that reached a stage (its gate opened), the share that passed its gate; a lost deal’s last stage counts as not passed.',
  'Median days: whole calendar days from a stage opening to its gate passing, passed stages only.',
  'Stalled: active deals whose current stage has been open more than the threshold, or whose gate is past its deadline; whose move it is = parties yet to confirm the gate or owning its open milestones.',
  'Quarterly target: won ARR logged in the target’s calendar quarter (UTC) and currency, sourced and influenced alike, over the target.',
];

export function renderProgramReportPage(report: ProgramReport): string {
  const money = (v: number) => formatMoney(v, report.currency);
  const scopes: [string, Figures][] = [
    ...report.partners.map((p): [string, Figures] => [p.partner, p]),
    ['Total', report.total],
  ];
  const title = report.partnerFilter
    ? `Co-sell program report: ${report.partnerFilter}`
    : 'Co-sell program report';
  const header =
    `<h1>${e(title)}</h1><p class="muted">Generated ${e(report.generatedAt.replace('T', ' ').slice(0, 16))} UTC · ` +
    `amounts in ${e(report.currency)} · stalled means open more than ${report.stallDays} days or past the gate’s deadline</p>`;

  const pipeline =
    `<section class="card" aria-labelledby="h-pipeline"><h2 id="h-pipeline">Pipeline and revenue by partner</h2>${pipelineChart(report)}` +
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
    ) +
    `</section>`;

  const stages = report.total.stages;
  const funnel =
    `<section class="card" aria-labelledby="h-funnel"><h2 id="h-funnel">Stage funnel</h2>${funnelChart(stages)}` +
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
    ) +
    table(
      'Conversion by partner',
      ['Partner', ...stages.map((s) => `Stage ${s.number}`)],
      scopes.map(([name, f]) => [
        name,
        ...f.stages.map((s) => `${formatRate(s.conversion)} of ${s.reached}`),
      ]),
      [1, 2, 3, 4, 5],
    ) +
    `</section>`;

  const days =
    `<section class="card" aria-labelledby="h-days"><h2 id="h-days">Days per stage</h2>${daysChart(stages)}` +
    table(
      'Median days in each stage by partner (passed stages only)',
      ['Partner', ...stages.map((s) => `Stage ${s.number}`)],
      scopes.map(([name, f]) => [
        name,
        ...f.stages.map((s) => (s.medianDays === null ? '–' : String(s.medianDays))),
      ]),
      [1, 2, 3, 4, 5],
    ) +
    `</section>`;

  const targets =
    `<section class="card" aria-labelledby="h-targets"><h2 id="h-targets">Quarterly targets</h2>` +
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
    ) +
    `</section>`;

  const stalled =
    `<section class="card" aria-labelledby="h-stalled"><h2 id="h-stalled">Stalled now (${report.stalled.length})</h2>` +
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
    ) +
    `</section>`;

  const offList = report.partners.flatMap((p) =>
    p.offListAccounts.map((o) => [p.partner, o.name, o.account]),
  );
  const flags =
    `<section class="card" aria-labelledby="h-flags"><h2 id="h-flags">Accounts not on the partner plan (${offList.length})</h2>` +
    table('Deals for accounts their partner plan does not name', ['Partner', 'Deal', 'Account'], offList) +
    (report.otherCurrency.length
      ? `<p class="muted">${report.otherCurrency.length} deal(s) in other currencies (${e(
          [...new Set(report.otherCurrency.map((o) => o.currency))].join(', '),
        )}) are counted in deals, win rate, conversion and stalls, but not in ${e(report.currency)} amounts.</p>`
      : '') +
    `</section>`;

  const method = `<section class="card" aria-labelledby="h-method"><h2 id="h-method">How the numbers are computed</h2><ul>${METHOD.map(
    (m) => `<li>${e(m)}</li>`,
  ).join('')}</ul></section>`;

  return printLayout(
    title,
    header + kpis(report) + pipeline + funnel + days + targets + stalled + flags + method,
  );
}
