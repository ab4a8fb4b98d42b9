import { type Deal, partyOf } from '../deal';
import { parseLinkTarget } from '../link-targets';
import type { LinkAction, LinkClaims } from '../links';
import { findPerson, peopleIn } from '../plan-people';
import type { DealSnapshot, Deps } from '../ports';
import { isStageKey, type Party, type StageKey } from '../vocabulary';

/**
 * Which deal and which step a used or expired link was for, and when it was used or expired: the page writes
 * it in words, in the reader's time zone (and, for customer people, in the customer's words).
 */
export interface LinkContext {
  planName: string;
  action: LinkAction;
  /** The step: the gate's stage, or the stage of the milestone the link was for. */
  stage: StageKey;
  /** The milestone's title, for a milestone's link. */
  milestone?: string;
  reader: { name: string; party?: Party; timezone: string };
  /** When the link was used (ISO instant), on a used page. */
  usedAt?: string;
  /** When the link expired (ISO instant), on an expired page. */
  expiredAt?: string;
  /** Who already did the step (their name) and when (ISO instant), on an already-done page. */
  done?: { by: string; at: string };
}

/** The deal, the step and the reader of a link, from its claims and the deal as it is now. */
export function linkContext(
  deps: Pick<Deps, 'config'>,
  claims: LinkClaims,
  snapshot: DealSnapshot,
): LinkContext {
  const { deal, milestones } = snapshot;
  const id = parseLinkTarget(claims.target).target;
  const milestone = milestones.find((m) => m.milestoneId === id);
  const stage = isStageKey(id) ? id : (milestone?.stage ?? deal.stage);
  const reader = recipientOf(deps, deal, claims.recipient);
  const party = partyOf(deal.plan, claims.recipient);
  return {
    planName: deal.plan.name,
    action: claims.action,
    stage,
    ...(milestone ? { milestone: milestone.title } : {}),
    reader: { name: reader.name, timezone: reader.timezone, ...(party ? { party } : {}) },
  };
}

/** The bound recipient as the plan names them (name and timezone for the email), by their address. */
export function recipientOf(deps: Pick<Deps, 'config'>, deal: Deal, email: string) {
  const person = findPerson(peopleIn(deal.plan), email);
  const timezone =
    person?.timezone ??
    (person ? deal.plan.owners[person.party]?.timezone : undefined) ??
    deps.config.defaultTimezone;
  return { name: person?.name ?? email, email, timezone };
}
