import { STAGES } from '../../domain/playbook';
import type { ProgramReport } from '../../domain/reports';
import { html, type SafeHtml } from '../html';
import { FORECAST_METHOD, RETURN_METHOD } from './definitions';
import { formatMoney, formatRate } from './format';
import { method, section, table } from './report-html';

/** The report page's forecast and program-return sections (the figures come from forecast.ts, program-return.ts). */

export function forecastSection(report: ProgramReport): SafeHtml {
  const f = report.forecast;
  const money = (v: number) => formatMoney(v, report.currency);
  const weights = f.stageWeights.map((w, i) => `stage ${i + 1} ${w}%`).join(', ');
  const quarters = table(
    `Open pipeline by expected close quarter (${report.currency})`,
    [
      'Quarter',
      'Deals',
      'Sourced',
      'Influenced',
      'Total',
      'Weighted sourced',
      'Weighted influenced',
      'Weighted total',
    ],
    f.quarters.map((q) => [
      q.quarter,
      String(q.deals),
      money(q.unweighted.sourced),
      money(q.unweighted.influenced),
      money(q.unweighted.total),
      money(q.weighted.sourced),
      money(q.weighted.influenced),
      money(q.weighted.total),
    ]),
    [1, 2, 3, 4, 5, 6, 7],
  );
  const byPartner = table(
    'Pipeline by quarter and partner',
    ['Quarter', 'Partner', 'Deals', 'Pipeline', 'Weighted'],
    f.quarters.flatMap((q) =>
      q.partners.map((p) => [
        q.quarter,
        p.partner,
        String(p.deals),
        money(p.unweighted.total),
        money(p.weighted.total),
      ]),
    ),
    [2, 3, 4],
  );
  const targets = table(
    'Forecast against each partner’s quarterly target',
    [
      'Partner',
      'Quarter',
      'Target',
      'Won',
      'Pipeline closing',
      'Weighted',
      'Coverage',
      'Forecast',
      'Forecast of target',
    ],
    f.targets.map((t) => {
      const m = (v: number) => formatMoney(v, t.currency);
      return [
        t.partner,
        t.quarter,
        m(t.target),
        m(t.won),
        m(t.pipeline),
        m(t.weighted),
        formatRate(t.coverage),
        m(t.forecast),
        formatRate(t.progress),
      ];
    }),
    [2, 3, 4, 5, 6, 7, 8],
  );
  const attribution = table(
    'Win rate and stage conversion by attribution',
    ['Attribution', 'Won', 'Lost', 'Win rate', ...STAGE_NUMBERS.map((n) => `Stage ${n}`)],
    (['sourced', 'influenced'] as const).map((a) => {
      const x = f.byAttribution[a];
      return [
        a,
        String(x.won),
        String(x.lost),
        formatRate(x.winRate),
        ...x.stages.map((s) => `${formatRate(s.conversion)} of ${s.reached}`),
      ];
    }),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  const lossesByStage = table(
    'Losses by the stage the deal died in',
    ['Stage', 'Lost', `ARR midpoints (${report.currency})`],
    f.losses.byStage.map((s) => [`${s.number}. ${s.title}`, String(s.lost), money(s.arr)]),
    [1, 2],
  );
  const lossesByReason = table(
    'Losses by reason',
    ['Outcome', 'Reason', 'Lost'],
    f.losses.byReason.map((r) => [r.outcome, r.reason, String(r.lost)]),
    [2],
  );
  return section(
    'forecast',
    'Forecast',
    html`<p class="muted">Weighted by stage: ${weights}.</p>`,
    quarters,
    byPartner,
    targets,
    attribution,
    lossesByStage,
    lossesByReason,
    method(FORECAST_METHOD),
  );
}

const STAGE_NUMBERS = Object.values(STAGES).map((s) => s.number);

export function returnSection(report: ProgramReport): SafeHtml {
  const r = report.programReturn;
  const money = (v: number | null) => (v === null ? '–' : formatMoney(v, r.currency));
  const head = [
    'Won ARR',
    'Fees paid',
    'Net revenue',
    'Program cost',
    'Return',
    'Pipeline',
    'Target',
    'Coverage',
  ];
  const cells = (x: (typeof r.quarters)[number]) => [
    money(x.wonArr),
    money(x.fees),
    money(x.net),
    money(x.cost),
    formatRate(x.return),
    money(x.pipeline),
    money(x.target),
    formatRate(x.coverage),
  ];
  return section(
    'return',
    'Program return',
    table(
      `Return per quarter (${r.currency})`,
      ['Quarter', ...head],
      r.quarters.map((x) => [x.quarter, ...cells(x)]),
      [1, 2, 3, 4, 5, 6, 7, 8],
    ),
    table(
      `Return per partner and quarter (${r.currency})`,
      ['Partner', 'Quarter', ...head],
      r.partners
        .filter((x) => x.wonArr > 0 || x.cost !== null || x.pipeline > 0 || x.target !== null)
        .map((x) => [x.partner, x.quarter, ...cells(x)]),
      [2, 3, 4, 5, 6, 7, 8, 9],
    ),
    method(RETURN_METHOD),
  );
}
