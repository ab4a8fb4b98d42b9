/**
 * Writes schema/cosell-plan.schema.json, the JSON Schema of a plan file, for editors and other tools.
 * Run after changing lambdas/schemas/plan.schema.ts: `npx tsx scripts/export-plan-json-schema.ts`.
 * A unit test fails while the committed file differs from a fresh export.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { planSchema } from '../lambdas/schemas/plan.schema';

export const PLAN_JSON_SCHEMA_FILE = fileURLToPath(
  new URL('../schema/cosell-plan.schema.json', import.meta.url),
);

// Formats JSON Schema defines; zod also emits its own (currency_code), which strict validators reject.
const STANDARD_FORMATS = new Set(['date', 'time', 'date-time', 'email', 'hostname', 'uri', 'uuid']);

/** The JSON Schema of what a plan file may contain (the parser's input, not its output). */
export function buildPlanJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(planSchema, {
    io: 'input',
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.format === 'string' && !STANDARD_FORMATS.has(jsonSchema.format)) {
        delete jsonSchema.format;
      }
    },
  });
  return {
    $schema,
    $id: 'urn:cosell-flow:schema:cosell-plan:v1',
    title: 'Cosell Flow co-sell plan',
    description:
      'One joint deal between a vendor, a partner and their shared customer: the seven sections of a ' +
      'co-sell plan and its five gated stages. Cross-field rules (owners named in the plan, unique ' +
      'milestone ids, stage order, dates before the close date) are checked by Cosell Flow when the plan ' +
      'is loaded.',
    ...schema,
  };
}

/** The file's exact text: two-space indented JSON and a final newline. */
export function renderPlanJsonSchema(): string {
  return `${JSON.stringify(buildPlanJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PLAN_JSON_SCHEMA_FILE, renderPlanJsonSchema());
  console.log(`wrote ${PLAN_JSON_SCHEMA_FILE}`);
}
