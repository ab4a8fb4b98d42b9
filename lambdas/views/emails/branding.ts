import { VENDOR_NAME } from '../../domain/defaults';
import type { TenantConfig } from '../../domain/ports';
import { VENDOR_NAME_MARK } from '../../domain/use-cases/room';
import { escapeHtml } from '../html';

/** The views' button colour (email-layout.ts BUTTON_STYLE), replaced by the tenant's `brandColor`. */
export const DEFAULT_BRAND_COLOR = '#0b57d0';

/**
 * Finishes an email's HTML for the tenant (RoomLinkMailer calls it as the email leaves): the vendor name
 * where the views marked it, escaped; buttons in `brandColor`; `logoUrl` at the top. Both settings are
 * validated at deploy time (`#rrggbb`, an https URL) and checked and escaped here all the same.
 */
export function emailBranding(
  config: Pick<TenantConfig, 'vendorName' | 'brandColor' | 'logoUrl'>,
): (html: string) => string {
  const vendor = escapeHtml(config.vendorName ?? VENDOR_NAME);
  const color =
    config.brandColor && /^#[0-9a-fA-F]{6}$/.test(config.brandColor) ? config.brandColor : undefined;
  const logo =
    config.logoUrl && /^https:\/\/\S+$/.test(config.logoUrl) ? escapeHtml(config.logoUrl) : undefined;
  return (html) => {
    let out = html.replaceAll(VENDOR_NAME_MARK, vendor);
    if (color) out = out.replaceAll(`background:${DEFAULT_BRAND_COLOR}`, `background:${color}`);
    if (logo) {
      out = out.replace(
        /(<body[^>]*>)/,
        (body) => `${body}<p><img src="${logo}" alt="${vendor}" height="32" style="height:32px"></p>`,
      );
    }
    return out;
  };
}
