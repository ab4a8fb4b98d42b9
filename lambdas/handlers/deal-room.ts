import { systemClock } from '../adapters/clock.adapter';
import { DynamoDealStore } from '../adapters/dynamodb/deal-store.adapter';
import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoHistoryStore } from '../adapters/dynamodb/history-store.adapter';
import { readEnvironment, required } from '../adapters/environment';
import { logger } from '../adapters/logger';
import { SecretSigningKeys } from '../adapters/secrets.adapter';
import { viewRoom } from '../domain/use-cases/room';
import { pageBrand } from '../views/pages/page-brand';
import { renderRoomPage, roomPageHeaders } from '../views/pages/room-page';
import type { HttpEvent, HttpResult } from './http';
import { tenantConfig } from './tenant-config';

// Read-only, public: the deal's items, its history and the link keys. Built here rather than from ./wiring,
// so the bundle holds the DynamoDB and Secrets Manager clients alone.
const env = readEnvironment();
const db = documentClient();
const deps = {
  clock: systemClock,
  config: tenantConfig(env),
  keys: new SecretSigningKeys(required(env, 'LINK_KEYS_SECRET_ARN'), systemClock, env.LINK_TTL_DAYS),
  store: new DynamoDealStore(db, {
    plans: env.PLANS_TABLE,
    milestones: env.MILESTONES_TABLE,
    links: env.LINKS_TABLE,
    idempotency: env.IDEMPOTENCY_TABLE,
  }),
  history: new DynamoHistoryStore(db, env.IDEMPOTENCY_TABLE),
};
// The tenant's brand on the room (brandColor, logoUrl): the CSP follows the branded stylesheet and logo.
const brand = pageBrand(deps.config);
const ROOM_PAGE_HEADERS = roomPageHeaders(brand);

/**
 * Public `GET|HEAD /room/{token}`: the deal room, read-only (use-cases/room.ts). GET and HEAD read only and
 * change nothing; HEAD answers the same status and headers, no body. The token is never logged.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  const method = event.requestContext.http.method.toUpperCase();
  const headers = ROOM_PAGE_HEADERS;
  if (method !== 'GET' && method !== 'HEAD') {
    return { statusCode: 405, headers: { ...headers, allow: 'GET, HEAD' }, body: '' };
  }
  try {
    const page = await viewRoom(deps, event.pathParameters?.token ?? '');
    const body = method === 'HEAD' ? '' : renderRoomPage(page, systemClock.now(), brand);
    return { statusCode: page.status, headers, body };
  } catch (error) {
    logger.error('deal room failed', { method, error: error as Error });
    return { statusCode: 500, headers, body: method === 'HEAD' ? '' : 'Something went wrong on our side.' };
  }
};
