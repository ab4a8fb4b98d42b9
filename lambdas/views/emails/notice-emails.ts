import type { SlipImpact } from '../../domain/actions';
import type { Deal, MilestoneState, Owner } from '../../domain/deal';
import { findPerson, peopleIn } from '../../domain/plan-people';
import type { OutboundEmail } from '../../domain/ports';
import { formatLocal } from '../../domain/time';
import type { ReviewAgenda } from '../../domain/weekly-review';
import { inCustomerWords, isCustomer } from '../customer-words';
import { dayLabel } from '../people-dates';
import { headerSafe } from '../text';
import { fromVendorOwner, renderEmail } from './email-layout';
import { weeklyReviewTitle } from './subjects';

/** The notices: a slip re-planned the deal, the weekly review's agenda, an address that no longer gets mail. */

export function slipNoticeEmail(
  deal: Deal,
  impact: SlipImpact,
  m: MilestoneState,
  by: string,
  to: Owner,
  key: string,
): OutboundEmail {
  const { text, html } = renderEmail({
    greeting: `Hi ${to.name},`,
    intro: `${findPerson(peopleIn(deal.plan), by)?.name ?? by} reported a slip on ${deal.plan.name}: “${m.title}” moves ${impact.days} day(s). ${impact.closeDate.from === impact.closeDate.to ? `The close date holds (${dayLabel(impact.closeDate.to)}).` : `The close date moves from ${dayLabel(impact.closeDate.from)} to ${dayLabel(impact.closeDate.to)}.`}`,
    sections: [
      {
        heading: 'Re-planned',
        lines: impact.moved.map((x) => ({ text: `${x.title}: ${dayLabel(x.from)} → ${dayLabel(x.to)}` })),
      },
    ],
    footer: 'The plan has been updated; reply to the owner if the new dates do not work.',
    rooms: [deal],
  });
  return {
    key,
    to: [to.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Slipped: ${m.title} (+${impact.days} days)`),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/** The weekly review's agenda for one attendee; the first one says a calendar invitation comes with it. */
export function weeklyReviewEmail(
  deal: Deal,
  agenda: ReviewAgenda,
  recipient: Owner,
  options: { key: string; withInvite: boolean },
): OutboundEmail {
  const { cadence } = deal.plan;
  const when = formatLocal(new Date(agenda.at), cadence.timezone);
  const customer = isCustomer(recipient.party);
  const words = (t: string) => (customer ? inCustomerWords(t) : t);
  const lines = (items: string[], none: string) =>
    (items.length ? items : [none]).map((text) => ({ text: words(text) }));
  const invite = options.withInvite
    ? ` A calendar invitation for this 15-minute review, every ${cadence.weekday} at ${cadence.time} (${cadence.timezone}), is attached.`
    : '';
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro: `The weekly review of ${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}), ${when}: 15 minutes on what moved, what is stuck and what needs an escalation.${invite}`,
    sections: [
      { heading: 'What moved since last week', lines: lines(agenda.moved, 'Nothing moved this week.') },
      { heading: 'What is stuck, and whose move it is', lines: lines(agenda.stuck, 'Nothing is stuck.') },
      {
        heading: customer ? 'Needs a decision' : 'Needs an escalation',
        lines: lines(agenda.escalations, 'Nothing is overdue.'),
      },
      { heading: 'Slipped milestones and the close date', lines: lines(agenda.slips, 'No slips.') },
      { heading: 'Due next', lines: lines(agenda.nextDue, 'No open milestones left.') },
    ],
    footer:
      'Act on the links in your earlier emails, or open the deal room; this agenda changes nothing by itself.',
    rooms: [deal],
  });
  const escalate = agenda.escalations.length;
  return {
    key: options.key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(
      `${weeklyReviewTitle(deal, new Date(agenda.at))}: ${escalate ? (customer ? `${escalate} to decide` : `${escalate} to escalate`) : 'status and next steps'}`,
    ),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/** An address bounced or complained: the vendor owner hears which plan names it, once per plan. */
export function suppressionNoticeEmail(
  deal: Deal,
  suppressed: { email: string; reason: 'bounce' | 'complaint'; detail: string },
  roles: string[],
  to: Owner,
  key: string,
): OutboundEmail {
  const why =
    suppressed.reason === 'bounce' ? 'its mail bounced permanently' : 'its owner marked our mail as spam';
  const { text, html } = renderEmail({
    greeting: `Hi ${to.name},`,
    intro:
      `${suppressed.email} no longer gets email about ${deal.plan.name}: ${why} (${suppressed.detail}). ` +
      'Nudges, escalations and reviews to this address are skipped from now on.',
    sections: [{ heading: 'Where the plan names this address', lines: roles.map((r) => ({ text: r })) }],
    footer:
      'Correct the address in the plan (load it again with the right one), or reach the person another way.',
    rooms: [deal],
  });
  return {
    key,
    to: [to.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Undeliverable: ${suppressed.email}`),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}
