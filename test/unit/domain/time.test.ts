import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  hoursToMs,
  localDate,
  zonedInstant,
  zoneOffsetMinutes,
} from '../../../lambdas/domain/time';

describe('zoneOffsetMinutes', () => {
  it('gives standard and daylight offsets either side of the Chicago spring change', () => {
    // Prepare: 2027-03-14, clocks jump from 02:00 CST (08:00Z) to 03:00 CDT.
    const before = new Date('2027-03-14T07:59:00Z');
    const after = new Date('2027-03-14T08:00:00Z');

    // Act / Assess
    expect(zoneOffsetMinutes(before, 'America/Chicago')).toBe(-360);
    expect(zoneOffsetMinutes(after, 'America/Chicago')).toBe(-300);
  });

  it('ignores the milliseconds of the instant', () => {
    expect(zoneOffsetMinutes(new Date('2026-12-04T23:00:00.999Z'), 'Europe/London')).toBe(0);
    expect(zoneOffsetMinutes(new Date('2027-06-01T12:00:00.999Z'), 'Europe/London')).toBe(60);
  });
});

describe('zonedInstant', () => {
  it.each([
    // Chicago: CST (-6) until the change on 2027-03-14, CDT (-5) from that day.
    ['2027-03-13', '17:00', 'America/Chicago', '2027-03-13T23:00:00.000Z'],
    ['2027-03-14', '17:00', 'America/Chicago', '2027-03-14T22:00:00.000Z'],
    ['2027-03-14', '01:59', 'America/Chicago', '2027-03-14T07:59:00.000Z'],
    ['2027-03-14', '03:00', 'America/Chicago', '2027-03-14T08:00:00.000Z'],
    ['2027-11-07', '17:00', 'America/Chicago', '2027-11-07T23:00:00.000Z'],
    // London: GMT until 2027-03-28 01:00, BST after; back on 2027-10-31.
    ['2027-03-27', '17:00', 'Europe/London', '2027-03-27T17:00:00.000Z'],
    ['2027-03-28', '17:00', 'Europe/London', '2027-03-28T16:00:00.000Z'],
    ['2027-10-30', '17:00', 'Europe/London', '2027-10-30T16:00:00.000Z'],
    ['2027-10-31', '17:00', 'Europe/London', '2027-10-31T17:00:00.000Z'],
    // A date line crossing: 17:00 in Los Angeles is the next UTC day.
    ['2027-02-05', '17:00', 'America/Los_Angeles', '2027-02-06T01:00:00.000Z'],
    ['2026-12-04', '17:00', 'UTC', '2026-12-04T17:00:00.000Z'],
  ])('%s %s in %s is %s', (date, time, zone, expected) => {
    // Act
    const instant = zonedInstant(date, time, zone);

    // Assess
    expect(instant.toISOString()).toBe(expected);
  });

  it('reads back as the same wall time in the zone', () => {
    // Prepare
    const zones = [
      'America/Chicago',
      'Europe/London',
      'Asia/Kolkata',
      'Australia/Sydney',
      'Pacific/Auckland',
    ];

    for (const zone of zones) {
      // Act
      const instant = zonedInstant('2027-03-14', '17:00', zone);

      // Assess
      const wall = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
      }).format(instant);
      expect(wall, zone).toBe('17:00');
      expect(localDate(instant, zone), zone).toBe('2027-03-14');
    }
  });

  it('resolves an ambiguous wall time (autumn, clocks go back) to its first occurrence', () => {
    // 01:30 happens twice in Chicago on 2027-11-07: at 06:30Z (CDT) and at 07:30Z (CST).
    expect(zonedInstant('2027-11-07', '01:30', 'America/Chicago').toISOString()).toBe(
      '2027-11-07T06:30:00.000Z',
    );
    // 01:30 happens twice in London on 2027-10-31: at 00:30Z (BST) and at 01:30Z (GMT).
    expect(zonedInstant('2027-10-31', '01:30', 'Europe/London').toISOString()).toBe(
      '2027-10-31T00:30:00.000Z',
    );
  });

  it('resolves a wall time skipped by the London spring change to just after the jump', () => {
    // 01:30 does not exist in London on 2027-03-28; just after the jump the clock reads 02:30 BST.
    const instant = zonedInstant('2027-03-28', '01:30', 'Europe/London');

    expect(instant.toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });

  it('resolves a wall time skipped by the Chicago spring change to just after the jump', () => {
    // 02:30 does not exist in Chicago on 2027-03-14. The documented rule (and London's behaviour above)
    // gives 03:30 CDT = 08:30Z; 07:30Z would read 01:30 CST, an hour before the requested time.
    const instant = zonedInstant('2027-03-14', '02:30', 'America/Chicago');

    expect(instant.toISOString()).toBe('2027-03-14T08:30:00.000Z');
  });
});

