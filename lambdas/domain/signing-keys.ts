import { randomBytes } from 'node:crypto';
import { KEY_RING_CACHE_SECONDS } from './defaults';
import { KID_PATTERN, type SigningKey, type SigningKeys } from './links';
import type { Clock } from './ports';

/**
 * Link-signing keys as a key ring. The ring stays one flat JSON object of strings, so Secrets Manager can
 * generate the first key (`{"current": "k1", "k1": "<key>"}`) and a rotation is a plain edit:
 *
 *   {"current": "k2", "k2": "<key>", "k1": "<key>", "k1.retiredAt": "2027-01-05T10:00:00.000Z"}
 *
 * The current key signs. A retired key still verifies until the longest-lived link it can have signed has
 * expired, then a token naming it is invalid, and the next rotation drops it. A key that is neither
 * current nor stamped retired is not trusted. A token names its key by id: the key is looked up, never
 * found by trying keys.
 */

export interface RingKey {
  /** The key text; its UTF-8 bytes are the HMAC key. */
  key: string;
  retiredAt?: Date;
}

export interface KeyRing {
  current: string;
  keys: ReadonlyMap<string, RingKey>;
}

export class MalformedKeyRingError extends Error {
  override readonly name = 'MalformedKeyRingError';
}

/**
 * How long a function may keep using a ring it has read (the adapter's cache). After a rotation a function
 * with the old ring cached may sign with the retired key for this long, so the retired key verifies for
 * this much longer than the link lifetime.
 */
export const KEY_RING_MAX_AGE_SECONDS = KEY_RING_CACHE_SECONDS;

/** HMAC-SHA256 keys shorter than this are refused (Secrets Manager generates 64 characters). */
export const MIN_KEY_LENGTH = 32;

const RETIRED_AT = '.retiredAt';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a ring from the secret's JSON value; says which entry is wrong, never a key's text. */
export function parseKeyRing(value: unknown): KeyRing {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MalformedKeyRingError('the link-key ring is not a JSON object');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const current = (value as Record<string, unknown>).current;
  if (typeof current !== 'string') {
    throw new MalformedKeyRingError('the link-key ring has no "current" key id');
  }
  const keys = new Map<string, RingKey>();
  const retired = new Map<string, Date>();
  for (const [name, text] of entries) {
    if (name === 'current') continue;
    if (typeof text !== 'string') throw new MalformedKeyRingError(`link-key ring: "${name}" is not a string`);
    if (name.endsWith(RETIRED_AT)) {
      const kid = name.slice(0, -RETIRED_AT.length);
      const at = new Date(text);
      if (!isKid(kid) || !INSTANT.test(text) || Number.isNaN(at.getTime())) {
        throw new MalformedKeyRingError(`link-key ring: "${name}" must be an ISO instant of a key id`);
      }
      retired.set(kid, at);
    } else {
      if (!isKid(name)) {
        throw new MalformedKeyRingError(
          `link-key ring: "${name}" is not a key id (1 to 16 of A-Z a-z 0-9 _ -) or <kid>${RETIRED_AT}`,
        );
      }
      if (text.length < MIN_KEY_LENGTH) {
        throw new MalformedKeyRingError(
          `link-key ring: key "${name}" is shorter than ${MIN_KEY_LENGTH} characters`,
        );
      }
      keys.set(name, { key: text });
    }
  }
  if (!keys.has(current)) {
    throw new MalformedKeyRingError(`link-key ring: the current key "${current}" is not in the ring`);
  }
  for (const [kid, at] of retired) {
    const entry = keys.get(kid);
    if (!entry) throw new MalformedKeyRingError(`link-key ring: "${kid}${RETIRED_AT}" names no key`);
    if (kid === current) {
      throw new MalformedKeyRingError(`link-key ring: the current key "${kid}" is marked retired`);
    }
    entry.retiredAt = at;
  }
  return { current, keys };
}

/** The ring as the secret holds it: current first, then the retired keys, most recently retired first. */
export function serializeKeyRing(ring: KeyRing): Record<string, string> {
  const out: Record<string, string> = { current: ring.current };
  // Current first; then by retirement, newest first (an unstamped key sorts before the stamped ones).
  const rank = ([kid, entry]: [string, RingKey]) =>
    kid === ring.current ? Number.POSITIVE_INFINITY : (entry.retiredAt?.getTime() ?? Number.MAX_SAFE_INTEGER);
  const entries = [...ring.keys.entries()].sort((a, b) => rank(b) - rank(a));
  for (const [kid, { key, retiredAt }] of entries) {
    out[kid] = key;
    if (retiredAt) out[`${kid}${RETIRED_AT}`] = retiredAt.toISOString();
  }
  return out;
}

/** The key that signs new links. */
export function signingKey(ring: KeyRing): SigningKey {
  const entry = ring.keys.get(ring.current);
  if (!entry)
    throw new MalformedKeyRingError(`link-key ring: the current key "${ring.current}" is not in the ring`);
  return { kid: ring.current, key: utf8(entry.key) };
}

