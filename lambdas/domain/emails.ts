import type { StageKey } from '../schemas/plan.schema';
import type { SlipImpact } from './actions';
import type { Deal, MilestoneState, Owner } from './deal';
import type { Ask, Rung } from './notifications';
import { STAGES } from './playbook';
import { formatLocal } from './time';

/** An email ready to send. `key` makes the send happen once, whatever retries or duplicates occur. */
export interface OutboundEmail {
  key: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
}

export interface LinkedAsk extends Ask {
  url: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Subjects end up in a mail header: no line breaks or control characters, bounded length. */
export function headerSafe(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const controls = /[\u0000-\u001f\u007f]+/g;
  return value.replace(controls, ' ').trim().slice(0, 180);
}

interface Section {
  heading: string;
  lines: { text: string; links?: { label: string; url: string }[] }[];
}

function render(
  greeting: string,
  intro: string,
  sections: Section[],
  footer: string,
): { text: string; html: string } {
  const text = [
    greeting,
    '',
    intro,
    ...sections.flatMap((s) => [
      '',
      s.heading,
      ...s.lines.flatMap((l) => [`- ${l.text}`, ...(l.links ?? []).map((k) => `    ${k.label}: ${k.url}`)]),
    ]),
    '',
    footer,
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...sections.map(
      (s) =>
        `<h2 style="font-size:16px">${escapeHtml(s.heading)}</h2><ul>${s.lines
          .map(
            (l) =>
              `<li>${escapeHtml(l.text)}${(l.links ?? [])
                .map((k) => ` <a href="${escapeHtml(k.url)}">${escapeHtml(k.label)}</a>`)
                .join(' ·')}</li>`,
          )
          .join('')}</ul>`,
    ),
    `<p style="color:#555;font-size:13px">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');
  return { text, html };
}

const FOOTER =
  'Each link does one thing, once, for you only, and expires. Opening it shows a page; nothing happens until you confirm there.';

function groupAsks(asks: LinkedAsk[]): Section['lines'] {
  const byAbout = new Map<string, LinkedAsk[]>();
  for (const a of asks) byAbout.set(a.about, [...(byAbout.get(a.about) ?? []), a]);
  return [...byAbout.entries()].map(([about, items]) => ({
    text: about,
    links: items.map((a) => ({ label: a.label, url: a.url })),
  }));
}

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
  const { text, html } = render(
    `Hi ${recipient.name},`,
    `${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}) is at stage ${info.number} of 5, ${info.title}. ` +
      `The gate passes when: ${deal.plan.stages[stage].exit}`,
    sections,
    FOOTER,
  );
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
  const { text, html } = render(
    `Hi ${recipient.name},`,
    `${deal.plan.name} has passed the deadline for stage ${info.number}, ${info.title} (${formatLocal(deadline, recipient.timezone)}). ` +
      'Your move is still open; if nothing happens, your escalation path will be told.',
    [{ heading: 'Still open for you', lines: groupAsks(asks) }],
    FOOTER,
  );
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Overdue: stage ${info.number}, ${info.title}`),
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
  const { text, html } = render(
    `Hi ${rung.name},`,
    `You are on the ${rung.party} escalation path (${rung.role}) for ${deal.plan.name} (${deal.plan.account.name}). ${what} ` +
      `${owner.name} (${owner.email}) owns the next move and is copied.`,
    [{ heading: 'Waiting', lines: waiting.map((w) => ({ text: w })) }],
    'Please call the owner and unblock it; the deal advances through the links the owner already has.',
  );
  return {
    key,
    to: [rung.email],
    cc: owner.email.toLowerCase() === rung.email.toLowerCase() ? [] : [owner.email],
    subject: headerSafe(`[${deal.plan.name}] Escalation: ${what}`),
    text,
    html,
  };
}

