import * as jsYaml from 'js-yaml';
import type { Plan } from '../schemas/plan.schema';
import { MAX_PLAN_BYTES } from './defaults';
import { type PlanFormat, readPlanText, validatePlan } from './plan-document-text';

export { detectFormat, type PlanFormat } from './plan-document-text';

/** A plan is one page; anything near this size is a mistake or an attack. */
export { MAX_PLAN_BYTES };

/**
 * Reads a plan file (YAML or JSON) into plain data, with the same limits for every kind of plan (size,
 * empty file, YAML aliases); the caller validates it. Throws `ValidationError` for a file that does not parse.
 * js-yaml is loaded with this module; a function that must not load it at cold start uses
 * `plan-document-lazy.ts` instead.
 */
export function readPlanDocument(text: string, format: PlanFormat): unknown {
  return readPlanText(text, format, jsYaml);
}

/**
 * Reads a plan file (YAML or the same document as JSON) and validates it.
 * Throws `ValidationError` listing every problem found, with the path of each.
 */
export function parsePlanDocument(text: string, format: PlanFormat): Plan {
  return validatePlan(readPlanDocument(text, format));
}
