import type { MessageViews } from '../../domain/ports';
import { reviewInviteView } from '../calendar/ics';
import { aceReviewEmail } from './ace-review-email';
import { dealClosedEmail, stagePassedEmail } from './announcement-emails';
import { freshLinkEmail } from './fresh-link-email';
import { escalationEmail, gateOpenEmail, gateOverdueEmail } from './gate-emails';
import { slipNoticeEmail, suppressionNoticeEmail, weeklyReviewEmail } from './notice-emails';
import { digestEmail, earlyWarningEmail, ghostingEmail, reminderEmail } from './sweep-emails';

/** Every email the use cases send (the domain's MessageViews port), wired into each function's deps. */
export const messageViews: MessageViews = {
  gateOpen: gateOpenEmail,
  gateOverdue: gateOverdueEmail,
  escalation: escalationEmail,
  reminder: reminderEmail,
  earlyWarning: earlyWarningEmail,
  slipNotice: slipNoticeEmail,
  ghosting: ghostingEmail,
  digest: digestEmail,
  weeklyReview: weeklyReviewEmail,
  suppressionNotice: suppressionNoticeEmail,
  freshLink: freshLinkEmail,
  stagePassed: stagePassedEmail,
  dealClosed: dealClosedEmail,
  aceReview: aceReviewEmail,
  reviewInvite: reviewInviteView,
};
