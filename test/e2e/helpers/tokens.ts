import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type LinkAction,
  type LinkClaims,
  newNonce,
  peekClaims,
  signLink,
} from '../../../lambdas/domain/links';
import { localNow } from './local-stack';

/**
 * Mints action links the way the stack does, with the stack's own local signing key
 * (`<state dir>/link-keys.json`), so that a test can hold many valid links for one target, or a valid link
 * the stack would never send (to someone who may not act, for another tenant). Only the e2e tests that
 * probe the link checks need this; everything else uses the links in the outbox.
 */

/** The tenant the local stack runs as (`LOCAL_TENANT` in `local/runtime.ts`). */
export const LOCAL_TENANT = 'local';
/** The local stack's link lifetime (`linkTtlDays` in `local/runtime.ts`). */
export const LINK_TTL_DAYS = 14;

/** `link-keys.json`: `{"current": "<kid>", "<kid>": "<key>", ...}`. */
export type LinkKeyFile = { current: string } & Record<string, string>;

export function readLinkKeys(stateDir: string): LinkKeyFile {
  const file = join(stateDir, 'link-keys.json');
  const keys = JSON.parse(readFileSync(file, 'utf8')) as LinkKeyFile;
  if (typeof keys.current !== 'string' || typeof keys[keys.current] !== 'string') {
    throw new Error(`${file} names no current key: ${Object.keys(keys).join(', ')}`);
  }
  return keys;
}

/** The token of an action link (`<base>/a/<token>`). */
export function tokenOf(url: string): string {
  const m = /\/a\/([^/?#]+)$/.exec(url);
  if (!m) throw new Error(`not an action link: ${url}`);
  return decodeURIComponent(m[1] as string);
}

/** What a link says about itself (its signature unchecked). */
export function claimsOf(url: string): LinkClaims {
  const claims = peekClaims(tokenOf(url));
  if (!claims) throw new Error(`the link's payload does not decode: ${url}`);
  return claims;
}

export interface MintOptions {
  planId: string;
  action: LinkAction;
  /** A stage key for `confirm-gate`, a milestone id otherwise. */
  target: string;
  recipient: string;
  /** Epoch seconds; default the local clock's now plus the link lifetime. */
  exp?: number;
  /** Default `local`, the stack's own; anything else must be refused. */
  tenant?: string;
  nonce?: string;
}

/** How the stored key text becomes HMAC key bytes: found by reproducing a link the stack sent. */
const KEY_ENCODINGS = ['utf8', 'base64url'] as const;

export class LinkMinter {
  /** Every token minted so far (e.g. to check that none reaches a log). */
  readonly minted: string[] = [];

  private constructor(
    readonly base: string,
    readonly kid: string,
    private readonly key: Uint8Array,
  ) {}

  /**
   * A minter for the stack at `base` with state in `stateDir`. `sample` is a link the stack itself sent: the
   * key encoding is the one that re-signs it to the very same token, so the minted links are exactly what
   * the stack would have sent (and a change in how keys are read fails here, loudly, not as a false refusal).
   */
  static forStack(base: string, stateDir: string, sample: string): LinkMinter {
    const keys = readLinkKeys(stateDir);
    const token = tokenOf(sample);
    const claims = claimsOf(sample);
    const sampleKey = keys[claims.kid];
    if (typeof sampleKey !== 'string')
      throw new Error(`the sample link's key ${claims.kid} is not in the key file`);
    for (const encoding of KEY_ENCODINGS) {
      if (signLink(LOCAL_TENANT, claims, Buffer.from(sampleKey, encoding)) === token) {
        return new LinkMinter(base, keys.current, Buffer.from(keys[keys.current] as string, encoding));
      }
    }
    throw new Error(
      `no reading of ${join(stateDir, 'link-keys.json')} (${KEY_ENCODINGS.join(', ')}) re-signs a link the stack sent; ` +
        'has the signing key format changed?',
    );
  }

  async mint(o: MintOptions): Promise<string> {
    const exp = o.exp ?? Math.floor((await localNow(this.base)).getTime() / 1000) + LINK_TTL_DAYS * 86_400;
    const token = signLink(
      o.tenant ?? LOCAL_TENANT,
      {
        kid: this.kid,
        planId: o.planId,
        action: o.action,
        target: o.target,
        recipient: o.recipient,
        exp,
        nonce: o.nonce ?? newNonce(),
      },
      this.key,
    );
    this.minted.push(token);
    return `${this.base}/a/${token}`;
  }

  /** `count` links for the same action, target and recipient, each with its own nonce. */
  async mintMany(count: number, o: Omit<MintOptions, 'nonce'>): Promise<string[]> {
    const exp = o.exp ?? Math.floor((await localNow(this.base)).getTime() / 1000) + LINK_TTL_DAYS * 86_400;
    return Promise.all(Array.from({ length: count }, () => this.mint({ ...o, exp })));
  }
}
