import type { Deal, Owner } from '../../domain/deal';
import type { LinkedAsk, Rung } from '../../domain/notifications';
import { STAGES } from '../../domain/playbook';
import type { OutboundEmail } from '../../domain/ports';
import { formatLocal } from '../../domain/time';
import type { StageKey } from '../../schemas/plan.schema';
import { headerSafe } from '../text';
import { FOOTER, groupAsks, renderEmail, type Section } from './email-layout';
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
  const confirm = asks.filter((a) => a.action === 'confirm-gate');
  const work = asks.filter((a) => a.action !== 'confirm-gate' && a.action !== 'waive-milestone');
  const waive = asks.filter((a) => a.action === 'waive-milestone');
  const sections: Section[] = [];
  if (work.length) sections.push({ heading: 'Your milestones', lines: groupAsks(work) });
  if (confirm.length) {
    sections.push({ heading: `Confirm the gate (${info.evidence})`, lines: groupAsks(confirm) });
  }
  if (waive.length)
    sections.push({ heading: 'Milestones you can waive if they no longer apply', lines: groupAsks(waive) });
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro:
      `${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}) is at stage ${info.number} of 5, ${info.title}. ` +
      `The gate passes when: ${deal.plan.stages[stage].exit}`,
    sections,
    footer: FOOTER,
  });
  const ask = confirm.length && !work.length ? 'please confirm the gate' : 'your next steps';
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Stage ${info.number}, ${info.title}: ${ask}`),
    text,
    html,
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
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro:
      `${deal.plan.name} has passed the deadline for stage ${info.number}, ${info.title} (${formatLocal(deadline, recipient.timezone)}). ` +
      'Your move is still open; if nothing happens, your escalation path will be told.',
    sections: [{ heading: 'Still open for you', lines: groupAsks(asks) }],
    footer: FOOTER,
  });
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: gateOverdueSubject(deal, stage),
    text,
    html,
  };
}

export function escalationEmail(
  deal: Deal,
  rung: Rung,
  owner: Owner,
  what: string,
  waiting: string[],
  key: string,
): OutboundEmail {
  const { text, html } = renderEmail({
    greeting: `Hi ${rung.name},`,
    intro:
      `You are on the ${rung.party} escalation path (${rung.role}) for ${deal.plan.name} (${deal.plan.account.name}). ${what} ` +
      `${owner.name} (${owner.email}) owns the next move and is copied.`,
    sections: [{ heading: 'Waiting', lines: waiting.map((w) => ({ text: w })) }],
    footer:
      'Please call the owner and unblock it; the deal advances through the links the owner already has.',
  });
  return {
    key,
    to: [rung.email],
    cc: owner.email.toLowerCase() === rung.email.toLowerCase() ? [] : [owner.email],
    subject: escalationSubject(deal, what),
    text,
    html,
  };
}
