import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod/mini';
import {
  ESCALATION_GRACE_BUSINESS_DAYS,
  ESCALATION_GRACE_BUSINESS_DAYS_RANGE,
  GHOSTING_DAYS,
  GHOSTING_DAYS_RANGE,
  LINK_TTL_DAYS,
  LINK_TTL_DAYS_RANGE,
  REMINDER_SWEEP_MINUTES,
  REMINDER_SWEEP_MINUTES_RANGE,
  ROOM_LINK_TTL_DAYS,
  ROOM_LINK_TTL_DAYS_RANGE,
  ROUTE_BURST_LIMIT_RANGE,
  ROUTE_RATE_LIMIT_RANGE,
  ROUTE_THROTTLES,
  type RouteThrottle,
  STAGE_WEIGHTS,
  VENDOR_NAME,
  WORKWEEK,
} from '../lambdas/domain/defaults';
import { WEEKDAYS, type Weekday } from '../lambdas/domain/workdays';
import { integrationSettings } from './integration-settings';

/**
 * Tenant settings: one CosellFlow stack per tenant. Read from `tenants/<tenant>.json` when that file exists,
 * else from CDK context (`-c senderAddress=... -c publicBaseUrl=...`). Pure (no CDK import), so the local
 * runtime and the CLI can load and validate the same settings.
 */

export const TENANT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** Per-route HTTP API limits (requests per second, steady and burst), optional; defaults in ROUTE_THROTTLES. */
export const THROTTLE_SETTING_KEYS = [
  'linkRateLimit',
  'linkBurstLimit',
  'roomRateLimit',
  'roomBurstLimit',
  'opsRateLimit',
  'opsBurstLimit',
] as const;

/** The context keys read when there is no tenant file (same names as the file's fields). */
export const TENANT_CONTEXT_KEYS = [
  'senderAddress',
  'publicBaseUrl',
  'defaultTimezone',
  'linkTtlDays',
  'reminderSweepMinutes',
  'ghostingDays',
  'workweek',
  'holidays',
  'escalationGraceBusinessDays',
  'roomLinkTtlDays',
  'vendorName',
  'brandColor',
  'logoUrl',
  'stageWeights',
  'programCost',
  ...THROTTLE_SETTING_KEYS,
  'account',
  'region',
] as const;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** https only, except plain http on localhost (the local runtime). No query or fragment: links append `/a/<token>`. */
function isPublicBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  return (url.protocol === 'https:' || (local && url.protocol === 'http:')) && !url.search && !url.hash;
}

/** A tenant file's settings: the context keys, with `account` and `region` under `env`. */
const SETTING_NAMES = [
  ...TENANT_CONTEXT_KEYS.filter((k) => k !== 'account' && k !== 'region'),
  'env',
  'channels',
  'ace',
];

/** Says "is required" when the setting is absent and what is expected when it is malformed. */
const expecting = (name: string, expected: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `${name} is required (${expected})` : `${name} must be ${expected}`,
});

// Context values from the command line are strings, so numbers are coerced; file values are already numbers.
const wholeNumber = (name: string, min: number, max: number) =>
  z.coerce
    .number(expecting(name, `a whole number from ${min} to ${max}`))
    .check(
      z.refine(Number.isInteger, `${name} must be a whole number`),
      z.gte(min, `${name} must be at least ${min}`),
      z.lte(max, `${name} must be at most ${max}`),
    );

