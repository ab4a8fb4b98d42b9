import { describe, expect, it } from 'vitest';
import { checkLinkTarget, replan } from '../../../lambdas/domain/actions';
import { type Deal, type MilestoneState, partyOwner } from '../../../lambdas/domain/deal';
import type { LinkClaims } from '../../../lambdas/domain/links';
import { gateAsks, type LinkedAsk, ladderRungs } from '../../../lambdas/domain/notifications';
import type { DealSnapshot, MessageViews } from '../../../lambdas/domain/ports';
import { programReport } from '../../../lambdas/domain/reports';
import { dealRoom } from '../../../lambdas/domain/room';
import type { LinkPage } from '../../../lambdas/domain/use-cases/links';
import { STAGE_KEYS } from '../../../lambdas/domain/vocabulary';
import { reviewAgenda, reviewInvite } from '../../../lambdas/domain/weekly-review';
import type { Plan } from '../../../lambdas/schemas/plan.schema';
import { pageBrand } from '../../../lambdas/views/pages/page-brand';
import { EMAIL_VIEWS, PAGE_VIEWS } from '../../../lambdas/views/registry';
import { generateProgram, PROGRAM_NOW, type Recipe } from '../../../scripts/lib/program-fixture';
import { DEFAULT_TZ, dealAtStage, PEOPLE, PLAN_ID, planWith } from '../../helpers/plan';

/**
 * Every view, fed hostile text through the plan and deal data (names, titles, exit criteria, reasons,
 * notes, messages), must write it as text: no raw `<script` or `<img`, and no tag carrying an event
 * handler. The cases are keyed by the view registry, so a view added there without a case here fails to
 * type-check, and the test checks at run time that no view is left out.
 */

const HOSTILE = ['<script>alert(1)</script>', '<IMG SRC=x ONERROR=alert(1)>', `"'><svg onload=alert(1)>`];
const MARK = HOSTILE.join(' ');
const NOW = new Date('2027-01-20T15:00:00.000Z');

/** The reference plan with the hostile text in every free-text value a view shows. */
function hostilePlan(): Plan {
  return planWith((p) => {
    p.name = `Deal ${MARK}`;
    p.account.name = `Account ${MARK}`;
    p.account.context = `Context ${MARK}`;
    p.account.trigger = `Trigger ${MARK}`;
    p.account.domain = `globex.example${MARK}`;
    p.account.partnerRelationship = `Relationship ${MARK}`;
    p.partner.name = `Partner ${MARK}`;
    p.partner.reference = `Ref ${MARK}`;
    p.owners.vendor.name = `Ana ${MARK}`;
    p.owners.vendor.title = `Title ${MARK}`;
    p.owners.partner.name = `Dana ${MARK}`;
    if (p.owners.customer) p.owners.customer.name = `Lee ${MARK}`;
    p.risks = [`Risk ${MARK}`];
    p.economicSplit.notes = `Notes ${MARK}`;
    for (const ladder of Object.values(p.escalation)) {
      for (const step of ladder ?? []) {
        step.name = `${step.name} ${MARK}`;
        step.role = `${step.role} ${MARK}`;
      }
    }
    for (const stage of Object.values(p.stages)) {
      stage.exit = `Exit ${MARK}`;
      for (const m of stage.milestones) m.title = `${m.title} ${MARK}`;
    }
  });
}

/** The hostile deal at `stage`, its open milestones reported stuck and one milestone slipped. */
function hostileDeal(stage: (typeof STAGE_KEYS)[number]): DealSnapshot {
  const snapshot = dealAtStage(stage, NOW, hostilePlan());
  const open = snapshot.milestones.filter((m) => m.status === 'open');
  const first = open[0];
  if (!first) return snapshot;
  const slip = replan(
    snapshot.deal,
    snapshot.milestones,
    first,
    '2027-12-31',
    NOW,
    `by ${MARK}`,
    `Why ${MARK}`,
  );
  const milestones: MilestoneState[] = snapshot.milestones.map((m) => {
    const moved = slip.milestones.find((c) => c.milestoneId === m.milestoneId) ?? m;
    return m.status === 'open'
      ? { ...moved, stuck: [{ at: NOW.toISOString(), by: MARK, reason: MARK }] }
      : moved;
  });
  return { deal: slip.deal, milestones };
}

