import { describe, expect, it } from 'vitest';
import { roomLinkMark } from '../../../../lambdas/domain/use-cases/room';
import { BUTTON_STYLE } from '../../../../lambdas/views/emails/email-layout';
import { freshLinkEmail } from '../../../../lambdas/views/emails/fresh-link-email';
import { linksIn } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, planWith } from '../../../helpers/plan';

const URL = 'https://links.acme.example/a/eyJhIjoxfQ.c2lnbmF0dXJl';
const DANA = { name: 'Dana Whit', email: PEOPLE.dana, timezone: 'America/Chicago' };
const EXPIRES = new Date('2026-12-16T15:00:00.000Z');

describe('freshLinkEmail', () => {
  it('goes to the recipient only, with the one link in the line format every email uses', () => {
    // Prepare
    const { deal } = dealAtStage('door-opener');

    // Act
    const email = freshLinkEmail(
      deal,
      DANA,
      {
        action: 'milestone-done',
        about: 'Warm introduction to Lee Park (due 2026-12-11)',
        url: URL,
        expiresAt: EXPIRES,
      },
      'fresh-link#pl_1#nonce',
    );

    // Assess
    expect(email).toMatchObject({
      key: 'fresh-link#pl_1#nonce',
      to: [PEOPLE.dana],
      cc: [],
      subject: '[Globex platform migration] Your fresh link: Mark done',
    });
    expect(email.text).toContain('- Warm introduction to Lee Park (due 2026-12-11)\n    Mark done: ');
    // A date for people, in the recipient's time zone (Chicago: 09:00 local).
    expect(email.text).toContain('it expires Wed 16 Dec, 09:00.');
    expect(email.text).toContain('If you did not ask for it, you can ignore this email');
    expect(email.html).toContain(`<a href="${URL}" style="${BUTTON_STYLE}">Mark done</a>`);
    expect(email.text.match(/https:\/\//g)).toHaveLength(1);
    // and the recipient's view link to the deal room, signed as the email leaves (RoomLinkMailer)
    expect(email.text).toContain(
      `See the whole deal (Globex platform migration): ${roomLinkMark(deal.planId)}`,
    );
    expect(() => linksIn(email)).toThrow(/unreadable link/); // the fake URL carries no real token
  });

  it('escapes hostile plan text in the HTML and keeps it out of the subject’s header lines', () => {
    // Prepare
    const plan = planWith((p) => {
      p.name = 'Evil\r\nBcc: all@example.com <script>alert(1)</script>';
    });
    const { deal } = dealAtStage('door-opener', undefined, plan);

    // Act
    const email = freshLinkEmail(
      deal,
      { ...DANA, name: '"Dana" <img src=x onerror=alert(1)>' },
      {
        action: 'confirm-gate',
        about: 'A <b>bold</b> claim & more',
        url: `${URL}"><script>`,
        expiresAt: EXPIRES,
      },
      'k',
    );

    // Assess
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toContain('Your fresh link: Confirm the gate');
    expect(email.html).not.toContain('<script');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>');
    expect(email.html).toContain('A &#60;b&#62;bold&#60;/b&#62; claim &#38; more');
    expect(email.html).toContain('&#34;&#62;&#60;script&#62;');
  });
});
