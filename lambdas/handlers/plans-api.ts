import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoListedDealStore } from '../adapters/dynamodb/listed-deal-store.adapter';
import { DynamoPartnerPlanStore } from '../adapters/dynamodb/partner-plan-store.adapter';
import { logger } from '../adapters/logger';
import { ActionRejectedError, InvalidCursorError, isTransient, NotFoundError } from '../domain/errors';
// js-yaml loads on the first YAML body only (the bundle budget; see LAZY_MODULES in cosell-function.ts).
import { parsePlanDocumentLazily, readPlanDocumentLazily } from '../domain/plan-document-lazy';
import type { PlanFormat } from '../domain/plan-document-text';
import { PlanConflictError, StaleVersionError } from '../domain/plan-errors';
import { DuplicateKeyError, parseStrictJson } from '../domain/strict-json';
import { type AmendDeps, amendPlan } from '../domain/use-cases/amend-plan';
import { closePlan } from '../domain/use-cases/close-plan';
import { listPartnerPlans, putPartnerPlan } from '../domain/use-cases/partner-plans';
import { getHistory } from '../domain/use-cases/plan-history';
import { listPlanPage } from '../domain/use-cases/plan-list';
import { createPlan, getPlan, getSchedule } from '../domain/use-cases/plans';
import { retryPlan } from '../domain/use-cases/retry-plan';
import { vendorOwnerRoomLink } from '../domain/use-cases/room';
import { closePlanSchema } from '../schemas/close.schema';
import { parsePartnerPlan } from '../schemas/partner-plan.schema';
import type { Plan } from '../schemas/plan.schema';
import { formatIssues, ValidationError } from '../schemas/validation';
import { emailSubjects } from '../views/emails/subjects';
import {
  bodyBytes,
  bodyText,
  type HttpEvent,
  type HttpResult,
  header,
  json,
  MAX_BODY_BYTES,
  mediaType,
  problem,
  unavailable,
  unreadableBody,
} from './http';

/** The 415/400 answer for a body that is not UTF-8 text, or undefined when it reads. */
function readableOrAnswer(event: HttpEvent): HttpResult | undefined {
  try {
    bodyText(event);
    return undefined;
  } catch (error) {
    return unreadableBody(error);
  }
}

import {
  clock,
  dynamo,
  environment,
  events,
  gateOpenViews,
  history,
  messaging,
  signingKeys,
  tenantConfig,
  workflow,
} from './wiring';

const env = environment();
// An older stack without the partner-plans table still loads deal plans (unchecked against partner plans).
const partnerPlans = env.PARTNER_PLANS_TABLE
  ? new DynamoPartnerPlanStore(documentClient(), env.PARTNER_PLANS_TABLE)
  : undefined;
const deps = {
  clock,
  config: tenantConfig(env),
  // The listed store: `GET /plans`, and a new plan's check for an active twin, list deals.
  store: dynamo(env, DynamoListedDealStore).store,
  workflow: workflow(env),
  partnerPlans,
  // The schedule preview lists each email by the subject it will carry.
  subjects: emailSubjects,
  // POST /plans/{planId}/room-link signs a view link.
  keys: signingKeys(env),
  history: history(env),
};
// An amendment emails new links and publishes its event: built on first use, so reads need none of it.
let amending: AmendDeps | undefined;
function amendDeps(): AmendDeps {
  amending ??= {
    ...deps,
    ...messaging(env),
    events: events(env),
    views: gateOpenViews,
    history: deps.history,
  };
  return amending;
}

const FORMATS: Record<string, PlanFormat> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
};

