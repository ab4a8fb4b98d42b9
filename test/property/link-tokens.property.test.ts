import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LINK_ACTIONS,
  type LinkAction,
  type LinkClaims,
  signLink,
  verifyLink,
} from '../../lambdas/domain/links';
import { KeyRingSigningKeys } from '../../lambdas/domain/signing-keys';
import { actOnLink } from '../../lambdas/domain/use-cases/links';
import { messageViews } from '../../lambdas/views/emails/message-views';
import {
  FakeClock,
  FakeDealStore,
  FakeEffectLedger,
  RecordingEventPublisher,
  RecordingMailer,
  RecordingWorkflow,
  TEST_CONFIG,
} from '../helpers/fakes';
import { dealAtStage, PEOPLE, PLAN_ID } from '../helpers/plan';

/**
 * Every mutation of a valid token is rejected. A token is `base64url(payload).base64url(hmac)`; an attacker
 * holding one valid link may change any character or byte, rewrite a field and re-encode it, cut it, point
 * it at another key, spell the same bytes another way, borrow another link's signature, or wrap it in
 * other text. Each such token must fail verifyLink as invalid; and, for a sample, acting on it (and asking
 * for a fresh link with it) must change nothing at all.
 */

const RUNS = Number(process.env.LINK_PROPERTY_RUNS ?? 100_000);
const SAMPLE_EVERY = 100;

const TENANT = TEST_CONFIG.tenant;
const NOW = new Date('2026-12-02T15:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const DAY_MS = 86_400_000;
const KEYS = {
  k3: 'Zx1Cv2Bn3Mq4We5Rt6Yu7Io8Pa9Sd0Fg1Hj2Kl3Qw4Er5Ty6Ui7Op8As9Df0Gh1J',
  k2: 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F',
  k1: 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7',
} as const;
type Kid = keyof typeof KEYS;
/** k3 signs; k2 was retired two days ago (still verifies); k1 forty days ago (no longer verifies). */
const RING = {
  current: 'k3',
  k3: KEYS.k3,
  k2: KEYS.k2,
  'k2.retiredAt': new Date(NOW.getTime() - 2 * DAY_MS).toISOString(),
  k1: KEYS.k1,
  'k1.retiredAt': new Date(NOW.getTime() - 40 * DAY_MS).toISOString(),
};
const SIGNING_KIDS: Kid[] = ['k3', 'k2'];
const ALL_KIDS: Kid[] = ['k3', 'k2', 'k1'];

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ACTIONS = Object.keys(LINK_ACTIONS) as LinkAction[];
const CODES = Object.values(LINK_ACTIONS);

function ringKeys(clock: FakeClock): KeyRingSigningKeys {
  return new KeyRingSigningKeys(async () => RING, clock, TEST_CONFIG.linkTtlDays);
}

function sign(claims: LinkClaims): string {
  return signLink(TENANT, claims, Buffer.from(KEYS[claims.kid as Kid], 'utf8'));
}

// ---------------------------------------------------------------- valid tokens

/** Links the deal in the store would act on, with a form each would accept. */
const LIVE: { action: LinkAction; target: string; recipient: string; form: Record<string, string> }[] = [
  { action: 'milestone-done', target: 'warm-intro', recipient: PEOPLE.dana, form: { note: 'done' } },
  { action: 'milestone-stuck', target: 'warm-intro', recipient: PEOPLE.dana, form: { reason: 'stuck' } },
  {
    action: 'milestone-slip',
    target: 'warm-intro',
    recipient: PEOPLE.dana,
    form: { newDue: '2026-12-18', reason: 'travel', choice: 'absorb' },
  },
  { action: 'waive-milestone', target: 'warm-intro', recipient: PEOPLE.ana, form: { reason: 'n/a' } },
  {
    action: 'confirm-gate',
    target: 'door-opener',
    recipient: PEOPLE.dana,
    form: { meetingDate: '2026-12-14' },
  },
];

const nonceArb = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Buffer.from(b).toString('base64url'));
const expArb = fc.integer({ min: NOW_S + 1, max: NOW_S + 14 * 86_400 });
const kidArb = fc.constantFrom(...SIGNING_KIDS);
const emailArb = fc
  .tuple(
    fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._-'),
      minLength: 1,
      maxLength: 20,
    }),
    fc.constantFrom('northwind.example', 'vendor.example', 'globex.example', 'x.co'),
  )
  .map(([local, domain]) => `${local}@${domain}`);
const textArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.constantFrom('warm-intro', 'fit-check', 'door-opener', 'joint-discovery'),
);

/** Any well-formed link (most name no deal in the store), or one the stored deal would act on. */
const baseArb = fc.oneof(
  fc.record({
    live: fc.constant(-1),
    claims: fc.record({
      kid: kidArb,
      planId: fc.oneof(fc.constant(PLAN_ID), fc.stringMatching(/^pl_[0-9a-f]{20}$/)),
      action: fc.constantFrom(...ACTIONS),
      target: textArb,
      recipient: fc.oneof(fc.constantFrom(...Object.values(PEOPLE)), emailArb),
      exp: expArb,
      nonce: nonceArb,
    }),
  }),
  fc.integer({ min: 0, max: LIVE.length - 1 }).chain((i) =>
    fc.record({
      live: fc.constant(i),
      claims: fc.record({
        kid: kidArb,
        planId: fc.constant(PLAN_ID),
        action: fc.constant((LIVE[i] as (typeof LIVE)[0]).action),
        target: fc.constant((LIVE[i] as (typeof LIVE)[0]).target),
        recipient: fc.constant((LIVE[i] as (typeof LIVE)[0]).recipient),
        exp: expArb,
        nonce: nonceArb,
      }),
    }),
  ),
);

// ---------------------------------------------------------------- mutations

const oddChar = fc.oneof(
  fc.constantFrom(...B64URL),
  fc.constantFrom('.', '=', '+', '/', '%', ' ', '\n', '\0', '~', '!', '"', 'é', '\u200b'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const junk = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.string({ unit: oddChar, minLength: 1, maxLength: 4 }),
);
const jsonValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(
    ...CODES,
    ...ALL_KIDS,
    PLAN_ID,
    ...Object.values(PEOPLE),
    'door-opener',
    'warm-intro',
    1,
    2,
    0,
  ),
  expArb,
  fc.integer({ min: NOW_S, max: NOW_S + 3650 * 86_400 }),
  nonceArb,
  fc.array(fc.integer(), { maxLength: 3 }),
);

