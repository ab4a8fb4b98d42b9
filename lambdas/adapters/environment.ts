import * as z from 'zod/mini';
import { DEFAULT_TIMEZONE, GHOSTING_DAYS, LINK_TTL_DAYS } from '../domain/defaults';

/** Function configuration from the environment, checked once at cold start with a clear message. */
const environmentSchema = z.object({
  TENANT: z.string().check(z.minLength(1)),
  PLANS_TABLE: z.string().check(z.minLength(1)),
  MILESTONES_TABLE: z.string().check(z.minLength(1)),
  LINKS_TABLE: z.string().check(z.minLength(1)),
  IDEMPOTENCY_TABLE: z.string().check(z.minLength(1)),
  // Optional here: only plans-api and reports-api read partner plans, and they require it (`required`).
  PARTNER_PLANS_TABLE: z.optional(z.string()),
  SENDER_ADDRESS: z.optional(z.string()),
  SES_CONFIGURATION_SET: z.optional(z.string()),
  PUBLIC_BASE_URL: z.optional(z.string()),
  DEFAULT_TIMEZONE: z._default(z.string(), DEFAULT_TIMEZONE),
  EVENT_BUS_NAME: z.optional(z.string()),
  STATE_MACHINE_ARN: z.optional(z.string()),
  LINK_KEYS_SECRET_ARN: z.optional(z.string()),
  // Whole days, at least one: an empty or zero value would make every emailed link expire at once.
  LINK_TTL_DAYS: z._default(z.coerce.number().check(z.gte(1), z.multipleOf(1)), LINK_TTL_DAYS),
  // Whole days of partner silence (while partner work is open) before the partner's ladder is told.
  GHOSTING_DAYS: z._default(z.coerce.number().check(z.gte(1), z.multipleOf(1)), GHOSTING_DAYS),
});

export type Environment = z.output<typeof environmentSchema>;

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`function configuration is incomplete: ${missing}`);
  }
  return parsed.data;
}

/** A setting this function needs; its absence is a deployment error, said plainly. */
export function required(env: Environment, name: keyof Environment): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`function configuration is incomplete: ${name}`);
  return String(value);
}