/**
 * Operations API (IAM-authorized): `POST /plans`, `GET /plans`, `GET /plans/{planId}`,
 * `PUT /plans/{planId}` (a new plan version), `POST /plans/{planId}/close`, `GET /plans/{planId}/history`,
 * `GET /plans/{planId}/schedule` (who will be sent what, and when, if nothing happens),
 * `POST /plans/{planId}/room-link` (a view link to the deal room for its vendor owner), and the partner
 * plans: `PUT /partner-plans`, `GET /partner-plans`. Reports and one-pagers are `reports-api`'s.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  try {
    switch (event.routeKey) {
      case 'POST /plans':
        return await postPlan(event);
      case 'GET /plans':
        return await listPlansRoute(event);
      case 'GET /plans/{planId}':
        return json(200, await getPlan(deps, event.pathParameters?.planId ?? ''));
      case 'GET /plans/{planId}/schedule':
        return json(200, await getSchedule(deps, event.pathParameters?.planId ?? ''));
      case 'PUT /plans/{planId}':
        return await putPlan(event);
      case 'POST /plans/{planId}/close':
        return await closePlanRoute(event);
      case 'GET /plans/{planId}/history':
        return json(200, await getHistory(deps, event.pathParameters?.planId ?? ''));
      case 'POST /plans/{planId}/retry':
        return json(200, await retryPlan(deps, event.pathParameters?.planId ?? ''));
      case 'POST /plans/{planId}/room-link':
        return json(200, await vendorOwnerRoomLink(deps, event.pathParameters?.planId ?? ''));
      case 'PUT /partner-plans':
        return await putPartnerPlanRoute(event);
      case 'GET /partner-plans':
        return json(200, await listPartnerPlans({ partnerPlans: partnerPlanStore() }));
      default:
        return problem(404, `no route ${event.routeKey}`);
    }
  } catch (error) {
    if (error instanceof NotFoundError) return problem(404, error.message);
    if (error instanceof ActionRejectedError) return problem(409, error.message);
    if (isTransient(error)) return unavailable();
    if (error instanceof PlanConflictError) {
      return json(409, {
        error: error.message,
        issues: error.issues,
        ...(error.planId ? { planId: error.planId } : {}),
      });
    }
    if (error instanceof StaleVersionError)
      return problem(412, error.message, [{ path: '(if-match)', message: error.message }]);
    logger.error('plans API failed', { routeKey: event.routeKey, error: error as Error });
    return problem(500, 'internal error; nothing was changed if the request failed before its reply');
  }
};

/** `GET /plans?limit=&cursor=&status=&partner=&stage=`: `{plans, nextCursor?}`, through the list index. */
async function listPlansRoute(event: HttpEvent): Promise<HttpResult> {
  try {
    return json(200, await listPlanPage(deps, event.queryStringParameters ?? {}));
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'invalid query', error.issues);
    if (error instanceof InvalidCursorError)
      return problem(400, 'invalid cursor', [{ path: 'cursor', message: 'start again without a cursor' }]);
    throw error;
  }
}

function partnerPlanStore(): DynamoPartnerPlanStore {
  if (!partnerPlans) throw new Error('function configuration is incomplete: PARTNER_PLANS_TABLE');
  return partnerPlans;
}

/** The body as text in a supported format, or the 415/413 answer. */
function documentBody(event: HttpEvent, what: string): { text: string; format: PlanFormat } | HttpResult {
  // Own keys only: a content type such as `constructor` must not find Object.prototype's members.
  const type = mediaType(event);
  const format = Object.hasOwn(FORMATS, type) ? FORMATS[type] : undefined;
  if (!format) {
    return problem(415, `send the ${what} as application/json or application/yaml`, [
      { path: '(content-type)', message: `unsupported media type "${type || 'none'}"` },
    ]);
  }
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) {
    return problem(413, `a ${what} must be at most ${MAX_BODY_BYTES / 1024} KB`, [
      { path: '(body)', message: `the body is ${bytes.length} bytes` },
    ]);
  }
  try {
    return { text: bodyText(event), format };
  } catch (error) {
    const answer = unreadableBody(error);
    if (answer) return answer;
    throw error;
  }
}

async function postPlan(event: HttpEvent): Promise<HttpResult> {
  const plan = await planBody(event);
  if (!('apiVersion' in plan)) return plan;
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(idempotencyKey)) {
    return problem(400, 'Idempotency-Key must be 1 to 128 visible ASCII characters');
  }
  const view = await createPlan(deps, plan, {
    ...(idempotencyKey ? { idempotencyKey } : {}),
    allowDuplicate: event.queryStringParameters?.duplicate === 'allow',
    by: principal(event),
  });
  logger.info('plan created', { planId: view.planId, warnings: view.warnings.length });
  const created = json(201, view);
  return { ...created, headers: { ...created.headers, location: `/plans/${view.planId}` } };
}

