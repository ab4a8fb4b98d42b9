import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Action links are capabilities: a signed token bound to one tenant, plan, action, target, recipient and
 * expiry, with a random single-use nonce. The token is `base64url(payload).base64url(hmac)`, where the
 * payload is a compact JSON array and the HMAC-SHA256 covers a domain tag, the tenant (implied by the
 * deployment, so not carried) and the payload bytes exactly as sent. Only the canonical encoding verifies.
 */
export const LINK_ACTIONS = {
  'confirm-gate': 'cg',
  'milestone-done': 'md',
  'milestone-slip': 'ms',
  'milestone-stuck': 'mk',
  'accept-handoff': 'ah',
  'waive-milestone': 'mw',
  /** The vendor owner approves or declines a slip's proposal to move the close date. */
  'decide-replan': 'rp',
} as const;
export type LinkAction = keyof typeof LINK_ACTIONS;

const ACTION_BY_CODE = Object.fromEntries(Object.entries(LINK_ACTIONS).map(([a, c]) => [c, a])) as Record<
  string,
  LinkAction
>;

/**
 * A deal room's view link (`/room/<token>`): the same token format and HMAC, with its own action code, so a
 * view token never verifies as an action link and no action token opens a room. It reads only, so its nonce
 * is never claimed: it works until it expires, while its recipient is still on the plan.
 */
export const VIEW_ACTION = 'view';
const VIEW_CODE = 'vw';

export interface LinkClaims {
  kid: string;
  planId: string;
  action: LinkAction;
  /** A stage key for `confirm-gate`, a milestone id otherwise. */
  target: string;
  recipient: string;
  /** Expiry, epoch seconds. */
  exp: number;
  nonce: string;
}

export interface SigningKey {
  kid: string;
  key: Uint8Array;
}

/** Where link keys come from (Secrets Manager in AWS, a key file locally). */
export interface SigningKeys {
  current(): Promise<SigningKey>;
  /** The key with this id, if it is still trusted for verification. */
  byId(kid: string): Promise<Uint8Array | undefined>;
}

/** A token whose signature holds; `expired` still carries its (authentic) claims, for the fresh-link offer. */
export type LinkCheck =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; claims: LinkClaims };

export type SignatureCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' };

const VERSION = 1;
const TAG = 'cosell-link';
const NONCE = /^[A-Za-z0-9_-]{22}$/;
/** What a key id may look like: short, URL-safe, and never containing the `.` of `<kid>.retiredAt`. */
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,16}$/;
const MAX_TOKEN = 1024;

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function signLink(tenant: string, claims: LinkClaims, key: Uint8Array): string {
  return sign(tenant, LINK_ACTIONS[claims.action], claims, key);
}

/** A view link's claims: the action link's, without action and target (its target is the plan itself). */
export type ViewClaims = Omit<LinkClaims, 'action' | 'target'>;

export function signViewLink(tenant: string, claims: ViewClaims, key: Uint8Array): string {
  return sign(tenant, VIEW_CODE, { ...claims, target: claims.planId }, key);
}

export type ViewCheck =
  | { ok: true; claims: ViewClaims }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'expired'; claims: ViewClaims };

/** Verifies a view link: as verifyLink does, for the view action only. */
export async function verifyViewLink(
  tenant: string,
  token: string,
  keys: SigningKeys,
  now: Date,
): Promise<ViewCheck> {
  const check = await verifySignature(tenant, token, keys, 'view');
  if (!check.ok) return check;
  const { action: _a, target: _t, ...claims } = check.claims;
  return linkExpired(check.claims, now) ? { ok: false, reason: 'expired', claims } : { ok: true, claims };
}

function sign(tenant: string, code: string, claims: Omit<LinkClaims, 'action'>, key: Uint8Array): string {
  const payload = JSON.stringify([
    VERSION,
    claims.kid,
    claims.planId,
    code,
    claims.target,
    claims.recipient,
    claims.exp,
    claims.nonce,
  ]);
  const body = Buffer.from(payload, 'utf8').toString('base64url');
  return `${body}.${mac(tenant, body, key).toString('base64url')}`;
}

