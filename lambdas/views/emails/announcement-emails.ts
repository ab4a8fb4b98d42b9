import type { Deal, MilestoneState, Owner } from '../../domain/deal';
import { nextStage, STAGES } from '../../domain/playbook';
import type { AnnouncementWhat, OutboundEmail } from '../../domain/ports';
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
  let intro: string;
  let sections: Section[];
  let subject: string;
  if (!won) {
    const closed = deal.closed;
    intro = `${deal.plan.name} (${deal.plan.account.name}) is closed: the outcome was logged as ${closed ? CLOSED_AS[closed.outcome] : 'lost'}.`;
    const reason = lostReason(deal, customer);
    sections = reason.length ? [{ heading: 'The reason', lines: reason.map((text) => ({ text })) }] : [];
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
    intro = `${deal.plan.name} (${deal.plan.account.name}) is won and registered.`;
    sections = [
      {
        heading: 'The registration',
        lines: [
          { text: `Outcome: won${o ? `, ${dayLabel(o.at)}` : ''}` },
          { text: `Final ARR: ${o ? money(o.finalArr) : 'not logged'}` },
          ...registrationTerms(deal).map((text) => ({ text })),
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

const CLOSED_AS: Record<string, string> = {
  lost: 'lost',
  'no-decision': 'lost (no decision)',
  withdrawn: 'lost (withdrawn)',
};

/**
 * Why it was lost: the close's reason (and lesson), or the stage-5 outcome's lesson. A lesson is the
 * vendor's and partner's own retrospective: the customer reads only the reason and the date.
 */
function lostReason(deal: Deal, customer: boolean): string[] {
  const closed = deal.closed;
  if (!closed) return customer ? [] : [deal.outcome?.lesson ?? 'No reason was given.'];
  const stage = STAGES[closed.stage];
  return [
    closed.reason,
    ...(!customer && closed.lesson && closed.lesson !== closed.reason ? [`Lesson: ${closed.lesson}`] : []),
    customer
      ? `Closed ${dayLabel(closed.at)}.`
      : `Closed ${dayLabel(closed.at)}, in stage ${stage.number}, ${stage.title}.`,
  ];
}

/**
 * The announcement as lines of its recipient's digest (a held announcement sent with their other items):
 * the same facts as its own email, shorter, in the reader's words (nothing of attribution or fees for the
 * customer).
 */
export function announcementLines(
  deal: Deal,
  what: AnnouncementWhat,
  recipient: Owner,
  milestones: MilestoneState[],
): string[] {
  const customer = isCustomer(recipient.party);
  if (what.kind === 'stage-passed') {
    const { stage } = what;
    const next = nextStage(stage);
    const owned = milestones
      .filter((m) => m.stage === next && m.status === 'open')
      .map((m) => `${m.title}: ${m.owner.name}, due ${dayLabel(m.due)}`);
    const passed = customer
      ? `Agreed: ${CUSTOMER_TITLES[stage]}. ${CUSTOMER_STEPS[stage]}`
      : `Stage passed: ${STAGES[stage].title}. ${deal.plan.stages[stage].exit}`;
    if (!next) return [passed];
    const title = customer ? CUSTOMER_TITLES[next] : STAGES[next].title;
    const steps = customer ? CUSTOMER_STEPS[next] : deal.plan.stages[next].exit;
    return [passed, `What comes next: ${title}: ${owned.length ? owned.join('; ') : steps}`];
  }
  const o = deal.outcome;
  if (o?.result === 'lost') return [['Closed lost:', ...lostReason(deal, customer)].join(' ')];
  if (customer) {
    return [
      `Thank you for working with ${VENDOR_NAME_MARK} and ${deal.plan.partner.name}: ${deal.plan.owners.vendor?.name ?? 'your contact'} will be in touch about getting started.`,
    ];
  }
  const money = (v: number) => formatMoney(v, o?.currency ?? deal.plan.jointOutcome.arr.currency);
  return [`Registered: won, ${o ? money(o.finalArr) : ''} ARR`, ...registrationTerms(deal)];
}

/** What was registered for the vendor and partner (never for the customer): attribution and the fee. */
function registrationTerms(deal: Deal): string[] {
  const o = deal.outcome;
  const split = deal.plan.economicSplit;
  const money = (v: number) => formatMoney(v, o?.currency ?? deal.plan.jointOutcome.arr.currency);
  const fee = o ? Math.round((o.finalArr * split.partnerFeePercent) / 100) : 0;
  return [
    `Attribution: partner-${deal.plan.attribution}`,
    `Partner fee: ${split.partnerFeePercent}% of first-year ARR (${money(fee)}) to ${deal.plan.partner.name}`,
  ];
}
