import type { Deal, NeedsAttention } from './deal';

/**
 * `needsAttention` on a deal: what cannot go on without a fix. Set when an email is refused for good (the
 * workflow keeps waiting at its gate, the other recipients still get theirs) or when a workflow keeps
 * failing; cleared when what it names has gone out after a fix (an amended address, `cosell plan retry`).
 */

/** A permanent refusal of one email: what it was, to whom, and the service's words. */
export interface Refusal {
  key: string;
  what: string;
  to: string;
  error: string;
}

/** The deal with these refusals recorded: the earliest `since` is kept, the keys merged. */
export function withRefusals(deal: Deal, refusals: Refusal[], now: Date): Deal {
  if (refusals.length === 0) return deal;
  const previous = deal.needsAttention;
  const keys = [...new Set([...(previous?.keys ?? []), ...refusals.map((r) => r.key)])];
  const first = refusals[0] as Refusal;
  const what =
    refusals.length === 1 && !previous?.keys?.length
      ? `${first.what} to ${first.to} was refused`
      : `${keys.length} emails were refused (${refusals.map((r) => r.to).join(', ')})`;
  const attention: NeedsAttention = {
    what,
    error: first.error,
    since: previous?.since ?? now.toISOString(),
    keys,
    planVersion: deal.planVersion ?? 1,
  };
  return { ...deal, needsAttention: attention };
}

/** The deal with these keys no longer outstanding; `needsAttention` goes once nothing it named is left. */
export function withSent(deal: Deal, sentKeys: string[]): Deal {
  const attention = deal.needsAttention;
  if (!attention?.keys?.length || sentKeys.length === 0) return deal;
  const keys = attention.keys.filter((k) => !sentKeys.includes(k));
  if (keys.length === attention.keys.length) return deal;
  if (keys.length > 0) return { ...deal, needsAttention: { ...attention, keys } };
  const { needsAttention: _gone, ...rest } = deal;
  return rest;
}

/** The deal with a workflow problem recorded (a failed execution that a redrive did not cure). */
export function withWorkflowProblem(deal: Deal, error: string, now: Date): Deal {
  if (deal.needsAttention && !deal.needsAttention.keys?.length) return deal;
  return {
    ...deal,
    needsAttention: {
      what: `the workflow of stage ${deal.stage} cannot continue`,
      error,
      since: deal.needsAttention?.since ?? now.toISOString(),
      ...(deal.needsAttention?.keys ? { keys: deal.needsAttention.keys } : {}),
      planVersion: deal.planVersion ?? 1,
    },
  };
}

/**
 * Whether a refused email may be tried again now: `cosell plan retry` asked after it was recorded, or the
 * plan was amended since (an address may have been fixed).
 */
export function mayRetryRefused(deal: Deal): boolean {
  const attention = deal.needsAttention;
  if (!attention) return true;
  if (deal.retryRequestedAt && deal.retryRequestedAt >= attention.since) return true;
  return (deal.planVersion ?? 1) > (attention.planVersion ?? 1);
}

/** `cosell plan retry`: clears what needs attention and asks the next sweep to send what is unsent. */
export function requestRetry(deal: Deal, now: Date): Deal {
  const { needsAttention: _cleared, ...rest } = deal;
  return { ...rest, retryRequestedAt: now.toISOString(), updatedAt: now.toISOString() };
}
