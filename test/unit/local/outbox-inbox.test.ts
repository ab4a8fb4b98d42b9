import { describe, expect, it } from 'vitest';
import {
  filterOutbox,
  inboxHeaders,
  parseOutboxSince,
  planIdOf,
  renderInbox,
} from '../../../local/outbox-inbox';
import type { OutboxEmail } from '../../../local/ses-local';

/** A token payload as links carry it: `[v, kid, planId, ...]`, base64url, then a signature. */
const token = (planId: string) =>
  `${Buffer.from(JSON.stringify([1, 'k', planId, 'vw', planId, 'x@y.z', 2e9, 'n'.repeat(22)])).toString('base64url')}.sig`;

function mail(to: string, planId: string, sentAt: string, subject = '[Deal A] Hello'): OutboxEmail {
  return {
    to: [to],
    cc: [],
    subject,
    text: `Hi\n\nSee the whole deal (Deal A): http://127.0.0.1:3000/room/${token(planId)}`,
    html: `<!doctype html><html><head></head><body><p>Hi <script>x</script></p><a href="http://127.0.0.1:3000/room/${token(planId)}">See</a></body></html>`,
    attachments: [],
    links: [],
    sentAt,
  };
}

const ALL = [
  mail('ana@v.example', 'pl_a', '2026-12-01T10:00:00.000Z'),
  mail('lee@c.example', 'pl_a', '2026-12-01T11:00:00.000Z'),
  mail('ana@v.example', 'pl_b', '2026-12-01T12:00:00.000Z', '[Deal B] Hi'),
];

describe('the local inbox', () => {
  it('finds the deal of each email from its links', () => {
    expect(planIdOf(ALL[2] as OutboxEmail)).toBe('pl_b');
    expect(planIdOf({ text: 'no links' })).toBeUndefined();
  });

  it('filters by recipient (case-insensitive) and by deal', () => {
    expect(filterOutbox(ALL, { to: 'ANA@v.example' })).toHaveLength(2);
    expect(filterOutbox(ALL, { planId: 'pl_a' })).toHaveLength(2);
    expect(filterOutbox(ALL, { to: 'ana@v.example', planId: 'pl_a' })).toHaveLength(1);
    expect(filterOutbox(ALL, {})).toHaveLength(3);
  });

  it('renders newest first, each mail in a sandboxed frame, with the filters and no script of its own', () => {
    const page = renderInbox(ALL, {});
    expect(page.indexOf('[Deal B] Hi')).toBeLessThan(page.indexOf('[Deal A] Hello'));
    expect(page.match(/<iframe /g)).toHaveLength(3);
    expect(page).toContain('sandbox="allow-top-navigation-by-user-activation allow-popups"');
    // the mail's markup sits escaped inside srcdoc: nothing of it runs in the page
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('<option value="pl_b">Deal B</option>');
    expect(renderInbox(ALL, { to: 'lee@c.example' }).match(/<iframe /g)).toHaveLength(1);
    expect(inboxHeaders()['content-security-policy']).toMatch(/^default-src 'none'/);
  });
});

describe('?since= of the local outbox', () => {
  it('takes a cursor (how many emails an earlier answer had seen), up to the outbox size', () => {
    expect(parseOutboxSince(undefined, 3)).toEqual({ from: 0 });
    expect(parseOutboxSince(null, 3)).toEqual({ from: 0 });
    expect(parseOutboxSince('0', 3)).toEqual({ from: 0 });
    expect(parseOutboxSince('3', 3)).toEqual({ from: 3 });
    expect(parseOutboxSince('4', 3)).toEqual({
      error: 'since: cursor 4 is past the end of the outbox (3 emails)',
    });
  });

  it('takes an ISO 8601 instant, normalised to UTC', () => {
    expect(parseOutboxSince('2026-12-01T11:00:00Z', 3)).toEqual({ after: '2026-12-01T11:00:00.000Z' });
    expect(parseOutboxSince('2026-12-01T12:30+01:00', 3)).toEqual({ after: '2026-12-01T11:30:00.000Z' });
  });

  it('refuses anything else, naming the field', () => {
    for (const bad of ['', 'yesterday', '-1', '1.5', '2026-12-01', '2026-13-01T00:00:00Z']) {
      const parsed = parseOutboxSince(bad, 3);
      expect(parsed, bad).toHaveProperty('error');
      expect((parsed as { error: string }).error, bad).toMatch(/^since: /);
    }
  });
});
