import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretSigningKeys } from '../../../lambdas/adapters/secrets.adapter';

const secrets = mockClient(SecretsManagerClient);

const K1 = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';
const K2 = 'Wn4Ty7Ub0Iv3Oc6Px9Az2Sd5Fg8Hj1Kl4Zx7Cv0Bn3Mq6We9Rt2Yu5Io8Pa1Sd4F';

/** Each test reads its own secret id, so Powertools' cache cannot carry a value from one test to the next. */
let n = 0;
function givenSecret(value: string | undefined): string {
  n += 1;
  const secretId = `arn:aws:secretsmanager:us-east-1:123456789012:secret:cosell-flow/acme/link-keys-${n}`;
  secrets.on(GetSecretValueCommand, { SecretId: secretId }).resolves({ SecretString: value });
  return secretId;
}

afterEach(() => {
  secrets.reset();
  clearCaches();
});

describe('SecretSigningKeys', () => {
  it('answers the current key as its kid and the key text as UTF-8 bytes', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ current: 'k2', k1: K1, k2: K2 })));

    // Act
    const current = await keys.current();

    // Assess
    expect(current.kid).toBe('k2');
    expect(Buffer.from(current.key).toString('utf8')).toBe(K2);
  });

  it('answers an older key by its id, so links it signed still verify after a key roll', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ current: 'k2', k1: K1, k2: K2 })));

    // Act
    const older = await keys.byId('k1');

    // Assess
    expect(Buffer.from(older ?? []).toString('utf8')).toBe(K1);
  });

  it.each(['k9', 'current', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'answers undefined for a kid the secret does not hold (%s)',
    async (kid) => {
      // Prepare
      const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

      // Act
      const key = await keys.byId(kid);

      // Assess
      expect(key).toBeUndefined();
    },
  );

  it('reads the secret once and serves later calls from the cache', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ current: 'k1', k1: K1 })));

    // Act
    await keys.current();
    await keys.byId('k1');
    await keys.current();

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('rejects a secret that is not JSON', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret('k1=abc'));

    // Act
    const reading = keys.current();

    // Assess
    await expect(reading).rejects.toThrow();
  });

  it('rejects a secret that names no current key', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ k1: K1 })));

    // Act
    const reading = keys.byId('k1');

    // Assess
    await expect(reading).rejects.toThrow('the link-key secret is malformed');
  });

  it('rejects a secret whose current kid has no key', async () => {
    // Prepare
    const keys = new SecretSigningKeys(givenSecret(JSON.stringify({ current: 'k2', k1: K1 })));

    // Act
    const reading = keys.current();

    // Assess
    await expect(reading).rejects.toThrow('the link-key secret names a current key it does not hold');
  });
});
