import { describe, expect, it } from 'vitest';
import {
  digestKey,
  firstAllowed,
  groupByRecipient,
  inQuietHours,
  localTime,
  nextLocalMorning,
  sendSlotKeys,
} from '../../../lambdas/domain/cadence';

const NIGHT = { start: '19:00', end: '08:00' };
const CHICAGO = 'America/Chicago';

describe('quiet hours', () => {
  it('knows a night that spans midnight, on the recipient’s wall clock', () => {
    // 2026-12-03T01:00Z is 19:00 in Chicago and 20:00 in New York, 17:00 in Los Angeles.
    const at = new Date('2026-12-03T01:00:00.000Z');
    expect(inQuietHours(at, CHICAGO, NIGHT)).toBe(true);
    expect(inQuietHours(at, 'America/New_York', NIGHT)).toBe(true);
    expect(inQuietHours(at, 'America/Los_Angeles', NIGHT)).toBe(false);
    expect(inQuietHours(new Date('2026-12-03T14:00:00.000Z'), CHICAGO, NIGHT)).toBe(false);
    expect(inQuietHours(new Date('2026-12-03T13:59:00.000Z'), CHICAGO, NIGHT)).toBe(true);
  });

  it('knows a quiet period within one day', () => {
    const lunch = { start: '12:00', end: '13:00' };
    expect(inQuietHours(new Date('2026-12-03T18:30:00.000Z'), CHICAGO, lunch)).toBe(true);
    expect(inQuietHours(new Date('2026-12-03T19:00:00.000Z'), CHICAGO, lunch)).toBe(false);
  });

  it('ends an evening’s quiet the next morning and a small hours’ quiet the same morning', () => {
    expect(firstAllowed(new Date('2026-12-03T02:00:00.000Z'), CHICAGO, NIGHT).toISOString()).toBe(
      '2026-12-03T14:00:00.000Z',
    );
    expect(firstAllowed(new Date('2026-12-03T09:00:00.000Z'), CHICAGO, NIGHT).toISOString()).toBe(
      '2026-12-03T14:00:00.000Z',
    );
    const awake = new Date('2026-12-03T16:00:00.000Z');
    expect(firstAllowed(awake, CHICAGO, NIGHT)).toBe(awake);
  });

  it('ends at 08:00 local across daylight-saving changes either way', () => {
    // Spring forward (Chicago, 2027-03-14 02:00): 08:00 CDT is 13:00Z.
    const spring = firstAllowed(new Date('2027-03-14T02:00:00.000Z'), CHICAGO, NIGHT);
    expect(spring.toISOString()).toBe('2027-03-14T13:00:00.000Z');
    // Fall back (2026-11-01 02:00 CDT -> 01:00 CST): 08:00 CST is 14:00Z.
    const fall = firstAllowed(new Date('2026-11-01T01:00:00.000Z'), CHICAGO, NIGHT);
    expect(fall.toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(localTime(spring, CHICAGO)).toBe('08:00');
    expect(localTime(fall, CHICAGO)).toBe('08:00');
  });

  it('finds the next local morning for a capped recipient', () => {
    // 15:00 in Chicago on 3 December -> 08:00 on 4 December; in Tokyo the next day starts sooner.
    const at = new Date('2026-12-03T21:00:00.000Z');
    expect(nextLocalMorning(at, CHICAGO, NIGHT).toISOString()).toBe('2026-12-04T14:00:00.000Z');
    expect(nextLocalMorning(at, 'Asia/Tokyo', NIGHT).toISOString()).toBe('2026-12-04T23:00:00.000Z');
    expect(nextLocalMorning(at, CHICAGO, { start: '12:00', end: '13:00' }).toISOString()).toBe(
      '2026-12-04T06:00:00.000Z',
    );
  });
});

describe('send slots and digests', () => {
  it('numbers a recipient’s slots on their local date, case-insensitively', () => {
    // 02:00Z on 3 December is still 2 December in Chicago.
    expect(sendSlotKeys('Ana.Ruiz@Vendor.example', new Date('2026-12-03T02:00:00.000Z'), CHICAGO, 3)).toEqual(
      [
        'sent#ana.ruiz@vendor.example#2026-12-02#1',
        'sent#ana.ruiz@vendor.example#2026-12-02#2',
        'sent#ana.ruiz@vendor.example#2026-12-02#3',
      ],
    );
  });

  it('keys a digest by its recipient and its set of items, in any order', () => {
    const a = digestKey('ana@x.example', ['k1', 'k2']);
    expect(digestKey('ANA@x.example', ['k2', 'k1'])).toBe(a);
    expect(digestKey('ana@x.example', ['k1', 'k2', 'k3'])).not.toBe(a);
    expect(a).toMatch(/^digest#ana@x\.example#[\w-]{22}$/);
  });

  it('groups items by recipient in first-seen order', () => {
    const items = [
      { to: { email: 'a@x' }, n: 1 },
      { to: { email: 'b@x' }, n: 2 },
      { to: { email: 'A@x' }, n: 3 },
    ];
    expect(groupByRecipient(items).map((g) => g.map((i) => i.n))).toEqual([[1, 3], [2]]);
  });
});
