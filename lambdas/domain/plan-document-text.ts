import type * as JsYaml from 'js-yaml';
import { type Plan, planSchema } from '../schemas/plan.schema';
import { formatIssues, ValidationError } from '../schemas/validation';
import { MAX_PLAN_BYTES } from './defaults';
import { parseStrictJson } from './strict-json';

export type PlanFormat = 'yaml' | 'json';

/** The part of js-yaml a plan file needs. Passed in, so this file never loads js-yaml itself. */
export type YamlParser = Pick<typeof JsYaml, 'load' | 'CORE_SCHEMA' | 'YAMLException'>;

const SUMMARY = 'invalid plan';

export function documentError(message: string): ValidationError {
  return new ValidationError([{ path: '(root)', message }], SUMMARY);
}

/** The format of a plan file, from its name: `.yaml`/`.yml` or `.json`. */
export function detectFormat(fileName: string): PlanFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  if (lower.endsWith('.json')) return 'json';
  throw documentError(`cannot tell the format of ${fileName}: name it .yaml, .yml or .json`);
}

function parseYaml(yaml: YamlParser, text: string): unknown {
  try {
    // CORE_SCHEMA keeps 2026-12-04 a string (as in JSON) and knows no custom tags. Duplicate keys and
    // multiple documents throw. Aliases are refused: they share one node, so a small file can expand
    // into a huge document for the validator to walk.
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, maxAliases: 0, maxDepth: 32 });
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const where = error.mark ? ` (line ${error.mark.line + 1}, column ${error.mark.column + 1})` : '';
    const reason = error.reason.startsWith('aliases exceeded')
      ? 'aliases (*name) are not allowed in a plan file'
      : error.reason;
    throw documentError(`invalid YAML: ${reason}${where}`);
  }
}

function parseJson(text: string): unknown {
  try {
    // Duplicate keys are refused, as YAML refuses a duplicated mapping key (JSON.parse keeps the last).
    return parseStrictJson(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw documentError(`invalid JSON: ${error.message}`);
  }
}

/**
 * Reads a plan file (YAML or JSON) into plain data, with the same limits for every kind of plan (size,
 * empty file, YAML aliases); the caller validates it. `yaml` is needed only for the YAML format.
 * Throws `ValidationError` for a file that does not parse.
 */
export function readPlanText(text: string, format: PlanFormat, yaml?: YamlParser): unknown {
  // Characters never outnumber UTF-8 bytes, so the cheap test settles most oversized inputs.
  if (text.length > MAX_PLAN_BYTES || Buffer.byteLength(text, 'utf8') > MAX_PLAN_BYTES) {
    throw documentError(`the plan file is larger than the ${MAX_PLAN_BYTES / 1024} KB limit`);
  }
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trim() === '') throw documentError('the plan file is empty');
  if (format === 'json') return parseJson(source);
  if (!yaml) throw new Error('readPlanText: YAML needs the parser');
  return parseYaml(yaml, source);
}

/** Validates plain data as a plan; throws `ValidationError` listing every problem found, with its path. */
export function validatePlan(data: unknown): Plan {
  const result = planSchema.safeParse(data);
  if (!result.success) throw new ValidationError(formatIssues(result.error), SUMMARY);
  return result.data;
}