const SNAPSHOTS = STAGE_KEYS.map(hostileDeal);

function claimsFor(action: LinkClaims['action'], target: string): LinkClaims {
  const recipient = `dana${MARK}@northwind.example`;
  return { kid: 'k1', planId: PLAN_ID, action, target, recipient, exp: 1_900_000_000, nonce: 'N'.repeat(22) };
}

/** Every link page: each action's form (with field errors), its done page, each refusal, the fresh-link page. */
function linkPages(): LinkPage[] {
  const pages: LinkPage[] = [];
  for (const { deal, milestones } of SNAPSHOTS) {
    for (const { asks } of gateAsks(deal, milestones, deal.stage, DEFAULT_TZ)) {
      for (const ask of asks) {
        const claims = claimsFor(ask.action, ask.target);
        const live = checkLinkTarget(claims, deal, milestones);
        if (!live.ok) continue;
        const errors = [{ path: MARK, message: MARK }];
        pages.push({ kind: 'form', status: 200, claims, deal, target: live.target, errors });
        pages.push({ kind: 'done', status: 200, claims, deal, message: MARK });
      }
    }
  }
  const [snapshot] = SNAPSHOTS;
  if (!snapshot) throw new Error('no deal');
  const m = snapshot.milestones[0] as MilestoneState;
  const slip = replan(snapshot.deal, snapshot.milestones, m, '2028-06-30', NOW, MARK, MARK);
  const claims = claimsFor('milestone-slip', m.milestoneId);
  pages.push({ kind: 'done', status: 200, claims, deal: slip.deal, message: MARK, impact: slip.impact });
  for (const reason of ['invalid', 'expired', 'used', 'superseded', 'already-done', 'not-allowed'] as const) {
    pages.push({ kind: 'refused', status: 400, reason, message: MARK, freshLinkTo: MARK });
  }
  // Used and expired pages name the deal, the step and the reader.
  for (const party of ['vendor', 'customer'] as const) {
    const context = {
      planName: MARK,
      action: 'milestone-done' as const,
      stage: 'door-opener' as const,
      milestone: MARK,
      reader: { name: MARK, party, timezone: 'UTC' },
    };
    pages.push({
      kind: 'refused',
      status: 409,
      reason: 'used',
      message: MARK,
      context: { ...context, usedAt: NOW.toISOString() },
    });
    pages.push({
      kind: 'refused',
      status: 410,
      reason: 'expired',
      message: MARK,
      freshLinkTo: MARK,
      context: { ...context, expiredAt: NOW.toISOString() },
    });
  }
  pages.push({ kind: 'fresh-link', status: 200, sentTo: MARK, message: MARK });
  return pages;
}

function hostileReports() {
  const row = (extra: Partial<Recipe['rows'][number]>): Recipe['rows'][number] => ({
    count: 1,
    attribution: 'sourced',
    arr: [10, 20],
    fate: { kind: 'active', stage: 2, openDays: 30 },
    days: [3],
    account: { name: `Account ${MARK}`, domain: `x${MARK}` },
    ...extra,
  });
  const recipes: Recipe[] = [
    {
      partner: `Partner ${MARK}`,
      rows: [
        row({}),
        row({ fate: { kind: 'won', finalArr: 15, closedOn: '2027-02-10' }, days: [1, 2, 3, 4, 5] }),
        row({ currency: 'EUR' }),
      ],
    },
  ];
  const deals = generateProgram(recipes, PROGRAM_NOW).map(({ deal, milestones }) => ({
    deal: { ...deal, offPartnerPlan: true, offPartnerPlanReason: MARK },
    milestones,
  }));
  const report = programReport(deals, [], PROGRAM_NOW);
  return [report, programReport(deals, [], PROGRAM_NOW, { partner: `Partner ${MARK}` })];
}

