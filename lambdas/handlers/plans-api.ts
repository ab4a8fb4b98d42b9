import { logger } from '../adapters/logger';
import { NotFoundError } from '../domain/errors';
import { parsePlanDocument } from '../domain/plan-document';
import { createPlan, getPlan, getSchedule, listPlans } from '../domain/use-cases/plans';
import { ValidationError } from '../schemas/validation';
import { bodyBytes, type HttpEvent, type HttpResult, json, MAX_BODY_BYTES, mediaType, problem } from './http';
import { clock, dynamo, environment, tenantConfig, workflow } from './wiring';

const env = environment();
const deps = { clock, config: tenantConfig(env), store: dynamo(env).store, workflow: workflow(env) };

const FORMATS: Record<string, 'json' | 'yaml'> = {
  'application/json': 'json',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'text/yaml': 'yaml',
};

/**
 * Operations API (IAM-authorized): `POST /plans`, `GET /plans`, `GET /plans/{planId}`, and
 * `GET /plans/{planId}/schedule` (who will be sent what, and when, if nothing happens).
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
      default:
        return problem(404, `no route ${event.routeKey}`);
    }
  } catch (error) {
    if (error instanceof NotFoundError) return problem(404, error.message);
    logger.error('plans API failed', { routeKey: event.routeKey, error: error as Error });
    return problem(500, 'internal error; nothing was changed if the request failed before its reply');
  }
};

async function postPlan(event: HttpEvent): Promise<HttpResult> {
  // Own keys only: a content type such as `constructor` must not find Object.prototype's members.
  const type = mediaType(event);
  const format = Object.hasOwn(FORMATS, type) ? FORMATS[type] : undefined;
  if (!format) {
    return problem(415, 'send the plan as application/json or application/yaml', [
      { path: '(content-type)', message: `unsupported media type "${mediaType(event) || 'none'}"` },
    ]);
  }
  const bytes = bodyBytes(event);
  if (bytes.length > MAX_BODY_BYTES) {
    return problem(413, `a plan must be at most ${MAX_BODY_BYTES / 1024} KB`, [
      { path: '(body)', message: `the body is ${bytes.length} bytes` },
    ]);
  }
  let plan: ReturnType<typeof parsePlanDocument>;
  try {
    plan = parsePlanDocument(bytes.toString('utf8'), format);
  } catch (error) {
    if (error instanceof ValidationError) return problem(400, 'the plan is not valid', error.issues);
    throw error;
  }
  const view = await createPlan(deps, plan);
  logger.info('plan created', { planId: view.planId });
  return { ...json(201, view), headers: { ...json(201, view).headers, location: `/plans/${view.planId}` } };
}
