import { html, raw, type SafeHtml } from '../html';
import { htmlPageHeaders } from '../html-headers';

/**
 * The printable pages (the program report and a plan's one-pager): server-rendered HTML, no script, no
 * external assets; charts are inline SVG coloured with presentation attributes (a `style` attribute would
 * need `'unsafe-hashes'`), so the one stylesheet below is all the CSP allows.
 */

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
  '@page{size:A4;margin:12mm}',
  '@media print{html{font-size:11px}body{background:#fff}main{max-width:none;padding:0}.card,.kpi{border:0;border-radius:0;padding:0;margin-bottom:.5rem}th,td{padding:.15rem .3rem}svg,tr,dl,.kpi{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}}',
].join('');

/** Headers of the printable pages (see html-headers.ts): no forms at all. */
export const PRINT_PAGE_HEADERS = htmlPageHeaders(PRINT_STYLE, "'none'");

export function printLayout(title: string, body: SafeHtml): string {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${title} · Cosell Flow</title><style>${raw(PRINT_STYLE)}</style></head><body><main>${body}</main></body></html>`.toString();
}
