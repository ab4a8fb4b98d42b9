import type { Deal } from '../deal';
import { ROOM_LINK_TTL_DAYS, VENDOR_NAME } from '../defaults';
import { NotFoundError } from '../errors';
import { newNonce, signViewLink, verifyViewLink } from '../links';
import { gateAsks } from '../notifications';
import { findPerson, peopleIn } from '../plan-people';
import type { CalendarInvite, Deps, HistoryStore, InvitationMailer, Mailer, OutboundEmail } from '../ports';
import { type DealRoom, dealRoom, historyItems, type RoomReader } from '../room';
import { linkAsks } from './link-urls';

/**
 * The deal room, `GET|HEAD /room/<token>`: one live, read-only view of a deal for each person on it, and
 * the view links that open it. Reading a room changes nothing: no nonce is claimed, nothing is written
 * (the reader's action buttons are freshly signed links, which are stateless until used).
 */

export type RoomPage =
  | { kind: 'room'; status: 200; room: DealRoom }
  | { kind: 'refused'; status: 404 | 410; title: string; message: string };

/** A function that keeps a deal's history passes it, and the room lists it; else confirmations and slips. */
type ReadDeps = Pick<Deps, 'keys' | 'config' | 'clock' | 'store'> & { history?: HistoryStore };

export async function viewRoom(deps: ReadDeps, token: string): Promise<RoomPage> {
  const check = await verifyViewLink(deps.config.tenant, token, deps.keys, deps.clock.now());
  if (!check.ok && check.reason === 'invalid') {
    return refused(
      404,
      'Link not valid',
      'This link is not valid. Check that it was copied whole from the email.',
    );
  }
  if (!check.ok) {
    return refused(
      410,
      'Link expired',
      'This view link has expired. The next email about this deal carries a new one.',
    );
  }
  const { claims } = check;
  const snapshot = await deps.store.get(claims.planId);
  if (!snapshot) return refused(404, 'Link not valid', 'This link is not valid: its deal does not exist.');
  const reader = readerOf(deps, snapshot.deal, claims.recipient);
  if (!reader) {
    return refused(
      410,
      'No longer on this deal',
      'This link no longer works: you are no longer part of this plan.',
    );
  }
  const now = deps.clock.now();
  const { deal, milestones } = snapshot;
  // The reader's own open moves at the current stage, each a button to its (single-use) action page.
  const mine =
    deal.status === 'active' && deal.stages[deal.stage].status === 'open'
      ? (gateAsks(deal, milestones, deal.stage, deps.config.defaultTimezone).find(
          (a) => a.recipient.email.toLowerCase() === reader.email.toLowerCase(),
        )?.asks ?? [])
      : [];
  const actions = (await linkAsks(deps, deal, reader.email, mine)).map((a) => ({
    action: a.action,
    label: a.label,
    about: a.about,
    url: a.url,
  }));
  const logged = deps.history ? historyItems(deal, await deps.history.list(deal.planId), reader.party) : [];
  const history = logged.length ? logged : undefined;
  return {
    kind: 'room',
    status: 200,
    room: dealRoom(snapshot, now, reader.party, {
      reader,
      actions,
      vendorName: vendorName(deps),
      ...(history ? { history } : {}),
    }),
  };
}

/** The tenant's vendor name, as emails and pages name the vendor. */
export function vendorName(deps: Pick<Deps, 'config'>): string {
  return deps.config.vendorName ?? VENDOR_NAME;
}

