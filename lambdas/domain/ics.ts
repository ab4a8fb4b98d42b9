import { zoneOffsetMinutes } from './time';

/**
 * iCalendar (RFC 5545) for the weekly review's invitation, and the MIME message that carries it (SES
 * SendEmail cannot attach a file, so that one email goes out raw). Pure string building, no library.
 */

export type CadenceWeekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

export interface CalendarPerson {
  name?: string;
  email: string;
}

export interface WeeklyInvite {
  /** Stable per plan: a later invitation with the same UID updates the event rather than adding one. */
  uid: string;
  /** When the invitation was made (DTSTAMP). */
  stamp: Date;
  /** First occurrence, as wall time in `timezone`: `YYYY-MM-DD` and `HH:MM`. */
  date: string;
  time: string;
  timezone: string;
  weekday: CadenceWeekday;
  durationMinutes: number;
  summary: string;
  description: string;
  organizer: CalendarPerson;
  attendees: CalendarPerson[];
}

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

// ---- The raw message carrying the invitation -------------------------------------------------------------

export interface RawMessageInput {
  /** The From header as configured (`deals@acme.example` or `Cosell Flow <deals@acme.example>`). */
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  ics: string;
  /** Used for the boundaries and the Message-ID; random by default. */
  boundarySeed: string;
  date: Date;
}

/** A header value: no CR, LF or other controls (so no header can be injected), bounded. */
function headerValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** RFC 2047 encoded-word for a subject with any non-ASCII character; plain ASCII stays as it is. */
function encodedWord(value: string): string {
  const safe = headerValue(value);
  if (/^[\u0020-\u007e]*$/.test(safe)) return safe;
  // Encoded words are at most 75 characters: split the UTF-8 text into chunks of whole characters.
  const words: string[] = [];
  let chunk = '';
  for (const ch of safe) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function address(value: string): string {
  const v = headerValue(value);
  if (!/^[^\s<>()",;:\\]+@[^\s<>()",;:\\]+$/.test(v)) throw new RangeError(`not an email address: ${value}`);
  return v;
}

function base64Lines(content: string): string {
  return (
    Buffer.from(content, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join(CRLF);
}

/**
 * multipart/mixed: a multipart/alternative (text, HTML) and the invitation as `text/calendar;
 * method=REQUEST` (`invite.ics`). Bodies are base64, so no content can end a part or add a header.
 */
export function calendarMimeMessage(input: RawMessageInput): string {
  const mixed = `mixed-${input.boundarySeed}`;
  const alt = `alt-${input.boundarySeed}`;
  const from = headerValue(input.from);
  const domain = from.replace(/^.*@/, '').replace(/[>\s].*$/, '') || 'cosell-flow.invalid';
  const headers = [
    `From: ${from}`,
    `To: ${input.to.map(address).join(', ')}`,
    ...(input.cc.length ? [`Cc: ${input.cc.map(address).join(', ')}`] : []),
    `Subject: ${encodedWord(input.subject)}`,
    `Date: ${input.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${input.boundarySeed}@${domain}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
  ];
  const part = (type: string, body: string, extra: string[] = []) => [
    `Content-Type: ${type}`,
    'Content-Transfer-Encoding: base64',
    ...extra,
    '',
    base64Lines(body),
  ];
  return [
    ...headers,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    ...part('text/plain; charset=UTF-8', input.text),
    `--${alt}`,
    ...part('text/html; charset=UTF-8', input.html),
    `--${alt}--`,
    `--${mixed}`,
    ...part('text/calendar; charset=UTF-8; method=REQUEST; name="invite.ics"', input.ics, [
      'Content-Disposition: attachment; filename="invite.ics"',
    ]),
    `--${mixed}--`,
    '',
  ].join(CRLF);
}
