import type { SigningKeys } from './links';
import type { Clock, DealStore, EventPublisher, TenantConfig } from './ports';
import { roomLink } from './use-cases/room';

/**
 * Puts each deal event (the `1.0` ones, not the registrations) with `links {vendorRoom, partnerRoom}`: view
 * links to the deal room signed for the vendor and partner owner, so a channel message can link the room
 * (internal channels the vendor's, a partner-shared channel the partner's). A view link only reads. Signing
 * never costs the event: without links it is still put.
 */
export class RoomLinkedEvents implements EventPublisher {
  constructor(
    private readonly inner: EventPublisher,
    private readonly deps: {
      store: Pick<DealStore, 'get'>;
      keys: SigningKeys;
      config: TenantConfig;
      clock: Clock;
    },
    private readonly warn: (message: string) => void,
  ) {}

  async publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    const links = await this.linksFor(detail).catch((error: Error) => {
      this.warn(`room links not signed for ${detailType}: ${error.name}: ${error.message}`);
      return undefined;
    });
    await this.inner.publish(detailType, links ? { ...detail, links } : detail);
  }

  private async linksFor(detail: Record<string, unknown>) {
    if (detail.schemaVersion !== '1.0' || typeof detail.planId !== 'string' || detail.links) return undefined;
    const snapshot = await this.deps.store.get(detail.planId);
    if (!snapshot) return undefined;
    const { vendor, partner } = snapshot.deal.plan.owners;
    const planId = detail.planId;
    return {
      ...(vendor ? { vendorRoom: (await roomLink(this.deps, planId, vendor.email)).url } : {}),
      ...(partner ? { partnerRoom: (await roomLink(this.deps, planId, partner.email)).url } : {}),
    };
  }
}
