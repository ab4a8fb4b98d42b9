import { VENDOR_NAME } from '../../domain/defaults';
import type { TenantConfig } from '../../domain/ports';
import { html, type SafeHtml } from '../html';

/**
 * The tenant's brand on the pages (the room, the link pages, the one-pager), within their strict CSP: the
 * brand colour is one more rule in the page's one stylesheet (the CSP allows that stylesheet by its hash, so
 * the hash is taken of the branded stylesheet), and the logo is one `<img>` whose https origin, and nothing
 * else, the CSP's `img-src` allows. Both settings are validated at deploy time (lib/tenant-config.ts:
 * `#rrggbb`, an https URL) and again here: anything else is left out, never written into CSS or the CSP.
 */
export interface PageBrand {
  /** `#rrggbb`, and the text colour that reads on it (black or white). */
  color?: { background: string; text: string };
  /** The logo: its URL as parsed, its origin (the CSP's img-src) and its alt text (the vendor's name). */
  logo?: { url: string; origin: string; alt: string };
}

/** No brand: the pages as they were (their headers and stylesheets unchanged). */
export const NO_BRAND: PageBrand = {};

export function pageBrand(
  config: {
    [K in keyof Pick<TenantConfig, 'vendorName' | 'brandColor' | 'logoUrl'>]?: string | undefined;
  },
): PageBrand {
  const color = brandColor(config.brandColor);
  const logo = logoOf(config.logoUrl, config.vendorName ?? VENDOR_NAME);
  return { ...(color ? { color } : {}), ...(logo ? { logo } : {}) };
}

function brandColor(value: string | undefined): PageBrand['color'] {
  if (!value || !/^#[0-9a-fA-F]{6}$/.test(value)) return undefined;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(value.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Whichever of white and near-black contrasts more with the background (WCAG relative luminance).
  const onWhite = 1.05 / (luminance + 0.05);
  const onBlack = (luminance + 0.05) / 0.0625;
  return { background: value.toLowerCase(), text: onWhite >= onBlack ? '#ffffff' : '#1a1a1a' };
}

function logoOf(value: string | undefined, alt: string): PageBrand['logo'] {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  // https only, no credentials; the origin is scheme, host and port, which is all the CSP names.
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  // A host name (not an IPv6 literal) and a port at most: the same test the CSP's img-src makes.
  if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(url.origin)) return undefined;
  return { url: url.href, origin: url.origin, alt };
}

/** The brand's CSS rules for a stylesheet: `selectors` (its main buttons) get the brand colour as background. */
export function brandCss(brand: PageBrand, selectors: string): string {
  const c = brand.color;
  const colour = c
    ? `${selectors}{background:${c.background};color:${c.text}}body{border-top:4px solid ${c.background}}`
    : '';
  // A wide logo shrinks to the phone's width rather than scroll the page sideways.
  const logo = brand.logo ? '.brand-logo{margin:0 0 .5rem}.brand-logo img{max-width:100%;height:auto}' : '';
  return colour + logo;
}

/** The logo at the top of a page (sent with no referrer, so a link's token never reaches the logo's host). */
export function brandHeader(brand: PageBrand): SafeHtml | undefined {
  const logo = brand.logo;
  if (!logo) return undefined;
  return html`<p class="brand-logo"><img src="${logo.url}" alt="${logo.alt}" height="32" referrerpolicy="no-referrer"></p>`;
}

/** The CSP's img-src: the logo's origin alone, or nothing (default-src 'none' then blocks every image). */
export function brandImageSource(brand: PageBrand): string | undefined {
  return brand.logo?.origin;
}
