import type { StageKey } from '../../schemas/plan.schema';
import type { SlipImpact } from '../actions';
import type { Deal, MilestoneState, Owner } from '../deal';
import type { LinkAction } from '../links';
import type { LinkedAsk, Rung } from '../notifications';
import type { ReviewAgenda, WeeklyInvite } from '../weekly-review';
import type { AnnouncementWhat } from './announcement-schedule.port';
import type { CalendarInvite } from './invitation-mailer.port';
import type { OutboundEmail } from './mailer.port';

/**
 * The emails the use cases send, as a port: each method takes plain data (the deal, who, what) and returns
 * the email ready to send. The use case decides who is told what and when; `lambdas/views/emails` writes
 * the words and the markup. `key` is the email's ledger key.
 */
export interface MessageViews {
  /** A gate opens: the recipient's milestones, the gate to confirm, what the vendor may waive. */
  gateOpen(deal: Deal, stage: StageKey, recipient: Owner, asks: LinkedAsk[], key: string): OutboundEmail;
  /** A gate passed its deadline: the recipient's moves still open. */
  gateOverdue(
    deal: Deal,
    stage: StageKey,
    recipient: Owner,
    asks: LinkedAsk[],
    deadline: Date,
    key: string,
  ): OutboundEmail;
  /** A rung of an escalation path is told `what` is late or stuck; the owner is copied. */
  escalation(
    deal: Deal,
    rung: Rung,
    owner: Owner,
    what: string,
    waiting: string[],
    key: string,
  ): OutboundEmail;
  /**
   * A later stage's milestone fell due while an earlier stage is open: its owner alone hears (`what`, the
   * sentence saying so), with their done / slip / stuck links.
   */
  earlyWarning(deal: Deal, m: MilestoneState, what: string, asks: LinkedAsk[], key: string): OutboundEmail;
  /** A milestone falls due soon. */
  reminder(deal: Deal, m: MilestoneState, asks: LinkedAsk[], key: string): OutboundEmail;
  /** A slip re-planned the deal: the vendor owner hears what moved. */
  slipNotice(
    deal: Deal,
    impact: SlipImpact,
    m: MilestoneState,
    by: string,
    to: Owner,
    key: string,
  ): OutboundEmail;
  /** The partner side has gone quiet: its escalation path is told, the vendor owner copied. */
  ghosting(
    deal: Deal,
    to: { name: string; email: string; role?: string },
    vendorOwner: Owner,
    silentSince: string,
    days: number,
    waiting: string[],
    key: string,
  ): OutboundEmail;
  /** Several reminders and escalations for one person from one sweep. */
  digest(
    recipient: { name: string; email: string },
    items: DigestItem[],
    cc: string[],
    key: string,
  ): OutboundEmail;
  /** The weekly review's agenda for one attendee. */
  weeklyReview(
    deal: Deal,
    agenda: ReviewAgenda,
    recipient: Owner,
    options: { key: string; withInvite: boolean },
  ): OutboundEmail;
  /** An address bounced or complained: the vendor owner hears where the plan names it. */
  suppressionNotice(
    deal: Deal,
    suppressed: { email: string; reason: 'bounce' | 'complaint'; detail: string },
    roles: string[],
    to: Owner,
    key: string,
  ): OutboundEmail;
  /** The one email a "send me a fresh link" request sends, to the expired link's own recipient. */
  freshLink(
    deal: Deal,
    recipient: { name: string; email: string; timezone: string },
    link: FreshLink,
    key: string,
  ): OutboundEmail;
  /** A stage passed: what was agreed, the evidence, what comes next and who owns it (to each party's owner). */
  stagePassed(
    deal: Deal,
    stage: StageKey,
    recipient: Owner,
    milestones: MilestoneState[],
    key: string,
  ): OutboundEmail;
  /**
   * The stage-5 outcome: to vendor and partner owners the registration (outcome, final ARR, attribution,
   * fee); to the customer a thank-you with nothing about attribution or fees; if lost, the reason.
   */
  dealClosed(deal: Deal, recipient: Owner, key: string): OutboundEmail;
  /**
   * AWS Partner Central's review of the deal's ACE opportunity asks for action (`Action Required`) or rejected
   * it: the vendor owner hears what ACE said and what to do, once per review status change.
   */
  aceReview(deal: Deal, recipient: Owner, review: AceReviewNotice, key: string): OutboundEmail;
  /** The weekly review's calendar invitation (`text/calendar`, METHOD:REQUEST). */
  reviewInvite(invite: WeeklyInvite): CalendarInvite;
}

/** The emails one use case sends: it asks for those views only, so a function wires only its own. */
export type ViewsOf<K extends keyof MessageViews> = { views: Pick<MessageViews, K> };

/** One item of a digest: a line about one deal, with its links when the recipient can act on it. */
export interface DigestItem {
  deal: Deal;
  /** `news`: an announcement held for the recipient's working morning (it carries `announcement`). */
  kind: 'due-soon' | 'escalation' | 'news';
  text: string;
  announcement?: { what: AnnouncementWhat; recipient: Owner; milestones: MilestoneState[] };
  asks?: LinkedAsk[];
}

/** What ACE's review said about a deal's opportunity. */
export interface AceReviewNotice {
  /** ACE's review status: `Action Required` or `Rejected`. */
  status: string;
  /** ACE's ReviewStatusReason and ReviewComments, as one text. */
  reason: string;
  opportunityId: string;
  catalog: string;
}

/** A freshly signed link for an expired one's action and target. */
export interface FreshLink {
  action: LinkAction;
  /** What the link is about: the milestone (with its due date) or the gate's exit criterion. */
  about: string;
  url: string;
  /** When the new link expires. */
  expiresAt: Date;
}

/**
 * The subjects of the emails the schedule preview lists (`GET /plans/{planId}/schedule`), the same words the
 * emails carry, without building the emails.
 */
export interface EmailSubjects {
  reminder(deal: Deal, m: MilestoneState): string;
  gateOverdue(deal: Deal, stage: StageKey): string;
  escalation(deal: Deal, what: string): string;
  /** The weekly review's subject up to its date (what follows depends on the week's agenda). */
  weeklyReview(deal: Deal, at: Date): string;
}
