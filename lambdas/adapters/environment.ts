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

/**
 * Function configuration from the environment, checked once at cold start with a clear message.
 *
 * Checked by hand, not with zod: every handler reads this, and for a handler that validates nothing else
 * (reports-api) zod/mini's core (~22 KB minified) would be its largest non-SDK part (the 1.25x bundle
 * budget, `npm run bench:bundles`). The rules are the ones a zod schema would state: every problem is
 * collected and named by its path (`WORKWEEK.2`), and only the settings below are kept.
 */
export interface Environment {
  TENANT: string;
  PLANS_TABLE: string;
  MILESTONES_TABLE: string;
  LINKS_TABLE: string;
  IDEMPOTENCY_TABLE: string;
  /** Optional here: only plans-api and reports-api read partner plans, and they require it (`required`). */
  PARTNER_PLANS_TABLE?: string;
  SENDER_ADDRESS?: string;
  SES_CONFIGURATION_SET?: string;
  PUBLIC_BASE_URL?: string;
  DEFAULT_TIMEZONE: string;
  EVENT_BUS_NAME?: string;
  STATE_MACHINE_ARN?: string;
  LINK_KEYS_SECRET_ARN?: string;
  /** Whole days, at least one: an empty or zero value would make every emailed link expire at once. */
  LINK_TTL_DAYS: number;
  /** Whole days of partner silence (while partner work is open) before the partner's ladder is told. */
  GHOSTING_DAYS: number;
  /** The tenant's working week and holidays, comma-separated (`MON,TUE,WED,THU,FRI`, `2026-12-25,2027-01-01`). */
  WORKWEEK: Weekday[];
  HOLIDAYS: string[];
  ESCALATION_GRACE_BUSINESS_DAYS: number;
  /** Whole days a deal room's view link stays valid. */
  ROOM_LINK_TTL_DAYS: number;
  /** The vendor company's name and optional branding, as emails and pages show them. */
  VENDOR_NAME?: string;
  BRAND_COLOR?: string;
  LOGO_URL?: string;
  /** The weighted forecast's stage weights, percent, stages 1 to 5 (`10,20,40,60,80`). */
  STAGE_WEIGHTS: number[];
  /** The program's cost per quarter, amount and currency (`150000 USD`); absent when the tenant sets none. */
  PROGRAM_COST?: { amount: number; currency: string };
}

const REQUIRED = ['TENANT', 'PLANS_TABLE', 'MILESTONES_TABLE', 'LINKS_TABLE', 'IDEMPOTENCY_TABLE'] as const;
const OPTIONAL = [
  'PARTNER_PLANS_TABLE',
  'SENDER_ADDRESS',
  'SES_CONFIGURATION_SET',
  'PUBLIC_BASE_URL',
  'EVENT_BUS_NAME',
  'STATE_MACHINE_ARN',
  'LINK_KEYS_SECRET_ARN',
  'VENDOR_NAME',
  'BRAND_COLOR',
  'LOGO_URL',
] as const;
/** Whole-number settings: their default and least value. */
const WHOLE = {
  LINK_TTL_DAYS: [LINK_TTL_DAYS, 1],
  GHOSTING_DAYS: [GHOSTING_DAYS, 1],
  ESCALATION_GRACE_BUSINESS_DAYS: [ESCALATION_GRACE_BUSINESS_DAYS, 0],
  ROOM_LINK_TTL_DAYS: [ROOM_LINK_TTL_DAYS, 1],
} as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const COST = /^\d+(\.\d+)? [A-Z]{3}$/;

/** A comma-separated list (`MON,TUE`), empty for none. */
const list = (value: string | undefined, fallback: readonly unknown[]) =>
  (value ?? fallback.join(','))
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of REQUIRED) {
    const value = env[name];
    if (typeof value !== 'string' || value.length < 1) problems.push(name);
    out[name] = value;
  }
  for (const name of OPTIONAL) {
    const value = env[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') problems.push(name);
    out[name] = value;
  }
  out.DEFAULT_TIMEZONE = env.DEFAULT_TIMEZONE ?? DEFAULT_TIMEZONE;
  for (const [name, [fallback, least]] of Object.entries(WHOLE)) {
    const value = env[name];
    // Number(), as z.coerce.number(): '' and ' ' read as 0, below every least value.
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < least) problems.push(name);
    out[name] = n;
  }
  const workweek = list(env.WORKWEEK, WORKWEEK);
  workweek.forEach((day, i) => {
    if (!(WEEKDAYS as readonly string[]).includes(day)) problems.push(`WORKWEEK.${i}`);
  });
  out.WORKWEEK = workweek;
  const holidays = list(env.HOLIDAYS, HOLIDAYS);
  holidays.forEach((day, i) => {
    if (!DAY.test(day)) problems.push(`HOLIDAYS.${i}`);
  });
  out.HOLIDAYS = holidays;
  const weights = list(env.STAGE_WEIGHTS, STAGE_WEIGHTS).map(Number);
  weights.forEach((w, i) => {
    if (Number.isNaN(w) || w < 0 || w > 100) problems.push(`STAGE_WEIGHTS.${i}`);
  });
  if (weights.length !== 5) problems.push('STAGE_WEIGHTS');
  out.STAGE_WEIGHTS = weights;
  const cost = env.PROGRAM_COST;
  if (cost !== undefined) {
    if (COST.test(cost)) {
      const [amount, currency] = cost.split(' ');
      out.PROGRAM_COST = { amount: Number(amount), currency: currency as string };
    } else problems.push('PROGRAM_COST');
  }
  if (problems.length > 0) throw new Error(`function configuration is incomplete: ${problems.join(', ')}`);
  return out as unknown as Environment;
}

/** A setting this function needs; its absence is a deployment error, said plainly. */
export function required(env: Environment, name: keyof Environment): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`function configuration is incomplete: ${name}`);
  return String(value);
}
