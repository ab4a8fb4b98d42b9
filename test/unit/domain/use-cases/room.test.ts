import { describe, expect, it } from 'vitest';
import { signViewLink, verifyLink, verifyViewLink } from '../../../../lambdas/domain/links';
import type { OutboundEmail } from '../../../../lambdas/domain/ports';
import { dealRoom } from '../../../../lambdas/domain/room';
import {
  RoomLinkMailer,
  roomLink,
  roomLinkMark,
  VENDOR_NAME_MARK,
  vendorOwnerRoomLink,
  viewRoom,
} from '../../../../lambdas/domain/use-cases/room';
import { BANNED_FOR_CUSTOMERS } from '../../../../lambdas/views/customer-words';
import { DEFAULT_BRAND_COLOR, emailBranding } from '../../../../lambdas/views/emails/branding';
import { renderOnePager } from '../../../../lambdas/views/pages/one-pager';
import { renderRoomPage } from '../../../../lambdas/views/pages/room-page';
import { fakeDeps, signedToken, TEST_CONFIG } from '../../../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../../../helpers/plan';

const NOW = new Date('2026-12-09T15:00:00Z');

/** The values a customer must never see, as the reference plan sets them. */
const SECRETS = [
  '20% of first-year ARR',
  'Fee paid on first-year ARR at invoice.',
  'partner-sourced',
  'Sam Ortiz',
  'Kim Lau',
  'Raj Mehta',
];

async function dealIn(stage: Parameters<typeof dealAtStage>[0] = 'joint-pursuit-and-proof') {
  const deps = fakeDeps();
  deps.clock.set(NOW);
  const snapshot = dealAtStage(stage, new Date('2026-12-01T15:00:00Z'));
  await deps.store.create(snapshot);
  return deps;
}

function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

