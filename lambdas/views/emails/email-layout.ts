import type { Deal } from '../../domain/deal';
import type { LinkedAsk } from '../../domain/notifications';
import { roomLinkMark } from '../../domain/use-cases/room';
import { html, join, type SafeHtml } from '../html';
import { DEFAULT_BRAND_COLOR } from './branding';

/**
 * The one shape of every email: a greeting, an intro, sections of lines (each with its links), a footer;
 * as plain text and as HTML. Links read `    <label>: <url>` in the text part, so tools that list links
 * find them.
 */

export interface Section {
  heading: string;
  lines: { text: string; links?: { label: string; url: string }[] }[];
}

export interface EmailBody {
  greeting: string;
  intro: string;
  sections: Section[];
  footer: string;
  /** The deals whose room the email links to (the recipient's own view link, signed as the email leaves). */
  rooms: Deal[];
}

/** A button a thumb can hit: at least 44 px tall (inline styles: mail clients drop stylesheets). */
export const BUTTON_STYLE = `display:inline-block;min-height:48px;line-height:48px;padding:0 16px;margin:4px 4px 4px 0;background:${DEFAULT_BRAND_COLOR};color:#ffffff;border-radius:6px;text-decoration:none;font-weight:bold`;

/** The line each email ends its content with: the recipient's view link to each deal's room. */
export function roomLines(rooms: Deal[]): string[] {
  return rooms.map((d) => `See the whole deal (${d.plan.name}): ${roomLinkMark(d.planId)}`);
}

export function roomButtons(rooms: Deal[]): SafeHtml {
  return html`${rooms.map(
    (d) =>
      html`<p><a href="${roomLinkMark(d.planId)}" style="${BUTTON_STYLE}">${rooms.length > 1 ? `Open ${d.plan.name}` : 'See the whole deal'}</a></p>`,
  )}`;
}

/** Every email about a deal speaks for its vendor owner: From "<owner> via <vendor>", Reply-To the owner. */
export function fromVendorOwner(deal: Deal): { onBehalfOf?: { name: string; email: string } } {
  const o = deal.plan.owners.vendor;
  return o ? { onBehalfOf: { name: o.name, email: o.email } } : {};
}

export const FOOTER =
  'Each link does one thing, once, for you only, and expires. Opening it shows a page; nothing happens until you confirm there.';

const BODY_STYLE = 'font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5';

export function renderEmail({ greeting, intro, sections, footer, rooms }: EmailBody): {
  text: string;
  html: string;
} {
  const text = [
    greeting,
    '',
    intro,
    ...sections.flatMap((s) => [
      '',
      s.heading,
      ...s.lines.flatMap((l) => [`- ${l.text}`, ...(l.links ?? []).map((k) => `    ${k.label}: ${k.url}`)]),
    ]),
    ...(rooms.length ? ['', ...roomLines(rooms)] : []),
    '',
    footer,
  ].join('\n');
  const body = sections.map(
    (s) =>
      html`<h2 style="font-size:16px">${s.heading}</h2><ul>${s.lines.map(
        (l) =>
          html`<li>${l.text}${join(
            (l.links ?? []).map((k) => html` <a href="${k.url}" style="${BUTTON_STYLE}">${k.label}</a>`),
          )}</li>`,
      )}</ul>`,
  );
  return { text, html: emailDocument(greeting, intro, [...body, roomButtons(rooms)], footer) };
}

/** The HTML document around an email's content; `content` goes between the intro and the footer. */
export function emailDocument(
  greeting: string,
  intro: string,
  content: SafeHtml | SafeHtml[],
  footer: string,
): string {
  return html`<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head><body style="${BODY_STYLE}"><p>${greeting}</p><p>${intro}</p>${content}<p style="color:#555;font-size:13px">${footer}</p></body></html>`.toString();
}

/** Asks about the same thing as one line with several links. */
export function groupAsks(asks: LinkedAsk[]): Section['lines'] {
  const byAbout = new Map<string, LinkedAsk[]>();
  for (const a of asks) byAbout.set(a.about, [...(byAbout.get(a.about) ?? []), a]);
  return [...byAbout.entries()].map(([about, items]) => ({
    text: about,
    links: items.map((a) => ({ label: a.label, url: a.url })),
  }));
}
