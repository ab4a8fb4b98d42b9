import type { PartnerPlan } from '../../schemas/partner-plan.schema';

/** Partner plans (`kind: PartnerPlan`), one per partner, keyed by the normalised partner name. */
export interface PartnerPlanStore {
  /** Stores the plan, replacing the partner's previous one; `created` is false when it replaced one. */
  put(plan: PartnerPlan, at: Date): Promise<{ created: boolean }>;
  /** The partner's plan (name compared case- and spacing-insensitively), if there is one. */
  get(partner: string): Promise<PartnerPlan | undefined>;
  list(): Promise<PartnerPlan[]>;
}
