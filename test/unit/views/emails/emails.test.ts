import { describe, expect, it } from 'vitest';
import { replan } from '../../../../lambdas/domain/actions';
import { type Owner, partyOwner } from '../../../../lambdas/domain/deal';
import { gateAsks, type LinkedAsk, ladderRungs } from '../../../../lambdas/domain/notifications';
import type { DealSnapshot, OutboundEmail } from '../../../../lambdas/domain/ports';
import type { Plan } from '../../../../lambdas/schemas/plan.schema';
import { BUTTON_STYLE } from '../../../../lambdas/views/emails/email-layout';
import {
  escalationEmail,
  gateOpenEmail,
  gateOverdueEmail,
} from '../../../../lambdas/views/emails/gate-emails';
import { slipNoticeEmail } from '../../../../lambdas/views/emails/notice-emails';
import { reminderEmail } from '../../../../lambdas/views/emails/sweep-emails';
import { escapeHtml } from '../../../../lambdas/views/html';
import { headerSafe } from '../../../../lambdas/views/text';
import { DEFAULT_TZ, dealAtStage, milestoneOf, PEOPLE, planWith } from '../../../helpers/plan';

const NOW = new Date('2027-01-20T15:00:00.000Z');
const HOSTILE = `<script>alert("x")</script>'&"><img src=x onerror=alert(1)>`;
const BREAK = 'Line one\r\nBcc: attacker@evil.example\nX-Injected: 1\r';

/** A plan with markup in every free-text value that ends up in an email (never validated: worst case). */
function hostilePlan(mark: string): Plan {
  return planWith((p) => {
    p.name = `Deal ${mark}`;
    p.account.name = `Account ${mark}`;
    p.partner.name = `Partner ${mark}`;
    p.owners.vendor.name = `Ana ${mark}`;
    p.owners.partner.name = `Dana ${mark}`;
    if (p.owners.customer) p.owners.customer.name = `Lee ${mark}`;
    for (const ladder of Object.values(p.escalation)) {
      for (const step of ladder ?? []) {
        step.name = `${step.name} ${mark}`;
        step.role = `${step.role} ${mark}`;
      }
    }
    for (const stage of Object.values(p.stages)) {
      stage.exit = `Exit ${mark}`;
      for (const m of stage.milestones) m.title = `${m.title} ${mark}`;
    }
  });
}

function linked(snapshot: DealSnapshot, recipient: Owner): LinkedAsk[] {
  const entry = gateAsks(snapshot.deal, snapshot.milestones, 'joint-pursuit-and-proof', DEFAULT_TZ).find(
    (a) => a.recipient.email === recipient.email,
  );
  return (entry?.asks ?? []).map((a, i) => ({ ...a, url: `https://links.acme.example/a/token${i}` }));
}

/** One of every email the product sends, all about the same deal. */
function everyEmail(plan: Plan, url?: string): OutboundEmail[] {
  const snapshot = dealAtStage('joint-pursuit-and-proof', NOW, plan);
  const { deal, milestones } = snapshot;
  const ana = partyOwner(deal, 'vendor', DEFAULT_TZ);
  const lee = partyOwner(deal, 'customer', DEFAULT_TZ);
  const asks = linked(snapshot, ana).map((a) => (url ? { ...a, url } : a));
  const poc = milestoneOf(snapshot, 'proof-of-concept');
  const rung = ladderRungs(deal, ['vendor'], NOW)[0];
  if (!rung) throw new Error('no rung');
  const slip = replan(deal, milestones, poc, '2027-02-12', NOW, PEOPLE.lee, `Legal review ${plan.name}`);
  return [
    gateOpenEmail(deal, 'joint-pursuit-and-proof', ana, asks, 'k1'),
    gateOpenEmail(deal, 'joint-pursuit-and-proof', lee, linked(snapshot, lee), 'k2'),
    gateOverdueEmail(deal, 'joint-pursuit-and-proof', ana, asks, NOW, 'k3'),
    escalationEmail(deal, rung, ana, `“${poc.title}” is stuck.`, [`${PEOPLE.lee}: ${plan.name}`], 'k4'),
    reminderEmail(deal, poc, linked(snapshot, lee), 'k5'),
    slipNoticeEmail(slip.deal, slip.impact, poc, PEOPLE.lee, ana, 'k6'),
  ];
}

