import { VENDOR_NAME } from '../../domain/defaults';
import type { DealSnapshot } from '../../domain/ports';
import { dealRoom } from '../../domain/room';
import { renderDealPage } from './deal-page';
import { PRINT_PAGE_HEADERS } from './print-layout';

/**
 * `GET /plans/{planId}/one-pager`: a deal's co-sell plan as one printable page (two at most): the seven
 * sections, where the deal stands, and the milestone timeline with every slip shown as the original date
 * struck through and the new one beside it. The same renderer as the deal room (deal-page.ts), for ops:
 * everything shown, the plan's own dates.
 */

export const ONE_PAGER_HEADERS = PRINT_PAGE_HEADERS;

export function renderOnePager(snapshot: DealSnapshot, now: Date): string {
  return renderDealPage(dealRoom(snapshot, now, 'ops', { vendorName: VENDOR_NAME }), 'print', now);
}
