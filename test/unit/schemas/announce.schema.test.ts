import { describe, expect, it } from 'vitest';
import { announcedBy, announceEvent } from '../../../lambdas/schemas/announce.schema';

// What `announce` reads of the deal events its rule sends it, and what each says was announced.

const envelope = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'e-1',
  'detail-type': detailType,
  source: 'cosell.flow',
  detail: { schemaVersion: '1.2', planId: 'pl_1', ...detail },
});

describe('the announce event', () => {
  it.each([
    [
      'CoSell Stage Advanced',
      { from: 'door-opener', to: 'joint-discovery' },
      { kind: 'stage-passed', stage: 'door-opener' },
    ],
    ['CoSell Deal Registered', { outcome: 'won' }, { kind: 'closed' }],
    ['CoSell Deal Closed Lost', { outcome: 'lost' }, { kind: 'closed' }],
  ])('%s announces %j', (detailType, detail, what) => {
    const parsed = announceEvent.parse(envelope(detailType, detail));
    expect(parsed.detail.planId).toBe('pl_1');
    expect(announcedBy(parsed)).toEqual(what);
  });

  it('refuses a Stage Advanced that names no stage passed, and events it does not follow', () => {
    expect(() => announcedBy(announceEvent.parse(envelope('CoSell Stage Advanced', {})))).toThrow(
      /detail.from/,
    );
    expect(announceEvent.safeParse(envelope('CoSell Milestone Slipped', {})).success).toBe(false);
    expect(
      announceEvent.safeParse(envelope('CoSell Stage Advanced', { planId: '', from: 'door-opener' })).success,
    ).toBe(false);
    expect(announceEvent.safeParse(envelope('CoSell Stage Advanced', { from: 'stage-9' })).success).toBe(
      false,
    );
  });
});