/** A view link to a deal's room for one person, valid for the tenant's room-link lifetime. */
export async function roomLink(
  deps: Pick<Deps, 'keys' | 'config' | 'clock'>,
  planId: string,
  recipient: string,
): Promise<{ url: string; expiresAt: string }> {
  const { kid, key } = await deps.keys.current();
  const days = deps.config.roomLinkTtlDays ?? ROOM_LINK_TTL_DAYS;
  const exp = Math.floor(deps.clock.now().getTime() / 1000) + days * 86_400;
  const token = signViewLink(deps.config.tenant, { kid, planId, recipient, exp, nonce: newNonce() }, key);
  return { url: `${deps.config.publicBaseUrl}/room/${token}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/** `cosell plan room ID`: a view link for the deal's vendor owner (ops open any deal's room this way). */
export async function vendorOwnerRoomLink(
  deps: Pick<Deps, 'keys' | 'config' | 'clock' | 'store'>,
  planId: string,
): Promise<{ planId: string; recipient: string; url: string; expiresAt: string }> {
  const snapshot = await deps.store.get(planId);
  if (!snapshot) throw new NotFoundError(`no plan ${planId}`);
  const vendor = snapshot.deal.plan.owners.vendor;
  if (!vendor) throw new NotFoundError(`plan ${planId} names no vendor owner`);
  return { planId, recipient: vendor.email, ...(await roomLink(deps, planId, vendor.email)) };
}

/** The person a view link was bound to, while the plan still names them. */
function readerOf(deps: Pick<Deps, 'config'>, deal: Deal, email: string): RoomReader | undefined {
  const person = findPerson(peopleIn(deal.plan), email);
  if (!person) return undefined;
  const timezone = person.timezone ?? deal.plan.owners[person.party]?.timezone ?? deps.config.defaultTimezone;
  return { party: person.party, name: person.name, email: person.email, timezone };
}

function refused(status: 404 | 410, title: string, message: string): RoomPage {
  return { kind: 'refused', status, title, message };
}

/**
 * Where an email shows its recipient's view link, the views write this mark (they are pure and cannot
 * sign); RoomLinkMailer replaces it, as the email leaves, with a link signed for the email's recipient.
 * The mark is plain URL-safe text, so escaping leaves it as it is in both the HTML and the text part.
 */
export function roomLinkMark(planId: string): string {
  return `cosell-room:${encodeURIComponent(planId)}`;
}
const MARK = /cosell-room:([A-Za-z0-9%._~-]+)/g;

/** Where an email names the vendor company: replaced with the tenant's `vendorName` as the email leaves. */
export const VENDOR_NAME_MARK = 'cosell-vendor-name';

/**
 * Signs each room mark of an outgoing email for its (first) recipient and writes the tenant's vendor name
 * where the views marked it in the subject and text, then sends it. The HTML part is finished by `html`
 * (lambdas/views/emails/branding.ts: the vendor name escaped, the tenant's colour and logo), so no markup is
 * written here.
 */
export class RoomLinkMailer implements Mailer, InvitationMailer {
  constructor(
    private readonly inner: Mailer & InvitationMailer,
    private readonly deps: Pick<Deps, 'keys' | 'config' | 'clock'>,
    private readonly html: (html: string) => string = (h) => h,
  ) {}

  async send(email: OutboundEmail): Promise<void> {
    await this.inner.send(await this.fill(email));
  }

  async sendWithInvitation(email: OutboundEmail, invite: CalendarInvite): Promise<void> {
    await this.inner.sendWithInvitation(await this.fill(email), invite);
  }

  private async fill(email: OutboundEmail): Promise<OutboundEmail> {
    const recipient = email.to[0];
    const planIds = new Set([...`${email.text}\n${email.html}`.matchAll(MARK)].map((m) => m[1] ?? ''));
    const urls = new Map<string, string>();
    for (const id of recipient ? planIds : []) {
      urls.set(id, (await roomLink(this.deps, decodeURIComponent(id), recipient as string)).url);
    }
    const links = (s: string) => s.replace(MARK, (_, id: string) => urls.get(id) ?? '');
    const vendor = vendorName(this.deps);
    return {
      ...email,
      subject: links(email.subject).replaceAll(VENDOR_NAME_MARK, vendor),
      text: links(email.text).replaceAll(VENDOR_NAME_MARK, vendor),
      html: this.html(links(email.html)),
    };
  }
}