const pageCases: { [K in keyof typeof PAGE_VIEWS]: () => string[] } = {
  linkPage: () => linkPages().map((p) => PAGE_VIEWS.linkPage(p)),
  programReportPage: () => hostileReports().map((r) => PAGE_VIEWS.programReportPage(r)),
  roomPage: () => roomPages(),
  onePager: () =>
    SNAPSHOTS.flatMap((s) => [
      PAGE_VIEWS.onePager(s, NOW),
      PAGE_VIEWS.onePager(
        {
          deal: {
            ...s.deal,
            status: 'won',
            outcome: { result: 'won', finalArr: 1, currency: 'USD', lesson: MARK, at: NOW.toISOString() },
          } as Deal,
          milestones: s.milestones.map((m) => ({
            ...m,
            waived: { at: NOW.toISOString(), by: MARK, reason: MARK },
          })),
        },
        NOW,
      ),
    ]),
};

// The deal room, as each party reads it, and its refusal page.
const roomPages = () =>
  SNAPSHOTS.flatMap((s) =>
    (['vendor', 'partner', 'customer'] as const).map((party) =>
      PAGE_VIEWS.roomPage(
        {
          kind: 'room',
          status: 200,
          room: dealRoom(s, NOW, party, {
            vendorName: MARK,
            reader: { party, name: MARK, email: `${party}@x.example`, timezone: 'UTC' },
            actions: [
              {
                action: 'milestone-done',
                label: MARK,
                about: MARK,
                url: `https://links.acme.example/a/${MARK}`,
              },
            ],
            history: [{ at: NOW.toISOString(), text: MARK }],
          }),
        },
        NOW,
      ),
    ),
  ).concat(PAGE_VIEWS.roomPage({ kind: 'refused', status: 410, title: MARK, message: MARK }, NOW));

function linked(asks: { action: LinkedAsk['action']; target: string; label: string; about: string }[]) {
  return asks.map((a) => ({ ...a, url: `https://links.acme.example/a/${MARK}` }));
}

