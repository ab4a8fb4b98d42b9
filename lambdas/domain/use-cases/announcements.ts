import type { Deal, MilestoneState, Owner } from '../deal';
import type { Deps, ViewsOf } from '../ports';
import type { StageKey } from '../vocabulary';

/**
 * The announcements a passed gate makes, each once per person (the effect ledger): a stage passed tells the
 * owners of all three parties what was agreed and what comes next; the stage-5 outcome tells the vendor and
 * partner owners what was registered, thanks the customer sponsor, or tells the owners the deal was lost.
 * They are sent at once, not through the cadence's quiet hours, daily cap and digest: they answer a click.
 */
export type AnnounceDeps = Pick<Deps, 'ledger' | 'mailer' | 'config'> & ViewsOf<'stagePassed' | 'dealClosed'>;

export async function announcePassed(
  deps: AnnounceDeps,
  deal: Deal,
  milestones: MilestoneState[],
  passed: { stage: StageKey; outcome: 'passed' | 'lost' },
): Promise<void> {
  const closing = passed.outcome === 'lost' || passed.stage === 'close-register-review';
  for (const owner of owners(deal, deps.config.defaultTimezone)) {
    if (closing) {
      const key = `announce#closed#${deal.planId}#${owner.email.toLowerCase()}`;
      await deps.ledger.once(key, () => deps.mailer.send(deps.views.dealClosed(deal, owner, key)));
    } else {
      const key = `announce#stage-passed#${deal.planId}#${passed.stage}#${owner.email.toLowerCase()}`;
      await deps.ledger.once(key, () =>
        deps.mailer.send(deps.views.stagePassed(deal, passed.stage, owner, milestones, key)),
      );
    }
  }
}

/** The named owners of the three parties, one entry per person. */
function owners(deal: Deal, defaultTz: string): Owner[] {
  const seen = new Set<string>();
  const out: Owner[] = [];
  for (const party of ['vendor', 'partner', 'customer'] as const) {
    const o = deal.plan.owners[party];
    if (!o || seen.has(o.email.toLowerCase())) continue;
    seen.add(o.email.toLowerCase());
    out.push({ party, name: o.name, email: o.email, timezone: o.timezone ?? defaultTz });
  }
  return out;
}
