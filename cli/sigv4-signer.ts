import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';

/**
 * SigV4 for the IAM-authorized routes of a deployed tenant's HTTP API (service `execute-api`). The signer is
 * the AWS SDK's own (`@smithy/signature-v4`); its SHA-256 comes from node:crypto (what `@smithy/hash-node`
 * does), so no extra crypto package is needed. Loaded only when a request is signed: the local stack needs none.
 */

function bytes(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA-256 when given a secret) in the shape the signer expects. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }

  update(data: Uint8Array | string): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface SigningOptions {
  credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>);
  region: string;
  service?: string;
  /** Fixed in tests; now otherwise. */
  signingDate?: Date;
}

/** The request's headers plus `authorization`, `x-amz-date`, `x-amz-content-sha256` (and the session token). */
export async function signRequest(
  request: SignableRequest,
  options: SigningOptions,
): Promise<Record<string, string>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service ?? 'execute-api',
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const { url } = request;
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = query[key];
    query[key] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const body = request.body ?? '';
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      // The signer hashes the body into the canonical request; the header lets API Gateway check it too.
      headers: {
        ...request.headers,
        host: url.host,
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
      body,
    },
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Credentials from the default provider chain (env, SSO, shared files, container, instance metadata). */
export async function defaultCredentials(profile?: string): Promise<() => Promise<AwsCredentialIdentity>> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider(profile ? { profile } : {});
}
