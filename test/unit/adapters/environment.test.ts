import { describe, expect, it } from 'vitest';
import { readEnvironment, required } from '../../../lambdas/adapters/environment';

const COMPLETE = {
  TENANT: 'acme',
  PLANS_TABLE: 'cosell-flow-acme-plans',
  MILESTONES_TABLE: 'cosell-flow-acme-milestones',
  LINKS_TABLE: 'cosell-flow-acme-links',
  IDEMPOTENCY_TABLE: 'cosell-flow-acme-idempotency',
};

describe('readEnvironment', () => {
  it('reads a complete environment and applies the defaults', () => {
    // Prepare
    const env = { ...COMPLETE };

    // Act
    const parsed = readEnvironment(env);

    // Assess
    expect(parsed).toMatchObject({ ...COMPLETE, DEFAULT_TIMEZONE: 'UTC', LINK_TTL_DAYS: 14 });
  });

  it('reads LINK_TTL_DAYS as a number', () => {
    // Prepare
    const env = { ...COMPLETE, LINK_TTL_DAYS: '30', DEFAULT_TIMEZONE: 'America/Chicago' };

    // Act
    const parsed = readEnvironment(env);

    // Assess
    expect(parsed.LINK_TTL_DAYS).toBe(30);
    expect(parsed.DEFAULT_TIMEZONE).toBe('America/Chicago');
  });

  it('reads the forecast stage weights and the program cost, with the weights defaulting to 10/20/40/60/80', () => {
    expect(readEnvironment({ ...COMPLETE }).STAGE_WEIGHTS).toEqual([10, 20, 40, 60, 80]);
    expect(readEnvironment({ ...COMPLETE }).PROGRAM_COST).toBeUndefined();
    const parsed = readEnvironment({
      ...COMPLETE,
      STAGE_WEIGHTS: '5,15,35,65,90',
      PROGRAM_COST: '150000 USD',
    });
    expect(parsed.STAGE_WEIGHTS).toEqual([5, 15, 35, 65, 90]);
    expect(parsed.PROGRAM_COST).toEqual({ amount: 150_000, currency: 'USD' });
    expect(() => readEnvironment({ ...COMPLETE, STAGE_WEIGHTS: '10,20,40' })).toThrow(/STAGE_WEIGHTS/);
    expect(() => readEnvironment({ ...COMPLETE, PROGRAM_COST: 'lots' })).toThrow(/PROGRAM_COST/);
  });

  it('reads the working week, holidays and whole-day settings, naming a bad list entry by its position', () => {
    const parsed = readEnvironment({ ...COMPLETE, WORKWEEK: 'SUN, MON', HOLIDAYS: '2026-12-25,2027-01-01' });
    expect(parsed).toMatchObject({
      WORKWEEK: ['SUN', 'MON'],
      HOLIDAYS: ['2026-12-25', '2027-01-01'],
      GHOSTING_DAYS: 7,
      ESCALATION_GRACE_BUSINESS_DAYS: 1,
      ROOM_LINK_TTL_DAYS: 90,
    });
    expect(readEnvironment({ ...COMPLETE }).WORKWEEK).toEqual(['MON', 'TUE', 'WED', 'THU', 'FRI']);
    expect(readEnvironment({ ...COMPLETE, WORKWEEK: '' }).WORKWEEK).toEqual([]);
    expect(() => readEnvironment({ ...COMPLETE, WORKWEEK: 'MON,Funday' })).toThrow(/WORKWEEK\.1/);
    expect(() => readEnvironment({ ...COMPLETE, HOLIDAYS: '25/12/2026' })).toThrow(/HOLIDAYS\.0/);
    expect(() => readEnvironment({ ...COMPLETE, STAGE_WEIGHTS: '10,20,x,60,80' })).toThrow(
      /STAGE_WEIGHTS\.2/,
    );
    expect(() => readEnvironment({ ...COMPLETE, ESCALATION_GRACE_BUSINESS_DAYS: '-1' })).toThrow(
      /ESCALATION_GRACE_BUSINESS_DAYS/,
    );
    expect(readEnvironment({ ...COMPLETE, UNRELATED: 'x' })).not.toHaveProperty('UNRELATED');
  });

  it('names every missing variable in its error', () => {
    // Prepare
    const { TENANT: _t, MILESTONES_TABLE: _m, ...env } = COMPLETE;

    // Act
    const reading = () => readEnvironment(env);

    // Assess
    expect(reading).toThrow(/function configuration is incomplete: .*TENANT/);
    expect(reading).toThrow(/MILESTONES_TABLE/);
    expect(reading).not.toThrow(/PLANS_TABLE/);
  });

  it('treats an empty table name as missing', () => {
    // Prepare
    const env = { ...COMPLETE, LINKS_TABLE: '' };

    // Act
    const reading = () => readEnvironment(env);

    // Assess
    expect(reading).toThrow(/LINKS_TABLE/);
  });

  it.each(['', ' ', '0', '-3', '1.5'])(
    'refuses LINK_TTL_DAYS=%j, which would make every emailed link expire at once or be ill-defined',
    (value) => {
      // Prepare
      const env = { ...COMPLETE, LINK_TTL_DAYS: value };

      // Act
      const reading = () => readEnvironment(env);

      // Assess
      expect(reading).toThrow(/function configuration is incomplete: LINK_TTL_DAYS/);
    },
  );

  it('names LINK_TTL_DAYS when it is not a number', () => {
    // Prepare
    const env = { ...COMPLETE, LINK_TTL_DAYS: 'two weeks' };

    // Act
    const reading = () => readEnvironment(env);

    // Assess
    expect(reading).toThrow(/LINK_TTL_DAYS/);
  });
});

describe('required', () => {
  it('returns a setting that is present', () => {
    // Prepare
    const env = readEnvironment({ ...COMPLETE, SENDER_ADDRESS: 'deals@vendor.example' });

    // Act
    const sender = required(env, 'SENDER_ADDRESS');

    // Assess
    expect(sender).toBe('deals@vendor.example');
  });

  it.each(['SENDER_ADDRESS', 'EVENT_BUS_NAME', 'LINK_KEYS_SECRET_ARN', 'PUBLIC_BASE_URL'] as const)(
    'names %s when this function needs it and it is absent or empty',
    (name) => {
      // Prepare
      const absent = readEnvironment({ ...COMPLETE });
      const empty = readEnvironment({ ...COMPLETE, [name]: '' });

      // Act
      const readAbsent = () => required(absent, name);
      const readEmpty = () => required(empty, name);

      // Assess
      expect(readAbsent).toThrow(`function configuration is incomplete: ${name}`);
      expect(readEmpty).toThrow(`function configuration is incomplete: ${name}`);
    },
  );
});
