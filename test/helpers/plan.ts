import type { Milestone, Plan } from '../../lambdas/schemas/plan.schema';
import { referencePlan } from '../../scripts/lib/reference-plan';

// The reference plan and the deals made from it are shared with scripts/; the edits below are for tests only.
export * from '../../scripts/lib/reference-plan';

/** The reference plan with an edit applied to a copy (the result is not re-validated). */
export function planWith(edit: (plan: Plan) => void): Plan {
  const plan = referencePlan();
  edit(plan);
  return plan;
}

/** The reference plan with one milestone changed (the result is not re-validated). */
export function planWithMilestone(id: string, change: Partial<Milestone>): Plan {
  return planWith((plan) => {
    for (const stage of Object.values(plan.stages)) {
      stage.milestones = stage.milestones.map((m) => (m.id === id ? { ...m, ...change } : m));
    }
  });
}
