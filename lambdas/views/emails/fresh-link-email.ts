import { type Deal, partyOf } from '../../domain/deal';
import type { LinkAction } from '../../domain/links';
import type { FreshLink, OutboundEmail } from '../../domain/ports';
import { inCustomerWords } from '../customer-words';
import { html } from '../html';
import { momentLabel } from '../people-dates';
import { headerSafe } from '../text';
import { BUTTON_STYLE, emailDocument, fromVendorOwner, roomButtons, roomLines } from './email-layout';

/** What the fresh link does, as its label in the email (the same words the gate emails use). */
export const FRESH_LINK_LABELS: Record<LinkAction, string> = {
  'confirm-gate': 'Confirm the gate',
  'milestone-done': 'Mark done',
  'milestone-slip': 'Report a slip',
  'milestone-stuck': 'Say stuck',
  'accept-handoff': 'Accept the handoff',
  'waive-milestone': 'Waive',
  'decide-replan': 'Approve or decline the re-plan',
};

/**
 * The one email a "send me a fresh link" request sends: to the address the expired link was bound to,
 * never to anyone named in the request. Says why it came, so a recipient who did not ask can ignore it.
 * The link line reads `    <label>: <url>` as in every other email, so tools that list links find it.
 */
export function freshLinkEmail(
  deal: Deal,
  recipient: { name: string; email: string; timezone: string },
  link: FreshLink,
  key: string,
): OutboundEmail {
  // The customer's people confirm a step; "the gate" is the co-sellers' word.
  const customer = partyOf(deal.plan, recipient.email) === 'customer';
  const label = customer && link.action === 'confirm-gate' ? 'Confirm' : FRESH_LINK_LABELS[link.action];
  const about = customer ? inCustomerWords(link.about) : link.about;
  const expires = momentLabel(link.expiresAt, recipient.timezone);
  const greeting = `Hi ${recipient.name},`;
  const intro = `A fresh link was asked for from your expired link for ${deal.plan.name} (${deal.plan.account.name}). Here it is; it expires ${expires}.`;
  const ignore =
    'If you did not ask for it, you can ignore this email: the link works only for you. Each link does one thing, once, and expires; opening it shows a page, and nothing happens until you confirm there.';
  const text = [
    greeting,
    '',
    intro,
    '',
    `- ${about}`,
    `    ${label}: ${link.url}`,
    '',
    ...roomLines([deal]),
    '',
    ignore,
  ].join('\n');
  const content = html`<ul><li>${about} <a href="${link.url}" style="${BUTTON_STYLE}">${label}</a></li></ul>${roomButtons([deal])}`;
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Your fresh link: ${label}`),
    text,
    html: emailDocument(greeting, intro, content, ignore),
    ...fromVendorOwner(deal),
  };
}