const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('replace-char' as const), at: fc.nat(), char: oddChar }),
  fc.record({
    kind: fc.constant('flip-payload-byte' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('flip-signature-byte' as const),
    at: fc.nat(),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('replace-field' as const),
    field: fc.integer({ min: 0, max: 7 }),
    value: jsonValue,
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('cut-middle' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 8 }),
  }),
  fc.record({ kind: fc.constant('swap-kid' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('non-canonical' as const),
    part: fc.constantFrom('body' as const, 'sig' as const),
    how: fc.constantFrom(
      'pad' as const,
      'standard-alphabet' as const,
      'spare-bits' as const,
      'base64' as const,
    ),
    n: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('re-serialize-json' as const),
    how: fc.constantFrom('spaces' as const, 'indent' as const, 'escaped' as const, 'object' as const),
  }),
  fc.record({ kind: fc.constant('percent-encode' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-signature' as const), other: baseArb }),
  fc.record({
    kind: fc.constant('wrap' as const),
    where: fc.constantFrom(
      'append' as const,
      'prepend' as const,
      'before-dot' as const,
      'after-dot' as const,
    ),
    text: junk,
  }),
);

type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

const fromB64 = (text: string) => Buffer.from(text, 'base64url');
const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function parts(token: string): [string, string] {
  return token.split('.') as [string, string];
}

function fieldsOf(body: string): unknown[] {
  return JSON.parse(fromB64(body).toString('utf8')) as unknown[];
}

function bodyOf(fields: unknown): string {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

/** The last character of a base64url text with some of its unused low bits set (same bytes, other spelling). */
function respellSpareBits(text: string, n: number): string | undefined {
  const bits = text.length % 4 === 2 ? 4 : text.length % 4 === 3 ? 2 : 0;
  if (bits === 0) return undefined;
  const last = B64URL.indexOf(text.at(-1) as string);
  return text.slice(0, -1) + B64URL[last | ((n % ((1 << bits) - 1)) + 1)];
}

function apply(token: string, m: Mutation): string {
  const [body, sig] = parts(token);
  switch (m.kind) {
    case 'replace-char': {
      const i = m.at % token.length;
      const char = m.char === token[i] ? (token[i] === 'A' ? 'B' : 'A') : m.char;
      return token.slice(0, i) + char + token.slice(i + 1);
    }
    case 'flip-payload-byte': {
      const bytes = fromB64(body);
      const i = m.at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ m.mask;
      return `${toB64(bytes)}.${sig}`;
    }
    case 'flip-signature-byte': {
      const bytes = fromB64(sig);
      const i = m.at % bytes.length;
      bytes[i] = (bytes[i] as number) ^ m.mask;
      return `${body}.${toB64(bytes)}`;
    }
    case 'replace-field': {
      const fields = fieldsOf(body);
      const changed = [...fields];
      changed[m.field] = m.value;
      if (JSON.stringify(changed) === JSON.stringify(fields)) changed[m.field] = `${String(m.value)}x`;
      return `${bodyOf(changed)}.${sig}`;
    }
    case 'truncate':
      return token.slice(0, m.at % token.length);
    case 'cut-middle': {
      const i = m.at % token.length;
      return token.slice(0, i) + token.slice(i + m.length);
    }
    case 'swap-kid': {
      const fields = fieldsOf(body);
      const others = ALL_KIDS.filter((k) => k !== fields[1]);
      fields[1] = others[m.pick % others.length];
      return `${bodyOf(fields)}.${sig}`;
    }
    case 'non-canonical': {
      const text = m.part === 'body' ? body : sig;
      let respelled: string;
      switch (m.how) {
        case 'pad':
          respelled = text + '='.repeat(m.n);
          break;
        case 'standard-alphabet':
          respelled = /[-_]/.test(text)
            ? text.replaceAll('-', '+').replaceAll('_', '/')
            : fromB64(text).toString('base64');
          if (respelled === text) respelled = `${text}=`;
          break;
        case 'spare-bits':
          respelled = respellSpareBits(text, m.n) ?? `${text}=`;
          break;
        case 'base64':
          respelled = fromB64(text).toString('base64');
          if (respelled === text) respelled = `${text}==`;
          break;
      }
      return m.part === 'body' ? `${respelled}.${sig}` : `${body}.${respelled}`;
    }
    case 're-serialize-json': {
      const fields = fieldsOf(body);
      const json =
        m.how === 'spaces'
          ? JSON.stringify(fields).replaceAll(',', ', ')
          : m.how === 'indent'
            ? JSON.stringify(fields, null, 1)
            : m.how === 'escaped'
              ? JSON.stringify(fields).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)
              : JSON.stringify(Object.assign({}, fields));
      return `${Buffer.from(json, 'utf8').toString('base64url')}.${sig}`;
    }
    case 'percent-encode': {
      const i = m.at % token.length;
      const c = token.charCodeAt(i);
      return `${token.slice(0, i)}%${c.toString(16).toUpperCase().padStart(2, '0')}${token.slice(i + 1)}`;
    }
    case 'swap-signature': {
      const other = parts(sign(m.other.claims))[1];
      return other === sig
        ? `${body}.${parts(sign({ ...m.other.claims, exp: m.other.claims.exp + 1 }))[1]}`
        : `${body}.${other}`;
    }
    case 'wrap':
      switch (m.where) {
        case 'append':
          return token + m.text;
        case 'prepend':
          return m.text + token;
        case 'before-dot':
          return `${body}${m.text}.${sig}`;
        case 'after-dot':
          return `${body}.${m.text}${sig}`;
      }
  }
}

// ---------------------------------------------------------------- the harness

/** One store holding the deal at stage 2, shared by every sampled POST, and what must never change. */
function sampleHarness() {
  const clock = new FakeClock(NOW);
  const later = new FakeClock(new Date(NOW.getTime() + 15 * DAY_MS));
  const store = new FakeDealStore();
  store.put(dealAtStage('door-opener', new Date('2026-12-01T15:00:00.000Z')));
  const shared = {
    store,
    announcements: store,
    mailer: new RecordingMailer(),
    views: messageViews,
    ledger: new FakeEffectLedger(),
    workflow: new RecordingWorkflow(),
    events: new RecordingEventPublisher(),
    config: { ...TEST_CONFIG },
  };
  const now = { ...shared, clock, keys: ringKeys(clock) };
  /** After every link has expired: the fresh-link path. */
  const expired = { ...shared, clock: later, keys: ringKeys(later) };
  const initial = store.peek(PLAN_ID);
  const unchanged = () => {
    expect(store.writes).toEqual([]);
    expect(store.usedLinks()).toEqual([]);
    expect(shared.mailer.sent).toEqual([]);
    expect(shared.ledger.done.size).toBe(0);
    expect(shared.workflow.completed).toEqual([]);
    expect(store.peek(PLAN_ID)).toEqual(initial);
  };
  return { now, expired, shared, unchanged };
}

describe('link tokens under random mutation', () => {
  it('the harness sees a change when the token is not mutated (so the property below is not vacuous)', async () => {
    // Prepare
    const h = sampleHarness();
    const live = LIVE[0] as (typeof LIVE)[0];
    const claims = {
      kid: 'k3',
      planId: PLAN_ID,
      ...live,
      exp: NOW_S + 86_400,
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
    };
    const token = sign(claims);

    // Act
    const fresh = await actOnLink(h.expired, token, { intent: 'fresh-link' });
    const acted = await actOnLink(h.now, token, live.form);

    // Assess
    expect(fresh).toMatchObject({ kind: 'fresh-link' });
    expect(h.shared.mailer.sent).toHaveLength(1);
    expect(acted).toMatchObject({ kind: 'done' });
    expect(h.shared.store.writes).toHaveLength(1);
  });

  it(`rejects every one of ${RUNS.toLocaleString('en')} mutated tokens, and acting on a sample changes nothing`, async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const keys = ringKeys(clock);
    const h = sampleHarness();
    const counts = new Map<string, number>();
    let runs = 0;
    let sampled = 0;
    let sampledLive = 0;
    const started = performance.now();

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(baseArb, mutationArb, async (base, mutation) => {
        const token = sign(base.claims);
        expect((await verifyLink(TENANT, token, keys, NOW)).ok).toBe(true);

        const mutated = apply(token, mutation);
        expect(mutated, mutation.kind).not.toBe(token);
        const check = await verifyLink(TENANT, mutated, keys, NOW);
        expect(check, `${mutation.kind}: ${JSON.stringify(mutated)}`).toEqual({
          ok: false,
          reason: 'invalid',
        });

        runs++;
        counts.set(mutation.kind, (counts.get(mutation.kind) ?? 0) + 1);
        if (runs % SAMPLE_EVERY === 0) {
          sampled++;
          if (base.live >= 0) sampledLive++;
          const form = base.live >= 0 ? (LIVE[base.live] as (typeof LIVE)[0]).form : { note: 'x' };
          const acted = await actOnLink(h.now, mutated, form);
          const fresh = await actOnLink(h.expired, mutated, { ...form, intent: 'fresh-link' });
          expect(acted).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
          expect(fresh).toMatchObject({ kind: 'refused', status: 404, reason: 'invalid' });
          h.unchanged();
        }
      }),
      { numRuns: RUNS },
    );

    // Assess
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `link-tokens property: ${runs} mutations rejected in ${seconds.toFixed(1)} s; ` +
        `${sampled} sampled through actOnLink (${sampledLive} from live links); by kind: ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    expect(runs).toBe(RUNS);
    expect(sampled).toBe(Math.floor(RUNS / SAMPLE_EVERY));
    expect(counts.size).toBe(12);
    h.unchanged();
  });
});
