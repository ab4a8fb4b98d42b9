import { describe, expect, it } from 'vitest';
import {
  KEY_RING_MAX_AGE_SECONDS,
  KeyRingSigningKeys,
  MalformedKeyRingError,
  newKeyMaterial,
  nextKid,
  parseKeyRing,
  rotate,
  serializeKeyRing,
  signingKey,
  verifyingKey,
} from '../../../lambdas/domain/signing-keys';
import { FakeClock } from '../../helpers/fakes';

const K1 = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';
const K2 = 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F';
const K3 = 'Zx1Cv2Bn3Mq4We5Rt6Yu7Io8Pa9Sd0Fg1Hj2Kl3Qw4Er5Ty6Ui7Op8As9Df0Gh1J';
const NOW = new Date('2027-01-20T12:00:00.000Z');
const TTL = 14;
const DAY = 86_400_000;
const GRACE = KEY_RING_MAX_AGE_SECONDS * 1000;

const at = (ms: number) => new Date(NOW.getTime() + ms);
const text = (key: Uint8Array | undefined) => (key ? Buffer.from(key).toString('utf8') : undefined);

/** k2 current, k1 retired `retiredDaysAgo` days before NOW. */
function rotatedRing(retiredDaysAgo: number) {
  return parseKeyRing({
    current: 'k2',
    k2: K2,
    k1: K1,
    'k1.retiredAt': at(-retiredDaysAgo * DAY).toISOString(),
  });
}

