import type { StalledDeal } from '../../domain/reports';

/** How the report's figures read for a person: money, rates, days, whose move it is. */

export const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
      amount,
    );
  } catch {
    return `${Math.round(amount).toLocaleString('en-US')} ${currency}`;
  }
}

export function formatRate(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(1)}%`;
}

export const formatDays = (days: number | null) => (days === null ? '–' : String(round(days, 1)));

export function whoseMoveText(stalled: StalledDeal): string {
  return stalled.whoseMove.map((w) => (w.name ? `${w.party} (${w.name})` : w.party)).join(', ') || 'the gate';
}