/** Each email's HTML, per deal; the calendar invitation is not HTML and is checked on its own below. */
const emailCases: { [K in Exclude<keyof MessageViews, 'reviewInvite'>]: (s: DealSnapshot) => string[] } = {
  stagePassed: ({ deal, milestones }) =>
    (['vendor', 'partner', 'customer'] as const).map(
      (p) => EMAIL_VIEWS.stagePassed(deal, deal.stage, partyOwner(deal, p, DEFAULT_TZ), milestones, 'k').html,
    ),
  dealClosed: ({ deal }) =>
    (['won', 'lost'] as const).flatMap((result) =>
      (['vendor', 'partner', 'customer'] as const).map(
        (p) =>
          EMAIL_VIEWS.dealClosed(
            {
              ...deal,
              outcome: {
                result,
                finalArr: 1,
                currency: 'USD',
                lesson: MARK,
                at: NOW.toISOString(),
                by: MARK,
              },
            },
            partyOwner(deal, p, DEFAULT_TZ),
            'k',
          ).html,
      ),
    ),
  gateOpen: ({ deal, milestones }) =>
    gateAsks(deal, milestones, deal.stage, DEFAULT_TZ).map(
      ({ recipient, asks }) => EMAIL_VIEWS.gateOpen(deal, deal.stage, recipient, linked(asks), 'k').html,
    ),
  gateOverdue: ({ deal, milestones }) =>
    gateAsks(deal, milestones, deal.stage, DEFAULT_TZ).map(
      ({ recipient, asks }) =>
        EMAIL_VIEWS.gateOverdue(deal, deal.stage, recipient, linked(asks), NOW, 'k').html,
    ),
  escalation: ({ deal }) =>
    ladderRungs(deal, ['vendor', 'partner', 'customer'], NOW).map(
      (rung) =>
        EMAIL_VIEWS.escalation(deal, rung, partyOwner(deal, rung.party, DEFAULT_TZ), MARK, [MARK], 'k').html,
    ),
  reminder: ({ deal, milestones }) =>
    milestones.map(
      (m) =>
        EMAIL_VIEWS.reminder(
          deal,
          m,
          linked([{ action: 'milestone-done', target: m.milestoneId, label: MARK, about: m.title }]),
          'k',
        ).html,
    ),
  earlyWarning: ({ deal, milestones }) =>
    milestones.map(
      (m) =>
        EMAIL_VIEWS.earlyWarning(
          deal,
          m,
          MARK,
          linked([{ action: 'milestone-done', target: m.milestoneId, label: MARK, about: m.title }]),
          'k',
        ).html,
    ),
  slipNotice: ({ deal, milestones }) => {
    const m = milestones[0] as MilestoneState;
    const slip = replan(deal, milestones, m, '2028-06-30', NOW, MARK, MARK);
    const vendor = partyOwner(deal, 'vendor', DEFAULT_TZ);
    return [EMAIL_VIEWS.slipNotice(slip.deal, slip.impact, m, MARK, vendor, 'k').html];
  },
  ghosting: ({ deal }) =>
    ladderRungs(deal, ['partner'], NOW).map(
      (rung) =>
        EMAIL_VIEWS.ghosting(
          deal,
          rung,
          partyOwner(deal, 'vendor', DEFAULT_TZ),
          NOW.toISOString(),
          7,
          [MARK],
          'k',
        ).html,
    ),
  digest: ({ deal, milestones }) => {
    const other: Deal = { ...deal, plan: { ...deal.plan, name: `Other ${MARK}` } };
    const asks = linked([{ action: 'milestone-done', target: 'x', label: MARK, about: MARK }]);
    const items = [
      { deal, kind: 'due-soon' as const, text: MARK, asks },
      { deal: other, kind: 'escalation' as const, text: `${milestones[0]?.title}` },
    ];
    return [EMAIL_VIEWS.digest({ name: MARK, email: PEOPLE.ana }, items, [PEOPLE.sam], 'k').html];
  },
  weeklyReview: (snapshot) => {
    const owner = partyOwner(snapshot.deal, 'vendor', DEFAULT_TZ);
    const agenda = reviewAgenda(snapshot, NOW, DEFAULT_TZ);
    return [true, false].map(
      (withInvite) => EMAIL_VIEWS.weeklyReview(snapshot.deal, agenda, owner, { key: 'k', withInvite }).html,
    );
  },
  suppressionNotice: ({ deal }) => {
    const owner = partyOwner(deal, 'vendor', DEFAULT_TZ);
    return (['bounce', 'complaint'] as const).map(
      (reason) =>
        EMAIL_VIEWS.suppressionNotice(deal, { email: MARK, reason, detail: MARK }, [MARK], owner, 'k').html,
    );
  },
  aceReview: ({ deal }) =>
    (['Action Required', 'Rejected'] as const).map(
      (status) =>
        EMAIL_VIEWS.aceReview(
          deal,
          partyOwner(deal, 'vendor', DEFAULT_TZ),
          { status, reason: MARK, opportunityId: MARK, catalog: 'Sandbox' },
          'k',
        ).html,
    ),
  freshLink: ({ deal }) =>
    (['confirm-gate', 'milestone-done'] as const).map(
      (action) =>
        EMAIL_VIEWS.freshLink(
          deal,
          { name: MARK, email: PEOPLE.dana, timezone: DEFAULT_TZ },
          { action, about: MARK, url: `https://links.acme.example/a/${MARK}`, expiresAt: NOW },
          'k',
        ).html,
    ),
};

