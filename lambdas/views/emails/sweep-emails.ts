import type { Deal, MilestoneState, Owner } from '../../domain/deal';
import { partyOf } from '../../domain/deal';
import type { LinkedAsk } from '../../domain/notifications';
import type { DigestItem, OutboundEmail } from '../../domain/ports';
import { formatLocal } from '../../domain/time';
import { inCustomerWords, isCustomer } from '../customer-words';
import { dayLabel } from '../people-dates';
import { headerSafe } from '../text';
import { announcementLines } from './announcement-emails';
import { FOOTER, fromVendorOwner, groupAsks, renderEmail, type Section } from './email-layout';
import { reminderSubject } from './subjects';

/** The reminder sweep's emails: a reminder, a partner gone quiet, and the digest of several for one person. */

export function reminderEmail(deal: Deal, m: MilestoneState, asks: LinkedAsk[], key: string): OutboundEmail {
  const customer = isCustomer(m.owner.party);
  const shown = customer ? asks.map((a) => ({ ...a, label: inCustomerWords(a.label) })) : asks;
  const { text, html } = renderEmail({
    greeting: `Hi ${m.owner.name},`,
    intro: `A reminder for ${deal.plan.name}: “${m.title}” is due ${formatLocal(new Date(m.dueAt), m.owner.timezone)}.`,
    sections: [{ heading: 'Your milestone', lines: groupAsks(shown) }],
    footer: FOOTER,
    rooms: [deal],
  });
  return {
    key,
    to: [m.owner.email],
    cc: [],
    subject: reminderSubject(deal, m),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/** A later stage's milestone past its date while an earlier stage is open: to its owner only. */
export function earlyWarningEmail(
  deal: Deal,
  m: MilestoneState,
  what: string,
  asks: LinkedAsk[],
  key: string,
): OutboundEmail {
  const customer = isCustomer(m.owner.party);
  const shown = customer ? asks.map((a) => ({ ...a, label: inCustomerWords(a.label) })) : asks;
  const { text, html } = renderEmail({
    greeting: `Hi ${m.owner.name},`,
    intro: what,
    sections: [{ heading: 'Your milestone', lines: groupAsks(shown) }],
    footer: FOOTER,
    rooms: [deal],
  });
  return {
    key,
    to: [m.owner.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Early warning: ${m.title} (due ${m.due})`),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/** A partner side gone quiet: its escalation path is told, the vendor owner copied. */
export function ghostingEmail(
  deal: Deal,
  to: { name: string; email: string; role?: string },
  vendorOwner: Owner,
  silentSince: string,
  days: number,
  waiting: string[],
  key: string,
): OutboundEmail {
  const role = to.role ? ` (${to.role})` : '';
  const { text, html } = renderEmail({
    greeting: `Hi ${to.name},`,
    intro:
      `No one on the ${deal.plan.partner.name} side has acted on ${deal.plan.name} (${deal.plan.account.name}) for ${days} days or more ` +
      `(last action: ${dayLabel(silentSince)}), while partner work is open. You are on the partner escalation path${role}; ` +
      `${vendorOwner.name} owns the deal for the vendor and is copied.`,
    sections: [{ heading: 'Waiting on the partner side', lines: waiting.map((w) => ({ text: w })) }],
    footer: `Please call ${deal.plan.owners.partner?.name ?? 'the partner owner'}${phoneOf(deal.plan.owners.partner)} and check in; the deal advances through the links they already have.`,
    rooms: [deal],
  });
  return {
    key,
    to: [to.email],
    cc: vendorOwner.email.toLowerCase() === to.email.toLowerCase() ? [] : [vendorOwner.email],
    subject: headerSafe(`[${deal.plan.name}] Partner gone quiet: ${deal.plan.partner.name}`),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/**
 * Several reminders and escalations for one person from one sweep, as one email: the subject names the
 * deal(s) and the ask; each item keeps its own links.
 */
export function digestEmail(
  recipient: { name: string; email: string },
  items: DigestItem[],
  cc: string[],
  key: string,
): OutboundEmail {
  const deals = [...new Set(items.map((i) => i.deal.plan.name))];
  const several = deals.length > 1;
  const customer = items.some((i) => partyOf(i.deal.plan, recipient.email) === 'customer');
  const words = (t: string) => (customer ? inCustomerWords(t) : t);
  const label = (i: DigestItem) => words(several ? `${i.deal.plan.name}: ${i.text}` : i.text);
  const due = items.filter((i) => i.kind === 'due-soon');
  const escalations = items.filter((i) => i.kind === 'escalation');
  const sections: Section[] = [];
  if (due.length) {
    sections.push({
      heading: 'Due soon, yours',
      lines: due.map((i) => ({
        text: label(i),
        links: (i.asks ?? []).map((a) => ({ label: words(a.label), url: a.url })),
      })),
    });
  }
  if (escalations.length) {
    sections.push({ heading: 'Escalated to you', lines: escalations.map((i) => ({ text: label(i) })) });
  }
  // Announcements held for this morning (a stage passed, the deal closed), in the reader's words.
  const news = items.filter((i) => i.kind === 'news');
  if (news.length) {
    sections.push({
      heading: 'News',
      lines: news.flatMap((i) =>
        (i.announcement
          ? announcementLines(
              i.deal,
              i.announcement.what,
              i.announcement.recipient,
              i.announcement.milestones,
            )
          : [i.text]
        ).map((t) => ({ text: several ? `${i.deal.plan.name}: ${t}` : t })),
      ),
    });
  }
  const asks = [
    due.length ? `${due.length} due soon` : '',
    escalations.length ? `${escalations.length} escalation${escalations.length > 1 ? 's' : ''}` : '',
    news.length ? `${news.length} update${news.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  const onlyNews = news.length === items.length;
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro: onlyNews
      ? `News on ${deals.join(', ')}.`
      : `${items.length} things on ${deals.join(', ')} need you today.${escalations.length ? ` Escalated items: please call ${ownerNames(cc, items)} (copied) and unblock them.` : ''}`,
    sections,
    footer: FOOTER,
    rooms: [...new Map(items.map((i) => [i.deal.planId, i.deal])).values()],
  });
  const me = recipient.email.toLowerCase();
  return {
    key,
    to: [recipient.email],
    cc: [...new Set(cc.map((c) => c.toLowerCase()))].filter((c) => c !== me),
    subject: headerSafe(`[${deals.join('; ')}] ${asks.join(', ')}${onlyNews ? '' : ': your move'}`),
    text,
    html,
    ...(items[0] ? fromVendorOwner(items[0].deal) : {}),
  };
}

/** The copied owners by name (with a phone number when the plan has one), as a rung should call them. */
function ownerNames(cc: string[], items: DigestItem[]): string {
  const wanted = new Set(cc.map((c) => c.toLowerCase()));
  const names = new Set<string>();
  for (const { deal } of items) {
    for (const o of Object.values(deal.plan.owners)) {
      if (o && wanted.has(o.email.toLowerCase())) names.add(`${o.name}${phoneOf(o)}`);
    }
  }
  return names.size ? [...names].join(', ') : 'the owner';
}

function phoneOf(p: object | undefined): string {
  return p && 'phone' in p && typeof p.phone === 'string' ? ` (${p.phone})` : '';
}
