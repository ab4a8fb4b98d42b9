import type { OutboundEmail } from './mailer.port';

/** An iCalendar document (RFC 5545) to send with an email. */
export interface CalendarInvite {
  method: 'REQUEST';
  ics: string;
}

/** Sends an email that carries a calendar invitation (the weekly review's first email). */
export interface InvitationMailer {
  /** Sends `email` with `invite` attached as `invite.ics` (`text/calendar; method=REQUEST`). */
  sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void>;
}
