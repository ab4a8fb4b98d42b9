import { VENDOR_NAME } from '../../domain/defaults';
import type { DealSnapshot } from '../../domain/ports';
import { dealRoom } from '../../domain/room';
import { renderDealPage } from './deal-page';
import { NO_BRAND, type PageBrand } from './page-brand';
import { PRINT_PAGE_HEADERS, printPageHeaders } from './print-layout';

/**
 * `GET /plans/{planId}/one-pager`: a deal's co-sell plan as one printable page (two at most): the seven
 * sections, where the deal stands, and the milestone timeline with every slip shown as the original date
 * struck through and the new one beside it. The same renderer as the deal room (deal-page.ts), for ops:
 * everything shown, the plan's own dates.
 */

export const ONE_PAGER_HEADERS = PRINT_PAGE_HEADERS;

/** The headers of the tenant's branded one-pager (page-brand.ts). */
export const onePagerHeaders = (brand: PageBrand = NO_BRAND) => printPageHeaders(brand);

export function renderOnePager(snapshot: DealSnapshot, now: Date, brand: PageBrand = NO_BRAND): string {
  return renderDealPage(dealRoom(snapshot, now, 'ops', { vendorName: VENDOR_NAME }), 'print', now, brand);
}