export function reminderEmail(deal: Deal, m: MilestoneState, asks: LinkedAsk[], key: string): OutboundEmail {
  const { text, html } = render(
    `Hi ${m.owner.name},`,
    `A reminder for ${deal.plan.name}: “${m.title}” is due ${formatLocal(new Date(m.dueAt), m.owner.timezone)}.`,
    [{ heading: 'Your milestone', lines: groupAsks(asks) }],
    FOOTER,
  );
  return {
    key,
    to: [m.owner.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Due soon: ${m.title}`),
    text,
    html,
  };
}

export function slipNoticeEmail(
  deal: Deal,
  impact: SlipImpact,
  m: MilestoneState,
  by: string,
  to: Owner,
  key: string,
): OutboundEmail {
  const { text, html } = render(
    `Hi ${to.name},`,
    `${by} reported a slip on ${deal.plan.name}: “${m.title}” moves ${impact.days} day(s). The close date moves from ${impact.closeDate.from} to ${impact.closeDate.to}.`,
    [
      {
        heading: 'Re-planned',
        lines: impact.moved.map((x) => ({ text: `${x.title}: ${x.from} → ${x.to}` })),
      },
    ],
    'The plan has been updated; reply to the owner if the new dates do not work.',
  );
  return {
    key,
    to: [to.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Slipped: ${m.title} (+${impact.days} days)`),
    text,
    html,
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
  const { text, html } = render(
    `Hi ${to.name},`,
    `No one on the ${deal.plan.partner.name} side has acted on ${deal.plan.name} (${deal.plan.account.name}) for ${days} days or more ` +
      `(last action: ${silentSince.slice(0, 10)}), while partner work is open. You are on the partner escalation path${role}; ` +
      `${vendorOwner.name} (${vendorOwner.email}) owns the deal for the vendor and is copied.`,
    [{ heading: 'Waiting on the partner side', lines: waiting.map((w) => ({ text: w })) }],
    'Please check in with the partner owner; the deal advances through the links they already have.',
  );
  return {
    key,
    to: [to.email],
    cc: vendorOwner.email.toLowerCase() === to.email.toLowerCase() ? [] : [vendorOwner.email],
    subject: headerSafe(`[${deal.plan.name}] Partner gone quiet: ${deal.plan.partner.name}`),
    text,
    html,
  };
}

/** One item of a digest: a line about one deal, with its links when the recipient can act on it. */
export interface DigestItem {
  deal: Deal;
  kind: 'due-soon' | 'escalation';
  text: string;
  asks?: LinkedAsk[];
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
  const label = (i: DigestItem) => (several ? `${i.deal.plan.name}: ${i.text}` : i.text);
  const due = items.filter((i) => i.kind === 'due-soon');
  const escalations = items.filter((i) => i.kind === 'escalation');
  const sections: Section[] = [];
  if (due.length) {
    sections.push({
      heading: 'Due soon, yours',
      lines: due.map((i) => ({
        text: label(i),
        links: (i.asks ?? []).map((a) => ({ label: a.label, url: a.url })),
      })),
    });
  }
  if (escalations.length) {
    sections.push({ heading: 'Escalated to you', lines: escalations.map((i) => ({ text: label(i) })) });
  }
  const asks = [
    due.length ? `${due.length} due soon` : '',
    escalations.length ? `${escalations.length} escalation${escalations.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  const { text, html } = render(
    `Hi ${recipient.name},`,
    `${items.length} things on ${deals.join(', ')} need you today. Escalated items: please call the owner (copied) and unblock it.`,
    sections,
    FOOTER,
  );
  const me = recipient.email.toLowerCase();
  return {
    key,
    to: [recipient.email],
    cc: [...new Set(cc.map((c) => c.toLowerCase()))].filter((c) => c !== me),
    subject: headerSafe(`[${deals.join('; ')}] ${asks.join(', ')}: your move`),
    text,
    html,
  };
}

/** The weekly review's agenda for one attendee; the first one says a calendar invitation comes with it. */
export function weeklyReviewEmail(
  deal: Deal,
  agenda: {
    at: string;
    since: string;
    moved: string[];
    stuck: string[];
    escalations: string[];
    slips: string[];
    nextDue: string[];
  },
  recipient: Owner,
  options: { key: string; withInvite: boolean },
): OutboundEmail {
  const { cadence } = deal.plan;
  const when = formatLocal(new Date(agenda.at), cadence.timezone);
  const lines = (items: string[], none: string) => (items.length ? items : [none]).map((text) => ({ text }));
  const invite = options.withInvite
    ? ` A calendar invitation for this 15-minute review, every ${cadence.weekday} at ${cadence.time} (${cadence.timezone}), is attached.`
    : '';
  const { text, html } = render(
    `Hi ${recipient.name},`,
    `The weekly review of ${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name}), ${when}: 15 minutes on what moved, what is stuck and what needs an escalation.${invite}`,
    [
      { heading: 'What moved since last week', lines: lines(agenda.moved, 'Nothing moved this week.') },
      { heading: 'What is stuck, and whose move it is', lines: lines(agenda.stuck, 'Nothing is stuck.') },
      { heading: 'Needs an escalation', lines: lines(agenda.escalations, 'Nothing is overdue.') },
      { heading: 'Slipped milestones and the close date', lines: lines(agenda.slips, 'No slips.') },
      { heading: 'Due next', lines: lines(agenda.nextDue, 'No open milestones left.') },
    ],
    'Act on the links in your earlier emails; this agenda changes nothing by itself.',
  );
  const escalate = agenda.escalations.length;
  return {
    key: options.key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(
      `[${deal.plan.name}] Weekly review ${when.replace(/,? \d{2}:\d{2}.*$/, '')}: ${escalate ? `${escalate} to escalate` : 'status and next steps'}`,
    ),
    text,
    html,
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
  const { text, html } = render(
    `Hi ${to.name},`,
    `${suppressed.email} no longer gets email about ${deal.plan.name}: ${why} (${suppressed.detail}). ` +
      'Nudges, escalations and reviews to this address are skipped from now on.',
    [{ heading: 'Where the plan names this address', lines: roles.map((r) => ({ text: r })) }],
    'Correct the address in the plan (load it again with the right one), or reach the person another way.',
  );
  return {
    key,
    to: [to.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] Undeliverable: ${suppressed.email}`),
    text,
    html,
  };
}
