import type { ProgramReport, StageFigures } from '../../domain/reports';
import { html, type SafeHtml } from '../html';
import { formatMoney, formatRate } from '../reports/format';

/**
 * The program report's three inline SVG charts (pipeline by partner, sourced vs influenced; the stage
 * funnel; median days per stage), each with a title and a description. Coloured with presentation
 * attributes: a `style` attribute would need `'unsafe-hashes'` in the CSP.
 */

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

function svgChart(id: string, title: string, desc: string, height: number, body: SafeHtml[]): SafeHtml {
  return html`<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${CHART_WIDTH} ${n(height)}" width="${CHART_WIDTH}" height="${n(height)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12"><title id="${id}-title">${title}</title><desc id="${id}-desc">${desc}</desc>${body}</svg>`;
}

function label(y: number, text: string): SafeHtml {
  return html`<text x="${LABEL_WIDTH}" y="${n(y + BAR / 2 + 4)}" text-anchor="end" fill="#1a1a1a">${truncate(text, 30)}</text>`;
}

/** The figure at the end of a bar. */
function value(x: number, y: number, text: string): SafeHtml {
  return html`<text x="${n(x)}" y="${n(y + BAR / 2 + 4)}" fill="#1a1a1a">${text}</text>`;
}

function rect(x: number, y: number, width: number, fill: string, tooltip: string): SafeHtml | undefined {
  if (width <= 0) return undefined;
  return html`<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(width, 1))}" height="${BAR}" fill="${fill}"><title>${tooltip}</title></rect>`;
}

function legend(items: { color: string; text: string }[]): SafeHtml {
  let x = BAR_X;
  return html`${items.map((item) => {
    const out = html`<rect x="${x}" y="4" width="12" height="12" fill="${item.color}"/><text x="${x + 17}" y="14" fill="#1a1a1a">${item.text}</text>`;
    x += 30 + item.text.length * 7;
    return out;
  })}`;
}

export function pipelineChart(report: ProgramReport): SafeHtml {
  const money = (v: number) => formatMoney(v, report.currency);
  const partners = report.partners;
  const max = Math.max(1, ...partners.map((p) => p.openPipeline.total));
  const top = 26;
  const rows = partners.map((p, i) => {
    const y = top + i * ROW;
    const ws = (p.openPipeline.sourced / max) * BAR_MAX;
    const wi = (p.openPipeline.influenced / max) * BAR_MAX;
    return html`${label(y, p.partner)}${rect(BAR_X, y, ws, COLORS.sourced, `${p.partner}: sourced ${money(p.openPipeline.sourced)}`)}${rect(BAR_X + ws, y, wi, COLORS.influenced, `${p.partner}: influenced ${money(p.openPipeline.influenced)}`)}${value(BAR_X + ws + wi + 6, y, money(p.openPipeline.total))}`;
  });
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
    [
      legend([
        { color: COLORS.sourced, text: 'Partner-sourced' },
        { color: COLORS.influenced, text: 'Partner-influenced' },
      ]),
      ...rows,
    ],
  );
}

export function funnelChart(stages: StageFigures[]): SafeHtml {
  const max = Math.max(1, ...stages.map((s) => s.reached));
  const top = 26;
  const rows = stages.map((s, i) => {
    const y = top + i * ROW;
    const text = `reached ${s.reached}, passed ${s.passed} (${formatRate(s.conversion)})`;
    return html`${label(y, `${s.number}. ${s.title}`)}${rect(BAR_X, y, (s.reached / max) * BAR_MAX, COLORS.reached, `${s.title}: reached ${s.reached}`)}${rect(BAR_X, y, (s.passed / max) * BAR_MAX, COLORS.passed, `${s.title}: passed ${s.passed}`)}${value(BAR_X + (s.reached / max) * BAR_MAX + 6, y, text)}`;
  });
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
    [
      legend([
        { color: COLORS.reached, text: 'Reached' },
        { color: COLORS.passed, text: 'Passed the gate' },
      ]),
      ...rows,
    ],
  );
}

const daysText = (d: number | null) => (d === null ? 'no passed deals' : `${d} ${d === 1 ? 'day' : 'days'}`);

export function daysChart(stages: StageFigures[]): SafeHtml {
  const max = Math.max(1, ...stages.map((s) => s.medianDays ?? 0));
  const top = 6;
  const rows = stages.map((s, i) => {
    const y = top + i * ROW;
    const w = ((s.medianDays ?? 0) / max) * BAR_MAX;
    return html`${label(y, `${s.number}. ${s.title}`)}${rect(BAR_X, y, w, COLORS.days, `${s.title}: median ${daysText(s.medianDays)}`)}${value(BAR_X + w + 6, y, daysText(s.medianDays))}`;
  });
  return svgChart(
    'days',
    'Median days in each stage (passed stages only)',
    stages.map((s) => `Stage ${s.number}, ${s.title}: ${daysText(s.medianDays)}`).join('; '),
    top + stages.length * ROW + 4,
    rows,
  );
}
