import { describe, expect, it } from 'vitest';
import type { WeeklyInvite } from '../../../../lambdas/domain/weekly-review';
import {
  escapeText,
  foldLine,
  offsetTransitions,
  vtimezone,
  weeklyReviewIcs,
} from '../../../../lambdas/views/calendar/ics';

const INVITE: WeeklyInvite = {
  uid: 'weekly-review-pl_1@acme.cosell-flow',
  stamp: new Date('2026-12-01T15:00:00Z'),
  date: '2026-12-07',
  time: '09:30',
  timezone: 'America/Chicago',
  weekday: 'MON',
  durationMinutes: 15,
  summary: 'Weekly review: Globex platform migration',
  description: 'What moved, what is stuck; what needs an escalation.',
  organizer: { name: 'Cosell Flow', email: 'deals@acme.example' },
  attendees: [
    { name: 'Ana Ruiz', email: 'ana.ruiz@vendor.example' },
    { name: 'Dana Whit', email: 'dana.whit@northwind.example' },
  ],
};

/** Content lines, unfolded (RFC 5545 3.1). */
function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean);
}

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and line breaks, and drops other controls', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf\u0007g')).toBe('a\\\\b\\;c\\,d\\ne\\nfg');
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and folds a longer one with CRLF and a space', () => {
    // Prepare
    const exact = 'X'.repeat(75);
    const long = `DESCRIPTION:${'y'.repeat(200)}`;

    // Act
    const folded = foldLine(long);

    // Assess
    expect(foldLine(exact)).toBe(exact);
    const lines = folded.split('\r\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    for (const l of lines.slice(1)) expect(l.startsWith(' ')).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(long);
  });

  it('counts octets, not characters, and never splits a UTF-8 sequence', () => {
    const line = `SUMMARY:${'é→'.repeat(40)}`;
    const folded = foldLine(line);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(folded).not.toContain('\uFFFD');
  });
});

describe('weeklyReviewIcs', () => {
  it('is a METHOD:REQUEST calendar with one weekly 15-minute event in the cadence timezone', () => {
    // Act
    const ics = weeklyReviewIcs(INVITE);
    const lines = unfold(ics);

    // Assess
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // CRLF only
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('METHOD:REQUEST');
    expect(lines).toContain('UID:weekly-review-pl_1@acme.cosell-flow');
    expect(lines).toContain('DTSTAMP:20261201T150000Z');
    expect(lines).toContain('DTSTART;TZID=America/Chicago:20261207T093000');
    expect(lines).toContain('DURATION:PT15M');
    expect(lines).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO');
    expect(lines).toContain('SUMMARY:Weekly review: Globex platform migration');
    expect(lines).toContain('DESCRIPTION:What moved\\, what is stuck\\; what needs an escalation.');
    expect(lines).toContain('ORGANIZER;CN="Cosell Flow":mailto:deals@acme.example');
    expect(lines).toContain(
      'ATTENDEE;CN="Ana Ruiz";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ana.ruiz@vendor.example',
    );
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(2);
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    for (const l of ics.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
  });

  it('has a VTIMEZONE for the TZID with the zone’s daylight and standard rules', () => {
    const lines = unfold(weeklyReviewIcs(INVITE));
    const start = lines.indexOf('BEGIN:VTIMEZONE');
    const block = lines.slice(start, lines.indexOf('END:VTIMEZONE') + 1);
    expect(block).toContain('TZID:America/Chicago');
    expect(block.join('\n')).toContain(
      'BEGIN:DAYLIGHT\nDTSTART:20260308T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZOFFSETFROM:-0600\nTZOFFSETTO:-0500',
    );
    expect(block.join('\n')).toContain(
      'BEGIN:STANDARD\nDTSTART:20261101T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0600',
    );
  });

  it('gives Europe its last-Sunday rules and a zone without DST one fixed STANDARD', () => {
    expect(vtimezone('Europe/Berlin', 2027).join('\n')).toContain('BYMONTH=3;BYDAY=-1SU');
    expect(offsetTransitions('Asia/Tokyo', 2027)).toEqual([]);
    expect(vtimezone('Asia/Tokyo', 2027)).toContain('TZOFFSETTO:+0900');
  });

  it('keeps names and summaries from breaking a line or a parameter', () => {
    const ics = weeklyReviewIcs({
      ...INVITE,
      summary: 'Evil\r\nATTENDEE:mailto:x@evil.example',
      attendees: [{ name: 'Dana "DW"\r\nX: y', email: 'dana.whit@northwind.example' }],
    });
    const lines = unfold(ics);
    expect(lines).toContain('SUMMARY:Evil\\nATTENDEE:mailto:x@evil.example');
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toEqual([
      'ATTENDEE;CN="Dana DWX: y";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dana.whit@northwind.example',
    ]);
    expect(() => weeklyReviewIcs({ ...INVITE, attendees: [{ email: 'a@b.example\r\nX: y' }] })).toThrow(
      RangeError,
    );
  });
});