describe('view links', () => {
  it('are signed like action links, with their own action, and never verify as one', async () => {
    // Prepare
    const deps = await dealIn();

    // Act
    const { url, expiresAt } = await roomLink(deps, PLAN_ID, PEOPLE.lee);

    // Assess: a room link, 90 days by default; an action-link check refuses it, and the reverse holds.
    expect(url).toMatch(new RegExp(`^${TEST_CONFIG.publicBaseUrl}/room/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    expect(Date.parse(expiresAt) - NOW.getTime()).toBe(90 * 86_400_000);
    const check = await verifyViewLink('acme', tokenOf(url), deps.keys, NOW);
    expect(check).toMatchObject({ ok: true, claims: { planId: PLAN_ID, recipient: PEOPLE.lee } });
    expect(await verifyLink('acme', tokenOf(url), deps.keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const action = await signedToken(deps, {
      planId: PLAN_ID,
      action: 'milestone-done',
      target: 'poc',
      recipient: PEOPLE.lee,
    });
    expect(await verifyViewLink('acme', action, deps.keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyViewLink('other-tenant', tokenOf(url), deps.keys, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('take their lifetime from the tenant setting', async () => {
    const deps = await dealIn();
    deps.config.roomLinkTtlDays = 7;
    const { expiresAt } = await roomLink(deps, PLAN_ID, PEOPLE.ana);
    expect(Date.parse(expiresAt) - NOW.getTime()).toBe(7 * 86_400_000);
  });
});

describe('viewRoom', () => {
  it('shows the reader the deal and their own open moves as buttons, and changes nothing', async () => {
    // Prepare
    const deps = await dealIn();
    const { url } = await roomLink(deps, PLAN_ID, PEOPLE.lee);
    const writes = deps.store.writes.length;

    // Act: many reads
    const pages = await Promise.all(Array.from({ length: 5 }, () => viewRoom(deps, tokenOf(url))));

    // Assess
    const page = pages[0];
    if (page?.kind !== 'room') throw new Error(`expected a room, got ${JSON.stringify(page)}`);
    expect(page.room.reader).toMatchObject({ name: 'Lee Park', party: 'customer' });
    expect(page.room.actions.length).toBeGreaterThan(0);
    for (const a of page.room.actions) expect(a.url).toMatch(/\/a\//);
    expect(page.room.actions.map((a) => a.action)).toContain('confirm-gate');
    expect(deps.store.writes.length).toBe(writes);
    expect(deps.mailer.sent).toEqual([]);
  });

  it('answers 410 once the person is no longer on the plan, and 410 after expiry, 404 when forged', async () => {
    // Prepare
    const deps = await dealIn();
    const { url } = await roomLink(deps, PLAN_ID, PEOPLE.raj);
    expect((await viewRoom(deps, tokenOf(url))).status).toBe(200);

    // Act: the plan no longer names Raj (an amendment of the plan, as PUT /plans/{id} stores it)
    const stored = await deps.store.get(PLAN_ID);
    if (!stored) throw new Error('no deal');
    const plan = structuredClone(stored.deal.plan);
    plan.escalation.partner = [
      { name: 'Pat Lee', email: 'pat.lee@northwind.example', role: 'Director', afterHours: 24 },
    ];
    await deps.store.save({ deal: { ...stored.deal, plan }, milestones: [] });

    // Assess
    expect(await viewRoom(deps, tokenOf(url))).toMatchObject({ kind: 'refused', status: 410 });
    deps.clock.set(new Date(NOW.getTime() + 91 * 86_400_000));
    const ana = await roomLink({ ...deps, clock: { now: () => NOW } }, PLAN_ID, PEOPLE.ana);
    expect(await viewRoom(deps, tokenOf(ana.url))).toMatchObject({ kind: 'refused', status: 410 });
    expect(await viewRoom(deps, `${tokenOf(ana.url)}x`)).toMatchObject({ kind: 'refused', status: 404 });
  });

  it('gives ops a link for the vendor owner', async () => {
    const deps = await dealIn();
    const link = await vendorOwnerRoomLink(deps, PLAN_ID);
    expect(link.recipient).toBe(PEOPLE.ana);
    const page = await viewRoom(deps, tokenOf(link.url));
    expect(page).toMatchObject({ kind: 'room', room: { audience: 'vendor' } });
    await expect(vendorOwnerRoomLink(deps, 'pl_nope')).rejects.toThrow(/no plan/);
  });
});

describe('each party sees what is theirs to see', () => {
  const snapshot = dealAtStage('joint-pursuit-and-proof');

  it('leaves the economic split, the attribution and the other ladders out of the customer data', () => {
    const room = dealRoom(snapshot, NOW, 'customer', { vendorName: 'Acme' });
    expect(room.economicSplit).toBeUndefined();
    expect(room.attribution).toBeUndefined();
    expect(room.escalation.map((e) => e.party)).toEqual(['customer']);
    const json = JSON.stringify(room);
    for (const secret of [
      'Fee paid on first-year ARR',
      'partnerFeePercent',
      'sam.ortiz',
      'kim.lau',
      'raj.mehta',
    ])
      expect(json).not.toContain(secret);
  });

  it.each(['vendor', 'partner'] as const)('shows the %s everything', (party) => {
    const room = dealRoom(snapshot, NOW, party, { vendorName: 'Acme' });
    expect(room.economicSplit?.partnerFeePercent).toBe(20);
    expect(room.attribution).toBe('sourced');
    expect(room.escalation.map((e) => e.party)).toEqual(['vendor', 'partner', 'customer']);
  });

  it('shows the ACE opportunity to vendor and partner people only, in the room and on the one-pager', () => {
    const withAce = {
      ...snapshot,
      deal: { ...snapshot.deal, ace: { opportunityId: 'O1234567', catalog: 'Sandbox' } },
    };
    expect(dealRoom(withAce, NOW, 'vendor', { vendorName: 'Acme' }).ace?.opportunityId).toBe('O1234567');
    expect(dealRoom(withAce, NOW, 'partner', { vendorName: 'Acme' }).ace?.opportunityId).toBe('O1234567');
    expect(JSON.stringify(dealRoom(withAce, NOW, 'customer', { vendorName: 'Acme' }))).not.toContain(
      'O1234567',
    );
    expect(renderOnePager(withAce, NOW)).toContain('O1234567 (Sandbox)');
  });

  it('leaves out work an amendment removed', () => {
    const [first, ...rest] = snapshot.milestones;
    if (!first) throw new Error('the reference deal has milestones');
    const removed = {
      ...first,
      status: 'waived' as const,
      removed: { at: NOW.toISOString(), by: 'ops', version: 2 },
    };
    const room = dealRoom({ ...snapshot, milestones: [removed, ...rest] }, NOW, 'vendor', {
      vendorName: 'Acme',
    });
    expect(room.milestones.map((m) => m.id)).not.toContain(first?.milestoneId);
    expect(room.milestones).toHaveLength(rest.length);
  });

  it('renders none of the hidden values, nor internal words, in the customer room; all of them in the vendor room', async () => {
    const deps = await dealIn();
    const page = async (who: string) => {
      const { url } = await roomLink(deps, PLAN_ID, who);
      return renderRoomPage(await viewRoom(deps, tokenOf(url)), NOW);
    };
    const customer = await page(PEOPLE.lee);
    const vendor = await page(PEOPLE.ana);
    for (const secret of SECRETS) {
      expect(customer).not.toContain(secret);
      expect(vendor).toContain(secret);
    }
    const words = customer.replace(/<style>.*<\/style>/s, '').replace(/href="[^"]*"/g, '');
    for (const word of BANNED_FOR_CUSTOMERS)
      expect(words.match(word)?.[0] ?? 'none', String(word)).toBe('none');
    // Seven sections, the reader's buttons, whose move it is, history; dates for people.
    expect([...customer.matchAll(/<h2 id="s\d">/g)]).toHaveLength(7);
    expect(customer).toContain('Your next steps, Lee Park');
    expect(customer).toContain('class="btn"');
    expect(customer).toContain('Whose move it is');
    expect(customer).toContain('Recent history');
    expect(customer).toContain('Fri 26 Feb');
    expect(customer).not.toMatch(/<script|<form/i);
  });
});

describe('RoomLinkMailer', () => {
  it("signs each room mark for the email's recipient and names the vendor, escaped in the HTML", async () => {
    // Prepare
    const deps = await dealIn();
    deps.config.vendorName = 'Acme & Co';
    const mailer = new RoomLinkMailer(deps.mailer, deps, emailBranding(deps.config));
    const mark = roomLinkMark(PLAN_ID);
    const email: OutboundEmail = {
      key: 'k',
      to: [PEOPLE.dana],
      cc: [PEOPLE.ana],
      subject: `From ${VENDOR_NAME_MARK}`,
      text: `See: ${mark}`,
      html: `<a href="${mark}">${VENDOR_NAME_MARK}</a>`,
    };

    // Act
    await mailer.send(email);

    // Assess
    const sent = deps.mailer.sent[0];
    const url = /https:\S+\/room\/\S+/.exec(sent?.text ?? '')?.[0] ?? '';
    expect(sent?.subject).toBe('From Acme & Co');
    expect(sent?.html).toContain('Acme &#38; Co');
    expect(sent?.html).toContain(`href="${url}"`);
    expect(await verifyViewLink('acme', tokenOf(url), deps.keys, NOW)).toMatchObject({
      ok: true,
      claims: { recipient: PEOPLE.dana, planId: PLAN_ID },
    });
  });

  it("brands the email with the tenant's colour and logo", async () => {
    const deps = await dealIn();
    deps.config.brandColor = '#123456';
    deps.config.logoUrl = 'https://cdn.acme.example/logo.png';
    deps.config.vendorName = 'Acme';
    const email: OutboundEmail = {
      key: 'k',
      to: [PEOPLE.ana],
      cc: [],
      subject: 's',
      text: 't',
      html: `<html><body style="x"><a href="u" style="background:${DEFAULT_BRAND_COLOR}">Go</a></body></html>`,
    };
    await new RoomLinkMailer(deps.mailer, deps, emailBranding(deps.config)).send(email);
    const html = deps.mailer.sent[0]?.html ?? '';
    expect(html).toContain('background:#123456');
    expect(html).toContain('<body style="x"><p><img src="https://cdn.acme.example/logo.png" alt="Acme"');
  });

  it('leaves an email without marks as it is', async () => {
    const deps = await dealIn();
    const email: OutboundEmail = { key: 'k', to: [PEOPLE.ana], cc: [], subject: 's', text: 't', html: 'h' };
    await new RoomLinkMailer(deps.mailer, deps).send(email);
    expect(deps.mailer.sent[0]).toEqual(email);
  });
});

describe('signViewLink', () => {
  it('binds the recipient: a changed recipient breaks the signature', async () => {
    const deps = fakeDeps();
    const { kid, key } = await deps.keys.current();
    const token = signViewLink(
      'acme',
      { kid, planId: PLAN_ID, recipient: PEOPLE.lee, exp: 2e9, nonce: 'a'.repeat(22) },
      key,
    );
    const [body, sig] = token.split('.');
    const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8'));
    payload[5] = PEOPLE.ana;
    const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
    expect(await verifyViewLink('acme', forged, deps.keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
});
