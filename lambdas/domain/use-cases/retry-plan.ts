import { requestRetry } from '../attention';
import type { NeedsAttention } from '../deal';
import { ActionRejectedError, NotFoundError } from '../errors';
import { withFreshRead } from '../fresh-read';
import type { Deps } from '../ports';

/**
 * `POST /plans/{planId}/retry` (`cosell plan retry ID`): after a fix outside the plan (the recipient
 * verified in SES, a mailbox back, a bug deployed away), clears what needed attention and asks the next
 * reminder sweep to try again: its reconciler sends the gate's unsent emails and redrives a workflow that
 * stopped. What still fails is recorded again.
 */
export async function retryPlan(
  deps: Pick<Deps, 'store' | 'clock'>,
  planId: string,
): Promise<{
  planId: string;
  retryRequestedAt: string;
  cleared?: Omit<NeedsAttention, 'keys' | 'planVersion'>;
}> {
  return withFreshRead(5, async () => {
    const snapshot = await deps.store.get(planId);
    if (!snapshot) throw new NotFoundError(`No plan with id ${planId}.`);
    const { deal } = snapshot;
    if (deal.status !== 'active')
      throw new ActionRejectedError(`Plan ${planId} is ${deal.status}: nothing to retry.`);
    const now = deps.clock.now();
    await deps.store.save({ deal: requestRetry(deal, now) });
    return {
      planId,
      retryRequestedAt: now.toISOString(),
      ...(deal.needsAttention
        ? {
            cleared: {
              what: deal.needsAttention.what,
              error: deal.needsAttention.error,
              since: deal.needsAttention.since,
            },
          }
        : {}),
    };
  });
}
