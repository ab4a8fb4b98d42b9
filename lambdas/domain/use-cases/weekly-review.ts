import { weeklyReviewEmail } from '../emails';
import { ConcurrentUpdateError } from '../errors';
import type { Deps } from '../ports';
import {
  latestReviewAtOrBefore,
  nextReviewAfter,
  parseSender,
  type ReviewedDeal,
  reviewAgenda,
  reviewAttendees,
  reviewDate,
  reviewInvite,
} from '../weekly-review';

export interface ReviewReport {
  /** Plans the review index named as due. */
  due: number;
  /** Review emails sent (one per attendee). */
  sent: number;
  /** Of those, how many carried the calendar invitation. */
  invitations: number;
  /** Plans whose review failed this time (left due: the next sweep tries again). */
  failed: { planId: string; error: string }[];
}

export type ReviewDeps = Pick<Deps, 'store' | 'clock' | 'config' | 'mailer' | 'ledger'> & {
  /** The tenant's sender (the invitation's ORGANIZER). */
  sender: string;
};

const MAX_ATTEMPTS = 5;

/**
 * After each reminder sweep: every active plan whose next review instant has passed gets this week's
 * review, once per attendee (ledger key `review#<planId>#<local date>#<email>`), then its `nextReviewAt`
 * moves to the next cadence instant. The first review carries the calendar invitation. A sweep that ran
 * late sends only the latest week's review, never a backlog. Reads only due plans (sparse index).
 */
export async function sendWeeklyReviews(deps: ReviewDeps): Promise<ReviewReport> {
  const report: ReviewReport = { due: 0, sent: 0, invitations: 0, failed: [] };
  if (!deps.store.plansDueForReview) return report;
  const now = deps.clock.now();
  const due = await deps.store.plansDueForReview(now);
  report.due = due.length;
  for (const { planId } of due) {
    try {
      await reviewPlan(deps, planId, now, report);
    } catch (error) {
      report.failed.push({ planId, error: (error as Error).message });
    }
  }
  return report;
}

async function reviewPlan(deps: ReviewDeps, planId: string, now: Date, report: ReviewReport): Promise<void> {
  const tz = deps.config.defaultTimezone;
  for (let attempt = 1; ; attempt++) {
    const snapshot = await deps.store.get(planId);
    // The index is eventually consistent: act on the plan as the table has it now.
    const deal = snapshot?.deal as ReviewedDeal | undefined;
    if (!snapshot || !deal?.nextReviewAt || Date.parse(deal.nextReviewAt) > now.getTime()) return;
    const { cadence } = deal.plan;
    if (deal.status !== 'active') {
      const { nextReviewAt: _done, ...rest } = deal;
      await saveOrRetry(deps, rest, attempt);
      return;
    }
    const at = new Date(
      Math.max(latestReviewAtOrBefore(cadence, now).getTime(), Date.parse(deal.nextReviewAt)),
    );
    const date = reviewDate(cadence, at);
    const withInvite = (!deal.reviewInvitedOn || deal.reviewInvitedOn === date) && !!deps.mailer.sendRaw;
    const agenda = reviewAgenda(snapshot, at, tz);
    const ics = withInvite ? reviewInvite(deal, at, parseSender(deps.sender), tz, now) : undefined;
    for (const owner of reviewAttendees(deal, tz)) {
      const key = `review#${planId}#${date}#${owner.email.toLowerCase()}`;
      const sent = await deps.ledger.once(key, async () => {
        const email = weeklyReviewEmail(deal, agenda, owner, { key, withInvite });
        if (ics && deps.mailer.sendRaw) await deps.mailer.sendRaw(email, { method: 'REQUEST', ics });
        else await deps.mailer.send(email);
      });
      if (sent === 'done') {
        report.sent++;
        if (ics) report.invitations++;
      }
    }
    const next: ReviewedDeal = {
      ...deal,
      nextReviewAt: nextReviewAfter(cadence, now).toISOString(),
      reviewInvitedOn: deal.reviewInvitedOn ?? date,
    };
    if (await saveOrRetry(deps, next, attempt)) return;
  }
}

/** True when saved; false to re-read and run again (the ledger keeps the sends from repeating). */
async function saveOrRetry(deps: Pick<Deps, 'store'>, deal: ReviewedDeal, attempt: number): Promise<boolean> {
  try {
    await deps.store.save({ deal });
    return true;
  } catch (error) {
    if (error instanceof ConcurrentUpdateError && attempt < MAX_ATTEMPTS) return false;
    throw error;
  }
}
