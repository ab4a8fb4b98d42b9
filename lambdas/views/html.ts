/**
 * The one way views write HTML: a tagged template that escapes every interpolated value unless it is
 * already `SafeHtml`, that is a nested html`` or markup explicitly trusted with `raw(...)`. Arrays render
 * item by item and join; `null`, `undefined` and `false` render as nothing, so `${cond && html`...`}` works.
 */

/** Only this module holds it, so only `html`, `raw` and `join` can make a SafeHtml. */
const MINT = /* @__PURE__ */ Symbol('SafeHtml');

/** Markup that is safe to emit as it is. Only `html`, `raw` and `join` make one (the private field brands it). */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string, mint: symbol) {
    if (mint !== MINT) throw new TypeError('SafeHtml comes only from html``, raw() or join()');
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

const mint = (markup: string) => new SafeHtml(markup, MINT);

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/** The five HTML-significant characters as numeric references; safe in text and in quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let markup = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) markup += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return mint(markup);
}

/** Trusts `markup` as it is: for the views' own constant fragments (a stylesheet), never for data. */
export function raw(markup: string): SafeHtml {
  return mint(markup);
}

/** Renders each item (escaped unless SafeHtml) with `separator` between them. */
export function join(items: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  return mint(items.map(render).join(render(separator)));
}
