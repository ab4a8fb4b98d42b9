import { checkAttribution } from '../credit-check';
import { NotFoundError } from '../errors';
import { publishOnce } from '../events';
import type { Deps, PartnerPlanStore } from '../ports';
import { registrationDetail, registrationKind } from '../registration';

/**
 * `Register won deal` / `Register lost deal`: puts exactly one registration event on the tenant bus
 * (the ledger key is per deal, so a retried task or a duplicate delivery publishes nothing more).
 */
export async function registerDeal(
  deps: Pick<Deps, 'store' | 'clock' | 'ledger' | 'events'> & { partnerPlans?: PartnerPlanStore },
  input: { planId: string; outcome: 'won' | 'lost' },
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
  const detail = registrationDetail(deal, now);
  const kind = registrationKind(deal);
  const detailType = kind.detailType;
  // Validated against the event's schema before it is put; the ledger key predates `event#<eventId>`.
  await publishOnce(deps, kind, detail, `registration#${deal.planId}`);
  if (!deal.registeredAt || (deal.attributionCheck && !snapshot.deal.attributionCheck)) {
    await deps.store.save({
      deal: { ...deal, registeredAt: deal.registeredAt ?? now.toISOString(), updatedAt: now.toISOString() },
    });
  }
  return { detailType, registrationId: detail.registrationId };
}