/** The plan in the body, or the 400/413/415 answer `POST /plans` gives. */
async function planBody(event: HttpEvent): Promise<Plan | HttpResult> {
  const body = documentBody(event, 'plan');
  if (!('text' in body)) return body;
  try {
    return await parsePlanDocumentLazily(body.text, body.format);
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'the plan is not valid', error.issues);
    throw error;
  }
}

/** `PUT /plans/{planId}[?dryRun=true]`, `If-Match: <version>`: a new version of the deal's plan. */
async function putPlan(event: HttpEvent): Promise<HttpResult> {
  const plan = await planBody(event);
  if (!('apiVersion' in plan)) return plan;
  // `If-Match: *` (RFC 9110): any version of a deal that exists, so no version to hold it to.
  const given = header(event, 'if-match')?.replace(/^W\//, '').replace(/"/g, '').trim();
  const ifMatch = given === '*' ? undefined : given;
  if (ifMatch !== undefined && !/^\d+$/.test(ifMatch)) {
    return problem(400, 'If-Match must be the plan version, a whole number', [
      { path: '(if-match)', message: `"${ifMatch}" is not a version` },
    ]);
  }
  const planId = event.pathParameters?.planId ?? '';
  const result = await amendPlan(amendDeps(), planId, plan, {
    ...(ifMatch !== undefined ? { ifMatch: Number(ifMatch) } : {}),
    dryRun: event.queryStringParameters?.dryRun === 'true',
    by: principal(event),
  });
  logger.info('plan amended', { planId, version: result.version, changes: result.changes.length });
  if (result.effectWarnings)
    logger.warn('plan amended with warnings', { planId, warnings: result.effectWarnings });
  const out = json(200, result);
  return { ...out, headers: { ...out.headers, etag: `"${result.version}"` } };
}

async function closePlanRoute(event: HttpEvent): Promise<HttpResult> {
  if (mediaType(event) !== 'application/json') {
    return problem(415, 'send the close as application/json', [
      { path: '(content-type)', message: `unsupported media type "${mediaType(event) || 'none'}"` },
    ]);
  }
  let input: ReturnType<typeof closePlanSchema.parse>;
  try {
    const unreadable = readableOrAnswer(event);
    if (unreadable) return unreadable;
    const parsed = closePlanSchema.safeParse(parseStrictJson(bodyText(event) || '{}'));
    if (!parsed.success) return problem(400, 'the close is not valid', formatIssues(parsed.error));
    input = parsed.data;
  } catch (error) {
    const message = error instanceof DuplicateKeyError ? error.message : 'not JSON';
    return problem(400, 'the body is not JSON', [{ path: '(body)', message }]);
  }
  const planId = event.pathParameters?.planId ?? '';
  const closeInput = {
    outcome: input.outcome,
    reason: input.reason,
    ...(input.lesson ? { lesson: input.lesson } : {}),
  };
  const view = await closePlan(deps, planId, closeInput, principal(event));
  logger.info('plan closed', { planId, outcome: input.outcome, stage: view.stage });
  return json(200, view);
}

/** Who is calling: the IAM principal the API authorized, `ops` locally. */
function principal(event: HttpEvent): string {
  const ctx = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return ctx.authorizer?.iam?.userArn ?? 'ops';
}

async function putPartnerPlanRoute(event: HttpEvent): Promise<HttpResult> {
  const store = partnerPlanStore();
  const body = documentBody(event, 'partner plan');
  if (!('text' in body)) return body;
  let plan: ReturnType<typeof parsePartnerPlan>;
  try {
    plan = parsePartnerPlan(await readPlanDocumentLazily(body.text, body.format));
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'the partner plan is not valid', error.issues);
    throw error;
  }
  const result = await putPartnerPlan({ partnerPlans: store, clock }, plan);
  logger.info('partner plan stored', { partner: result.partner, created: result.created });
  return json(result.created ? 201 : 200, result);
}
