/** Calendar and timezone arithmetic with `Intl` only: no date library in the Lambda bundles. */

const DAY_MS = 86_400_000;

/** Offset of `timeZone` from UTC at `instant`, in minutes (e.g. -360 for America/Chicago in winter). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the wall clock in `timeZone` reads `date` `time`. A wall time skipped by a
 * daylight-saving jump resolves to the instant just after the jump (02:30 on a night that jumps from 02:00
 * to 03:00 gives 03:30); a wall time that occurs twice resolves to the first, in every zone.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // The offsets in force a day either side (no zone changes its offset twice in a day). Each offset that
  // really is in force at the instant it gives is a reading of the wall time; none means it was skipped.
  const before = zoneOffsetMinutes(new Date(wall - DAY_MS), timeZone);
  const after = zoneOffsetMinutes(new Date(wall + DAY_MS), timeZone);
  const readings = [before, after]
    .map((offset) => ({ offset, at: wall - offset * 60_000 }))
    .filter(({ offset, at }) => zoneOffsetMinutes(new Date(at), timeZone) === offset)
    .map(({ at }) => at);
  // Skipped: the offset from before the jump lands as far after the jump as the wall time was after it.
  return new Date(readings.length > 0 ? Math.min(...readings) : wall - before * 60_000);
}

/** `YYYY-MM-DD` of `instant` on the wall calendar of `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** Human form for emails and pages: `Fri 4 Dec 2026, 17:00 GMT-6`. */
export function formatLocal(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(instant);
}

export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function hoursToMs(hours: number): number {
  return hours * 3_600_000;
}
