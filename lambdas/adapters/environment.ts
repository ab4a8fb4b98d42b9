import * as z from 'zod/mini';
import {
  DEFAULT_TIMEZONE,
  ESCALATION_GRACE_BUSINESS_DAYS,
  GHOSTING_DAYS,
  HOLIDAYS,
  LINK_TTL_DAYS,
  ROOM_LINK_TTL_DAYS,
  STAGE_WEIGHTS,
  WORKWEEK,
} from '../domain/defaults';
import { WEEKDAYS, type Weekday } from '../domain/workdays';

/** A comma-separated list (`MON,TUE`), empty for none. */
const list = (fallback: readonly string[]) =>
  z.pipe(
    z._default(z.string(), fallback.join(',')),
    z.transform((v: string) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  );

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
  // The tenant's working week and holidays, comma-separated (`MON,TUE,WED,THU,FRI`, `2026-12-25,2027-01-01`).
  WORKWEEK: z.pipe(list(WORKWEEK), z.array(z.enum(WEEKDAYS as [Weekday, ...Weekday[]]))),
  HOLIDAYS: z.pipe(list(HOLIDAYS), z.array(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)))),
  ESCALATION_GRACE_BUSINESS_DAYS: z._default(
    z.coerce.number().check(z.gte(0), z.multipleOf(1)),
    ESCALATION_GRACE_BUSINESS_DAYS,
  ),
  // Whole days a deal room's view link stays valid.
  ROOM_LINK_TTL_DAYS: z._default(z.coerce.number().check(z.gte(1), z.multipleOf(1)), ROOM_LINK_TTL_DAYS),
  // The vendor company's name and optional branding, as emails and pages show them.
  VENDOR_NAME: z.optional(z.string()),
  BRAND_COLOR: z.optional(z.string()),
  LOGO_URL: z.optional(z.string()),
  // The weighted forecast's stage weights, percent, stages 1 to 5 (`10,20,40,60,80`).
  STAGE_WEIGHTS: z.pipe(
    list(STAGE_WEIGHTS.map(String)),
    z.pipe(
      z.transform((v: string[]) => v.map(Number)),
      z.array(z.number().check(z.gte(0), z.lte(100))).check(z.length(5)),
    ),
  ),
  // The program's cost per quarter, amount and currency (`150000 USD`); absent when the tenant sets none.
  PROGRAM_COST: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d+(\.\d+)? [A-Z]{3}$/)),
      z.transform((v: string) => {
        const [amount, currency] = v.split(' ');
        return { amount: Number(amount), currency: currency as string };
      }),
    ),
  ),
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
