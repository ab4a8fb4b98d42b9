import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SlipImpact } from '../../../../lambdas/domain/actions';
import type { LinkClaims } from '../../../../lambdas/domain/links';
import type { LinkPage } from '../../../../lambdas/domain/use-cases/links';
import { PAGE_HEADERS, renderLinkPage } from '../../../../lambdas/views/pages/link-page';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

const CLAIMS: LinkClaims = {
  kid: 'k1',
  planId: PLAN_ID,
  action: 'milestone-slip',
  target: 'warm-intro',
  recipient: PEOPLE.dana,
  exp: 1_900_000_000,
  nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
};

const IMPACT: SlipImpact = {
  days: 7,
  moved: [
    {
      milestoneId: 'warm-intro',
      title: 'Warm introduction to Lee Park',
      from: '2026-12-11',
      to: '2026-12-18',
    },
    { milestoneId: 'debrief', title: 'Debrief', from: '2027-03-05', to: '2027-03-12' },
  ],
  closeDate: { from: '2027-02-26', to: '2027-03-05' },
};

function donePage(impact?: SlipImpact): LinkPage {
  return {
    kind: 'done',
    status: 200,
    claims: CLAIMS,
    deal: dealAtStage('door-opener').deal,
    message: 'Re-planned: “Warm introduction to Lee Park” now due 2026-12-18.',
    ...(impact ? { impact } : {}),
  };
}

/** The form elements of a page, as [method, action attribute or null, hidden inputs]. */
function forms(html: string) {
  return [...html.matchAll(/<form([^>]*)>(.*?)<\/form>/g)].map(([, attrs = '', inner = '']) => ({
    method: /method="([^"]*)"/.exec(attrs)?.[1],
    action: /action="([^"]*)"/.exec(attrs)?.[1] ?? null,
    hidden: [...inner.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map(([, n, v]) => [
      n,
      v,
    ]),
    button: /<button[^>]*>(.*?)<\/button>/.exec(inner)?.[1],
  }));
}

describe('renderLinkPage: expired', () => {
  it('offers a fresh link with a form that POSTs intent=fresh-link back to the same URL', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'refused',
      status: 410,
      reason: 'expired',
      message: 'This link has expired.',
      freshLinkTo: 'd***@northwind.example',
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(html).toContain('<h1>This link has expired</h1>');
    expect(forms(html)).toEqual([
      { method: 'post', action: null, hidden: [['intent', 'fresh-link']], button: 'Send me a fresh link' },
    ]);
    expect(html).toContain('d***@northwind.example');
    expect(html).not.toContain(PEOPLE.dana);
    expect(html).not.toContain('<script');
  });

  it('offers nothing when there is nothing left to do', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'refused',
      status: 410,
      reason: 'expired',
      message: 'This link has expired. The Door-opener move gate has already passed.',
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(forms(html)).toEqual([]);
    expect(html).toContain('has already passed');
    expect(html).toContain('Your latest email about this deal has the current links.');
  });
});