describe('zonedInstant around every 2027 change, every 15 minutes', () => {
  const formats = new Map<string, Intl.DateTimeFormat>();
  const wallOf = (instant: number, zone: string) => {
    let format = formats.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat('sv-SE', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
      formats.set(zone, format);
    }
    return format.format(new Date(instant));
  };
  const plusMinutes = (day: string, minutes: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
  const cases: [string, string[]][] = [
    ['America/Chicago', ['2027-03-14', '2027-11-07']],
    ['Europe/London', ['2027-03-28', '2027-10-31']],
    ['Australia/Sydney', ['2027-04-04', '2027-10-03']],
    // Lord Howe moves its clocks by 30 minutes.
    ['Australia/Lord_Howe', ['2027-04-04', '2027-10-03']],
  ];

  it.each(cases)(
    '%s reads back the requested wall time, or the time just after a skipped one',
    (zone, days) => {
      let skipped = 0;
      for (const day of days) {
        for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
          // Prepare
          const wanted = plusMinutes(day, minutes);
          const time = wanted.slice(11);

          // Act
          const instant = zonedInstant(day, time, zone).getTime();

          // Assess: the clock reads the time asked for; or no instant within three hours reads it (it was
          // skipped) and the clock reads it plus the size of the jump.
          const read = wallOf(instant, zone);
          if (read === wanted) continue;
          skipped++;
          for (let t = instant - 3 * 3_600_000; t <= instant + 3 * 3_600_000; t += 60_000) {
            expect(wallOf(t, zone), `${zone}: ${wanted} exists`).not.toBe(wanted);
          }
          const jump = zone === 'Australia/Lord_Howe' ? 30 : 60;
          expect(read, `${zone}: ${wanted}`).toBe(plusMinutes(day, minutes + jump));
        }
      }
      // Each spring change skips 60 minutes (four times at 15-minute steps), Lord Howe's 30 (two).
      expect(skipped).toBe(zone === 'Australia/Lord_Howe' ? 2 : 4);
    },
  );
});

describe('localDate', () => {
  it('gives the calendar date on the wall clock of the zone, not of UTC', () => {
    // Prepare: 01:00Z on 6 Feb is still 5 Feb in Los Angeles, already 6 Feb in London and Tokyo.
    const instant = new Date('2027-02-06T01:00:00Z');

    // Act / Assess
    expect(localDate(instant, 'America/Los_Angeles')).toBe('2027-02-05');
    expect(localDate(instant, 'Europe/London')).toBe('2027-02-06');
    expect(localDate(instant, 'Asia/Tokyo')).toBe('2027-02-06');
  });

  it('follows a summer-time offset', () => {
    // 23:30Z on 27 Mar 2027 is 23:30 GMT; 23:30Z on 28 Mar is 00:30 BST on the 29th.
    expect(localDate(new Date('2027-03-27T23:30:00Z'), 'Europe/London')).toBe('2027-03-27');
    expect(localDate(new Date('2027-03-28T23:30:00Z'), 'Europe/London')).toBe('2027-03-29');
  });
});

describe('addDays', () => {
  it.each([
    ['2026-12-04', 7, '2026-12-11'],
    ['2026-12-28', 7, '2027-01-04'],
    ['2027-02-26', 3, '2027-03-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-03-13', 1, '2027-03-14'],
    ['2027-03-14', 1, '2027-03-15'],
    ['2027-10-31', 1, '2027-11-01'],
    ['2027-01-08', -10, '2026-12-29'],
    ['2027-01-08', 0, '2027-01-08'],
  ])('%s + %i days = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('daysBetween', () => {
  it.each([
    ['2026-12-04', '2026-12-11', 7],
    ['2026-12-11', '2026-12-04', -7],
    ['2027-03-13', '2027-03-15', 2],
    ['2027-10-30', '2027-11-01', 2],
    ['2027-02-26', '2027-03-01', 3],
    ['2028-02-26', '2028-03-01', 4],
    ['2027-01-08', '2027-01-08', 0],
  ])('from %s to %s is %i', (from, to, expected) => {
    expect(daysBetween(from, to)).toBe(expected);
  });

  it('is the inverse of addDays across a year of dates, DST changes included', () => {
    for (let n = -400; n <= 400; n += 13) {
      expect(daysBetween('2027-03-14', addDays('2027-03-14', n))).toBe(n);
    }
  });
});

describe('hoursToMs', () => {
  it('converts hours to milliseconds', () => {
    expect(hoursToMs(24)).toBe(86_400_000);
    expect(hoursToMs(0.5)).toBe(1_800_000);
  });
});
