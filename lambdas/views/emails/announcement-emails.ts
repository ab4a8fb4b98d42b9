import type { Deal, MilestoneState, Owner } from '../../domain/deal';
import { nextStage, STAGES } from '../../domain/playbook';
import type { OutboundEmail } from '../../domain/ports';
import { VENDOR_NAME_MARK } from '../../domain/use-cases/room';
import type { StageKey } from '../../schemas/plan.schema';
import { CUSTOMER_STEPS, CUSTOMER_TITLES, isCustomer } from '../customer-words';
import { dayLabel } from '../people-dates';
import { formatMoney } from '../reports/format';
import { headerSafe } from '../text';
import { fromVendorOwner, renderEmail, type Section } from './email-layout';

/** Announcements: a stage passed; the deal registered (vendor, partner), a thank-you (customer), or lost. */

const EVIDENCE: Record<string, string> = {
  meetingDate: 'Meeting on',
  briefUrl: 'Brief',
  customerConfirmation: 'Path to a decision confirmed',
  note: 'Note',
};

export function stagePassedEmail(
  deal: Deal,
  stage: StageKey,
  recipient: Owner,
  milestones: MilestoneState[],
  key: string,
): OutboundEmail {
  const customer = isCustomer(recipient.party);
  const title = customer ? CUSTOMER_TITLES[stage] : STAGES[stage].title;
  const next = nextStage(stage);
  const name = (email: string) =>
    Object.values(deal.plan.owners).find((o) => o?.email.toLowerCase() === email.toLowerCase())?.name ??
    email;
  const evidence = deal.stages[stage].confirmations.map((c) => ({
    text: `${name(c.by)} confirmed${Object.entries(c.evidence)
      .filter(([, v]) => v !== '' && v !== undefined)
      .map(([k, v]) => `; ${EVIDENCE[k] ?? k}: ${k === 'meetingDate' ? dayLabel(String(v)) : String(v)}`)
      .join('')}`,
  }));
  const sections: Section[] = [
    {
      heading: 'What was agreed',
      lines: [{ text: customer ? CUSTOMER_STEPS[stage] : deal.plan.stages[stage].exit }],
    },
  ];
  if (evidence.length) sections.push({ heading: 'The evidence', lines: evidence });
  if (next) {
    const owned = milestones
      .filter((m) => m.stage === next && m.status === 'open')
      .map((m) => ({ text: `${m.title}: ${m.owner.name}, due ${dayLabel(m.due)}` }));
    sections.push({
      heading: `What comes next: ${customer ? CUSTOMER_TITLES[next] : STAGES[next].title}`,
      lines: owned.length ? owned : [{ text: customer ? CUSTOMER_STEPS[next] : deal.plan.stages[next].exit }],
    });
  }
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro: customer
      ? `Good news on ${deal.plan.name}: everyone agreed “${title}”. Thank you for your part.`
      : `${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}) passed stage ${STAGES[stage].number}, ${title}.`,
    sections,
    footer: 'Nothing to do for this email; the next steps come with their own links.',
    rooms: [deal],
  });
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(
      customer ? `[${deal.plan.name}] Agreed: ${title}` : `[${deal.plan.name}] Stage passed: ${title}`,
    ),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}

export function dealClosedEmail(deal: Deal, recipient: Owner, key: string): OutboundEmail {
  const o = deal.outcome;
  const customer = isCustomer(recipient.party);
  const money = (v: number) => formatMoney(v, o?.currency ?? deal.plan.jointOutcome.arr.currency);
  const won = o?.result !== 'lost';
  const split = deal.plan.economicSplit;
  let intro: string;
  let sections: Section[];
  let subject: string;
  if (!won) {
    intro = `${deal.plan.name} (${deal.plan.account.name}) is closed: the outcome was logged as lost.`;
    sections = [{ heading: 'The reason', lines: [{ text: o?.lesson ?? 'No reason was given.' }] }];
    subject = `[${deal.plan.name}] Closed lost`;
  } else if (customer) {
    intro = `Thank you for working with ${VENDOR_NAME_MARK} and ${deal.plan.partner.name} on ${deal.plan.name}.`;
    sections = [
      {
        heading: 'What happens next',
        lines: [
          {
            text: `${deal.plan.owners.vendor?.name ?? 'Your contact'} will be in touch about getting started.`,
          },
          { text: `${deal.plan.partner.name} stays with you through the implementation.` },
        ],
      },
    ];
    subject = `[${deal.plan.name}] Thank you`;
  } else {
    const fee = o ? Math.round((o.finalArr * split.partnerFeePercent) / 100) : 0;
    intro = `${deal.plan.name} (${deal.plan.account.name}) is won and registered.`;
    sections = [
      {
        heading: 'The registration',
        lines: [
          { text: `Outcome: won${o ? `, ${dayLabel(o.at)}` : ''}` },
          { text: `Final ARR: ${o ? money(o.finalArr) : 'not logged'}` },
          { text: `Attribution: partner-${deal.plan.attribution}` },
          {
            text: `Partner fee: ${split.partnerFeePercent}% of first-year ARR (${money(fee)}) to ${deal.plan.partner.name}`,
          },
          ...(o?.lesson ? [{ text: `Lesson: ${o.lesson}` }] : []),
        ],
      },
    ];
    subject = `[${deal.plan.name}] Registered: won, ${o ? money(o.finalArr) : ''} ARR`;
  }
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro,
    sections,
    footer: 'Nothing to do for this email.',
    rooms: [deal],
  });
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(subject),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}
