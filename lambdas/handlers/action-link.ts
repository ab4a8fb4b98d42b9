import { logger } from '../adapters/logger';
import { isTransient } from '../domain/errors';
import { actOnLink, viewLink } from '../domain/use-cases/links';
import { linkPageHeaders, renderLinkPage as renderPage } from '../views/pages/link-page';
import { pageBrand } from '../views/pages/page-brand';
import {
  bodyBytes,
  bodyText,
  type HttpEvent,
  type HttpResult,
  MAX_BODY_BYTES,
  mediaType,
  unreadableBody,
} from './http';
import { actionLinkViews, environment, history, messaging, roomLinkedEvents, workflow } from './wiring';

const env = environment();
const deps = {
  ...messaging(env),
  views: actionLinkViews,
  workflow: workflow(env),
  events: roomLinkedEvents(env),
  history: history(env),
};
// The tenant's brand on its pages (brandColor, logoUrl): the CSP follows the branded stylesheet and logo.
const brand = pageBrand(deps.config);
const PAGE_HEADERS = linkPageHeaders(brand);
const renderLinkPage = (page: Parameters<typeof renderPage>[0]) => renderPage(page, brand);

/**
 * Public `GET|HEAD|POST /a/{token}`. GET and HEAD render the page and never change anything (mail scanners
 * fetch every link); only the page's form POST acts, or, from an expired link's page (`intent=fresh-link`),
 * mails a fresh link to the address the link was bound to. The token is never logged.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  const token = event.pathParameters?.token ?? '';
  const method = event.requestContext.http.method.toUpperCase();
  // A token is base64url with one dot: anything else (a `%ZZ` that was never percent-encoding) is a bad request.
  if (!/^[A-Za-z0-9_.-]{0,2048}$/.test(token)) {
    return html(
      400,
      renderLinkPage(refusal('This link is not valid. Check that it was copied whole from the email.')),
    );
  }
  try {
    if (method === 'GET' || method === 'HEAD') {
      const page = await viewLink(deps, token);
      return html(page.status, method === 'HEAD' ? '' : renderLinkPage(page));
    }
    if (method !== 'POST') return html(405, renderLinkPage(refusal('This page only accepts its own form.')));
    if (mediaType(event) !== 'application/x-www-form-urlencoded') {
      return html(415, renderLinkPage(refusal('Submit the form on the page to continue.')));
    }
    const bytes = bodyBytes(event);
    if (bytes.length > MAX_BODY_BYTES) return html(413, renderLinkPage(refusal('The form was too large.')));
    let text: string;
    try {
      text = bodyText(event);
    } catch (error) {
      const answer = unreadableBody(error);
      if (!answer) throw error;
      return html(
        answer.statusCode ?? 400,
        renderLinkPage(refusal('The form did not arrive as UTF-8 text.')),
      );
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    const page = await actOnLink(deps, token, form);
    if (page.kind === 'done' && page.warnings)
      logger.warn('link action saved with warnings', { warnings: page.warnings });
    logger.info('link action', {
      kind: page.kind,
      status: page.status,
      ...(page.kind === 'refused' ? { reason: page.reason } : {}),
    });
    return html(page.status, renderLinkPage(page));
  } catch (error) {
    if (isTransient(error)) {
      // Throttling or a service's 5xx: nothing was claimed or changed; the page says to try again.
      logger.warn('link action deferred', { method, error: error as Error });
      return {
        ...html(
          503,
          renderLinkPage(refusal('We are busy for a moment; nothing was changed. Please try again.')),
        ),
        headers: { ...PAGE_HEADERS, 'retry-after': '5' },
      };
    }
    logger.error('link action failed', { method, error: error as Error });
    return html(
      500,
      renderLinkPage(refusal('Something went wrong on our side; nothing was changed. Please try again.')),
    );
  }
};

function refusal(message: string) {
  return { kind: 'refused', status: 400, reason: 'not-allowed', message } as const;
}

function html(statusCode: number, body: string): HttpResult {
  return { statusCode, headers: PAGE_HEADERS, body };
}
