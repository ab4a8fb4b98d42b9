import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../domain/ports';
import { KEY_RING_MAX_AGE_SECONDS, KeyRingSigningKeys } from '../domain/signing-keys';

let client: SecretsManagerClient | undefined;
/** Parsed secrets by id, each until it expires (per function instance, as Powertools' cache was). */
const cache = new Map<string, { value: unknown; expiresAt: number }>();

/**
 * A secret's JSON value, cached for `maxAgeSeconds` unless `fresh`. What Powertools' `getSecret(id,
 * {transform: 'json', maxAge, forceFetch})` did, in a few lines instead of its ~5.5 KB in each bundle (the
 * 1.25x bundle budget): a failed read is a `GetParameterError` carrying the SDK error as its cause, and a
 * value that is not JSON a `TransformParameterError`.
 */
export async function readJsonSecret(secretId: string, maxAgeSeconds: number, fresh: boolean) {
  const hit = cache.get(secretId);
  if (!fresh && hit && hit.expiresAt > Date.now()) return hit.value;
  let text: string | undefined;
  try {
    client ??= new SecretsManagerClient({});
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = result.SecretString || (result.SecretBinary && Buffer.from(result.SecretBinary).toString('utf8'));
  } catch (error) {
    throw named('GetParameterError', (error as Error).message, error);
  }
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw named('TransformParameterError', `Unable to transform value using 'json' transform`, error);
  }
  cache.set(secretId, { value, expiresAt: Date.now() + maxAgeSeconds * 1000 });
  return value;
}

/** Forget every cached secret (tests). */
export function clearSecretCache(): void {
  cache.clear();
}

function named(name: string, message: string, cause: unknown): Error {
  const error = new Error(message, { cause });
  error.name = name;
  return error;
}

/**
 * Link-signing keys from the tenant's Secrets Manager secret, a key ring
 * `{"current": "k2", "k2": "<key>", "k1": "<key>", "k1.retiredAt": "<ISO instant>"}` (domain/signing-keys.ts),
 * cached for five minutes. Which keys verify depends on the clock and the tenant's link lifetime: a retired
 * key verifies until the links it signed have expired.
 */
export class SecretSigningKeys extends KeyRingSigningKeys {
  constructor(secretId: string, clock: Clock, linkTtlDays: number) {
    super(({ fresh }) => readJsonSecret(secretId, KEY_RING_MAX_AGE_SECONDS, fresh), clock, linkTtlDays);
  }
}
