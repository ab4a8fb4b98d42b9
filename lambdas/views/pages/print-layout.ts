import { html, raw, type SafeHtml } from '../html';
import { htmlPageHeaders } from '../html-headers';
import { brandCss, brandHeader, brandImageSource, NO_BRAND, type PageBrand } from './page-brand';

/**
 * The printable pages (the program report and a plan's one-pager): server-rendered HTML, no script, no
 * external assets; charts are inline SVG coloured with presentation attributes (a `style` attribute would
 * need `'unsafe-hashes'`), so the one stylesheet below is all the CSP allows.
 */

/** Below `width`, each row of `table` is a card: one line per cell, its column's name (`data-label`) first. */
function stackedCards(table: string, width: string): string {
  const t = table;
  return `@media screen and (max-width:${width}){${t},${t} tbody,${t} tr,${t} td,${t} caption{display:block;width:auto}${t} thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}${t} tr{border:1px solid #d0d4da;border-radius:6px;margin:.5rem 0;padding:.25rem .5rem}${t} td{border:0;display:grid;grid-template-columns:minmax(5.5rem,38%) minmax(0,1fr);gap:.5rem;padding:.15rem 0;text-align:left}${t} td[data-label]::before{content:attr(data-label);font-weight:600;color:#4b5563}}`;
}

export const PRINT_STYLE = [
  'body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;margin:0;color:#1a1a1a;background:#f6f7f9;line-height:1.45}',
  'main{max-width:60rem;margin:0 auto;padding:1rem}',
  'h1{font-size:1.4rem;margin:.5rem 0 .25rem}',
  'h2{font-size:1.1rem;margin:0 0 .5rem}',
  'h3{font-size:1rem;margin:.75rem 0 .25rem}',
  'p{margin:.35rem 0}',
  'ul,ol{padding-left:1.25rem;margin:.35rem 0}',
  '.card{background:#fff;border:1px solid #d0d4da;border-radius:8px;padding:.9rem 1rem;margin-bottom:1rem}',
  '.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:0 1rem}',
  '.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem;margin:.5rem 0 1rem}',
  '.kpi{background:#fff;border:1px solid #d0d4da;border-radius:8px;padding:.5rem .75rem}',
  '.kpi b{display:block;font-size:1.25rem}',
  '.muted{color:#4b5563;font-size:.9rem}',
  'table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}',
  'caption{text-align:left;font-weight:600;padding:.25rem 0}',
  'th,td{border-bottom:1px solid #e5e7eb;padding:.3rem .4rem;text-align:left;vertical-align:top}',
  'td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}',
  'td.date{white-space:nowrap;font-variant-numeric:tabular-nums}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:0}dt{font-weight:600}dd{margin:0}',
  'del{color:#a50e0e}ins{text-decoration:none;font-weight:600}',
  '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
  '.status{display:inline-block;border:1px solid #6b7280;border-radius:4px;padding:0 .3rem;font-size:.8rem}',
  '.current{background:#e8f0fe}',
  'svg.chart{width:100%;height:auto;max-width:49rem;display:block}',
  'details{margin:.25rem 0}',
  // The deal room: the reader's buttons (at least 44 px tall), and wide tables scrolling inside their card.
  '.actions{list-style:none;padding:0}.actions li{margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}',
  '.btn{display:inline-block;min-height:48px;line-height:48px;padding:0 1rem;background:#0b57d0;color:#fff;border-radius:6px;text-decoration:none;font-weight:600}',
  '.scroll{overflow-x:auto;max-width:100%}',
  'main{overflow-wrap:anywhere}',
  // The report and dashboard: filter chips, health, and on a phone each table row a stacked card (CSS only).
  '.chips{display:flex;flex-wrap:wrap;gap:.35rem;margin:.25rem 0}.chip{border:1px solid #d0d4da;border-radius:999px;padding:.1rem .6rem;text-decoration:none;color:#1a1a1a;font-size:.85rem}.chip.on{background:#e8f0fe;border-color:#0b57d0}',
  '.health{font-weight:600}.health.stalled{color:#a50e0e}.health.needs-attention{color:#8a1c7c}.health.at-risk{color:#8a5300}.health.on-track{color:#146c2e}',
  'code{font-size:.8rem;overflow-wrap:anywhere}',
  '@media screen and (max-width:40rem){main{padding:.5rem}.kpis{grid-template-columns:1fr 1fr}}',
  // Figures and headers wrap only between words (main breaks long words anywhere for the phone).
  'table.cards th,td.num{overflow-wrap:normal}',
  stackedCards('table.cards', '48rem'),
  // The dashboard's 13 columns stack up to a laptop's width; wider, the page widens to hold them.
  stackedCards('table.wide', '72rem'),
  '@media screen and (min-width:72.01rem){main:has(table.wide){max-width:100rem}table.wide td,table.wide th{overflow-wrap:normal}}',
  '@page{size:A4;margin:12mm}',
  '@media print{html{font-size:11px}body{background:#fff}main{max-width:none;padding:0}.card,.kpi{border:0;border-radius:0;padding:0;margin-bottom:.5rem}th,td{padding:.15rem .3rem}svg,tr,dl,.kpi{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}}',
].join('');

/** Headers of the printable pages (see html-headers.ts): no forms at all. */
export const PRINT_PAGE_HEADERS = htmlPageHeaders(PRINT_STYLE, "'none'");

/** The printable pages' stylesheet with the tenant's brand (page-brand.ts): the room's buttons in its colour. */
const printStyle = (brand: PageBrand) => PRINT_STYLE + brandCss(brand, '.btn');

/** The headers of a branded printable page: its stylesheet's hash, and the logo's origin for img-src. */
export function printPageHeaders(brand: PageBrand = NO_BRAND): Record<string, string> {
  if (!brand.color && !brand.logo) return PRINT_PAGE_HEADERS;
  return htmlPageHeaders(printStyle(brand), "'none'", brandImageSource(brand));
}

export function printLayout(title: string, body: SafeHtml, brand: PageBrand = NO_BRAND): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title} · Cosell Flow</title><style>${raw(printStyle(brand))}</style></head><body><main>${brandHeader(brand)}${body}</main></body></html>`.toString();
}
