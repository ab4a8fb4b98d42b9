import type { Deal } from '../deal';
import { linkTarget } from '../link-targets';
import { newNonce, signLink } from '../links';
import type { Ask } from '../notifications';
import type { Deps } from '../ports';

/**
 * Signs one link per ask, bound to this recipient, expiring after the tenant's link lifetime. The target
 * carries its current revision (link-targets.ts), so an amendment that changes it supersedes the link.
 */
export async function linkAsks<A extends Pick<Ask, 'action' | 'target'>>(
  deps: Pick<Deps, 'keys' | 'config' | 'clock'>,
  deal: Deal,
  recipient: string,
  asks: A[],
): Promise<(A & { url: string })[]> {
  const { kid, key } = await deps.keys.current();
  const exp = Math.floor(deps.clock.now().getTime() / 1000) + deps.config.linkTtlDays * 86_400;
  return asks.map((ask) => {
    const token = signLink(
      deps.config.tenant,
      {
        kid,
        planId: deal.planId,
        action: ask.action,
        target: linkTarget(deal, ask.target),
        recipient,
        exp,
        nonce: newNonce(),
      },
      key,
    );
    return { ...ask, url: `${deps.config.publicBaseUrl}/a/${token}` };
  });
}
