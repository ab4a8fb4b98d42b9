import type { Figures, ProgramReport } from '../../domain/reports';
import { STAGE_KEYS } from '../../domain/vocabulary';
import { csv } from '../csv';
import { round } from './format';

/**
 * The report as CSV (RFC 4180, CRLF). `summary` (default): one row per partner and a `Total` row, amounts in
 * the report's currency, rates as fractions (4 places). `stalled`: one row per stalled deal.
 */
export function reportToCsv(report: ProgramReport, table: 'summary' | 'stalled' = 'summary'): string {
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
  const rate = (r: number | null) => (r === null ? null : round(r, 4));
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
