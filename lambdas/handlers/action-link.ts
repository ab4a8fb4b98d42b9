import { logger } from '../adapters/logger';
import { actOnLink, viewLink } from '../domain/use-cases/links';
import { PAGE_HEADERS, renderLinkPage } from '../views/pages/link-page';
import { bodyBytes, type HttpEvent, type HttpResult, MAX_BODY_BYTES, mediaType } from './http';
import { actionLinkViews, environment, events, messaging, workflow } from './wiring';

const env = environment();
const deps = { ...messaging(env), views: actionLinkViews, workflow: workflow(env), events: events(env) };

/**
 * Public `GET|HEAD|POST /a/{token}`. GET and HEAD render the page and never change anything (mail scanners
 * fetch every link); only the page's form POST acts, or, from an expired link's page (`intent=fresh-link`),
 * mails a fresh link to the address the link was bound to. The token is never logged.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  const token = event.pathParameters?.token ?? '';
  const method = event.requestContext.http.method.toUpperCase();
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
    const form = Object.fromEntries(new URLSearchParams(bytes.toString('utf8')));
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
