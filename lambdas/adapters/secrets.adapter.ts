import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { SigningKey, SigningKeys } from '../domain/links';

/**
 * Link-signing keys from the tenant's Secrets Manager secret `{"current": "<kid>", "<kid>": "<key>", ...}`,
 * cached for five minutes. Rotation adds a key and moves `current`; older keys verify until removed.
 */
export class SecretSigningKeys implements SigningKeys {
  constructor(private readonly secretId: string) {}

  async current(): Promise<SigningKey> {
    const secret = await this.load();
    const key = keyOf(secret, secret.current);
    if (!key) throw new Error('the link-key secret names a current key it does not hold');
    return { kid: secret.current, key: Buffer.from(key, 'utf8') };
  }

  async byId(kid: string): Promise<Uint8Array | undefined> {
    const secret = await this.load();
    const key = kid === 'current' ? undefined : keyOf(secret, kid);
    return key ? Buffer.from(key, 'utf8') : undefined;
  }

  private async load(): Promise<Record<string, string> & { current: string }> {
    const secret = await getSecret<Record<string, string> & { current: string }>(this.secretId, {
      transform: 'json',
      maxAge: 300,
    });
    if (!secret || typeof secret.current !== 'string') throw new Error('the link-key secret is malformed');
    return secret;
  }
}

/** A key the secret itself holds: a kid from a token such as `constructor` must not reach Object.prototype. */
function keyOf(secret: Record<string, unknown>, kid: string): string | undefined {
  const key = Object.hasOwn(secret, kid) ? secret[kid] : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}