/** Verifies a link for acting: the signature (see verifyLinkIgnoringExpiry), then the expiry. */
export async function verifyLink(
  tenant: string,
  token: string,
  keys: SigningKeys,
  now: Date,
): Promise<LinkCheck> {
  const check = await verifyLinkIgnoringExpiry(tenant, token, keys);
  if (!check.ok) return check;
  return linkExpired(check.claims, now) ? { ok: false, reason: 'expired', claims: check.claims } : check;
}

/**
 * Checks everything but the expiry: the canonical encoding, the payload's shape, the key named by the
 * token's kid (only a key the ring still trusts) and the HMAC, compared in constant time. A forged or
 * tampered token is invalid here whatever its expiry says; only the fresh-link request, which acts on
 * nothing and mails the bound recipient only, accepts an expired token that passes.
 */
export async function verifyLinkIgnoringExpiry(
  tenant: string,
  token: string,
  keys: SigningKeys,
): Promise<SignatureCheck> {
  const check = await verifySignature(tenant, token, keys, 'action');
  return check as SignatureCheck;
}

async function verifySignature(
  tenant: string,
  token: string,
  keys: SigningKeys,
  kind: 'action' | 'view',
): Promise<{ ok: true; claims: LinkClaims } | { ok: false; reason: 'invalid' }> {
  const invalid = { ok: false, reason: 'invalid' } as const;
  if (token.length > MAX_TOKEN) return invalid;
  const [body, sig, ...rest] = token.split('.');
  if (!body || !sig || rest.length > 0) return invalid;
  const claims = decodePayload(body, kind);
  if (!claims) return invalid;
  const key = await keys.byId(claims.kid);
  if (!key) return invalid;
  const given = canonicalBase64url(sig);
  const expected = mac(tenant, body, key);
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  return { ok: true, claims };
}

export function linkExpired(claims: LinkClaims, now: Date): boolean {
  return claims.exp * 1000 <= now.getTime();
}

/** An address as a page may show it to whoever holds the link: `d***@northwind.example`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** Reads the claims without checking the signature: for pages that explain a rejected link. */
export function peekClaims(token: string): LinkClaims | undefined {
  return decodePayload(token.split('.')[0] ?? '', 'action');
}

function mac(tenant: string, body: string, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${TAG}\n${VERSION}\n${tenant}\n${body}`, 'utf8').digest();
}

/** Decodes base64url only if the text is exactly the canonical encoding of the bytes. */
function canonicalBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** Decodes an action link's payload (`kind: 'action'`) or a view link's (`'view'`, action read as `view`). */
function decodePayload(body: string, kind: 'action' | 'view'): LinkClaims | undefined {
  const bytes = canonicalBase64url(body);
  if (!bytes) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(fields) || fields.length !== 8) return undefined;
  const [v, kid, planId, code, target, recipient, exp, nonce] = fields;
  // A view token's claims carry no action of their own; verifyViewLink drops the field.
  const action =
    typeof code !== 'string'
      ? undefined
      : kind === 'view'
        ? code === VIEW_CODE
          ? ('confirm-gate' as const)
          : undefined
        : ACTION_BY_CODE[code];
  const text = (s: unknown): s is string => typeof s === 'string' && s.length > 0 && s.length <= 254;
  if (
    v !== VERSION ||
    typeof kid !== 'string' ||
    !KID_PATTERN.test(kid) ||
    !text(planId) ||
    !action ||
    !text(target) ||
    !text(recipient) ||
    !Number.isSafeInteger(exp) ||
    typeof nonce !== 'string' ||
    !NONCE.test(nonce)
  ) {
    return undefined;
  }
  return { kid, planId, action, target, recipient, exp: exp as number, nonce };
}
