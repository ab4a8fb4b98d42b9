import { createHash } from 'node:crypto';

/**
 * Headers of every HTML page: nothing loads from elsewhere (the one stylesheet is allowed by its hash),
 * nothing frames the page, nothing caches it, and no referrer leaves it.
 */
export function htmlPageHeaders(style: string, formAction: "'self'" | "'none'"): Record<string, string> {
  const styleHash = createHash('sha256').update(style).digest('base64');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'sha256-${styleHash}'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  };
}
