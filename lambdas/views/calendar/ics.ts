import type { CalendarInvite } from '../../domain/ports';
import { zoneOffsetMinutes } from '../../domain/time';
import type { CadenceWeekday, WeeklyInvite } from '../../domain/weekly-review';

/**
 * iCalendar (RFC 5545) for the weekly review's invitation: a wire format for a person's calendar, so a view.
 * Pure string building, no library; TEXT values escaped, lines folded at 75 octets.
 */

const CRLF = '\r\n';
const MAX_OCTETS = 75;

/** TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and line breaks as `\n`. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: other controls are not allowed in TEXT
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/** A parameter value (CN): quoted, without the DQUOTE and controls a parameter value may not hold. */
function paramValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: controls are not allowed in a parameter value
  return `"${value.replace(/["\u0000-\u001f\u007f]/g, '').trim()}"`;
}

/** `mailto:` URI of an address; anything that could break the line or the URI is refused. */
function mailto(email: string): string {
  if (!/^[^\s<>()",;:\\]+@[^\s<>()",;:\\]+$/.test(email))
    throw new RangeError(`not an email address: ${email}`);
  return `mailto:${email}`;
}

/**
 * Folds a content line at 75 octets (RFC 5545 3.1): each continuation starts with one space, which counts
 * toward its 75. UTF-8 sequences are never split.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ` ${ch}`;
      octets = 1 + size;
    } else {
      current += ch;
      octets += size;
    }
  }
  out.push(current);
  return out.join(CRLF);
}

/** `20261207T093000` (local, for TZID) from `2026-12-07` and `09:30`. */
function localDateTime(date: string, time: string): string {
  return `${date.replace(/-/g, '')}T${time.replace(':', '')}00`;
}

/** `20261201T150000Z`. */
function utcDateTime(instant: Date): string {
  return `${instant
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')}`;
}

function offset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

const BYDAY: Record<CadenceWeekday, string> = {
  MON: 'MO',
  TUE: 'TU',
  WED: 'WE',
  THU: 'TH',
  FRI: 'FR',
  SAT: 'SA',
  SUN: 'SU',
};
const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Transition {
  /** First instant of the new offset. */
  at: Date;
  from: number;
  to: number;
}

/** The offset changes of `timeZone` during `year`, found with Intl (to the minute). */
export function offsetTransitions(timeZone: string, year: number): Transition[] {
  const found: Transition[] = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const step = 86_400_000;
  let previous = zoneOffsetMinutes(new Date(start), timeZone);
  for (let t = start + step; t <= end; t += step) {
    const current = zoneOffsetMinutes(new Date(t), timeZone);
    if (current === previous) continue;
    let lo = t - step;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (zoneOffsetMinutes(new Date(mid), timeZone) === previous) lo = mid;
      else hi = mid;
    }
    found.push({ at: new Date(hi), from: previous, to: current });
    previous = current;
  }
  return found;
}

/**
 * A VTIMEZONE for `timeZone` from its offsets around `year`: STANDARD and DAYLIGHT with a yearly rule
 * (`BYMONTH`, nth or last weekday) for a zone that changes its clocks, a fixed STANDARD otherwise.
 * Calendar clients recognise the IANA TZID anyway; this keeps the file self-contained.
 */
export function vtimezone(timeZone: string, year: number): string[] {
  const transitions = offsetTransitions(timeZone, year);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  if (transitions.length === 0) {
    const o = offset(zoneOffsetMinutes(new Date(Date.UTC(year, 0, 1)), timeZone));
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${o}`, `TZOFFSETTO:${o}`);
    lines.push('END:STANDARD', 'END:VTIMEZONE');
    return lines;
  }
  for (const t of transitions) {
    const kind = t.to > t.from ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART of a transition is the wall time it happens at, read in the offset before it.
    const wall = new Date(t.at.getTime() + t.from * 60_000);
    const date = wall.toISOString().slice(0, 10);
    const time = wall.toISOString().slice(11, 16);
    const day = wall.getUTCDate();
    const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
    const nth = day + 7 > daysInMonth ? -1 : Math.ceil(day / 7);
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${localDateTime(date, time)}`,
      `RRULE:FREQ=YEARLY;BYMONTH=${wall.getUTCMonth() + 1};BYDAY=${nth}${DAY_CODES[wall.getUTCDay()]}`,
      `TZOFFSETFROM:${offset(t.from)}`,
      `TZOFFSETTO:${offset(t.to)}`,
      `END:${kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** The weekly review as a recurring event, METHOD:REQUEST, lines folded, CRLF-terminated. */
export function weeklyReviewIcs(invite: WeeklyInvite): string {
  const year = Number(invite.date.slice(0, 4));
  const lines = [
    'BEGIN:VCALENDAR',
    'PRODID:-//Cosell Flow//Weekly review//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    ...vtimezone(invite.timezone, year),
    'BEGIN:VEVENT',
    `UID:${escapeText(invite.uid)}`,
    `DTSTAMP:${utcDateTime(invite.stamp)}`,
    `DTSTART;TZID=${invite.timezone}:${localDateTime(invite.date, invite.time)}`,
    `DURATION:PT${invite.durationMinutes}M`,
    `RRULE:FREQ=WEEKLY;BYDAY=${BYDAY[invite.weekday]}`,
    `SUMMARY:${escapeText(invite.summary)}`,
    `DESCRIPTION:${escapeText(invite.description)}`,
    `ORGANIZER${invite.organizer.name ? `;CN=${paramValue(invite.organizer.name)}` : ''}:${mailto(invite.organizer.email)}`,
    ...invite.attendees.map(
      (a) =>
        `ATTENDEE${a.name ? `;CN=${paramValue(a.name)}` : ''};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:${mailto(a.email)}`,
    ),
    'SEQUENCE:0',
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** The invitation the weekly review's first email carries. */
export function reviewInviteView(invite: WeeklyInvite): CalendarInvite {
  return { method: 'REQUEST', ics: weeklyReviewIcs(invite) };
}
