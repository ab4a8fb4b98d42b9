import { html, type SafeHtml } from '../html';

/**
 * The pieces the report page is built from. Every cell carries its column's name (`data-label`), so on a
 * phone the stylesheet turns each row into a stacked card (print-layout.ts), with no script.
 */

export type Cell = string | SafeHtml;

export function table(
  caption: string,
  head: string[],
  rows: Cell[][],
  numeric: number[] = [],
  className = 'cards',
): SafeHtml {
  const cls = (i: number) => (numeric.includes(i) ? html` class="num"` : undefined);
  const th = head.map((h, i) => html`<th scope="col"${cls(i)}>${h}</th>`);
  const body = rows.length
    ? rows.map(
        (r) => html`<tr>${r.map((c, i) => html`<td data-label="${head[i] ?? ''}"${cls(i)}>${c}</td>`)}</tr>`,
      )
    : html`<tr><td colspan="${head.length}">None.</td></tr>`;
  return html`<table class="${className}"><caption>${caption}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A card with a heading (`h-<id>`) and what goes under it. */
export function section(id: string, heading: string, ...content: SafeHtml[]): SafeHtml {
  return html`<section class="card" aria-labelledby="h-${id}"><h2 id="h-${id}">${heading}</h2>${content}</section>`;
}

/** The definitions under a section: how each of its figures is computed. */
export function method(items: readonly string[]): SafeHtml {
  return html`<details class="method"><summary>How these figures are computed</summary><ul>${items.map((m) => html`<li>${m}</li>`)}</ul></details>`;
}
