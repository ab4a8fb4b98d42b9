import type { Plan } from '../schemas/plan.schema';
import { type PlanFormat, readPlanText, validatePlan, type YamlParser } from './plan-document-text';

let yaml: Promise<YamlParser> | undefined;

/**
 * js-yaml, imported on the first YAML document only. The plans-api function ships js-yaml beside its bundle
 * (LAZY_MODULES in lib/constructs/cosell-function.ts), so a cold start that reads JSON never loads it.
 */
function yamlParser(): Promise<YamlParser> {
  yaml ??= import('js-yaml');
  return yaml;
}

/** `readPlanDocument` (plan-document.ts) with js-yaml loaded only when the document is YAML. */
export async function readPlanDocumentLazily(text: string, format: PlanFormat): Promise<unknown> {
  return readPlanText(text, format, format === 'yaml' ? await yamlParser() : undefined);
}

/** `parsePlanDocument` (plan-document.ts) with js-yaml loaded only when the document is YAML. */
export async function parsePlanDocumentLazily(text: string, format: PlanFormat): Promise<Plan> {
  return validatePlan(await readPlanDocumentLazily(text, format));
}
