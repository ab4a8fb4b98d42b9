import { STAGES } from '../../domain/playbook';
import type { Figures, ProgramReport, TargetProgress } from '../../domain/reports';
import { STAGE_KEYS } from '../../domain/vocabulary';
import { formatDays, formatMoney, formatRate, whoseMoveText } from './format';

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

/** Human-readable tables for `cosell report --format table`: partners, stages, targets, stalled deals. */
export function reportTables(report: ProgramReport): Table[] {
  const money = (n: number) => formatMoney(n, report.currency);
  const scopes: [string, Figures][] = [
    ...report.partners.map((p): [string, Figures] => [p.partner, p]),
    ['Total', report.total],
  ];
  return [
    {
      title: `Pipeline and revenue (${report.currency})`,
      columns: [
        'Partner',
        'Deals',
        'Active',
        'Won',
        'Lost',
        'Pipeline sourced',
        'Pipeline influenced',
        'Won sourced',
        'Won influenced',
        'Win rate',
        'Stalled',
      ],
      rows: scopes.map(([name, f]) => [
        name,
        String(f.deals.total),
        String(f.deals.active),
        String(f.deals.won),
        String(f.deals.lost),
        money(f.openPipeline.sourced),
        money(f.openPipeline.influenced),
        money(f.wonRevenue.sourced),
        money(f.wonRevenue.influenced),
        formatRate(f.winRate),
        String(f.stalled),
      ]),
    },
    {
      title: 'Stages (conversion to the next stage / median days, passed stages only)',
      columns: ['Partner', ...STAGE_KEYS.map((k) => `${STAGES[k].number}. ${STAGES[k].title}`)],
      rows: scopes.map(([name, f]) => [
        name,
        ...f.stages.map((s) => `${formatRate(s.conversion)} of ${s.reached} / ${formatDays(s.medianDays)} d`),
      ]),
    },
    {
      title: 'Quarterly targets',
      columns: ['Partner', 'Quarter', 'Target', 'Won in quarter', 'Progress'],
      rows: scopes
        .filter(([, f]) => f.quarterlyTarget !== null)
        .map(([name, f]) => {
          const t = f.quarterlyTarget as TargetProgress;
          return [
            name,
            t.quarter,
            formatMoney(t.target, t.currency),
            formatMoney(t.won, t.currency),
            formatRate(t.progress),
          ];
        }),
    },
    {
      title: `Stalled now (open more than ${report.stallDays} days, or past the gate's deadline)`,
      // The plan id tells apart two deals of the same name.
      columns: ['Deal', 'Plan', 'Partner', 'Account', 'Stage', 'Days', 'Deadline', 'Whose move'],
      rows: report.stalled.map((s) => [
        s.name,
        s.planId,
        s.partner,
        s.account,
        `${s.stageNumber}. ${s.stageTitle}`,
        String(s.days),
        `${s.deadline.slice(0, 10)}${s.pastDeadline ? ' (past)' : ''}`,
        whoseMoveText(s),
      ]),
    },
    {
      title: `Forecast by expected close quarter (${report.currency}; weighted by stage ${report.forecast.stageWeights.join('/')}%)`,
      columns: [
        'Quarter',
        'Deals',
        'Pipeline sourced',
        'Pipeline influenced',
        'Weighted sourced',
        'Weighted influenced',
      ],
      rows: report.forecast.quarters.map((q) => [
        q.quarter,
        String(q.deals),
        money(q.unweighted.sourced),
        money(q.unweighted.influenced),
        money(q.weighted.sourced),
        money(q.weighted.influenced),
      ]),
    },
    {
      title: `Program return per quarter (${report.programReturn.currency}; return = (won - fees - cost) / cost)`,
      columns: ['Quarter', 'Won ARR', 'Fees', 'Net', 'Program cost', 'Return', 'Pipeline', 'Coverage'],
      rows: report.programReturn.quarters.map((q) => {
        const m = (v: number | null) => (v === null ? '–' : formatMoney(v, report.programReturn.currency));
        return [
          q.quarter,
          m(q.wonArr),
          m(q.fees),
          m(q.net),
          m(q.cost),
          formatRate(q.return),
          m(q.pipeline),
          formatRate(q.coverage),
        ];
      }),
    },
  ];
}
