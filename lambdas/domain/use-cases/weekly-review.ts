import { withFreshRead } from '../fresh-read';
import type { DealStore, Deps, InvitationMailer, Mailer, ReviewSchedule, ViewsOf } from '../ports';
import {
  latestReviewAtOrBefore,
  nextReviewAfter,
  parseSender,
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

export type ReviewDeps = Pick<Deps, 'clock' | 'config' | 'ledger'> &
  ViewsOf<'weeklyReview' | 'reviewInvite'> & {
    /** The deals, with the plans table's review index. */
    store: DealStore & ReviewSchedule;
    /** Sends the reviews, the first with its calendar invitation. */
    mailer: Mailer & InvitationMailer;
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
  // A lost race re-reads and runs again (the ledger keeps the sends from repeating).
  await withFreshRead(MAX_ATTEMPTS, async () => {
    const snapshot = await deps.store.get(planId);
    // The index is eventually consistent: act on the plan as the table has it now.
    const deal = snapshot?.deal;
    if (!snapshot || !deal?.nextReviewAt || Date.parse(deal.nextReviewAt) > now.getTime()) return;
    const { cadence } = deal.plan;
    if (deal.status !== 'active') {
      const { nextReviewAt: _done, ...rest } = deal;
      await deps.store.save({ deal: rest });
      return;
    }
    const at = new Date(
      Math.max(latestReviewAtOrBefore(cadence, now).getTime(), Date.parse(deal.nextReviewAt)),
    );
    const date = reviewDate(cadence, at);
    const withInvite = !deal.reviewInvitedOn || deal.reviewInvitedOn === date;
    const agenda = reviewAgenda(snapshot, at, tz, deps.config.ghostingDays);
    const invite = withInvite
      ? deps.views.reviewInvite(reviewInvite(deal, at, parseSender(deps.sender), tz, now))
      : undefined;
    for (const owner of reviewAttendees(deal, tz)) {
      const key = `review#${planId}#${date}#${owner.email.toLowerCase()}`;
      const sent = await deps.ledger.once(key, async () => {
        const email = deps.views.weeklyReview(deal, agenda, owner, { key, withInvite });
        if (invite) await deps.mailer.sendWithInvitation(email, invite);
        else await deps.mailer.send(email);
      });
      if (sent === 'done') {
        report.sent++;
        if (invite) report.invitations++;
      }
    }
    const next = {
      ...deal,
      nextReviewAt: nextReviewAfter(cadence, now).toISOString(),
      reviewInvitedOn: deal.reviewInvitedOn ?? date,
    };
    await deps.store.save({ deal: next });
  });
}