const ALLOWED_TAGS = new Set([
  '!doctype',
  'html',
  'head',
  '/head',
  'meta',
  'body',
  'p',
  'h2',
  'ul',
  'li',
  'a',
  '/html',
  '/body',
  '/p',
  '/h2',
  '/ul',
  '/li',
  '/a',
]);

describe('email HTML', () => {
  it('escapes markup and quotes from every plan value, so only the template’s own tags remain', () => {
    // Prepare
    const plan = hostilePlan(HOSTILE);

    // Act
    const emails = everyEmail(plan);

    // Assess
    for (const email of emails) {
      const tags = [...email.html.matchAll(/<([^\s>]+)/g)].map((m) => (m[1] as string).toLowerCase());
      expect(
        tags.filter((t) => !ALLOWED_TAGS.has(t)),
        email.key,
      ).toEqual([]);
      expect(email.html, email.key).not.toContain('<script');
      expect(email.html, email.key).not.toContain('<img');
      expect(email.html, email.key).toContain(
        '&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39;&#38;&#34;&#62;&#60;img src=x onerror=alert(1)&#62;',
      );
    }
  });

  it('puts each plan value in the email, escaped', () => {
    // Prepare
    const plan = hostilePlan(HOSTILE);
    const escaped = escapeHtml(HOSTILE);

    // Act
    const [open] = everyEmail(plan);

    // Assess: deal, account, partner, greeting, exit criterion and milestone titles all appear.
    for (const value of [
      `Deal ${escaped}`,
      `Account ${escaped}`,
      `Partner ${escaped}`,
      `Hi Ana ${escaped},`,
      `Exit ${escaped}`,
      `Enterprise pricing approval ${escaped}`,
    ]) {
      expect(open?.html).toContain(value);
    }
  });

  it('keeps every attribute closed: a quote in a link cannot add attributes', () => {
    // Prepare
    const url = 'https://links.acme.example/a/x" onmouseover="alert(1)';

    // Act
    const emails = everyEmail(hostilePlan('plain'), url);

    // Assess
    for (const email of emails) {
      const anchors = [...email.html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]);
      // A link has its href and, as a button, the one constant inline style (mail clients drop stylesheets).
      for (const a of anchors)
        expect(a, email.key).toMatch(
          new RegExp(`^<a href="[^"<>]*" style="${escapeRegExp(BUTTON_STYLE)}">$`),
        );
    }
    expect(emails[0]?.html).toContain('href="https://links.acme.example/a/x&#34; onmouseover=&#34;alert(1)"');
  });

  it('gives the text part the plain values and the link URLs', () => {
    // Act
    const [open] = everyEmail(hostilePlan(HOSTILE));

    // Assess
    expect(open?.text).toContain(`Hi Ana ${HOSTILE},`);
    expect(open?.text).toContain('    Mark done: https://links.acme.example/a/token1');
  });
});

