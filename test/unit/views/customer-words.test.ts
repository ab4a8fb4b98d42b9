import { describe, expect, it } from 'vitest';
import { checkLinkTarget } from '../../../lambdas/domain/actions';
import { partyOwner } from '../../../lambdas/domain/deal';
import type { LinkClaims } from '../../../lambdas/domain/links';
import { gateAsks, ladderRungs } from '../../../lambdas/domain/notifications';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import { dealRoom } from '../../../lambdas/domain/room';
import { STAGE_KEYS, type StageKey } from '../../../lambdas/domain/vocabulary';
import { reviewAgenda } from '../../../lambdas/domain/weekly-review';
import { BANNED_FOR_CUSTOMERS } from '../../../lambdas/views/customer-words';
import { EMAIL_VIEWS, PAGE_VIEWS } from '../../../lambdas/views/registry';
import { DEFAULT_TZ, dealAtStage, PEOPLE, PLAN_ID } from '../../helpers/plan';

/**
 * Every customer-facing template (lambdas/views/registry.ts), rendered for the customer's people at every
 * stage, uses the customer's words: no "gate", "attribution", "registered", "stage N of 5" or "ladder".
 */

const NOW = new Date('2026-12-09T15:00:00Z');
const SNAPSHOTS: DealSnapshot[] = STAGE_KEYS.map((s) => dealAtStage(s));
const URL = 'https://links.acme.example/a/token';

/** What a person reads: the text, with markup, styles and URLs taken out. */
function readable(html: string): string {
  return html
    .replace(/<style>.*?<\/style>/gs, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/https?:\/\/\S+/g, '');
}

