import { checkAttribution } from '../credit-check';
import type { Deal } from '../deal';
import { NotFoundError } from '../errors';
import { publishOnce } from '../events';
import type { Deps, PartnerPlanStore } from '../ports';
import { registrationDetail, registrationKind } from '../registration';
import { roomLink } from './room';

type RegisterDeps = Pick<Deps, 'store' | 'clock' | 'ledger' | 'events' | 'keys' | 'config'> & {
  partnerPlans?: PartnerPlanStore;
};

/**
 * `Register won deal` / `Register lost deal`: puts exactly one registration event on the tenant bus
 * (the ledger key is per deal, so a retried task or a duplicate delivery publishes nothing more). The event
 * carries the vendor and partner owners' view links to the deal room (`links`), for the channels' messages.
 */
export async function registerDeal(
  deps: RegisterDeps,
  input: { planId: string; outcome: 'won' | 'lost' },
  warn: (message: string) => void = () => {},
): Promise<{ detailType: string; registrationId: string }> {
  const now = deps.clock.now();
  const snapshot = await deps.store.get(input.planId);
  if (!snapshot) throw new NotFoundError(`No plan with id ${input.planId}.`);
  let deal = snapshot.deal;
  if (deal.status === 'active') deal = { ...deal, status: input.outcome };
  // The partner plan's credit rule against the evidence, once (a retry keeps the first verdict).
  if (!deal.attributionCheck && deps.partnerPlans) {
    const partnerPlan = await deps.partnerPlans.get(deal.plan.partner.name);
    if (partnerPlan)
      deal = { ...deal, attributionCheck: checkAttribution(deal, snapshot.milestones, partnerPlan) };
  }
  const kind = registrationKind(deal);
  const detailType = kind.detailType;
  const links = await ownerRoomLinks(deps, deal).catch((error: Error) => {
    warn(`room links not signed for ${detailType}: ${error.name}: ${error.message}`);
    return undefined;
  });
  const detail = { ...registrationDetail(deal, now), ...(links ? { links } : {}) };
  // Validated against the event's schema before it is put; the ledger key predates `event#<eventId>`.
  await publishOnce(deps, kind, detail, `registration#${deal.planId}`);
  if (!deal.registeredAt || (deal.attributionCheck && !snapshot.deal.attributionCheck)) {
    await deps.store.save({
      deal: { ...deal, registeredAt: deal.registeredAt ?? now.toISOString(), updatedAt: now.toISOString() },
    });
  }
  return { detailType, registrationId: detail.registrationId };
}

/**
 * The vendor and partner owners' view links: an internal channel links the vendor's, a partner-shared one the
 * partner's. Signing never costs the registration: without the keys it is put without links (`warn` says so).
 */
async function ownerRoomLinks(deps: RegisterDeps, deal: Deal) {
  const { vendor, partner } = deal.plan.owners;
  return {
    ...(vendor ? { vendorRoom: (await roomLink(deps, deal.planId, vendor.email)).url } : {}),
    ...(partner ? { partnerRoom: (await roomLink(deps, deal.planId, partner.email)).url } : {}),
  };
}
