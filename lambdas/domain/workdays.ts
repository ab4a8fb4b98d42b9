import { firstAllowed, localTime, nextLocalMorning, type QuietHours } from './cadence';
import { ESCALATION_GRACE_BUSINESS_DAYS, HOLIDAYS, WORKWEEK } from './defaults';
import { addDays, localDate, zonedInstant } from './time';

/**
 * Working days: the tenant's `workweek` and `holidays`, on each recipient's own wall calendar. Pure, with
 * `Intl` only (no date library), so a daylight-saving change moves instants, never local times.
 */

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
export const WEEKDAYS: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface WorkCalendar {
  workweek: readonly Weekday[];
  /** `YYYY-MM-DD`: never working days, whatever the weekday. */
  holidays: readonly string[];
}

export const DEFAULT_WORK_CALENDAR: WorkCalendar = { workweek: WORKWEEK, holidays: HOLIDAYS };

/** The tenant's calendar from its settings, defaults for what is not set. */
export function workCalendarOf(config: {
  workweek?: readonly Weekday[] | undefined;
  holidays?: readonly string[] | undefined;
}): WorkCalendar {
  return {
    workweek: config.workweek?.length ? config.workweek : WORKWEEK,
    holidays: config.holidays ?? HOLIDAYS,
  };
}

export function graceDaysOf(config: { escalationGraceBusinessDays?: number | undefined }): number {
  return config.escalationGraceBusinessDays ?? ESCALATION_GRACE_BUSINESS_DAYS;
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()] as Weekday;
}

export function isWorkingDay(date: string, calendar: WorkCalendar): boolean {
  return calendar.workweek.includes(weekdayOf(date)) && !calendar.holidays.includes(date);
}

/** A calendar with no working day would never send: such a week counts every day as working. */
function usable(calendar: WorkCalendar): WorkCalendar {
  return calendar.workweek.length > 0 ? calendar : { ...calendar, workweek: WEEKDAYS };
}

/** Never more days than this are skipped looking for a working day (a year of holidays is a bad file). */
const MAX_SKIPPED_DAYS = 400;

/**
 * The first instant at or after `instant` the recipient may be sent something: outside their quiet hours
 * and on one of their working days. Something due on a non-working day goes out on the next working
 * morning (the end of the quiet hours that day).
 */
export function nextSendable(
  instant: Date,
  timeZone: string,
  quiet: QuietHours,
  calendar: WorkCalendar,
): Date {
  const cal = usable(calendar);
  let at = firstAllowed(instant, timeZone, quiet);
  for (let i = 0; i < MAX_SKIPPED_DAYS && !isWorkingDay(localDate(at, timeZone), cal); i++) {
    at = nextLocalMorning(at, timeZone, quiet);
  }
  return at;
}

/** Whether the recipient may be sent something at `instant`. */
export function maySendAt(
  instant: Date,
  timeZone: string,
  quiet: QuietHours,
  calendar: WorkCalendar,
): boolean {
  return nextSendable(instant, timeZone, quiet, calendar).getTime() === instant.getTime();
}

/** The recipient's next working morning after today (for what the per-day cap holds back). */
export function nextWorkingMorning(
  instant: Date,
  timeZone: string,
  quiet: QuietHours,
  calendar: WorkCalendar,
): Date {
  return nextSendable(nextLocalMorning(instant, timeZone, quiet), timeZone, quiet, calendar);
}

/**
 * `hours` of working time after `anchor`: only hours of the zone's working days count (a rung's 24 hours
 * after a Friday 17:00 deadline end on Monday at 17:00). Zero hours is the anchor itself.
 */
export function addWorkingHours(anchor: Date, hours: number, timeZone: string, calendar: WorkCalendar): Date {
  const cal = usable(calendar);
  let remaining = hours * 3_600_000;
  let at = anchor.getTime();
  for (let i = 0; remaining > 0 && i < MAX_SKIPPED_DAYS * 2; i++) {
    const day = localDate(new Date(at), timeZone);
    const midnight = zonedInstant(addDays(day, 1), '00:00', timeZone).getTime();
    if (isWorkingDay(day, cal)) {
      const step = Math.min(remaining, midnight - at);
      remaining -= step;
      at += step;
      if (remaining === 0) break;
    }
    at = midnight;
  }
  return new Date(at);
}

/** The same local time `days` working days after `instant` (a grace of one working day after a Friday is Monday). */
export function addBusinessDays(instant: Date, days: number, timeZone: string, calendar: WorkCalendar): Date {
  if (days <= 0) return instant;
  const cal = usable(calendar);
  let date = localDate(instant, timeZone);
  for (let n = 0; n < days; n++) {
    date = addDays(date, 1);
    for (let i = 0; i < MAX_SKIPPED_DAYS && !isWorkingDay(date, cal); i++) date = addDays(date, 1);
  }
  return zonedInstant(date, localTime(instant, timeZone), timeZone);
}