describe('email subjects', () => {
  it('never contain CR, LF or other control characters, whatever the plan says', () => {
    // Prepare
    const plan = hostilePlan(BREAK);

    // Act
    const emails = everyEmail(plan);

    // Assess
    for (const email of emails) {
      expect(email.subject, email.key).not.toMatch(/[\r\n]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
      expect(email.subject, email.key).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(email.subject, email.key).toContain('Line one Bcc: attacker@evil.example X-Injected: 1');
    }
  });

  it('are bounded in length', () => {
    // Prepare
    const plan = hostilePlan('x'.repeat(500));

    // Act
    const emails = everyEmail(plan);

    // Assess
    for (const email of emails) expect(email.subject.length, email.key).toBeLessThanOrEqual(180);
  });

  it('say what the email is about', () => {
    // Act
    const subjects = everyEmail(hostilePlan('X')).map((e) => e.subject);

    // Assess
    expect(subjects).toEqual([
      '[Deal X] Stage 4, Joint pursuit and proof: your next steps',
      // The customer's: no stage numbers.
      '[Deal X] Proof and path to a decision: your next steps',
      '[Deal X] Overdue: stage 4, Joint pursuit and proof',
      '[Deal X] Escalation: “Combined proof of concept signed off X” is stuck.',
      '[Deal X] Due soon: Combined proof of concept signed off X',
      '[Deal X] Slipped: Combined proof of concept signed off X (+7 days)',
    ]);
  });
});

describe('email addressing', () => {
  it('addresses each email to its one recipient, copying the owner on an escalation', () => {
    // Act
    const emails = everyEmail(hostilePlan('X'));

    // Assess
    expect(emails.map((e) => [e.key, e.to, e.cc])).toEqual([
      ['k1', [PEOPLE.ana], []],
      ['k2', [PEOPLE.lee], []],
      ['k3', [PEOPLE.ana], []],
      ['k4', [PEOPLE.sam], [PEOPLE.ana]],
      ['k5', [PEOPLE.lee], []],
      ['k6', [PEOPLE.ana], []],
    ]);
  });

  it('does not copy the owner when the owner is the rung', () => {
    // Prepare: Lee is both the customer owner and the first customer rung.
    const { deal } = dealAtStage('joint-pursuit-and-proof', NOW);
    const rung = ladderRungs(deal, ['customer'], NOW)[0];
    if (!rung) throw new Error('no rung');

    // Act
    const email = escalationEmail(deal, rung, partyOwner(deal, 'customer', DEFAULT_TZ), 'x', [], 'k');

    // Assess
    expect(email.to).toEqual([PEOPLE.lee]);
    expect(email.cc).toEqual([]);
  });

  it('asks only to confirm when confirming is all that is left for the recipient', () => {
    // Prepare
    const snapshot = dealAtStage('joint-pursuit-and-proof', NOW);
    const lee = partyOwner(snapshot.deal, 'customer', DEFAULT_TZ);
    const confirmOnly = linked(snapshot, lee).filter((a) => a.action === 'confirm-gate');

    // Act
    const email = gateOpenEmail(snapshot.deal, 'joint-pursuit-and-proof', lee, confirmOnly, 'k');

    // Assess
    // The customer's words: what is asked and why, no gate and no stage number.
    expect(email.subject).toBe('[Globex platform migration] Proof and path to a decision: please confirm');
    expect(email.text).toContain('Please confirm\n- You confirm the path to a decision');
    expect(email.text).toContain('    Confirm: https://links.acme.example/a/token');
    expect(email.text).not.toContain('Your milestones');
  });

  it('states the due time in the owner’s own timezone in a reminder', () => {
    // Prepare
    const snapshot = dealAtStage('joint-pursuit-and-proof', NOW);

    // Act
    const email = reminderEmail(snapshot.deal, milestoneOf(snapshot, 'proof-of-concept'), [], 'k');

    // Assess: 17:00 on 5 Feb in Los Angeles, not the UTC date (6 Feb).
    expect(email.text).toContain('is due Fri, 5 Feb 2027, 17:00');
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('escapeHtml and headerSafe', () => {
  it('escapes the five HTML-significant characters and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/a&#62;',
    );
    expect(escapeHtml('Zoë → 100%')).toBe('Zoë → 100%');
  });

  it('turns each run of control characters into one space and trims', () => {
    expect(headerSafe('\r\n  A\r\n\tB\u0000\u007fC \n')).toBe('A B C');
  });
});
