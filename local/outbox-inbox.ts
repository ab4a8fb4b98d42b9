import { html, raw } from '../lambdas/views/html';
import type { OutboxEmail } from './ses-local';

/**
 * `GET /_local/outbox` for a browser (`Accept: text/html`): the local outbox as an inbox, newest first, each
 * mail as its recipient sees it (its HTML in a sandboxed frame, links opening in the page), with filters by
 * recipient and by deal. Any other client gets the same JSON as always; `?to=` and `?planId=` filter both.
 * Local only: never deployed.
 */

export interface InboxFilter {
  to?: string;
  planId?: string;
}

/** The deal an email is about, from the plan id its links carry (action links and view links alike). */
export function planIdOf(email: Pick<OutboxEmail, 'text'>): string | undefined {
  for (const m of email.text.matchAll(/https?:\/\/\S+\/(?:a|room)\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)) {
    try {
      const fields = JSON.parse(Buffer.from(m[1] as string, 'base64url').toString('utf8')) as unknown[];
      if (Array.isArray(fields) && typeof fields[2] === 'string') return fields[2];
    } catch {
      // not a link payload: try the next
    }
  }
  return undefined;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * `?since=` of `GET /_local/outbox`: a cursor (a whole number: the `x-outbox-cursor` an earlier answer gave,
 * i.e. how many emails it had seen) keeps the emails after that position; an ISO 8601 instant keeps those
 * sent after it (by the local clock). `total` is the outbox's size now. A message naming the field otherwise.
 */
export function parseOutboxSince(
  value: string | null | undefined,
  total: number,
): { from: number } | { after: string } | { error: string } {
  if (value === null || value === undefined) return { from: 0 };
  if (/^\d{1,15}$/.test(value)) {
    const from = Number(value);
    if (from > total)
      return { error: `since: cursor ${from} is past the end of the outbox (${total} emails)` };
    return { from };
  }
  const ms = ISO_INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    return { error: `since: "${value}" is neither a cursor (a whole number) nor an ISO 8601 instant` };
  return { after: new Date(ms).toISOString() };
}

export function filterOutbox<E extends Pick<OutboxEmail, 'to' | 'cc' | 'text'>>(
  emails: E[],
  f: InboxFilter,
): E[] {
  const to = f.to?.trim().toLowerCase();
  return emails.filter(
    (e) =>
      (!to || [...e.to, ...e.cc].some((x) => x.toLowerCase() === to)) &&
      (!f.planId || planIdOf(e) === f.planId),
  );
}

const STYLE = [
  'body{font-family:system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1a1a1a}',
  'main{max-width:52rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}',
  'h1{font-size:1.3rem}',
  'form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}',
  'label{display:flex;flex-direction:column;font-size:.9rem;font-weight:600;flex:1 1 12rem;min-width:0}',
  'select,button{font:inherit;min-height:44px;max-width:100%}',
  'select{width:100%}',
  'code{overflow-wrap:anywhere}',
  '.mail{background:#fff;border:1px solid #d0d4da;border-radius:8px;padding:.75rem;margin-bottom:1rem;overflow-wrap:anywhere}',
  '.meta{font-size:.9rem;color:#4b5563;margin:.25rem 0}',
  'iframe{width:100%;height:28rem;border:1px solid #e5e7eb;border-radius:6px;background:#fff}',
  'pre{white-space:pre-wrap;font-size:.85rem}',
].join('');

/**
 * The inbox page's headers: no script at all; inline styles allowed, since each mail's frame inherits this
 * policy and mails carry their styles inline (local only, never deployed).
 */
export function inboxHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
}

export function renderInbox(all: OutboxEmail[], f: InboxFilter): string {
  // Each deal by the name its emails' subjects give it (`[<deal>] ...`).
  const names = new Map<string, string>();
  for (const e of all) {
    const id = planIdOf(e);
    const name = /^\[([^\]]+)\]/.exec(e.subject)?.[1];
    if (id && name && !names.has(id)) names.set(id, name);
  }
  const shown = filterOutbox(all, f)
    .slice()
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  const people = [...new Set(all.flatMap((e) => e.to.map((t) => t.toLowerCase())))].sort();
  const deals = [...new Set(all.map((e) => planIdOf(e)).filter((p): p is string => !!p))].sort();
  const option = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected && html` selected`}>${label}</option>`;
  const filters = html`<form method="get"><label>Recipient<select name="to">${option('', 'everyone', !f.to)}${people.map((p) => option(p, p, p === f.to?.toLowerCase()))}</select></label><label>Deal<select name="planId">${option('', 'every deal', !f.planId)}${deals.map((d) => option(d, names.get(d) ?? d, d === f.planId))}</select></label><button type="submit">Show</button></form>`;
  const mails = shown.map((e) => {
    // The mail's own HTML, links opening in this window (as a mail client opens them), no script anywhere.
    const doc = e.html.replace(/<head>|<html>/i, (m) => `${m}<base target="_top">`);
    return html`<article class="mail"><h2 class="meta"><strong>${e.subject}</strong></h2><p class="meta">To ${e.to.join(', ')}${e.cc.length ? ` · cc ${e.cc.join(', ')}` : ''} · ${e.sentAt.replace('T', ' ').slice(0, 16)} UTC${e.attachments.length ? ` · ${e.attachments.map((a) => a.filename ?? a.contentType).join(', ')}` : ''}</p><iframe title="${e.subject}" sandbox="allow-top-navigation-by-user-activation allow-popups" srcdoc="${doc}"></iframe><details><summary>Plain-text part</summary><pre>${e.text}</pre></details></article>`;
  });
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>Local inbox · Cosell Flow</title><style>${raw(STYLE)}</style></head><body><main><h1>Local inbox (${shown.length} of ${all.length})</h1><p class="meta">Every email the local stack sent, newest first, as each recipient sees it. The same list as JSON: <code>curl ${'/_local/outbox'}</code>.</p>${filters}${mails.length ? mails : html`<p>No email yet.</p>`}</main></body></html>`.toString();
}
