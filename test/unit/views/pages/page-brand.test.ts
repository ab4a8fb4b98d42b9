import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dealRoom } from '../../../../lambdas/domain/room';
import type { LinkPage } from '../../../../lambdas/domain/use-cases/links';
import { htmlPageHeaders } from '../../../../lambdas/views/html-headers';
import { linkPageHeaders, PAGE_HEADERS, renderLinkPage } from '../../../../lambdas/views/pages/link-page';
import {
  ONE_PAGER_HEADERS,
  onePagerHeaders,
  renderOnePager,
} from '../../../../lambdas/views/pages/one-pager';
import { NO_BRAND, pageBrand } from '../../../../lambdas/views/pages/page-brand';
import {
  ROOM_PAGE_HEADERS,
  renderRoomPage,
  roomPageHeaders,
} from '../../../../lambdas/views/pages/room-page';
import { dealAtStage, PEOPLE } from '../../../helpers/plan';

const NOW = new Date('2026-12-16T15:00:00.000Z');
const LOGO = 'https://cdn.acme.example/brand/logo.png?v=2';
const BRAND = pageBrand({ vendorName: 'Acme', brandColor: '#7B2D8E', logoUrl: LOGO });

const REFUSED: LinkPage = {
  kind: 'refused',
  status: 410,
  reason: 'expired',
  message: 'This link has expired.',
};

/** The page's one `<style>` element, as the CSP must hash it. */
const styleOf = (page: string) => /<style>(.*?)<\/style>/s.exec(page)?.[1] ?? '';
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64');

function renderedPages() {
  const snapshot = dealAtStage('joint-discovery');
  const room = dealRoom(snapshot, NOW, 'vendor', {
    vendorName: 'Acme',
    reader: { party: 'vendor', name: 'Ana Ruiz', email: PEOPLE.ana, timezone: 'America/Chicago' },
  });
  return [
    ['link page', renderLinkPage(REFUSED, BRAND), linkPageHeaders(BRAND)],
    ['room', renderRoomPage({ kind: 'room', status: 200, room }, NOW, BRAND), roomPageHeaders(BRAND)],
    ['one-pager', renderOnePager(snapshot, NOW, BRAND), onePagerHeaders(BRAND)],
  ] as const;
}

describe('pageBrand: only a valid colour and an https logo reach a page', () => {
  it('takes #rrggbb, with a text colour that reads on it', () => {
    expect(pageBrand({ brandColor: '#0B57D0' }).color).toEqual({ background: '#0b57d0', text: '#ffffff' });
    expect(pageBrand({ brandColor: '#ffcc00' }).color).toEqual({ background: '#ffcc00', text: '#1a1a1a' });
  });

  it.each([
    'red',
    '#fff',
    '#0b57d0;}body{display:none',
    '#0b57d0 !important',
    'url(https://x.example/a.png)',
  ])('leaves out the colour %j', (brandColor) => {
    expect(pageBrand({ brandColor })).toEqual(NO_BRAND);
  });

  it.each([
    'http://cdn.acme.example/logo.png',
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    'https://user:secret@cdn.acme.example/logo.png',
    'https://[::1]/logo.png',
    'not a url',
  ])('leaves out the logo %j', (logoUrl) => {
    expect(pageBrand({ logoUrl })).toEqual(NO_BRAND);
  });

  it('takes an https logo with its origin, and the vendor name as its alt text', () => {
    expect(BRAND.logo).toEqual({ url: LOGO, origin: 'https://cdn.acme.example', alt: 'Acme' });
  });
});

describe('branded pages keep the strict CSP, allowing the logo’s one origin for images', () => {
  it.each(renderedPages())(
    '%s: the CSP hashes the branded stylesheet and allows only the logo origin',
    (_name, page, headers) => {
      // Prepare
      const csp = headers['content-security-policy'] ?? '';
      const style = styleOf(page);

      // Act
      const directives = csp.split('; ');

      // Assess
      expect(style).toContain('background:#7b2d8e;color:#ffffff');
      expect(directives).toEqual([
        "default-src 'none'",
        'img-src https://cdn.acme.example',
        `style-src 'sha256-${sha256(style)}'`,
        expect.stringMatching(/^form-action '(self|none)'$/),
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ]);
      expect(csp).not.toMatch(/unsafe|\*|data:|http:/);
      // One image, the logo, sent without a referrer (a link's token never reaches the logo's host).
      expect(page.match(/<img [^>]*>/g)).toEqual([
        `<img src="${LOGO.replace('&', '&#38;')}" alt="Acme" height="32" referrerpolicy="no-referrer">`,
      ]);
      expect(headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('without a brand, every page and header is as before: no image, no img-src', () => {
    expect(linkPageHeaders()).toBe(PAGE_HEADERS);
    expect(roomPageHeaders(NO_BRAND)).toBe(ROOM_PAGE_HEADERS);
    expect(onePagerHeaders(pageBrand({ vendorName: 'Acme' }))).toBe(ONE_PAGER_HEADERS);
    expect(renderLinkPage(REFUSED)).not.toContain('<img');
    expect(PAGE_HEADERS['content-security-policy']).not.toContain('img-src');
    expect(renderLinkPage(REFUSED)).toBe(renderLinkPage(REFUSED, NO_BRAND));
  });

  it('a colour alone brands the buttons and adds no img-src', () => {
    const brand = pageBrand({ brandColor: '#146c2e' });
    const page = renderLinkPage(REFUSED, brand);
    const csp = linkPageHeaders(brand)['content-security-policy'];
    expect(styleOf(page)).toContain('button{background:#146c2e;color:#ffffff}');
    expect(csp).toContain(`style-src 'sha256-${sha256(styleOf(page))}'`);
    expect(csp).not.toContain('img-src');
  });

  it('never writes an image origin that could end the directive or add a source', () => {
    for (const origin of [
      'https://x.example; script-src *',
      "'self'",
      'https://*.example',
      'http://x.example',
    ]) {
      expect(htmlPageHeaders('', "'none'", origin)['content-security-policy']).not.toContain('img-src');
    }
  });
});
