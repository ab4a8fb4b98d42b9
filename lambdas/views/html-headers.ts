import { createHash } from 'node:crypto';

/**
 * Headers of every HTML page: nothing loads from elsewhere (the one stylesheet is allowed by its hash),
 * nothing frames the page, nothing caches it, and no referrer leaves it. `imageOrigin` (a tenant's logo,
 * page-brand.ts) is the one https origin images may come from; without it, no image loads.
 */
export function htmlPageHeaders(
  style: string,
  formAction: "'self'" | "'none'",
  imageOrigin?: string,
): Record<string, string> {
  const styleHash = createHash('sha256').update(style).digest('base64');
  // Only an https origin, as URL#origin writes it: nothing that could end the directive or add a source.
  const img =
    imageOrigin && /^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(imageOrigin) ? `; img-src ${imageOrigin}` : '';
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'${img}; style-src 'sha256-${styleHash}'; form-action ${formAction}; base-uri 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  };
}
