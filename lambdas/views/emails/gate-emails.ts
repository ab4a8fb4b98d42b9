import type { Deal, Owner } from '../../domain/deal';
import type { LinkedAsk, Rung } from '../../domain/notifications';
import { STAGES } from '../../domain/playbook';
import type { OutboundEmail } from '../../domain/ports';
import { VENDOR_NAME_MARK } from '../../domain/use-cases/room';
import type { StageKey } from '../../schemas/plan.schema';
import { CUSTOMER_TITLES, CUSTOMER_WHY, forCustomer, isCustomer } from '../customer-words';
import { momentLabel } from '../people-dates';
import { headerSafe } from '../text';
import { FOOTER, fromVendorOwner, groupAsks, renderEmail, type Section } from './email-layout';
import { escalationSubject, gateOverdueSubject } from './subjects';

/** The emails of a gate: it opens, it falls overdue, and its escalation path is told. */

export function gateOpenEmail(
  deal: Deal,
  stage: StageKey,
  recipient: Owner,
  asks: LinkedAsk[],
  key: string,
): OutboundEmail {
  const info = STAGES[stage];
  const customer = isCustomer(recipient.party);
  const shown = customer ? forCustomer(deal, stage, asks) : asks;
  const confirm = shown.filter((a) => a.action === 'confirm-gate');
  const work = shown.filter((a) => a.action !== 'confirm-gate' && a.action !== 'waive-milestone');
  const waive = shown.filter((a) => a.action === 'waive-milestone');
  const sections: Section[] = [];
  if (work.length) sections.push({ heading: 'Your milestones', lines: groupAsks(work) });
  if (confirm.length) {
    sections.push({
      heading: customer ? 'Please confirm' : `Confirm the gate (${info.evidence})`,
      lines: groupAsks(confirm),
    });
  }
  if (waive.length)
    sections.push({ heading: 'Milestones you can waive if they no longer apply', lines: groupAsks(waive) });
  const vendor = deal.plan.owners.vendor;
  const intro = customer
    ? `${vendor?.name ?? 'Your contact'} (${VENDOR_NAME_MARK}) and ${deal.plan.partner.name} are working with you on ${deal.plan.name}. ` +
      `The next step: ${CUSTOMER_TITLES[stage].toLowerCase()}. ${CUSTOMER_WHY[stage]}`
    : `${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}) is at stage ${info.number} of 5, ${info.title}. ` +
      `The gate passes when: ${deal.plan.stages[stage].exit}`;
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro,
    sections,
    footer: FOOTER,
    rooms: [deal],
  });
  const ask =
    confirm.length && !work.length
      ? customer
        ? 'please confirm'
        : 'please confirm the gate'
      : 'your next steps';
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(
      customer
        ? `[${deal.plan.name}] ${CUSTOMER_TITLES[stage]}: ${ask}`
        : `[${deal.plan.name}] Stage ${info.number}, ${info.title}: ${ask}`,
    ),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

export function gateOverdueEmail(
  deal: Deal,
  stage: StageKey,
  recipient: Owner,
  asks: LinkedAsk[],
  deadline: Date,
  key: string,
): OutboundEmail {
  const info = STAGES[stage];
  const customer = isCustomer(recipient.party);
  const when = momentLabel(deadline, recipient.timezone);
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro: customer
      ? `We are still waiting on a step of ${deal.plan.name} that was planned for ${when}. ${CUSTOMER_WHY[stage]} If it no longer fits, reply and say so.`
      : `${deal.plan.name} has passed the deadline for stage ${info.number}, ${info.title} (${when}). ` +
        'Your move is still open; if nothing happens, your escalation path will be told.',
    sections: [
      {
        heading: 'Still open for you',
        lines: groupAsks(customer ? forCustomer(deal, stage, asks) : asks),
      },
    ],
    footer: FOOTER,
    rooms: [deal],
  });
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: customer
      ? headerSafe(`[${deal.plan.name}] Still waiting: ${CUSTOMER_TITLES[stage]}`)
      : gateOverdueSubject(deal, stage),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

/** Who a rung should call: the owner of the late work, with their phone number when the plan has one. */
function whoToCall(deal: Deal, owner: Owner, rung: Rung): string {
  const person = deal.plan.owners[owner.party];
  const phone = person && 'phone' in person && typeof person.phone === 'string' ? `, ${person.phone}` : '';
  const self = owner.email.toLowerCase() === rung.email.toLowerCase();
  if (self) {
    // The owner is the one asking for help: the next person up is who can unblock it.
    const vendor = deal.plan.owners.vendor;
    return vendor && vendor.email.toLowerCase() !== rung.email.toLowerCase()
      ? `Please call ${vendor.name} (vendor owner${phoneOf(vendor)}) to agree how to unblock it.`
      : 'Please unblock it, or open the deal room to see who else is involved.';
  }
  return `Please call ${owner.name}${phone} and unblock it; the deal advances through the links ${owner.name} already has.`;
}

function phoneOf(p: object): string {
  return 'phone' in p && typeof p.phone === 'string' ? `, ${p.phone}` : '';
}

export function escalationEmail(
  deal: Deal,
  rung: Rung,
  owner: Owner,
  what: string,
  waiting: string[],
  key: string,
): OutboundEmail {
  const customer = isCustomer(rung.party);
  const { text, html } = renderEmail({
    greeting: `Hi ${rung.name},`,
    intro: customer
      ? `${deal.plan.name} (${deal.plan.account.name}) needs a hand from you. ${what} ${owner.name} owns the next step and is copied.`
      : `You are on the ${rung.party} escalation path (${rung.role}) for ${deal.plan.name} (${deal.plan.account.name}). ${what} ` +
        `${owner.name} owns the next move and is copied.`,
    sections: [{ heading: 'Waiting', lines: waiting.map((w) => ({ text: w })) }],
    footer: whoToCall(deal, owner, rung),
    rooms: [deal],
  });
  return {
    key,
    to: [rung.email],
    cc: owner.email.toLowerCase() === rung.email.toLowerCase() ? [] : [owner.email],
    subject: escalationSubject(deal, what),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}