/**
 * The key a token's kid names, only while it may verify: the current key, or a key retired less than the
 * link lifetime (plus the ring's cache age) ago. After that every link it signed has expired, so a token
 * naming it is forged or stale either way.
 */
export function verifyingKey(
  ring: KeyRing,
  kid: string,
  now: Date,
  linkTtlDays: number,
): Uint8Array | undefined {
  const entry = ring.keys.get(kid);
  if (!entry) return undefined;
  if (kid === ring.current) return utf8(entry.key);
  if (!entry.retiredAt || pastWindow(entry.retiredAt, now, linkTtlDays)) return undefined;
  return utf8(entry.key);
}

/**
 * A key roll: `newKid` becomes current, the old current key is stamped retired at `now`, keys past their
 * window are dropped, and a key that is neither current nor stamped (a hand-made ring) is stamped now, so
 * it gets a full window from here rather than none.
 */
export function rotate(
  ring: KeyRing,
  now: Date,
  newKid: string,
  newKey: string,
  linkTtlDays: number,
): KeyRing {
  if (!isKid(newKid)) throw new MalformedKeyRingError(`"${newKid}" is not a key id`);
  if (ring.keys.has(newKid)) throw new MalformedKeyRingError(`the ring already holds a key "${newKid}"`);
  if (newKey.length < MIN_KEY_LENGTH) {
    throw new MalformedKeyRingError(`a new key must be at least ${MIN_KEY_LENGTH} characters`);
  }
  const keys = new Map<string, RingKey>([[newKid, { key: newKey }]]);
  for (const [kid, entry] of ring.keys) {
    if (entry.retiredAt && pastWindow(entry.retiredAt, now, linkTtlDays)) continue;
    keys.set(kid, { key: entry.key, retiredAt: entry.retiredAt ?? now });
  }
  return { current: newKid, keys };
}

/** The next key id after the ring's `k<n>` ids: `k1` -> `k2`; never one the ring holds. */
export function nextKid(ring: KeyRing): string {
  let n = 0;
  for (const kid of ring.keys.keys()) {
    const match = /^k(\d{1,9})$/.exec(kid);
    if (match) n = Math.max(n, Number(match[1]));
  }
  return `k${n + 1}`;
}

/** 48 random bytes, base64url: 64 characters, the length Secrets Manager generates for the first key. */
export function newKeyMaterial(): string {
  return randomBytes(48).toString('base64url');
}

/** Where a ring is read from; `fresh` asks to bypass any cache (an unknown kid may mean a rotation). */
export type KeyRingSource = (options: { fresh: boolean }) => Promise<unknown>;

/** An unknown kid re-reads the ring at most this often, so random kids cannot hammer the source. */
export const UNKNOWN_KID_REFRESH_MS = 60_000;

/**
 * SigningKeys over a key ring read from `source`. A kid the cached ring does not hold re-reads the ring
 * (at most once a minute): another function may already sign with a key this one has not seen yet.
 */
export class KeyRingSigningKeys implements SigningKeys {
  private lastRefresh = Number.NEGATIVE_INFINITY;
  private parsed: { raw: unknown; ring: KeyRing } | undefined;

  constructor(
    private readonly source: KeyRingSource,
    private readonly clock: Clock,
    private readonly linkTtlDays: number,
  ) {
    if (!Number.isSafeInteger(linkTtlDays) || linkTtlDays < 1) {
      throw new RangeError('linkTtlDays must be a whole number of days, at least 1');
    }
  }

  async current(): Promise<SigningKey> {
    return signingKey(await this.ring(false));
  }

  async byId(kid: string): Promise<Uint8Array | undefined> {
    if (!isKid(kid)) return undefined;
    let ring = await this.ring(false);
    const now = this.clock.now();
    if (!ring.keys.has(kid) && now.getTime() - this.lastRefresh >= UNKNOWN_KID_REFRESH_MS) {
      this.lastRefresh = now.getTime();
      ring = await this.ring(true);
    }
    return verifyingKey(ring, kid, now, this.linkTtlDays);
  }

  private async ring(fresh: boolean): Promise<KeyRing> {
    const raw = await this.source({ fresh });
    // The source hands back its cached value until it re-reads: parse each value once.
    const cached = this.parsed;
    if (cached && cached.raw === raw) return cached.ring;
    const ring = parseKeyRing(raw);
    this.parsed = { raw, ring };
    return ring;
  }
}

function isKid(kid: string): boolean {
  return KID_PATTERN.test(kid) && kid !== 'current';
}

function pastWindow(retiredAt: Date, now: Date, linkTtlDays: number): boolean {
  const window = linkTtlDays * 86_400_000 + KEY_RING_MAX_AGE_SECONDS * 1000;
  return now.getTime() - retiredAt.getTime() >= window;
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}
