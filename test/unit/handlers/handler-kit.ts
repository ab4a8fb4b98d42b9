import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import type { MilestoneState } from '../../../lambdas/domain/deal';
import type { DealSnapshot } from '../../../lambdas/domain/ports';
import type { HttpEvent } from '../../../lambdas/handlers/http';
import type { StageKey } from '../../../lambdas/schemas/plan.schema';
import { dealAtStage, startedDeal } from '../../helpers/plan';

/**
 * What the handler tests share: the environment a deployed function gets (set before a handler module is
 * imported, because handlers read it at cold start), the JSON test events, and items as the tables hold them.
 */

export const ENV = {
  AWS_REGION: 'us-east-1',
  TENANT: 'acme',
  PLANS_TABLE: 'cosell-flow-acme-plans',
  MILESTONES_TABLE: 'cosell-flow-acme-milestones',
  LINKS_TABLE: 'cosell-flow-acme-links',
  IDEMPOTENCY_TABLE: 'cosell-flow-acme-idempotency',
  PARTNER_PLANS_TABLE: 'cosell-flow-acme-partner-plans',
  SENDER_ADDRESS: 'Cosell Flow <deals@vendor.example>',
  SES_CONFIGURATION_SET: 'cosell-flow-acme',
  PUBLIC_BASE_URL: 'https://links.acme.example',
  DEFAULT_TIMEZONE: 'America/Chicago',
  EVENT_BUS_NAME: 'cosell-flow-acme',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:cosell-flow-acme-playbook',
  LINK_KEYS_SECRET_ARN:
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:cosell-flow/acme/link-keys-AbCdEf',
  LINK_TTL_DAYS: '14',
  POWERTOOLS_SERVICE_NAME: 'cosell-flow',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
} as const;

/** Call before `await import(<handler>)`: the handler module reads its configuration when it loads. */
export function stubHandlerEnvironment(): void {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
}

/** The plan id the task and HTTP fixtures name (task payloads only accept `pl_` + 20 hex digits). */
export const FIXTURE_PLAN_ID = 'pl_0123456789abcdef0123';

export const LINK_KID = 'k1';
export const LINK_KEY = 'q8Zr3VbN0wYt6Lp2Xk9Hs4Dm7Fc1Gj5Ae8Ru0Ti3Oy6Pw9Qx2Mz5Lb8Nv1Kc4Jd7';

/** The tenant's link-key secret value (`GetSecretValue` output), as Powertools' getSecret reads it. */
export const LINK_KEYS_SECRET = { SecretString: JSON.stringify({ current: LINK_KID, [LINK_KID]: LINK_KEY }) };

const FIXTURES = new URL('../../fixtures/events/', import.meta.url);

function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as T;
}

/** A fresh copy of an HTTP API (payload 2.0) event from `test/fixtures/events/http-api/`. */
export function httpEvent(name: string, edit: Partial<HttpEvent> = {}): HttpEvent {
  return { ...fixture<HttpEvent>(`http-api/${name}.json`), ...edit };
}

/** An IAM-signed operations request (the `plans-list` fixture) for another route and path. */
export function opsEvent(routeKey: string, path: string, edit: Partial<HttpEvent> = {}): HttpEvent {
  const event = httpEvent('plans-list', { routeKey, rawPath: path, ...edit });
  event.requestContext.routeKey = routeKey;
  event.requestContext.http.method = routeKey.split(' ')[0] ?? 'GET';
  event.requestContext.http.path = path;
  return event;
}

/** The action-link event for `method`, aimed at `token`. */
export function linkEvent(method: 'get' | 'head' | 'post', token: string, edit: Partial<HttpEvent> = {}) {
  const event = httpEvent(`action-link-${method}`, edit);
  event.rawPath = `/a/${token}`;
  event.requestContext.http.path = `/a/${token}`;
  event.pathParameters = { token };
  return event;
}

/** A fresh copy of a state machine task payload from `test/fixtures/events/step-functions/`. */
export function taskEvent(name: string): Record<string, unknown> {
  return fixture<Record<string, unknown>>(`step-functions/${name}.json`);
}

export function scheduledEvent(): Record<string, unknown> {
  return fixture<Record<string, unknown>>('scheduler/reminder-sweep.json');
}

/**
 * The reference deal as the tables hold it after `create` (versions at 1), under the fixtures' plan id:
 * freshly started, or advanced to `stage`. `milestoneItems` carry their index shard, as raw items do.
 */
export function storedDeal(stage?: StageKey) {
  const snapshot: DealSnapshot = stage ? dealAtStage(stage) : startedDeal();
  const milestones: MilestoneState[] = snapshot.milestones.map((m) => ({
    ...m,
    planId: FIXTURE_PLAN_ID,
    version: 1,
  }));
  return {
    deal: { ...snapshot.deal, planId: FIXTURE_PLAN_ID, version: 1 },
    milestones,
    milestoneItems: milestones.map((m) => (m.status === 'open' ? { ...m, openShard: 'open#2' } : m)),
  };
}
