import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Clock } from '../domain/ports';
import { KEY_RING_MAX_AGE_SECONDS, KeyRingSigningKeys } from '../domain/signing-keys';

/**
 * Link-signing keys from the tenant's Secrets Manager secret, a key ring
 * `{"current": "k2", "k2": "<key>", "k1": "<key>", "k1.retiredAt": "<ISO instant>"}` (domain/signing-keys.ts),
 * read through Powertools' cached provider (five minutes). Which keys verify depends on the clock and the
 * tenant's link lifetime: a retired key verifies until the links it signed have expired.
 */
export class SecretSigningKeys extends KeyRingSigningKeys {
  constructor(secretId: string, clock: Clock, linkTtlDays: number) {
    super(
      ({ fresh }) =>
        getSecret(secretId, { transform: 'json', maxAge: KEY_RING_MAX_AGE_SECONDS, forceFetch: fresh }),
      clock,
      linkTtlDays,
    );
  }
}
