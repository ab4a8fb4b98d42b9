import type { MilestoneState } from './deal';
import { addDays, daysBetween } from './time';

/**
 * The close date as loaded. A slip moves the close date by its days unless the slipped milestone was due
 * after the close (see `replan`), and the stored plan keeps only the latest close date, so undo the slips
 * from the newest back.
 */
export function originalCloseDate(current: string, milestones: readonly MilestoneState[]): string {
  const slips = milestones.flatMap((m) => m.slips).sort((a, b) => b.at.localeCompare(a.at));
  let close = current;
  for (const s of slips) {
    const before = addDays(close, -daysBetween(s.from, s.to));
    if (s.from <= before) close = before;
  }
  return close;
}
