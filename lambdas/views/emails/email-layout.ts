import type { LinkedAsk } from '../../domain/notifications';
import { html, join, type SafeHtml } from '../html';

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
}

export const FOOTER =
  'Each link does one thing, once, for you only, and expires. Opening it shows a page; nothing happens until you confirm there.';

const BODY_STYLE = 'font-family:Arial,sans-serif;color:#1a1a1a;line-height:1.5';

export function renderEmail({ greeting, intro, sections, footer }: EmailBody): {
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
    '',
    footer,
  ].join('\n');
  const body = sections.map(
    (s) =>
      html`<h2 style="font-size:16px">${s.heading}</h2><ul>${s.lines.map(
        (l) =>
          html`<li>${l.text}${join(
            (l.links ?? []).map((k) => html` <a href="${k.url}">${k.label}</a>`),
            ' ·',
          )}</li>`,
      )}</ul>`,
  );
  return { text, html: emailDocument(greeting, intro, body, footer) };
}

/** The HTML document around an email's content; `content` goes between the intro and the footer. */
export function emailDocument(
  greeting: string,
  intro: string,
  content: SafeHtml | SafeHtml[],
  footer: string,
): string {
  return html`<!doctype html><html><body style="${BODY_STYLE}"><p>${greeting}</p><p>${intro}</p>${content}<p style="color:#555;font-size:13px">${footer}</p></body></html>`.toString();
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
