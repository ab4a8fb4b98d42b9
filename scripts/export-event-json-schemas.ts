/**
 * Writes schema/events/<detail-type in kebab case>.schema.json: the JSON Schema of each event's `detail`,
 * for consumers of the tenant bus (EventBridge's schema registry, a CRM's validator, code generators).
 * Run after changing lambdas/schemas/events.schema.ts: `npx tsx scripts/export-event-json-schemas.ts`.
 * A unit test fails while the committed files differ from a fresh export.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import {
  DEAL_CLOSED_LOST,
  DEAL_REGISTERED,
  ESCALATED,
  type EventKind,
  MILESTONE_SLIPPED,
  NEEDS_ATTENTION,
  PLAN_AMENDED,
  PLAN_STARTED,
  STAGE_ADVANCED,
} from '../lambdas/schemas/events.schema';

export const EVENT_SCHEMA_DIR = fileURLToPath(new URL('../schema/events/', import.meta.url));

/** Every event on the bus, with what it means (the schema's description). */
export const EVENT_KINDS: readonly (EventKind & { description: string })[] = [
  { ...PLAN_STARTED, description: "The workflow opened the deal's first gate." },
  {
    ...STAGE_ADVANCED,
    description: "A stage's gate passed and the next stage opened (stage 5's pass is the registration).",
  },
  {
    ...MILESTONE_SLIPPED,
    description: "A milestone's owner moved its due date; later open work and the close date moved with it.",
  },
  {
    ...ESCALATED,
    description:
      "A rung of a side's escalation ladder (with no ladder, the vendor owner) was told: a gate or a " +
      'milestone overdue, a milestone stuck, a handoff not accepted, or the partner side gone quiet.',
  },
  { ...DEAL_REGISTERED, description: 'The deal closed won: its registration, attribution and ACE mapping.' },
  {
    ...DEAL_CLOSED_LOST,
    description:
      'The deal closed lost (at stage 5, or closed by ops at any stage): its registration, lesson, the stage it ' +
      'died in and ACE mapping.',
  },
  { ...PLAN_AMENDED, description: "A new version of the deal's plan replaced the old one: its change list." },
  {
    ...NEEDS_ATTENTION,
    description: 'Something outside the playbook needs a person, e.g. AWS Partner Central asked for action.',
  },
];

/** `CoSell Stage Advanced` -> `cosell-stage-advanced`. */
export function kebabName(detailType: string): string {
  return detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/**
 * The schema of what a consumer may receive: the publisher's input shape, which leaves
 * `additionalProperties` open, so a consumer validating 1.0 still accepts a later additive 1.x.
 */
export function buildEventJsonSchema(kind: EventKind & { description: string }): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(kind.schema, { io: 'input' });
  const name = kebabName(kind.detailType);
  return {
    $schema,
    $id: `urn:cosell-flow:schema:events:${name}`,
    title: `${kind.detailType}: detail`,
    description: `${kind.description} Source \`cosell.flow\`, detail-type \`${kind.detailType}\`.`,
    ...schema,
  };
}

/** Each file's name and exact text: two-space indented JSON and a final newline. */
export function renderEventJsonSchemas(): { file: string; text: string }[] {
  return EVENT_KINDS.map((kind) => ({
    file: `${kebabName(kind.detailType)}.schema.json`,
    text: `${JSON.stringify(buildEventJsonSchema(kind), null, 2)}\n`,
  }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(EVENT_SCHEMA_DIR, { recursive: true });
  for (const { file, text } of renderEventJsonSchemas()) {
    writeFileSync(join(EVENT_SCHEMA_DIR, file), text);
    console.log(`wrote schema/events/${file}`);
  }
}
