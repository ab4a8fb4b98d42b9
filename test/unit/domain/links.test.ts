import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LINK_ACTIONS,
  type LinkAction,
  type LinkClaims,
  linkExpired,
  maskEmail,
  newNonce,
  peekClaims,
  signLink,
  verifyLink,
  verifyLinkIgnoringExpiry,
} from '../../../lambdas/domain/links';
import { newPlanId } from '../../../lambdas/domain/use-cases/plans';
import { FixedSigningKeys, TEST_KEY, TEST_KID } from '../../helpers/fakes';
import { PEOPLE } from '../../helpers/plan';

const TENANT = 'acme';
const NOW = new Date('2026-12-01T15:00:00.000Z');
const EXP = Math.floor(NOW.getTime() / 1000) + 14 * 86_400;
const OLD_KEY = new Uint8Array(Buffer.from('an-older-key-still-trusted-00000', 'utf8'));
const keys = new FixedSigningKeys({ kid: TEST_KID, key: TEST_KEY }, [{ kid: 'k2025', key: OLD_KEY }]);

function claims(overrides: Partial<LinkClaims> = {}): LinkClaims {
  return {
    kid: TEST_KID,
    planId: 'pl_0123456789abcdef0123',
    action: 'confirm-gate',
    target: 'door-opener',
    recipient: PEOPLE.dana,
    exp: EXP,
    nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    ...overrides,
  };
}