describe('parseKeyRing', () => {
  it('reads the ring Secrets Manager generates, and a rotated one', () => {
    // Act
    const first = parseKeyRing({ current: 'k1', k1: K1 });
    const rotated = rotatedRing(3);

    // Assess
    expect(first.current).toBe('k1');
    expect([...first.keys.keys()]).toEqual(['k1']);
    expect(rotated.current).toBe('k2');
    expect(rotated.keys.get('k1')?.retiredAt).toEqual(at(-3 * DAY));
    expect(rotated.keys.get('k2')?.retiredAt).toBeUndefined();
  });

  it.each([
    ['not an object', 'k1', 'not a JSON object'],
    ['an array', [], 'not a JSON object'],
    ['null', null, 'not a JSON object'],
    ['no current', { k1: K1 }, 'no "current" key id'],
    ['a current that is not a string', { current: 1, k1: K1 }, 'no "current" key id'],
    ['a current key it does not hold', { current: 'k2', k1: K1 }, 'the current key "k2" is not in the ring'],
    ['a key that is not a string', { current: 'k1', k1: K1, k2: 7 }, '"k2" is not a string'],
    ['a short key', { current: 'k1', k1: 'short' }, 'key "k1" is shorter than 32 characters'],
    ['a name that is no key id', { current: 'k1', k1: K1, 'k 2': K2 }, '"k 2" is not a key id'],
    ['a misspelt stamp', { current: 'k1', k1: K1, 'k2.retiredat': NOW.toISOString() }, '"k2.retiredat"'],
    [
      'a stamp that is no instant',
      { current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': 'yesterday' },
      'ISO instant',
    ],
    ['a date without a time', { current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': '2027-01-01' }, 'ISO instant'],
    [
      'a stamp of no key',
      { current: 'k1', k1: K1, 'k9.retiredAt': NOW.toISOString() },
      '"k9.retiredAt" names no key',
    ],
    [
      'a retired current key',
      { current: 'k1', k1: K1, 'k1.retiredAt': NOW.toISOString() },
      'is marked retired',
    ],
  ])('refuses %s, saying what is wrong', (_what, value, message) => {
    // Act
    const parsing = () => parseKeyRing(value);

    // Assess
    expect(parsing).toThrow(MalformedKeyRingError);
    expect(parsing).toThrow(message);
  });

  it('never puts a key in an error message', () => {
    // Prepare
    const bad = { current: 'k2', k1: K1 };

    // Act
    const error = (() => {
      try {
        parseKeyRing(bad);
      } catch (e) {
        return e as Error;
      }
    })();

    // Assess
    expect(error?.message).not.toContain(K1);
  });

  it('holds keys in a map, so kids named like Object properties are just unknown', () => {
    // Act
    const ring = parseKeyRing({ current: 'k1', k1: K1 });

    // Assess
    expect(ring.keys.get('constructor')).toBeUndefined();
    expect(ring.keys.get('__proto__')).toBeUndefined();
  });
});

describe('verifyingKey', () => {
  it('answers the current key', () => {
    // Act / Assess
    expect(text(verifyingKey(rotatedRing(3), 'k2', NOW, TTL))).toBe(K2);
  });

  it('answers a key retired less than the link lifetime ago', () => {
    // Act / Assess
    expect(text(verifyingKey(rotatedRing(1), 'k1', NOW, TTL))).toBe(K1);
    expect(text(verifyingKey(rotatedRing(13.9), 'k1', NOW, TTL))).toBe(K1);
  });

  it('answers nothing for a key retired more than the link lifetime ago', () => {
    // Act / Assess
    expect(verifyingKey(rotatedRing(15), 'k1', NOW, TTL)).toBeUndefined();
    expect(verifyingKey(rotatedRing(400), 'k1', NOW, TTL)).toBeUndefined();
  });

  it('keeps a retired key for the ring cache age past the lifetime: a stale function may still sign with it', () => {
    // Prepare: retired exactly 14 days ago.
    const ring = rotatedRing(TTL);

    // Act / Assess
    expect(text(verifyingKey(ring, 'k1', at(GRACE - 1), TTL))).toBe(K1);
    expect(verifyingKey(ring, 'k1', at(GRACE), TTL)).toBeUndefined();
  });

  it('follows the tenant’s link lifetime', () => {
    // Prepare
    const ring = rotatedRing(20);

    // Act / Assess
    expect(verifyingKey(ring, 'k1', NOW, 14)).toBeUndefined();
    expect(text(verifyingKey(ring, 'k1', NOW, 30))).toBe(K1);
  });

  it('answers nothing for an unknown kid, or a key neither current nor stamped', () => {
    // Prepare
    const unstamped = parseKeyRing({ current: 'k2', k2: K2, k1: K1 });

    // Act / Assess
    expect(verifyingKey(rotatedRing(1), 'k3', NOW, TTL)).toBeUndefined();
    expect(verifyingKey(unstamped, 'k1', NOW, TTL)).toBeUndefined();
  });
});

describe('signingKey', () => {
  it('is the current key, as UTF-8 bytes of its text', () => {
    // Act
    const key = signingKey(rotatedRing(1));

    // Assess
    expect(key.kid).toBe('k2');
    expect(text(key.key)).toBe(K2);
  });
});

describe('rotate', () => {
  it('makes the new key current and stamps the old one retired now', () => {
    // Prepare
    const ring = parseKeyRing({ current: 'k1', k1: K1 });

    // Act
    const next = rotate(ring, NOW, 'k2', K2, TTL);

    // Assess
    expect(serializeKeyRing(next)).toEqual({
      current: 'k2',
      k2: K2,
      k1: K1,
      'k1.retiredAt': NOW.toISOString(),
    });
    expect(text(verifyingKey(next, 'k1', NOW, TTL))).toBe(K1);
    expect(signingKey(next).kid).toBe('k2');
  });

  it('drops keys past their window and keeps those still within it', () => {
    // Prepare: k1 retired 20 days ago (past), k2 retired 5 days ago (within), k3 current.
    const ring = parseKeyRing({
      current: 'k3',
      k3: K3,
      k2: K2,
      'k2.retiredAt': at(-5 * DAY).toISOString(),
      k1: K1,
      'k1.retiredAt': at(-20 * DAY).toISOString(),
    });

    // Act
    const next = rotate(ring, NOW, 'k4', K1.split('').reverse().join(''), TTL);

    // Assess
    expect([...next.keys.keys()].sort()).toEqual(['k2', 'k3', 'k4']);
    expect(next.keys.get('k2')?.retiredAt).toEqual(at(-5 * DAY));
    expect(next.keys.get('k3')?.retiredAt).toEqual(NOW);
  });

  it('stamps a key that was neither current nor retired, giving it a full window from now', () => {
    // Prepare
    const ring = parseKeyRing({ current: 'k2', k2: K2, k1: K1 });

    // Act
    const next = rotate(ring, NOW, 'k3', K3, TTL);

    // Assess
    expect(next.keys.get('k1')?.retiredAt).toEqual(NOW);
    expect(text(verifyingKey(next, 'k1', NOW, TTL))).toBe(K1);
  });

  it('serializes to flat JSON strings that parse back to the same ring', () => {
    // Prepare
    const next = rotate(rotatedRing(3), NOW, 'k3', K3, TTL);

    // Act
    const json = JSON.parse(JSON.stringify(serializeKeyRing(next)));

    // Assess
    expect(Object.values(json).every((v) => typeof v === 'string')).toBe(true);
    expect(Object.keys(json)).toEqual(['current', 'k3', 'k2', 'k2.retiredAt', 'k1', 'k1.retiredAt']);
    expect(parseKeyRing(json)).toEqual(next);
  });

  it.each([
    ['a kid the ring holds', 'k1', K3, 'already holds a key "k1"'],
    ['a malformed kid', 'k.3', K3, 'is not a key id'],
    ['the reserved word', 'current', K3, 'is not a key id'],
    ['a short key', 'k3', 'short', 'at least 32 characters'],
  ])('refuses %s', (_what, kid, key, message) => {
    // Act / Assess
    expect(() => rotate(rotatedRing(1), NOW, kid, key, TTL)).toThrow(message);
  });
});

describe('nextKid and newKeyMaterial', () => {
  it('counts on from the highest k<n>, ignoring other names', () => {
    // Act / Assess
    expect(nextKid(parseKeyRing({ current: 'k1', k1: K1 }))).toBe('k2');
    expect(
      nextKid(parseKeyRing({ current: 'k9', k9: K1, k10: K2, 'k10.retiredAt': NOW.toISOString() })),
    ).toBe('k11');
    expect(nextKid(parseKeyRing({ current: 'prod', prod: K1 }))).toBe('k1');
  });

  it('makes 64 random base64url characters, like the generated first key', () => {
    // Act
    const keys = Array.from({ length: 50 }, newKeyMaterial);

    // Assess
    expect(keys.every((k) => /^[A-Za-z0-9_-]{64}$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(50);
  });
});

describe('KeyRingSigningKeys', () => {
  it('parses each value from its source once, and re-reads only for a kid it has not seen', async () => {
    // Prepare
    const reads: boolean[] = [];
    const value = { current: 'k1', k1: K1 };
    const keys = new KeyRingSigningKeys(
      async ({ fresh }) => {
        reads.push(fresh);
        return value;
      },
      new FakeClock(NOW),
      TTL,
    );

    // Act
    await keys.current();
    await keys.byId('k1');
    await keys.byId('k7');
    await keys.byId('k8');

    // Assess
    expect(reads).toEqual([false, false, false, true, false]);
  });
});