function customerTemplates(snapshot: DealSnapshot): [string, string][] {
  const { deal, milestones } = snapshot;
  const lee = partyOwner(deal, 'customer', DEFAULT_TZ);
  const stage = deal.stage as StageKey;
  const asks = (
    gateAsks(deal, milestones, stage, DEFAULT_TZ).find((a) => a.recipient.email === PEOPLE.lee)?.asks ?? []
  ).map((a) => ({ ...a, url: URL }));
  const out: [string, string][] = [];
  const email = (name: string, e: { subject: string; text: string; html: string }) => {
    out.push([`${name} subject`, e.subject], [`${name} text`, e.text], [`${name} html`, readable(e.html)]);
  };
  email('gateOpen', EMAIL_VIEWS.gateOpen(deal, stage, lee, asks, 'k'));
  email('gateOverdue', EMAIL_VIEWS.gateOverdue(deal, stage, lee, asks, NOW, 'k'));
  for (const rung of ladderRungs(deal, ['customer'], NOW)) {
    email('escalation', EMAIL_VIEWS.escalation(deal, rung, lee, 'A step is late.', ['waiting'], 'k'));
  }
  for (const m of milestones.filter((x) => x.owner.party === 'customer')) {
    email('reminder', EMAIL_VIEWS.reminder(deal, m, asks, 'k'));
    email('digest', EMAIL_VIEWS.digest(lee, [{ deal, kind: 'due-soon', text: m.title, asks }], [], 'k'));
  }
  email(
    'weeklyReview',
    EMAIL_VIEWS.weeklyReview(deal, reviewAgenda(snapshot, NOW, DEFAULT_TZ), lee, {
      key: 'k',
      withInvite: true,
    }),
  );
  email(
    'freshLink',
    EMAIL_VIEWS.freshLink(
      deal,
      lee,
      { action: 'confirm-gate', about: 'Confirm', url: URL, expiresAt: NOW },
      'k',
    ),
  );
  email('stagePassed', EMAIL_VIEWS.stagePassed(deal, stage, lee, milestones, 'k'));
  const outcome = { finalArr: 1, currency: 'USD', lesson: 'x', at: NOW.toISOString(), by: PEOPLE.ana };
  email(
    'dealClosed won',
    EMAIL_VIEWS.dealClosed({ ...deal, outcome: { ...outcome, result: 'won' } }, lee, 'k'),
  );
  email(
    'dealClosed lost',
    EMAIL_VIEWS.dealClosed({ ...deal, outcome: { ...outcome, result: 'lost' } }, lee, 'k'),
  );
  // Announcements held for the customer's working morning, in her digest (issue 14).
  const closedBy = {
    outcome: 'no-decision' as const,
    reason: 'Budget moved',
    stage,
    at: NOW.toISOString(),
    by: 'ops',
  };
  for (const [what, shown] of [
    [{ kind: 'stage-passed', stage } as const, deal],
    [{ kind: 'closed' } as const, { ...deal, outcome: { ...outcome, result: 'won' as const } }],
    [
      { kind: 'closed' } as const,
      { ...deal, outcome: { ...outcome, result: 'lost' as const }, closed: closedBy },
    ],
  ] as const) {
    const news = {
      deal: shown,
      kind: 'news' as const,
      text: 'x',
      announcement: { what, recipient: lee, milestones },
    };
    email(
      `digest news ${what.kind}`,
      EMAIL_VIEWS.digest(lee, [news, { ...news, kind: 'due-soon' }], [], 'k'),
    );
  }
  // The customer's own action pages (form and done) and the room.
  const claims: LinkClaims = {
    kid: 'k',
    planId: PLAN_ID,
    action: 'confirm-gate',
    target: stage,
    recipient: PEOPLE.lee,
    exp: 2e9,
    nonce: 'n'.repeat(22),
  };
  const target = checkLinkTarget(claims, deal, milestones);
  if (target.ok) {
    out.push([
      'linkPage form',
      readable(PAGE_VIEWS.linkPage({ kind: 'form', status: 200, claims, deal, target: target.target })),
    ]);
  }
  out.push([
    'linkPage done',
    readable(
      PAGE_VIEWS.linkPage({ kind: 'done', status: 200, claims, deal, message: 'Thank you, confirmed.' }),
    ),
  ]);
  // The customer's used and expired link pages, for each step a customer's link can be for.
  const actions = ['confirm-gate', 'milestone-done', 'milestone-slip', 'milestone-stuck', 'accept-handoff'];
  for (const action of actions as LinkClaims['action'][]) {
    const reader = { name: 'Lee Park', party: 'customer' as const, timezone: DEFAULT_TZ };
    const context = { planName: deal.plan.name, action, stage, milestone: 'A milestone', reader };
    out.push([
      `linkPage used (${action})`,
      readable(
        PAGE_VIEWS.linkPage({
          kind: 'refused',
          status: 409,
          reason: 'used',
          message: 'Nothing was changed.',
          context: { ...context, usedAt: NOW.toISOString() },
        }),
      ),
    ]);
    out.push([
      `linkPage expired (${action})`,
      readable(
        PAGE_VIEWS.linkPage({
          kind: 'refused',
          status: 410,
          reason: 'expired',
          message: 'This link has expired.',
          freshLinkTo: 'l***@globex.example',
          context: { ...context, expiredAt: NOW.toISOString() },
        }),
      ),
    ]);
  }
  const room = dealRoom(snapshot, NOW, 'customer', {
    vendorName: 'Acme',
    reader: { party: 'customer', name: 'Lee Park', email: PEOPLE.lee, timezone: DEFAULT_TZ },
  });
  out.push(['roomPage', readable(PAGE_VIEWS.roomPage({ kind: 'room', status: 200, room }, NOW))]);
  return out;
}

describe("customer-facing templates use the customer's words", () => {
  it.each(SNAPSHOTS.map((s) => [s.deal.stage, s] as const))('at %s', (_stage, snapshot) => {
    const found: string[] = [];
    for (const [name, text] of customerTemplates(snapshot)) {
      for (const word of BANNED_FOR_CUSTOMERS) {
        const hit = word.exec(text);
        if (hit)
          found.push(`${name}: "${hit[0]}" in …${text.slice(Math.max(0, hit.index - 40), hit.index + 40)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  it('still tells the vendor and partner in their own words', () => {
    const { deal } = dealAtStage('joint-discovery');
    const ana = partyOwner(deal, 'vendor', DEFAULT_TZ);
    const email = EMAIL_VIEWS.gateOpen(deal, 'joint-discovery', ana, [], 'k');
    expect(email.text).toContain('is at stage 3 of 5');
    expect(email.text).toContain('The gate passes when');
  });
});
