import type { PartnerPlan, TargetAccount } from '../schemas/partner-plan.schema';
import type { Plan } from '../schemas/plan.schema';

/**
 * Partner plans against deal plans: which partner plan a deal belongs to, whether its account is on that
 * partner's list, and calendar quarters for targets. Type-only schema imports: no zod in the bundle.
 */

export type AccountCheck =
  | { onList: true; matchedBy: 'domain' | 'name'; target: TargetAccount }
  | { onList: false; reason: 'not-on-list' | 'other-partner'; message: string };

const normalName = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();
const normalDomain = (host: string) => host.trim().toLowerCase().replace(/\.$/, '');

/** The partner plans table's key for a partner name: trimmed, single-spaced, lower case. */
export function partnerKey(name: string): string {
  return normalName(name);
}

/** Whether two partner names are the same partner (case and spacing aside). */
export function samePartner(a: string, b: string): boolean {
  return normalName(a) === normalName(b);
}

/** The partner plan for a partner name, if there is one. */
export function partnerPlanFor(
  partnerPlans: readonly PartnerPlan[],
  partner: string,
): PartnerPlan | undefined {
  return partnerPlans.find((p) => samePartner(p.partner.name, partner));
}

/**
 * Whether a deal's account is one the partner plan names. Each target is compared by domain when both it
 * and the deal's account have one, else by name; both case-insensitive. A deal for another partner is
 * reported as such rather than as off the list.
 */
export function accountOnPartnerPlan(
  partnerPlan: PartnerPlan,
  dealPlan: Pick<Plan, 'account' | 'partner'>,
): AccountCheck {
  if (!samePartner(partnerPlan.partner.name, dealPlan.partner.name)) {
    return {
      onList: false,
      reason: 'other-partner',
      message: `the deal is with ${dealPlan.partner.name}, not ${partnerPlan.partner.name}`,
    };
  }
  const { name, domain } = dealPlan.account;
  for (const target of partnerPlan.targetAccounts) {
    if (domain !== undefined && target.domain !== undefined) {
      if (normalDomain(domain) === normalDomain(target.domain)) {
        return { onList: true, matchedBy: 'domain', target };
      }
    } else if (normalName(name) === normalName(target.name)) {
      return { onList: true, matchedBy: 'name', target };
    }
  }
  const which = domain ? `${name} (${domain})` : name;
  return {
    onList: false,
    reason: 'not-on-list',
    message: `${which} is not a target account on the ${partnerPlan.partner.name} partner plan`,
  };
}

/** The calendar quarter (`2027-Q1`) of an instant, in UTC. */
export function quarterOf(instant: string | Date): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant;
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}
