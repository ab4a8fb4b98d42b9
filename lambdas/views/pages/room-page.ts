import type { RoomPage } from '../../domain/use-cases/room';
import { html } from '../html';
import { renderDealPage } from './deal-page';
import { NO_BRAND, type PageBrand } from './page-brand';
import { PRINT_PAGE_HEADERS, printLayout, printPageHeaders } from './print-layout';

/**
 * `GET|HEAD /room/<token>`: the deal room, read-only, no script, no form; the reader's buttons are links to
 * their action pages. The headers are the printable pages' (nothing loads from elsewhere, no form at all).
 */
export const ROOM_PAGE_HEADERS = PRINT_PAGE_HEADERS;

/** The headers of the tenant's branded room (page-brand.ts): the same CSP, its stylesheet's hash, the logo's origin. */
export const roomPageHeaders = (brand: PageBrand = NO_BRAND) => printPageHeaders(brand);

export function renderRoomPage(page: RoomPage, now: Date, brand: PageBrand = NO_BRAND): string {
  if (page.kind === 'room') return renderDealPage(page.room, 'room', now, brand);
  return printLayout(
    page.title,
    html`<h1>${page.title}</h1><div class="card"><p>${page.message}</p><p class="muted">If you still work on this deal, ask its vendor owner to add you to the plan.</p></div>`,
    brand,
  );
}