describe('renderLinkPage: used and expired pages say which deal and step, when, in the reader’s time zone', () => {
  const context = {
    planName: 'Globex platform migration',
    stage: 'door-opener',
    reader: { name: 'Ana Ruiz', party: 'vendor', timezone: 'America/Chicago' },
  } as const;

  it('a used link: who did what, in words, with the time in the reader’s zone and no ISO text', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'refused',
      status: 409,
      reason: 'used',
      message: 'Nothing was changed.',
      context: { ...context, action: 'confirm-gate', usedAt: '2026-12-11T20:05:00.000Z' },
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(html).toContain('<h1>This link was already used</h1>');
    expect(html).toContain('<dt>Deal</dt><dd>Globex platform migration</dd>');
    expect(html).toContain('<dt>Stage</dt><dd>2 of 5, Door-opener move</dd>');
    expect(html).toContain('You confirmed the Door-opener move gate on Fri 11 Dec at 14:05 (Chicago time).');
    expect(html).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('an expired link: what it was for and when it expired; a milestone by its title', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'refused',
      status: 410,
      reason: 'expired',
      message: 'This link has expired.',
      freshLinkTo: 'a***@vendor.example',
      context: {
        ...context,
        reader: { name: 'Dana Whit', party: 'partner', timezone: 'America/New_York' },
        action: 'milestone-done',
        milestone: 'Warm introduction to Lee Park',
        expiredAt: '2026-12-16T15:00:00.000Z',
      },
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(html).toContain(
      'This link was for you to mark “Warm introduction to Lee Park” done. It expired on Wed 16 Dec at 10:00 (New York time).',
    );
    expect(html).toContain('<dt>For</dt><dd>Dana Whit</dd>');
  });

  it('for a customer reader, in the customer’s words', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'refused',
      status: 409,
      reason: 'used',
      message: 'Nothing was changed.',
      context: {
        ...context,
        stage: 'joint-pursuit-and-proof',
        reader: { name: 'Lee Park', party: 'customer', timezone: 'America/Los_Angeles' },
        action: 'confirm-gate',
        usedAt: '2027-01-20T17:30:00.000Z',
      },
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(html).toContain('<dt>Step</dt><dd>Proof and path to a decision</dd>');
    expect(html).toContain(
      'You confirmed “Proof and path to a decision” on Wed 20 Jan at 09:30 (Los Angeles time).',
    );
    expect(html).not.toMatch(/\bgate\b|stage \d of 5/i);
  });
});

describe('renderLinkPage: fresh link sent', () => {
  it('says where the link went (masked) and that nothing else changed', () => {
    // Prepare
    const page: LinkPage = {
      kind: 'fresh-link',
      status: 200,
      sentTo: 'd***@northwind.example',
      message: 'A fresh link was sent to d***@northwind.example. It works once, for you only.',
    };

    // Act
    const html = renderLinkPage(page);

    // Assess
    expect(html).toContain('<h1>Check your email</h1>');
    expect(html).toContain('<p role="status">A fresh link was sent to d***@northwind.example.');
    expect(html).toContain('Nothing else was changed.');
    expect(forms(html)).toEqual([]);
  });
});

describe('renderLinkPage: done after a slip', () => {
  it('shows each moved milestone’s old and new date, and the close date change', () => {
    // Act
    const html = renderLinkPage(donePage(IMPACT));

    // Assess
    expect(html).toContain('<h2 id="impact">What moved</h2>');
    expect(html).toContain('2 milestones moved by 7 days:');
    expect(html).toContain('<li>Warm introduction to Lee Park: 2026-12-11 → 2026-12-18</li>');
    expect(html).toContain('<li>Debrief: 2027-03-05 → 2027-03-12</li>');
    expect(html).toContain('The close date moves from 2027-02-26 to 2027-03-05.');
  });

  it('says the close date stays when a slip after the close does not move it', () => {
    // Prepare
    const impact: SlipImpact = {
      days: 1,
      moved: [{ milestoneId: 'debrief', title: 'Debrief', from: '2027-03-05', to: '2027-03-06' }],
      closeDate: { from: '2027-02-26', to: '2027-02-26' },
    };

    // Act
    const html = renderLinkPage(donePage(impact));

    // Assess
    expect(html).toContain('1 milestone moved by 1 day:');
    expect(html).toContain('The close date stays 2027-02-26.');
  });

  it('escapes hostile milestone titles', () => {
    // Prepare
    const impact: SlipImpact = {
      ...IMPACT,
      moved: [
        {
          milestoneId: 'x',
          title: '<script>alert("x")</script>\r\nBcc: a@b',
          from: '2026-12-11',
          to: '2026-12-18',
        },
      ],
    };

    // Act
    const html = renderLinkPage(donePage(impact));

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
  });

  it('shows no impact section for other actions', () => {
    // Act
    const html = renderLinkPage(donePage());

    // Assess
    expect(html).not.toContain('What moved');
  });
});

describe('page headers', () => {
  it('allow exactly the page’s own inline style, and nothing else', () => {
    // Prepare
    const html = renderLinkPage(donePage(IMPACT));
    const style = /<style>(.*?)<\/style>/.exec(html)?.[1] ?? '';

    // Act
    const hash = createHash('sha256').update(style).digest('base64');

    // Assess
    expect(PAGE_HEADERS['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(PAGE_HEADERS['content-security-policy']).toContain("default-src 'none'");
  });
});
