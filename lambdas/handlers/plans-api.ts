import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoPartnerPlanStore } from '../adapters/dynamodb/partner-plan-store.adapter';
import { logger } from '../adapters/logger';
import { NotFoundError } from '../domain/errors';
import { type PlanFormat, parsePlanDocument, readPlanDocument } from '../domain/plan-document';
import { listPartnerPlans, putPartnerPlan } from '../domain/use-cases/partner-plans';
import { createPlan, getPlan, getSchedule, listPlans } from '../domain/use-cases/plans';
import { parsePartnerPlan } from '../schemas/partner-plan.schema';
import { ValidationError } from '../schemas/validation';
import { emailSubjects } from '../views/emails/subjects';
import { bodyBytes, type HttpEvent, type HttpResult, json, MAX_BODY_BYTES, mediaType, problem } from './http';
import { clock, dynamo, environment, tenantConfig, workflow } from './wiring';

const env = environment();
// An older stack without the partner-plans table still loads deal plans (unchecked against partner plans).
const partnerPlans = env.PARTNER_PLANS_TABLE
  ? new DynamoPartnerPlanStore(documentClient(), env.PARTNER_PLANS_TABLE)
  : undefined;
const deps = {
  clock,
  config: tenantConfig(env),
  store: dynamo(env).store,
  workflow: workflow(env),
  partnerPlans,
  // The schedule preview lists each email by the subject it will carry.
  subjects: emailSubjects,
};

const FORMATS: Record<string, PlanFormat> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
};

/**
 * Operations API (IAM-authorized): `POST /plans`, `GET /plans`, `GET /plans/{planId}`,
 * `GET /plans/{planId}/schedule` (who will be sent what, and when, if nothing happens), and the partner
 * plans: `PUT /partner-plans`, `GET /partner-plans`. Reports and one-pagers are `reports-api`'s.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  try {
    switch (event.routeKey) {
      case 'POST /plans':
        return await postPlan(event);
      case 'GET /plans':
        return json(200, { plans: await listPlans(deps) });
      case 'GET /plans/{planId}':
        return json(200, await getPlan(deps, event.pathParameters?.planId ?? ''));
      case 'GET /plans/{planId}/schedule':
        return json(200, await getSchedule(deps, event.pathParameters?.planId ?? ''));
      case 'PUT /partner-plans':
        return await putPartnerPlanRoute(event);
      case 'GET /partner-plans':
        return json(200, await listPartnerPlans({ partnerPlans: partnerPlanStore() }));
      default:
        return problem(404, `no route ${event.routeKey}`);
    }
  } catch (error) {
    if (error instanceof NotFoundError) return problem(404, error.message);
    logger.error('plans API failed', { routeKey: event.routeKey, error: error as Error });
    return problem(500, 'internal error; nothing was changed if the request failed before its reply');
  }
};

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
  return { text: bytes.toString('utf8'), format };
}

async function postPlan(event: HttpEvent): Promise<HttpResult> {
  const body = documentBody(event, 'plan');
  if (!('text' in body)) return body;
  let plan: ReturnType<typeof parsePlanDocument>;
  try {
    plan = parsePlanDocument(body.text, body.format);
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'the plan is not valid', error.issues);
    throw error;
  }
  const view = await createPlan(deps, plan);
  logger.info('plan created', { planId: view.planId, warnings: view.warnings.length });
  const created = json(201, view);
  return { ...created, headers: { ...created.headers, location: `/plans/${view.planId}` } };
}

async function putPartnerPlanRoute(event: HttpEvent): Promise<HttpResult> {
  const store = partnerPlanStore();
  const body = documentBody(event, 'partner plan');
  if (!('text' in body)) return body;
  let plan: ReturnType<typeof parsePartnerPlan>;
  try {
    plan = parsePartnerPlan(readPlanDocument(body.text, body.format));
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'the partner plan is not valid', error.issues);
    throw error;
  }
  const result = await putPartnerPlan({ partnerPlans: store, clock }, plan);
  logger.info('partner plan stored', { partner: result.partner, created: result.created });
  return json(result.created ? 201 : 200, result);
}
