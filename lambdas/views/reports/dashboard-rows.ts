import { type DashboardRow, HEALTH_LABELS } from '../../domain/dashboard';
import { formatMoney } from './format';

/** The dashboard's columns and each row's cells as text: the page, `cosell deals` and the CSV agree. */

export const DASHBOARD_COLUMNS = [
  'Deal',
  'Plan id',
  'Partner',
  'Account',
  'Vendor owner',
  'Stage',
  'Days in stage',
  'Whose move',
  'Next due',
  'Close date',
  'ARR range',
  'Attribution',
  'Health',
] as const;

export function whoseMoveCell(row: Pick<DashboardRow, 'whoseMove'>): string {
  return row.whoseMove.map((w) => (w.name ? `${w.party} (${w.name})` : w.party)).join(', ') || 'the gate';
}

export function nextDueCell(row: DashboardRow): string {
  const n = row.nextDue;
  const late = n.daysOverdue > 0 ? ` (${n.daysOverdue} d overdue)` : '';
  return `${n.title}, ${n.due.slice(0, 10)}${late}`;
}

export function closeDateCell(row: DashboardRow): string {
  const c = row.closeDate;
  if (c.movedDays === 0 && c.slips === 0) return c.now;
  const moved = `${c.movedDays > 0 ? '+' : ''}${c.movedDays} d`;
  return `${c.now} (moved ${moved}, ${c.slips} ${c.slips === 1 ? 'slip' : 'slips'})`;
}

export function arrCell(row: DashboardRow): string {
  return `${formatMoney(row.arr.min, row.arr.currency)}–${formatMoney(row.arr.max, row.arr.currency)}`;
}

/** One row's cells, in DASHBOARD_COLUMNS order. */
export function dashboardCells(row: DashboardRow): string[] {
  return [
    row.name,
    row.planId,
    row.partner,
    row.account,
    row.vendorOwner.name,
    `${row.stageNumber}. ${row.stageTitle}`,
    String(row.daysInStage),
    whoseMoveCell(row),
    nextDueCell(row),
    closeDateCell(row),
    arrCell(row),
    row.attribution,
    HEALTH_LABELS[row.health],
  ];
}