export const TenantSettingsSchema = z.strictObject(
  {
    senderAddress: z.email(expecting('senderAddress', 'an email address: the SES-verified From address')),
    publicBaseUrl: z
      .string(
        expecting('publicBaseUrl', 'the public URL of the action links, e.g. https://deals.acme.example'),
      )
      .check(
        z.refine(
          isPublicBaseUrl,
          'publicBaseUrl must be an https:// URL (http:// only on localhost) without query or fragment',
        ),
      ),
    defaultTimezone: z
      .string(expecting('defaultTimezone', 'an IANA time zone, e.g. America/New_York'))
      .check(z.refine(isTimeZone, 'defaultTimezone must be an IANA time zone, e.g. America/New_York')),
    linkTtlDays: z._default(
      wholeNumber('linkTtlDays', LINK_TTL_DAYS_RANGE.min, LINK_TTL_DAYS_RANGE.max),
      LINK_TTL_DAYS,
    ),
    reminderSweepMinutes: z._default(
      wholeNumber('reminderSweepMinutes', REMINDER_SWEEP_MINUTES_RANGE.min, REMINDER_SWEEP_MINUTES_RANGE.max),
      REMINDER_SWEEP_MINUTES,
    ),
    /** Days without any partner-side action, while partner work is open, before the partner's ladder is told. */
    ghostingDays: z._default(
      wholeNumber('ghostingDays', GHOSTING_DAYS_RANGE.min, GHOSTING_DAYS_RANGE.max),
      GHOSTING_DAYS,
    ),
    /** Days a deal room's view link stays valid. */
    roomLinkTtlDays: z._default(
      wholeNumber('roomLinkTtlDays', ROOM_LINK_TTL_DAYS_RANGE.min, ROOM_LINK_TTL_DAYS_RANGE.max),
      ROOM_LINK_TTL_DAYS,
    ),
    /** The vendor company, as emails ("<owner> via <vendorName>") and pages name it. */
    vendorName: z.optional(
      z
        .string(expecting('vendorName', 'the vendor company name, e.g. Acme'))
        .check(
          z.refine((v) => v.trim().length > 0 && v.length <= 80, 'vendorName must be 1 to 80 characters'),
        ),
    ),
    brandColor: z.optional(
      z
        .string(expecting('brandColor', 'a hex colour like #0b57d0'))
        .check(z.regex(/^#[0-9a-fA-F]{6}$/, 'brandColor must be a hex colour like #0b57d0')),
    ),
    logoUrl: z.optional(
      z
        .string(expecting('logoUrl', 'an https:// URL of the logo image'))
        .check(z.refine((v) => /^https:\/\/[^\s"'<>]+$/.test(v), 'logoUrl must be an https:// URL')),
    ),
    /** Days people work; the cadence sends nothing on other days (each recipient's own calendar). */
    workweek: z._default(
      z
        .array(
          z.enum(WEEKDAYS as [Weekday, ...Weekday[]], {
            error: 'workweek days must be MON, TUE, WED, THU, FRI, SAT or SUN',
          }),
          expecting('workweek', 'a list of weekdays, e.g. ["MON", "TUE", "WED", "THU", "FRI"]'),
        )
        .check(z.minLength(1, 'workweek must name at least one day')),
      [...WORKWEEK],
    ),
    /** Dates that are never working days, e.g. ["2026-12-25", "2027-01-01"]. */
    holidays: z._default(
      z.array(
        z
          .string()
          .check(
            z.refine(
              (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)),
              'holidays must be dates written YYYY-MM-DD',
            ),
          ),
        expecting('holidays', 'a list of dates, e.g. ["2026-12-25"]'),
      ),
      [],
    ),
    escalationGraceBusinessDays: z._default(
      wholeNumber(
        'escalationGraceBusinessDays',
        ESCALATION_GRACE_BUSINESS_DAYS_RANGE.min,
        ESCALATION_GRACE_BUSINESS_DAYS_RANGE.max,
      ),
      ESCALATION_GRACE_BUSINESS_DAYS,
    ),
    /** The weighted forecast's stage weights: five percentages, stage 1 first. */
    stageWeights: z._default(
      z
        .array(
          z
            .number()
            .check(
              z.gte(0, 'stageWeights must be percentages from 0 to 100'),
              z.lte(100, 'stageWeights must be percentages from 0 to 100'),
            ),
          expecting('stageWeights', 'five percentages, stage 1 first, e.g. [10, 20, 40, 60, 80]'),
        )
        .check(z.length(5, 'stageWeights must list five percentages, stage 1 first')),
      [...STAGE_WEIGHTS],
    ),
    /** The program's cost per quarter (people, MDF and tools), for the report's return. */
    programCost: z.optional(
      z.strictObject(
        {
          amount: z.number().check(z.gte(0, 'programCost.amount must be 0 or more')),
          currency: z
            .string()
            .check(z.regex(/^[A-Z]{3}$/, 'programCost.currency must be an ISO 4217 code, e.g. USD')),
        },
        expecting('programCost', 'an object like {"amount": 150000, "currency": "USD"}'),
      ),
    ),
    // Public link routes (/a/*), public deal-room routes (/room/*) and operator routes each have their own limits.
    ...(Object.fromEntries(
      THROTTLE_SETTING_KEYS.map((key) => {
        const range = key.endsWith('RateLimit') ? ROUTE_RATE_LIMIT_RANGE : ROUTE_BURST_LIMIT_RANGE;
        return [key, z.optional(wholeNumber(key, range.min, range.max))];
      }),
    ) as Record<(typeof THROTTLE_SETTING_KEYS)[number], z.ZodMiniOptional<ReturnType<typeof wholeNumber>>>),
    /** Slack / Teams / webhook channels and AWS Partner Central (lib/integration-settings.ts); file only. */
    ...integrationSettings,
    env: z.optional(
      z.strictObject(
        {
          account: z.optional(
            z.string().check(z.regex(/^\d{12}$/, 'env.account must be a 12-digit AWS account id')),
          ),
          region: z.optional(
            z
              .string()
              .check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'env.region must be an AWS region, e.g. eu-west-1')),
          ),
        },
        { error: 'env must be an object with only account and region' },
      ),
    ),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown setting(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}; known: ${SETTING_NAMES.join(', ')}`
        : 'tenant settings must be a JSON object',
  },
);

export type TenantSettings = z.output<typeof TenantSettingsSchema>;

export interface TenantConfig extends TenantSettings {
  readonly tenant: string;
  /** Where the settings came from, for messages: the file path or `CDK context`. */
  readonly source: string;
}

export class TenantConfigError extends Error {
  override readonly name = 'TenantConfigError';
}

export interface LoadTenantConfigOptions {
  /** The tenant name (`-c tenant=<name>`). */
  readonly tenant: unknown;
  /** Reads one CDK context key; used only when there is no tenant file. */
  readonly context: (key: string) => unknown;
  /** Repository root holding `tenants/`. */
  readonly rootDir: string;
}

/** Tenant files may explain each setting with whole-line `//` comments (what `cosell tenant init` writes). */
export function withoutLineComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
}

/** A context value for a list setting: a JSON array, or comma-separated on the command line. */
function list(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** A list of numbers from the command line (`10,20,40,60,80`); other values as they are. */
function numbers(value: unknown): unknown {
  return Array.isArray(value)
    ? value.map((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v))
    : value;
}

/** A JSON object from the command line; other values as they are. */
function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function loadTenantConfig({ tenant, context, rootDir }: LoadTenantConfigOptions): TenantConfig {
  if (typeof tenant !== 'string' || tenant === '') {
    throw new TenantConfigError('Missing tenant: pass -c tenant=<name> (e.g. npx cdk synth -c tenant=acme)');
  }
  if (!TENANT_NAME_PATTERN.test(tenant)) {
    throw new TenantConfigError(
      `Invalid tenant name '${tenant}': use 2-31 characters, lowercase letters, digits and '-', starting with a letter`,
    );
  }

  const file = join(rootDir, 'tenants', `${tenant}.json`);
  let raw: unknown;
  let source: string;
  if (existsSync(file)) {
    source = relative(rootDir, file);
    try {
      raw = JSON.parse(withoutLineComments(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new TenantConfigError(
        `Tenant '${tenant}': ${source} is not valid JSON (${(error as Error).message})`,
      );
    }
  } else {
    source = 'CDK context';
    const value = (key: string) => {
      const v = context(key);
      return v === undefined || v === '' ? undefined : v;
    };
    const account = value('account');
    const region = value('region');
    raw = {
      senderAddress: value('senderAddress'),
      publicBaseUrl: value('publicBaseUrl'),
      defaultTimezone: value('defaultTimezone'),
      linkTtlDays: value('linkTtlDays'),
      reminderSweepMinutes: value('reminderSweepMinutes'),
      ghostingDays: value('ghostingDays'),
      workweek: list(value('workweek')),
      holidays: list(value('holidays')),
      escalationGraceBusinessDays: value('escalationGraceBusinessDays'),
      roomLinkTtlDays: value('roomLinkTtlDays'),
      vendorName: value('vendorName'),
      brandColor: value('brandColor'),
      logoUrl: value('logoUrl'),
      stageWeights: numbers(list(value('stageWeights'))),
      programCost: json(value('programCost')),
      ...Object.fromEntries(THROTTLE_SETTING_KEYS.map((key) => [key, value(key)])),
      ...(account !== undefined || region !== undefined ? { env: { account, region } } : {}),
    };
  }

  const parsed = TenantSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.message}`);
    const hint =
      source === 'CDK context'
        ? `\nCreate tenants/${tenant}.json, or pass the settings as context: ${TENANT_CONTEXT_KEYS.slice(0, 3)
            .map((k) => `-c ${k}=...`)
            .join(' ')}`
        : '';
    throw new TenantConfigError(
      `Invalid settings for tenant '${tenant}' (from ${source}):\n${problems.join('\n')}${hint}`,
    );
  }

  return {
    ...parsed.data,
    publicBaseUrl: parsed.data.publicBaseUrl.replace(/\/+$/, ''),
    tenant,
    source,
  };
}

export interface LocalTenantOptions {
  /** `COSELL_TENANT_FILE`, when set. */
  readonly file?: string | undefined;
  /** Repository root holding `tenants/`. */
  readonly rootDir: string;
  /** What the local stack fills in when the file leaves it out (its own sender, URL and time zone). */
  readonly local: Pick<TenantSettings, 'senderAddress' | 'publicBaseUrl' | 'defaultTimezone'>;
}

/**
 * The local stack's tenant settings (`npm start`): the file named by `COSELL_TENANT_FILE`, else
 * `tenants/local.json` if present, else the built-in defaults. The same format and validation as the CDK
 * app's tenant files; a bad file is refused with the field path. Links always point at the local stack.
 */
export function loadLocalTenantSettings(options: LocalTenantOptions): {
  settings: TenantSettings;
  source: string;
} {
  const fallback = join(options.rootDir, 'tenants', 'local.json');
  const file = options.file ? options.file : existsSync(fallback) ? fallback : undefined;
  let fromFile: unknown = {};
  const source = file ?? 'built-in defaults';
  if (file) {
    if (!existsSync(file)) throw new TenantConfigError(`Tenant settings file ${file} does not exist`);
    try {
      fromFile = JSON.parse(withoutLineComments(readFileSync(file, 'utf8')));
    } catch (error) {
      throw new TenantConfigError(`${file} is not valid JSON (${(error as Error).message})`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new TenantConfigError(`${file}: tenant settings must be a JSON object`);
    }
  }
  const parsed = TenantSettingsSchema.safeParse({ ...options.local, ...(fromFile as object) });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `  - ${path ? `${path}: ` : ''}${issue.message}`;
    });
    throw new TenantConfigError(`Invalid tenant settings in ${source}:\n${problems.join('\n')}`);
  }
  return { settings: { ...parsed.data, publicBaseUrl: options.local.publicBaseUrl }, source };
}

/** The HTTP API's per-route limits: the tenant's settings over the defaults. */
export function routeThrottles(
  config: Partial<Pick<TenantSettings, (typeof THROTTLE_SETTING_KEYS)[number]>>,
): Record<keyof typeof ROUTE_THROTTLES, RouteThrottle> {
  const of = (route: keyof typeof ROUTE_THROTTLES): RouteThrottle => ({
    rateLimit: config[`${route}RateLimit`] ?? ROUTE_THROTTLES[route].rateLimit,
    burstLimit: config[`${route}BurstLimit`] ?? ROUTE_THROTTLES[route].burstLimit,
  });
  return { link: of('link'), room: of('room'), ops: of('ops') };
}

/** The resource names a function's environment points at (tokens in CDK, plain names locally). */
export interface FunctionEnvironmentResources {
  readonly tables: {
    readonly PLANS_TABLE: string;
    readonly MILESTONES_TABLE: string;
    readonly LINKS_TABLE: string;
    readonly IDEMPOTENCY_TABLE: string;
    /** Partner plans (`kind: PartnerPlan`): read by plans-api and reports-api. */
    readonly PARTNER_PLANS_TABLE: string;
  };
  readonly sesConfigurationSet: string;
  readonly eventBusName: string;
  readonly linkKeysSecretArn: string;
}

/**
 * The environment every function gets (docs/design.md, "Environment"); only plans-api adds
 * `STATE_MACHINE_ARN`. Shared by the stack and the local runtime so the names cannot drift.
 */
export function functionEnvironment(
  config: Pick<
    TenantConfig,
    'tenant' | 'senderAddress' | 'publicBaseUrl' | 'defaultTimezone' | 'linkTtlDays'
  > &
    Partial<Pick<TenantConfig, 'workweek' | 'holidays' | 'escalationGraceBusinessDays'>> &
    Partial<
      Pick<TenantConfig, 'ghostingDays' | 'roomLinkTtlDays' | 'vendorName' | 'brandColor' | 'logoUrl'>
    > &
    Partial<Pick<TenantConfig, 'stageWeights' | 'programCost'>>,
  resources: FunctionEnvironmentResources,
): Record<string, string> {
  return {
    TENANT: config.tenant,
    ...resources.tables,
    SENDER_ADDRESS: config.senderAddress,
    SES_CONFIGURATION_SET: resources.sesConfigurationSet,
    PUBLIC_BASE_URL: config.publicBaseUrl.replace(/\/+$/, ''),
    DEFAULT_TIMEZONE: config.defaultTimezone,
    EVENT_BUS_NAME: resources.eventBusName,
    LINK_KEYS_SECRET_ARN: resources.linkKeysSecretArn,
    LINK_TTL_DAYS: String(config.linkTtlDays),
    GHOSTING_DAYS: String(config.ghostingDays ?? GHOSTING_DAYS),
    WORKWEEK: (config.workweek ?? WORKWEEK).join(','),
    HOLIDAYS: (config.holidays ?? []).join(','),
    ESCALATION_GRACE_BUSINESS_DAYS: String(
      config.escalationGraceBusinessDays ?? ESCALATION_GRACE_BUSINESS_DAYS,
    ),
    ROOM_LINK_TTL_DAYS: String(config.roomLinkTtlDays ?? ROOM_LINK_TTL_DAYS),
    VENDOR_NAME: config.vendorName ?? VENDOR_NAME,
    ...(config.brandColor ? { BRAND_COLOR: config.brandColor } : {}),
    ...(config.logoUrl ? { LOGO_URL: config.logoUrl } : {}),
    STAGE_WEIGHTS: (config.stageWeights ?? STAGE_WEIGHTS).join(','),
    ...(config.programCost
      ? { PROGRAM_COST: `${config.programCost.amount} ${config.programCost.currency}` }
      : {}),
    POWERTOOLS_SERVICE_NAME: 'cosell-flow',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}
