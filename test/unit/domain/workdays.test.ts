import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  addWorkingHours,
  isWorkingDay,
  maySendAt,
  nextSendable,
  nextWorkingMorning,
  type WorkCalendar,
  workCalendarOf,
} from '../../../lambdas/domain/workdays';

const CHICAGO = 'America/Chicago';
const QUIET = { start: '19:00', end: '08:00' };
const WEEK: WorkCalendar = { workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'], holidays: [] };
const CHRISTMAS: WorkCalendar = { ...WEEK, holidays: ['2026-12-25'] };

describe('working days', () => {
  it('are the tenant’s workweek, holidays excepted; Monday to Friday by default', () => {
    // Prepare
    const calendar = workCalendarOf({});

    // Act / Assess
    expect(calendar).toEqual(WEEK);
    expect(isWorkingDay('2026-12-04', calendar)).toBe(true); // Friday
    expect(isWorkingDay('2026-12-05', calendar)).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-25', CHRISTMAS)).toBe(false); // Friday, a holiday
    expect(isWorkingDay('2026-12-06', { workweek: ['SUN'], holidays: [] })).toBe(true);
  });
});

describe('nextSendable', () => {
  it('holds a Friday-evening send to Monday 08:00 local', () => {
    // Prepare: Friday 4 December 2026, 21:00 in Chicago (CST, UTC-6).
    const friday = new Date('2026-12-05T03:00:00Z');

    // Act
    const at = nextSendable(friday, CHICAGO, QUIET, WEEK);

    // Assess
    expect(at.toISOString()).toBe('2026-12-07T14:00:00.000Z');
    expect(maySendAt(friday, CHICAGO, QUIET, WEEK)).toBe(false);
    expect(maySendAt(at, CHICAGO, QUIET, WEEK)).toBe(true);
  });

  it('skips a holiday and the weekend after it: Christmas Friday goes out Monday 28 December', () => {
    // Prepare: Friday 25 December 2026, 10:00 in Chicago.
    const christmas = new Date('2026-12-25T16:00:00Z');

    // Act
    const at = nextSendable(christmas, CHICAGO, QUIET, CHRISTMAS);

    // Assess
    expect(at.toISOString()).toBe('2026-12-28T14:00:00.000Z');
  });

  it('keeps 08:00 local across the spring-forward weekend (14 March 2027, US)', () => {
    // Prepare: Saturday 13 March 2027, 12:00 CST; Chicago springs forward on Sunday 14 March.
    const saturday = new Date('2027-03-13T18:00:00Z');

    // Act
    const at = nextSendable(saturday, CHICAGO, QUIET, WEEK);

    // Assess: Monday 15 March 08:00 CDT is 13:00Z (not 14:00Z, as in winter).
    expect(at.toISOString()).toBe('2027-03-15T13:00:00.000Z');
  });

  it('sends at once on a working day outside quiet hours', () => {
    // Prepare: Wednesday 2 December 2026, 10:00 CST.
    const wednesday = new Date('2026-12-02T16:00:00Z');

    // Act / Assess
    expect(nextSendable(wednesday, CHICAGO, QUIET, CHRISTMAS)).toEqual(wednesday);
  });

  it('holds what is over the daily cap to the next working morning, not Saturday', () => {
    // Prepare: Friday 4 December 2026, 10:00 CST.
    const friday = new Date('2026-12-04T16:00:00Z');

    // Act / Assess
    expect(nextWorkingMorning(friday, CHICAGO, QUIET, WEEK).toISOString()).toBe('2026-12-07T14:00:00.000Z');
  });
});

describe('addWorkingHours', () => {
  it('counts only hours of working days: 24 h after Friday 17:00 is Monday 17:00', () => {
    // Prepare: Friday 4 December 2026, 17:00 CST.
    const friday = new Date('2026-12-04T23:00:00Z');

    // Act / Assess
    expect(addWorkingHours(friday, 24, CHICAGO, WEEK).toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(addWorkingHours(friday, 2, CHICAGO, WEEK).toISOString()).toBe('2026-12-05T01:00:00.000Z');
    expect(addWorkingHours(friday, 0, CHICAGO, WEEK)).toEqual(friday);
  });

  it('skips a holiday: 24 h after Thursday 24 December 17:00 is Monday 28 December 17:00', () => {
    // Prepare
    const eve = new Date('2026-12-24T23:00:00Z');

    // Act / Assess
    expect(addWorkingHours(eve, 24, CHICAGO, CHRISTMAS).toISOString()).toBe('2026-12-28T23:00:00.000Z');
  });

  it('keeps the local time across a daylight-saving change: Friday 12 March 17:00 CST + 24 h', () => {
    // Prepare: Friday 12 March 2027, 17:00 CST (23:00Z); the weekend springs forward.
    const friday = new Date('2027-03-12T23:00:00Z');

    // Act
    const at = addWorkingHours(friday, 24, CHICAGO, WEEK);

    // Assess: Monday 15 March 17:00 CDT.
    expect(at.toISOString()).toBe('2027-03-15T22:00:00.000Z');
  });
});

describe('addBusinessDays', () => {
  it('gives one working day of grace after a Friday deadline: Monday at the same local time', () => {
    // Prepare: Friday 4 December 2026, 17:00 CST.
    const friday = new Date('2026-12-04T23:00:00Z');

    // Act / Assess
    expect(addBusinessDays(friday, 1, CHICAGO, WEEK).toISOString()).toBe('2026-12-07T23:00:00.000Z');
    expect(addBusinessDays(friday, 0, CHICAGO, WEEK)).toEqual(friday);
  });

  it('skips a holiday and crosses the spring-forward weekend at the same wall time', () => {
    // Prepare
    const eve = new Date('2026-12-24T23:00:00Z');
    const march = new Date('2027-03-12T23:00:00Z');

    // Act / Assess
    expect(addBusinessDays(eve, 1, CHICAGO, CHRISTMAS).toISOString()).toBe('2026-12-28T23:00:00.000Z');
    expect(addBusinessDays(march, 1, CHICAGO, WEEK).toISOString()).toBe('2027-03-15T22:00:00.000Z');
  });
});
