import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearSecretCache, SecretSigningKeys } from '../../../lambdas/adapters/secrets.adapter';
import { FakeClock } from '../../helpers/fakes';

const secrets = mockClient(SecretsManagerClient);

const K1 = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';
const K2 = 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F';
const NOW = '2027-01-20T12:00:00.000Z';
const TTL_DAYS = 14;

/** Each test reads its own secret id, so the adapter's cache cannot carry a value from one test to the next. */
let n = 0;
function givenSecret(...values: (string | undefined)[]): string {
  n += 1;
  const secretId = `arn:aws:secretsmanager:us-east-1:123456789012:secret:cosell-flow/acme/link-keys-${n}`;
  const stub = secrets.on(GetSecretValueCommand, { SecretId: secretId });
  for (const value of values.slice(0, -1)) stub.resolvesOnce({ SecretString: value });
  stub.resolves({ SecretString: values.at(-1) });
  return secretId;
}

function keysFor(secretId: string, clock = new FakeClock(NOW)) {
  return new SecretSigningKeys(secretId, clock, TTL_DAYS);
}

const text = (key: Uint8Array | undefined) => (key ? Buffer.from(key).toString('utf8') : undefined);

const daysBefore = (days: number) => new Date(Date.parse(NOW) - days * 86_400_000).toISOString();

afterEach(() => {
  secrets.reset();
  clearSecretCache();
});

describe('SecretSigningKeys', () => {
  it('answers the current key as its kid and the key text as UTF-8 bytes', async () => {
    // Prepare
    const keys = keysFor(
      givenSecret(JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': daysBefore(1) })),
    );

    // Act
    const current = await keys.current();

    // Assess
    expect(current.kid).toBe('k2');
    expect(text(current.key)).toBe(K2);
  });

  it('reads the first key exactly as Secrets Manager generates it', async () => {
    // Prepare: the stack's generated value, {"current": "k1", "k1": <64 characters>}.
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

    // Act / Assess
    expect(await keys.current()).toMatchObject({ kid: 'k1' });
    expect(text(await keys.byId('k1'))).toBe(K1);
  });

  it('answers a key retired less than the link lifetime ago, so links it signed still verify', async () => {
    // Prepare
    const keys = keysFor(
      givenSecret(JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': daysBefore(13) })),
    );

    // Act
    const older = await keys.byId('k1');

    // Assess
    expect(text(older)).toBe(K1);
  });

  it('refuses a key retired longer ago than the link lifetime (every link it signed has expired)', async () => {
    // Prepare
    const keys = keysFor(
      givenSecret(JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': daysBefore(15) })),
    );

    // Act
    const older = await keys.byId('k1');

    // Assess
    expect(older).toBeUndefined();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('judges a retired key by the clock it is given (the local clock moves)', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const keys = keysFor(
      givenSecret(JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': daysBefore(10) })),
      clock,
    );
    const before = await keys.byId('k1');

    // Act
    clock.advanceHours(5 * 24);
    const after = await keys.byId('k1');

    // Assess
    expect(text(before)).toBe(K1);
    expect(after).toBeUndefined();
  });

  it('does not trust a key that is neither current nor stamped retired', async () => {
    // Prepare: a hand-made ring that moved `current` without stamping the old key.
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k2', k1: K1, k2: K2 })));

    // Act / Assess
    expect(await keys.byId('k1')).toBeUndefined();
    expect(text(await keys.byId('k2'))).toBe(K2);
  });

  it.each(['k9', 'current', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'k1.retiredAt', ''])(
    'answers undefined for a kid the secret does not hold (%j)',
    async (kid) => {
      // Prepare
      const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

      // Act
      const key = await keys.byId(kid);

      // Assess
      expect(key).toBeUndefined();
    },
  );

  it('reads the secret again once its five minutes in the cache have passed', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse(NOW) });
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));
    await keys.current();

    // Act
    vi.setSystemTime(Date.parse(NOW) + 299_000);
    await keys.current();
    const withinFiveMinutes = secrets.commandCalls(GetSecretValueCommand).length;
    vi.setSystemTime(Date.parse(NOW) + 301_000);
    await keys.current();
    vi.useRealTimers();

    // Assess
    expect(withinFiveMinutes).toBe(1);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('says which read failed, keeping the SDK error as the cause', async () => {
    // Prepare
    const secretId = givenSecret(JSON.stringify({ current: 'k1', k1: K1 }));
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    secrets.on(GetSecretValueCommand, { SecretId: secretId }).rejects(denied);

    // Act
    const reading = keysFor(secretId).current();

    // Assess
    await expect(reading).rejects.toMatchObject({ name: 'GetParameterError', cause: denied });
  });

  it('reads the secret once and serves later calls from the cache', async () => {
    // Prepare
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

    // Act
    await keys.current();
    await keys.byId('k1');
    await keys.current();

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('re-reads the secret for a kid it has not seen, so a key rotated in elsewhere verifies at once', async () => {
    // Prepare: this function cached the ring before the rotation; another already signs with k2.
    const clock = new FakeClock(NOW);
    const keys = keysFor(
      givenSecret(
        JSON.stringify({ current: 'k1', k1: K1 }),
        JSON.stringify({ current: 'k2', k2: K2, k1: K1, 'k1.retiredAt': NOW }),
      ),
      clock,
    );
    expect((await keys.current()).kid).toBe('k1');

    // Act
    const rotatedIn = await keys.byId('k2');

    // Assess
    expect(text(rotatedIn)).toBe(K2);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect((await keys.current()).kid).toBe('k2');
  });

  it('re-reads for unknown kids at most once a minute, so random kids cannot hammer Secrets Manager', async () => {
    // Prepare
    const clock = new FakeClock(NOW);
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })), clock);

    // Act
    for (let i = 0; i < 20; i++) await keys.byId(`x${i}`);
    const withinTheMinute = secrets.commandCalls(GetSecretValueCommand).length;
    clock.advanceHours(1 / 60);
    await keys.byId('x-later');

    // Assess: the first read, one re-read for x0, then one more a minute later.
    expect(withinTheMinute).toBe(2);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('never re-reads for a kid that is not even well-formed', async () => {
    // Prepare
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

    // Act
    await keys.byId('not a kid at all, far too long');

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('rejects a secret that is not JSON', async () => {
    // Prepare
    const keys = keysFor(givenSecret('k1=abc'));

    // Act
    const reading = keys.current();

    // Assess
    await expect(reading).rejects.toThrow();
  });

  it('rejects a secret that names no current key, without showing a key', async () => {
    // Prepare
    const keys = keysFor(givenSecret(JSON.stringify({ k1: K1 })));

    // Act
    const reading = keys.byId('k1');

    // Assess
    await expect(reading).rejects.toThrow('the link-key ring has no "current" key id');
    await expect(keys.byId('k1')).rejects.not.toThrow(K1);
  });

  it('rejects a secret whose current kid has no key', async () => {
    // Prepare
    const keys = keysFor(givenSecret(JSON.stringify({ current: 'k2', k1: K1 })));

    // Act
    const reading = keys.current();

    // Assess
    await expect(reading).rejects.toThrow('link-key ring: the current key "k2" is not in the ring');
  });

  it('refuses a link lifetime that is not a whole number of days', () => {
    // Act / Assess
    expect(() => new SecretSigningKeys('arn', new FakeClock(NOW), 0)).toThrow(RangeError);
    expect(() => new SecretSigningKeys('arn', new FakeClock(NOW), 1.5)).toThrow(RangeError);
  });
});