/** What hostile text may never become: markup that runs or loads something. */
function expectInert(html: string, view: string): void {
  expect(html, view).not.toMatch(/<script/i);
  expect(html, view).not.toMatch(/<img/i);
  // No tag carries an event handler. Quoted values are set aside first: a quote in the data is escaped, so
  // every raw quote delimits one, and escaped text inside it (which may still read "onerror") is inert.
  const tags = (html.match(/<[a-z][^<>]*>/gi) ?? []).map((t) => t.replace(/"[^"]*"/g, '""'));
  expect(
    tags.filter((t) => /\son[a-z]+\s*=/i.test(t)),
    view,
  ).toEqual([]);
  // The hostile text did reach the view, as text.
  expect(html, view).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
}

describe('every view writes hostile plan text as text', () => {
  it('covers every view in the registry', () => {
    expect(Object.keys(pageCases).sort()).toEqual(Object.keys(PAGE_VIEWS).sort());
    expect([...Object.keys(emailCases), 'reviewInvite'].sort()).toEqual(Object.keys(EMAIL_VIEWS).sort());
  });

  for (const name of Object.keys(pageCases) as (keyof typeof pageCases)[]) {
    it(`page: ${name}`, () => {
      // Act
      const pages = pageCases[name]();

      // Assess
      expect(pages.length, name).toBeGreaterThan(0);
      for (const [i, page] of pages.entries()) expectInert(page, `${name} #${i}`);
    });
  }

  for (const name of Object.keys(emailCases) as (keyof typeof emailCases)[]) {
    it(`email: ${name}`, () => {
      // Act
      const htmls = SNAPSHOTS.flatMap((s) => emailCases[name](s));

      // Assess
      expect(htmls.length, name).toBeGreaterThan(0);
      for (const [i, html] of htmls.entries()) expectInert(html, `${name} #${i}`);
    });
  }

  it('branded pages: a hostile vendor name, colour or logo URL stays inert (the one image is the logo)', () => {
    // Prepare
    const brand = pageBrand({
      vendorName: `Acme ${MARK}`,
      brandColor: '#000000;}</style><script>alert(1)</script>',
      logoUrl: `https://cdn.acme.example/logo.png?${MARK}`,
    });
    const [snapshot] = SNAPSHOTS;
    if (!snapshot || !brand.logo) throw new Error('no deal or no logo');
    const room = dealRoom(snapshot, NOW, 'vendor', { vendorName: MARK });

    // Act
    const pages = [
      ...linkPages()
        .slice(0, 3)
        .map((p) => PAGE_VIEWS.linkPage(p, brand)),
      PAGE_VIEWS.roomPage({ kind: 'room', status: 200, room }, NOW, brand),
      PAGE_VIEWS.onePager(snapshot, NOW, brand),
    ];

    // Assess
    expect(brand.color).toBeUndefined();
    for (const [i, page] of pages.entries()) {
      const logos = page.match(/<img [^>]*>/g) ?? [];
      expect(logos, `branded #${i}`).toHaveLength(1);
      expect(logos[0]).toMatch(
        /^<img src="https:\/\/cdn\.acme\.example\/logo\.png\?[^"<>]*" alt="Acme [^"<>]*" height="32" referrerpolicy="no-referrer">$/,
      );
      expectInert(page.replace(logos[0] as string, ''), `branded #${i}`);
    }
  });

  it('calendar invitation: hostile text stays inside its TEXT values and adds no property', () => {
    // Prepare
    const [snapshot] = SNAPSHOTS;
    if (!snapshot) throw new Error('no deal');
    const organizer = { name: `Org ${MARK}\r\nATTENDEE:mailto:x@evil.example`, email: 'deals@acme.example' };

    // Act
    const { ics } = EMAIL_VIEWS.reviewInvite(reviewInvite(snapshot.deal, NOW, organizer, DEFAULT_TZ, NOW));

    // Assess
    const lines = ics.replace(/\r\n /g, '').split('\r\n');
    expect(
      lines.filter((l) => l.startsWith('ATTENDEE')).every((l) => l.includes('ROLE=REQ-PARTICIPANT')),
    ).toBe(true);
    expect(lines.filter((l) => l.startsWith('SUMMARY:'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('ORGANIZER'))).toEqual([
      expect.stringMatching(/^ORGANIZER;CN="[^"]*":mailto:deals@acme\.example$/),
    ]);
  });
});
