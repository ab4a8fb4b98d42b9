import { describe, expect, it } from 'vitest';
import { verifyViewLink } from '../../../lambdas/domain/links';
import { RoomLinkedEvents } from '../../../lambdas/domain/room-linked-events';
import { FakeClock, FixedSigningKeys, RecordingEventPublisher, TEST_CONFIG } from '../../helpers/fakes';
import { PLAN_ID, startedDeal } from '../../helpers/plan';

function publisher(found = true) {
  const inner = new RecordingEventPublisher();
  const snapshot = startedDeal();
  const warnings: string[] = [];
  const events = new RoomLinkedEvents(
    inner,
    {
      store: { get: async () => (found ? snapshot : undefined) },
      keys: new FixedSigningKeys(),
      config: TEST_CONFIG,
      clock: new FakeClock(),
    },
    (w) => warnings.push(w),
  );
  return { inner, events, snapshot, warnings };
}

describe('RoomLinkedEvents', () => {
  it('adds view links to the room for the vendor and partner owner to a 1.0 deal event', async () => {
    // Prepare
    const { inner, events, snapshot } = publisher();

    // Act
    await events.publish('CoSell Stage Advanced', { schemaVersion: '1.0', planId: PLAN_ID, eventId: 'e' });

    // Assess
    const links = inner.published[0]?.detail.links as { vendorRoom: string; partnerRoom: string };
    expect(links.vendorRoom).toMatch(new RegExp(`^${TEST_CONFIG.publicBaseUrl}/room/`));
    const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    const keys = new FixedSigningKeys();
    const vendor = await verifyViewLink(
      TEST_CONFIG.tenant,
      tokenOf(links.vendorRoom),
      keys,
      new Date('2026-12-01T15:00:00Z'),
    );
    const partner = await verifyViewLink(
      TEST_CONFIG.tenant,
      tokenOf(links.partnerRoom),
      keys,
      new Date('2026-12-01T15:00:00Z'),
    );
    expect(vendor).toMatchObject({
      ok: true,
      claims: { recipient: snapshot.deal.plan.owners.vendor?.email },
    });
    expect(partner).toMatchObject({
      ok: true,
      claims: { recipient: snapshot.deal.plan.owners.partner?.email },
    });
  });

  it('leaves registrations as they are, and still publishes when the deal cannot be read', async () => {
    const { inner, events } = publisher(false);
    await events.publish('CoSell Deal Registered', { schemaVersion: '1.2', planId: PLAN_ID });
    await events.publish('CoSell Escalated', { schemaVersion: '1.0', planId: PLAN_ID });
    expect(inner.published.map((e) => e.detail.links)).toEqual([undefined, undefined]);
  });
});
