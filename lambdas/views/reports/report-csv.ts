import type { Figures, ProgramReport } from '../../domain/reports';
import { STAGE_KEYS } from '../../domain/vocabulary';
import { csv } from '../csv';
import { definitions } from './definitions';
import { round } from './format';

export const CSV_TABLES = ['summary', 'stalled', 'deals', 'forecast', 'return', 'method'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

const rate = (r: number | null) => (r === null ? null : round(r, 4));

/** The dashboard's rows (`deals`), the forecast by quarter and partner, the return, and every definition. */
function extraCsv(report: ProgramReport, table: Exclude<CsvTable, 'summary' | 'stalled'>): string {
  if (table === 'method') {
    return csv([['section', 'how_computed'], ...definitions().map((d) => [d.section, d.text])]);
  }
  if (table === 'deals') {
    return csv([
      [
        'plan_id',
        'deal',
        'partner',
        'account',
        'vendor_owner',
        'vendor_owner_email',
        'stage',
        'stage_number',
        'days_in_stage',
        'whose_move',
        'next_due',
        'next_due_at',
        'days_overdue',
        'close_date',
        'close_date_planned',
        'close_moved_days',
        'slips',
        'arr_min',
        'arr_max',
        'currency',
        'attribution',
        'health',
        'health_reasons',
      ],
      ...report.dashboard.rows.map((r) => [
        r.planId,
        r.name,
        r.partner,
        r.account,
        r.vendorOwner.name,
        r.vendorOwner.email,
        r.stage,
        r.stageNumber,
        r.daysInStage,
        r.whoseMove.map((w) => w.party).join(' '),
        r.nextDue.title,
        r.nextDue.due,
        r.nextDue.daysOverdue,
        r.closeDate.now,
        r.closeDate.planned,
        r.closeDate.movedDays,
        r.closeDate.slips,
        r.arr.min,
        r.arr.max,
        r.arr.currency,
        r.attribution,
        r.health,
        r.reasons.join('; '),
      ]),
    ]);
  }
  if (table === 'forecast') {
    // One row per quarter (partner `Total`) and per quarter and partner; weights in the header row's note.
    const head = [
      'quarter',
      'partner',
      'currency',
      'deals',
      'pipeline_sourced',
      'pipeline_influenced',
      'pipeline_total',
      'weighted_sourced',
      'weighted_influenced',
      'weighted_total',
      'stage_weights_percent',
    ];
    const weights = report.forecast.stageWeights.join(' ');
    return csv([
      head,
      ...report.forecast.quarters.flatMap((q) => [
        ...q.partners.map((p) => [
          q.quarter,
          p.partner,
          report.currency,
          p.deals,
          p.unweighted.sourced,
          p.unweighted.influenced,
          p.unweighted.total,
          p.weighted.sourced,
          p.weighted.influenced,
          p.weighted.total,
          weights,
        ]),
        [
          q.quarter,
          'Total',
          report.currency,
          q.deals,
          q.unweighted.sourced,
          q.unweighted.influenced,
          q.unweighted.total,
          q.weighted.sourced,
          q.weighted.influenced,
          q.weighted.total,
          weights,
        ],
      ]),
    ]);
  }
  const r = report.programReturn;
  return csv([
    [
      'quarter',
      'partner',
      'currency',
      'won_arr',
      'fees',
      'net_revenue',
      'program_cost',
      'return',
      'pipeline',
      'target',
      'coverage',
    ],
    ...[...r.partners, ...r.quarters.map((q) => ({ ...q, partner: 'Total' }))].map((x) => [
      x.quarter,
      x.partner,
      r.currency,
      x.wonArr,
      x.fees,
      x.net,
      x.cost,
      rate(x.return),
      x.pipeline,
      x.target,
      rate(x.coverage),
    ]),
  ]);
}

/**
 * The report as CSV (RFC 4180, CRLF). `summary` (default): one row per partner and a `Total` row, amounts in
 * the report's currency, rates as fractions (4 places). `stalled`: one row per stalled deal. `deals`,
 * `forecast`, `return`: the dashboard, the forecast and the program's return; `method`: how every figure is
 * computed, one row each.
 */
export function reportToCsv(report: ProgramReport, table: CsvTable = 'summary'): string {
  if (table !== 'summary' && table !== 'stalled') return extraCsv(report, table);
  if (table === 'stalled') {
    return csv([
      [
        'plan_id',
        'deal',
        'partner',
        'account',
        'stage',
        'stage_number',
        'days',
        'deadline',
        'past_deadline',
        'whose_move',
      ],
      ...report.stalled.map((s) => [
        s.planId,
        s.name,
        s.partner,
        s.account,
        s.stage,
        s.stageNumber,
        s.days,
        s.deadline,
        String(s.pastDeadline),
        s.whoseMove.map((w) => w.party).join(' '),
      ]),
    ]);
  }
  const header = [
    'partner',
    'currency',
    'deals',
    'active',
    'won',
    'lost',
    'open_pipeline_sourced',
    'open_pipeline_influenced',
    'open_pipeline_total',
    'won_sourced',
    'won_influenced',
    'won_total',
    'win_rate',
    ...STAGE_KEYS.flatMap((_, i) => [
      `stage${i + 1}_reached`,
      `stage${i + 1}_passed`,
      `stage${i + 1}_conversion`,
    ]),
    ...STAGE_KEYS.map((_, i) => `stage${i + 1}_median_days`),
    'stalled',
    'target_quarter',
    'target_currency',
    'target_arr',
    'target_won',
    'target_progress',
  ];
  const row = (name: string, f: Figures) => [
    name,
    report.currency,
    f.deals.total,
    f.deals.active,
    f.deals.won,
    f.deals.lost,
    f.openPipeline.sourced,
    f.openPipeline.influenced,
    f.openPipeline.total,
    f.wonRevenue.sourced,
    f.wonRevenue.influenced,
    f.wonRevenue.total,
    rate(f.winRate),
    ...f.stages.flatMap((s) => [s.reached, s.passed, rate(s.conversion)]),
    ...f.stages.map((s) => s.medianDays),
    f.stalled,
    f.quarterlyTarget?.quarter ?? null,
    f.quarterlyTarget?.currency ?? null,
    f.quarterlyTarget?.target ?? null,
    f.quarterlyTarget?.won ?? null,
    rate(f.quarterlyTarget?.progress ?? null),
  ];
  return csv([header, ...report.partners.map((p) => row(p.partner, p)), row('Total', report.total)]);
}
