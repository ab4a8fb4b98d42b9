/** Dates as people read them ("Fri 11 Dec"), never raw ISO text; instants in the reader's own time zone. */

const DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const DAY_YEAR = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** A calendar date (`2026-12-11`) as `Fri 11 Dec`, with the year when it is not `thisYear`. */
export function dayLabel(date: string, thisYear?: number): string {
  const at = new Date(`${date.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return date;
  const format = thisYear === undefined || at.getUTCFullYear() === thisYear ? DAY : DAY_YEAR;
  return format.format(at).replace(',', '');
}

/** An instant as `Fri 11 Dec, 17:00` in `timeZone`. */
export function momentLabel(instant: string | Date, timeZone: string): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) return String(instant);
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(at)
    .replace(/^(\w+),/, '$1');
}

/** An instant as `Fri 11 Dec at 14:05` in `timeZone`. */
export function atLabel(instant: string | Date, timeZone: string): string {
  return momentLabel(instant, timeZone).replace(/, (\d\d:\d\d)$/, ' at $1');
}

/** A time zone as people say it: `America/Chicago` is `Chicago time`; `UTC` stays `UTC`. */
export function zoneLabel(timeZone: string): string {
  if (!timeZone.includes('/')) return timeZone;
  return `${(timeZone.split('/').pop() ?? timeZone).replaceAll('_', ' ')} time`;
}