/** A token built by hand the way the design describes it, to reach the checks behind the signature. */
function forge(tenant: string, fields: unknown[], key: Uint8Array = TEST_KEY): string {
  const body = Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
  const mac = createHmac('sha256', key)
    .update(`cosell-link\n1\n${tenant}\n${body}`, 'utf8')
    .digest('base64url');
  return `${body}.${mac}`;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same text with the character at `index` replaced by a different base64url character. */
function flip(text: string, index: number): string {
  const c = text[index] as string;
  const other = B64URL[(B64URL.indexOf(c) + 1) % 64] as string;
  return text.slice(0, index) + other + text.slice(index + 1);
}

describe('signLink and verifyLink', () => {
  it.each(Object.keys(LINK_ACTIONS) as LinkAction[])('round-trips a %s link', async (action) => {
    // Prepare
    const original = claims({
      action,
      target: action === 'confirm-gate' ? 'joint-discovery' : 'security-review',
    });

    // Act
    const token = signLink(TENANT, original, TEST_KEY);
    const check = await verifyLink(TENANT, token, keys, NOW);

    // Assess
    expect(check).toEqual({ ok: true, claims: original });
  });

  it('produces a URL-safe token of two base64url parts', () => {
    // Act
    const token = signLink(TENANT, claims(), TEST_KEY);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('gives different tokens for different nonces of the same link', () => {
    // Act
    const a = signLink(TENANT, claims({ nonce: newNonce() }), TEST_KEY);
    const b = signLink(TENANT, claims({ nonce: newNonce() }), TEST_KEY);

    // Assess
    expect(a).not.toBe(b);
  });

  it('refuses a token signed for another tenant', async () => {
    // Prepare
    const token = signLink('globex-bu', claims(), TEST_KEY);

    // Act
    const check = await verifyLink(TENANT, token, keys, NOW);

    // Assess
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a tenant name that only differs by case or a trailing character', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);

    // Act / Assess
    expect(await verifyLink('ACME', token, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink('acme ', token, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('verifies a link signed with an older key that is still trusted', async () => {
    // Prepare
    const token = signLink(TENANT, claims({ kid: 'k2025' }), OLD_KEY);

    // Act
    const check = await verifyLink(TENANT, token, keys, NOW);

    // Assess
    expect(check.ok).toBe(true);
  });

  it('refuses a token whose key id names a different key than the one that signed it', async () => {
    // Prepare: claims say k2025, but the current key signed it (and the other way round).
    const a = signLink(TENANT, claims({ kid: 'k2025' }), TEST_KEY);
    const b = signLink(TENANT, claims({ kid: TEST_KID }), OLD_KEY);

    // Act / Assess
    expect(await verifyLink(TENANT, a, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, b, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a token whose key id is unknown, or no longer trusted', async () => {
    // Prepare
    const unknown = signLink(TENANT, claims({ kid: 'k1999' }), TEST_KEY);
    const retired = signLink(TENANT, claims({ kid: 'k2025' }), OLD_KEY);
    const onlyCurrent = new FixedSigningKeys();

    // Act / Assess
    expect(await verifyLink(TENANT, unknown, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, retired, onlyCurrent, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a payload with any one character changed', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];

    for (let i = 0; i < body.length; i++) {
      // Act
      const check = await verifyLink(TENANT, `${flip(body, i)}.${sig}`, keys, NOW);

      // Assess
      expect(check, `payload character ${i}`).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses a payload edited to name someone else, re-encoded canonically', async () => {
    // Prepare: a forwarded link rewritten for another recipient, or for a later expiry.
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];
    const fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    const forRaj = [...fields];
    forRaj[5] = PEOPLE.raj;
    const later = [...fields];
    later[6] = EXP + 365 * 86_400;
    const reencode = (f: unknown[]) => `${Buffer.from(JSON.stringify(f)).toString('base64url')}.${sig}`;

    // Act / Assess
    expect(await verifyLink(TENANT, reencode(fields), keys, NOW)).toMatchObject({ ok: true });
    expect(await verifyLink(TENANT, reencode(forRaj), keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, reencode(later), keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a signature with any one character changed', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];

    for (let i = 0; i < sig.length; i++) {
      // Act
      const check = await verifyLink(TENANT, `${body}.${flip(sig, i)}`, keys, NOW);

      // Assess
      expect(check, `signature character ${i}`).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses padded base64', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];

    // Act / Assess
    expect(await verifyLink(TENANT, `${body}.${sig}=`, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, `${body}=.${sig}`, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, `${body}==.${sig}`, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses standard base64 (+ and /) in place of base64url', async () => {
    // Prepare: find a signature that contains - or _, so the standard alphabet spells it differently.
    let token = '';
    for (let n = 0; !/[-_]/.test(token.split('.')[1] ?? ''); n++) {
      token = signLink(TENANT, claims({ exp: EXP + n }), TEST_KEY);
    }
    const [body, sig] = token.split('.') as [string, string];
    const standard = sig.replaceAll('-', '+').replaceAll('_', '/');

    // Act
    const check = await verifyLink(TENANT, `${body}.${standard}`, keys, NOW);

    // Assess
    expect(Buffer.from(standard, 'base64').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a non-canonical base64url spelling of the very same bytes', async () => {
    // Prepare: a 32-byte MAC is 43 characters with 2 spare bits in the last; setting one keeps the bytes.
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];
    const last = B64URL.indexOf(sig.at(-1) as string);
    const respelled = sig.slice(0, -1) + B64URL[last | 1];

    // Act
    const check = await verifyLink(TENANT, `${body}.${respelled}`, keys, NOW);

    // Assess
    expect(respelled).not.toBe(sig);
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a non-canonical spelling of the payload', async () => {
    // Prepare: pad the payload JSON until its base64url form has spare bits in the last character.
    let token = '';
    let n = 0;
    do {
      token = signLink(TENANT, claims({ recipient: `${'x'.repeat(n++)}${PEOPLE.dana}` }), TEST_KEY);
    } while ((token.split('.')[0] as string).length % 4 === 0);
    const [body, sig] = token.split('.') as [string, string];
    const last = B64URL.indexOf(body.at(-1) as string);
    const respelled = body.slice(0, -1) + B64URL[last | 1];

    // Act
    const check = await verifyLink(TENANT, `${respelled}.${sig}`, keys, NOW);

    // Assess
    expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(body, 'base64url'))).toBe(true);
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a truncated token', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];
    const cuts = [
      token.slice(0, -1),
      token.slice(0, -4),
      `${body}.`,
      body,
      `.${sig}`,
      `${body.slice(0, -4)}.${sig}`,
      token.slice(0, 40),
      '',
    ];

    for (const cut of cuts) {
      // Act
      const check = await verifyLink(TENANT, cut, keys, NOW);

      // Assess
      expect(check, cut).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('refuses extra segments and a token longer than any real link', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);

    // Act / Assess
    expect(await verifyLink(TENANT, `${token}.AAAA`, keys, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await verifyLink(TENANT, `${token}${'A'.repeat(1100)}`, keys, NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('says expired at and after the expiry, with the authentic claims, and verifies one second before', async () => {
    // Prepare
    const token = signLink(TENANT, claims(), TEST_KEY);

    // Act / Assess
    expect((await verifyLink(TENANT, token, keys, new Date((EXP - 1) * 1000))).ok).toBe(true);
    expect(await verifyLink(TENANT, token, keys, new Date(EXP * 1000))).toEqual({
      ok: false,
      reason: 'expired',
      claims: claims(),
    });
    expect(await verifyLink(TENANT, token, keys, new Date((EXP + 86_400) * 1000))).toEqual({
      ok: false,
      reason: 'expired',
      claims: claims(),
    });
  });

  it('never says expired for a forged token: the signature is checked first', async () => {
    // Prepare
    const token = signLink(TENANT, claims({ exp: EXP }), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];

    // Act
    const check = await verifyLink(TENANT, `${body}.${flip(sig, 0)}`, keys, new Date((EXP + 10) * 1000));

    // Assess
    expect(check).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses well-signed payloads that break the format', async () => {
    // Prepare
    const good = [1, TEST_KID, 'pl_1', 'cg', 'door-opener', PEOPLE.dana, EXP, 'AAAAAAAAAAAAAAAAAAAAAA'];
    const variants: [string, unknown[]][] = [
      ['the reference layout itself', good],
      ['another version', [2, ...good.slice(1)]],
      ['an unknown action code', [...good.slice(0, 3), 'xx', ...good.slice(4)]],
      ['a short nonce', [...good.slice(0, 7), 'AAAA']],
      ['a fractional expiry', [...good.slice(0, 6), EXP + 0.5, good[7]]],
      ['an empty recipient', [...good.slice(0, 5), '', ...good.slice(6)]],
      ['a missing field', good.slice(0, 7)],
      ['an extra field', [...good, 'x']],
    ];

    for (const [what, fields] of variants) {
      // Act
      const check = await verifyLink(TENANT, forge(TENANT, fields), keys, NOW);

      // Assess
      expect(check.ok, what).toBe(what === 'the reference layout itself');
    }
  });

  it('fits, with the public base URL, in under 300 characters for the longest reference-plan link', () => {
    // Prepare: the longest recipient and target the reference plan produces, a real plan id and nonce.
    const token = signLink(
      TENANT,
      {
        kid: TEST_KID,
        planId: newPlanId(),
        action: 'confirm-gate',
        target: 'joint-pursuit-and-proof',
        recipient: PEOPLE.dana,
        exp: EXP,
        nonce: newNonce(),
      },
      TEST_KEY,
    );

    // Act
    const url = `https://links.acme.example/a/${token}`;

    // Assess
    expect(url.length).toBeLessThan(300);
  });
});

describe('verifyLinkIgnoringExpiry', () => {
  it('accepts an authentic link long after it expired', async () => {
    // Prepare
    const token = signLink(TENANT, claims({ exp: 1_000_000 }), TEST_KEY);

    // Act
    const check = await verifyLinkIgnoringExpiry(TENANT, token, keys);

    // Assess
    expect(check).toEqual({ ok: true, claims: claims({ exp: 1_000_000 }) });
  });

  it('refuses everything verifyLink refuses as invalid: tampering, another tenant, unknown kid, padding', async () => {
    // Prepare
    const token = signLink(TENANT, claims({ exp: 1_000_000 }), TEST_KEY);
    const [body, sig] = token.split('.') as [string, string];
    const fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown[];
    const later = [...fields];
    later[6] = EXP + 365 * 86_400;
    const bad = [
      `${flip(body, 3)}.${sig}`,
      `${body}.${flip(sig, 3)}`,
      `${Buffer.from(JSON.stringify(later)).toString('base64url')}.${sig}`,
      signLink('globex-bu', claims({ exp: 1_000_000 }), TEST_KEY),
      signLink(TENANT, claims({ kid: 'k1999', exp: 1_000_000 }), TEST_KEY),
      signLink(TENANT, claims({ kid: 'k2025', exp: 1_000_000 }), TEST_KEY),
      `${body}.${sig}=`,
      token.slice(0, -1),
      `${token}.x`,
    ];

    for (const t of bad) {
      // Act
      const check = await verifyLinkIgnoringExpiry(TENANT, t, keys);

      // Assess
      expect(check, t).toEqual({ ok: false, reason: 'invalid' });
    }
  });
});

describe('linkExpired', () => {
  it('is true from the expiry second on', () => {
    // Act / Assess
    expect(linkExpired(claims(), new Date((EXP - 1) * 1000))).toBe(false);
    expect(linkExpired(claims(), new Date(EXP * 1000))).toBe(true);
  });
});

describe('maskEmail', () => {
  it.each([
    ['dana.whit@northwind.example', 'd***@northwind.example'],
    ['a@b.example', 'a***@b.example'],
    ['odd@name@host.example', 'o***@host.example'],
    ['no-at-sign', '***'],
    ['@host.example', '***'],
  ])('masks %s as %s', (email, masked) => {
    // Act / Assess
    expect(maskEmail(email)).toBe(masked);
  });
});

describe('peekClaims', () => {
  it('reads the claims of a token without checking it, and nothing from garbage', () => {
    // Prepare
    const original = claims();
    const token = signLink(TENANT, original, TEST_KEY);

    // Act / Assess
    expect(peekClaims(token)).toEqual(original);
    expect(peekClaims(`${token.split('.')[0]}.forged`)).toEqual(original);
    expect(peekClaims('not-a-token')).toBeUndefined();
    expect(peekClaims('')).toBeUndefined();
  });
});

describe('newNonce', () => {
  it('is 22 base64url characters (128 bits) and does not repeat', () => {
    // Act
    const nonces = Array.from({ length: 1000 }, newNonce);

    // Assess
    expect(nonces.every((n) => /^[A-Za-z0-9_-]{22}$/.test(n))).toBe(true);
    expect(new Set(nonces).size).toBe(1000);
  });
});
