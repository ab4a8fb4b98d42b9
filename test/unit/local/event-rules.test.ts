import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelMessage, channelPattern } from '../../../lib/channel-messages';
import { CHANNEL_EVENTS, type ChannelEvent } from '../../../lib/integration-settings';
import type { LocalEvent } from '../../../local/aws-emulator';
import { type BusEnvelope, LocalEventRules, matches, renderTransformer } from '../../../local/event-rules';

const event = (detailType: string, detail: Record<string, unknown>): BusEnvelope => ({
  version: '0',
  id: 'e-1',
  'detail-type': detailType,
  source: 'cosell.flow',
  account: '000000000000',
  time: '2026-12-02T15:00:00.000Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const COMMON = {
  schemaVersion: '1.0',
  eventId: 'ev-1',
  planId: 'pl_1',
  tenant: 'acme',
  planName: 'Globex "platform" migration',
  occurredAt: '2026-12-02T15:00:00.000Z',
  partner: { name: 'Northwind Integrators' },
  account: { name: 'Globex Corporation' },
};

const REGISTERED = {
  schemaVersion: '1.2',
  registrationId: 'acme:pl_1',
  planId: 'pl_1',
  planName: 'Globex "platform" migration',
  partner: { name: 'Northwind Integrators' },
  account: { name: 'Globex Corporation' },
  outcome: 'won',
  arr: { amount: 95000, currency: 'USD' },
  economicSplit: { recognizes: 'vendor', partnerFeePercent: 20, servicesTo: 'partner' },
};

describe('the local bus renders the deployed input transformers', () => {
  it('renders a Slack message with escaped strings and the room link', () => {
    const body = renderTransformer(
      channelMessage('slack', 'registered', false),
      event('CoSell Deal Registered', { ...REGISTERED, links: { vendorRoom: 'https://x.example/room/t' } }),
    );
    expect(JSON.parse(body)).toEqual({
      text:
        '*Globex "platform" migration*: Won and registered: ARR 95000 USD\n' +
        'Partner: Northwind Integrators · Account: Globex Corporation · Stage: close-register-review\n' +
        '<https://x.example/room/t|Open the deal room>',
    });
  });

  it('posts the whole detail to an internal webhook and all but the split to a shared one', () => {
    const e = event('CoSell Deal Registered', REGISTERED);
    expect(JSON.parse(renderTransformer(channelMessage('webhook', 'registered', false), e))).toEqual(
      REGISTERED,
    );
    const shared = JSON.parse(renderTransformer(channelMessage('webhook', 'registered', true), e));
    expect(shared).not.toHaveProperty('economicSplit');
    expect(shared).toMatchObject({
      planId: 'pl_1',
      arr: { amount: 95000, currency: 'USD' },
      closeOutcome: null,
    });
  });

  it('gives a partner-shared channel, of every moment and kind, the partner room link and never the vendor one', () => {
    const links = {
      vendorRoom: 'https://x.example/room/VENDOR',
      partnerRoom: 'https://x.example/room/PARTNER',
    };
    const details: Record<ChannelEvent, Record<string, unknown>> = {
      'plan-started': {
        ...COMMON,
        stage: 'joint-discovery',
        plannedArr: { min: 1, max: 2, currency: 'USD' },
      },
      'stage-advanced': { ...COMMON, from: 'joint-discovery', to: 'technical-validation', daysInStage: 4 },
      'milestone-slipped': { ...COMMON, milestone: { id: 'm1', title: 'POC', stage: 'joint-discovery' } },
      escalated: { ...COMMON, what: 'gate-overdue', stage: 'joint-discovery', to: { name: 'Ana' } },
      'needs-attention': { ...COMMON, what: 'ACE', reason: 'Add the website', stage: 'joint-discovery' },
      registered: REGISTERED,
      'closed-lost': { ...REGISTERED, outcome: 'lost', reason: 'Price' },
    };
    for (const moment of Object.keys(CHANNEL_EVENTS) as ChannelEvent[]) {
      const e = event(CHANNEL_EVENTS[moment], { ...details[moment], links });
      for (const kind of ['slack', 'teams', 'webhook'] as const) {
        const body = renderTransformer(channelMessage(kind, moment, true), e);
        expect(body, `${kind} ${moment}`).not.toContain('VENDOR');
        expect(body, `${kind} ${moment}`).toContain('https://x.example/room/PARTNER');
        expect(() => JSON.parse(body)).not.toThrow();
      }
      const shared = JSON.parse(renderTransformer(channelMessage('webhook', moment, true), e));
      expect(shared.links).toEqual({ partnerRoom: 'https://x.example/room/PARTNER' });
      expect(shared).toMatchObject({ planId: 'pl_1', planName: 'Globex "platform" migration' });
      expect(shared).not.toHaveProperty('economicSplit');
    }
    // An internal webhook still gets the whole detail, the vendor's link with it.
    const internal = renderTransformer(
      channelMessage('webhook', 'stage-advanced', false),
      event('CoSell Stage Advanced', { ...details['stage-advanced'], links }),
    );
    expect(JSON.parse(internal).links).toEqual(links);
  });

  it('matches a shared channel by partner in any case, and no other partner', () => {
    const pattern = channelPattern({ partner: 'NORTHWIND integrators' }, 'CoSell Stage Advanced');
    expect(
      matches(pattern, event('CoSell Stage Advanced', { partner: { name: 'Northwind Integrators' } })),
    ).toBe(true);
    expect(matches(pattern, event('CoSell Stage Advanced', { partner: { name: 'Contoso' } }))).toBe(false);
    expect(matches(pattern, event('CoSell Escalated', { partner: { name: 'Northwind Integrators' } }))).toBe(
      false,
    );
  });

  it('retries a failing target and dead-letters it after its retries', async () => {
    const rules = new LocalEventRules({ retries: 2, retryDelayMs: 1 });
    let calls = 0;
    rules.add(
      {
        name: 'flaky',
        pattern: { source: ['cosell.flow'], 'detail-type': ['A'] },
        target: async () => {
          calls++;
          if (calls < 2) throw new Error('503');
        },
      },
      {
        name: 'down',
        pattern: { source: ['cosell.flow'], 'detail-type': ['A'] },
        target: async () => {
          throw new Error('down');
        },
      },
    );
    rules.publish([
      {
        id: 'e-1',
        'detail-type': 'A',
        source: 'cosell.flow',
        detail: {},
        eventBusName: 'b',
        time: '2026-12-02T15:00:00.000Z',
      },
    ]);
    await rules.whenIdle();
    expect(calls).toBe(2);
    expect(rules.deadLetters()).toMatchObject([{ rule: 'down', eventId: 'e-1', attempts: 3, error: 'down' }]);
  });
});

describe('the local bus delivers at least once across a restart (EventBridge keeps retrying a target)', () => {
  const stored = (id: string): LocalEvent => ({
    id,
    'detail-type': 'CoSell Stage Advanced',
    source: 'cosell.flow',
    detail: { planId: 'pl_1', from: 'target-account-selection' },
    eventBusName: 'cosell-flow-local',
    time: '2026-12-02T15:00:00.000Z',
  });
  const pattern = { source: ['cosell.flow'], 'detail-type': ['CoSell Stage Advanced'] };

  function bus(file: string, took: string[], fail = new Set<string>()) {
    const rules = new LocalEventRules({ deliveriesFile: file, retries: 0, retryDelayMs: 0 });
    rules.add({
      name: 'announce',
      pattern,
      target: async (e) => {
        if (fail.has(e.id)) throw new Error('the process died');
        took.push(e.id);
      },
    });
    return rules;
  }

  it('redelivers after a restart only what no target had taken, and counts an older state as delivered', async () => {
    // Prepare: a state directory with two events from before the journal existed.
    const dir = mkdtempSync(join(tmpdir(), 'cosell-rules-'));
    const file = join(dir, 'deliveries.jsonl');
    const took: string[] = [];
    const first = bus(file, took);
    const old = first.redeliver([stored('old-1'), stored('old-2')]);
    // One event taken...
    first.publish([stored('e-1')]);
    await first.whenIdle();
    // ...and one put just before the process stopped, never handed to its target.
    const lost = stored('e-2');

    // Act: the next start redelivers from the stored events.
    const tookAfter: string[] = [];
    const second = bus(file, tookAfter);
    const count = second.redeliver([stored('old-1'), stored('old-2'), stored('e-1'), lost]);
    await second.whenIdle();
    const third = bus(file, []);
    const again = third.redeliver([stored('old-1'), stored('old-2'), stored('e-1'), lost]);

    // Assess
    expect(old).toBe(0);
    expect(took).toEqual(['e-1']);
    expect(count).toBe(1);
    expect(tookAfter).toEqual(['e-2']);
    expect(again).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts a dead-lettered delivery as done: it is not retried on every start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-rules-'));
    const file = join(dir, 'deliveries.jsonl');
    const rules = bus(file, [], new Set(['bad']));
    rules.redeliver([]);
    rules.publish([stored('bad')]);
    await rules.whenIdle();

    const took: string[] = [];
    const next = bus(file, took);

    expect(rules.deadLetters().map((d) => d.eventId)).toEqual(['bad']);
    expect(next.redeliver([stored('bad')])).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('never queues one delivery twice: an event still queued at start-up is not redelivered as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-rules-'));
    const file = join(dir, 'deliveries.jsonl');
    bus(file, []).redeliver([]);
    const took: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const rules = new LocalEventRules({ deliveriesFile: file, retries: 0 });
    rules.add({
      name: 'announce',
      pattern,
      target: async (e) => {
        await gate;
        took.push(e.id);
      },
    });

    // Act: a resumed task puts e-1 while start-up is still going; then start-up redelivers what is stored.
    rules.publish([stored('e-1')]);
    const redelivered = rules.redeliver([stored('e-1')]);
    release();
    await rules.whenIdle();

    expect(redelivered).toBe(0);
    expect(took).toEqual(['e-1']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps counting the stored history as delivered when the first start with the journal crashed early', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-rules-'));
    const file = join(dir, 'deliveries.jsonl');
    const history = [stored('old-1'), stored('old-2')];
    // The first start takes a new event and dies before its redeliver step wrote the journal.
    const first = bus(file, []);
    first.publish([stored('new-1')]);
    await first.whenIdle();

    const took: string[] = [];
    const next = bus(file, took);
    const count = next.redeliver([...history, stored('new-1')]);
    await next.whenIdle();

    expect(count).toBe(0);
    expect(took).toEqual([]);
    expect(bus(file, []).redeliver([...history, stored('new-1')])).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
