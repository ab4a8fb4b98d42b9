import type { Deal, DealClosure, MilestoneState } from './deal';
import { touch } from './deal';

export const CLOSE_OUTCOMES = ['lost', 'no-decision', 'withdrawn'] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

/**
 * Closes a running deal at whatever stage it stands: it is lost from there (the report counts it lost at
 * that stage), every link dies with it (links to a closed deal answer 410), and nothing is left for the
 * sweep or the weekly review: open milestones lose their nudge, the deal its next review.
 */
export function closeDeal(
  deal: Deal,
  milestones: MilestoneState[],
  input: { outcome: CloseOutcome; reason: string; lesson?: string },
  ctx: { now: Date; by: string },
): { deal: Deal; milestones: MilestoneState[] } {
  const at = ctx.now.toISOString();
  const closed: DealClosure = {
    outcome: input.outcome,
    reason: input.reason,
    ...(input.lesson ? { lesson: input.lesson } : {}),
    stage: deal.stage,
    at,
    by: ctx.by,
  };
  const { nextReviewAt: _, ...rest } = deal;
  const next: Deal = touch(
    {
      ...rest,
      status: 'lost',
      closed,
      outcome: {
        result: 'lost',
        finalArr: 0,
        currency: deal.plan.jointOutcome.arr.currency,
        lesson: input.lesson ?? input.reason,
        at,
        by: ctx.by,
      },
    },
    ctx.now,
  );
  const quiet = milestones
    .filter((m) => m.nudgeAt !== undefined)
    .map((m) => {
      const { nudgeAt: __, ...kept } = m;
      return kept;
    });
  return { deal: next, milestones: quiet };
}
