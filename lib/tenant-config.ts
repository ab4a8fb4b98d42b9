import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as z from 'zod/mini';
import {
  GHOSTING_DAYS,
  GHOSTING_DAYS_RANGE,
  LINK_TTL_DAYS,
  LINK_TTL_DAYS_RANGE,
  REMINDER_SWEEP_MINUTES,
  REMINDER_SWEEP_MINUTES_RANGE,
  ROUTE_BURST_LIMIT_RANGE,
  ROUTE_RATE_LIMIT_RANGE,
  ROUTE_THROTTLES,
  type RouteThrottle,
} from '../lambdas/domain/defaults';

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
const SETTING_NAMES = [...TENANT_CONTEXT_KEYS.filter((k) => k !== 'account' && k !== 'region'), 'env'];

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
    // Public link routes (/a/*), public deal-room routes (/room/*) and operator routes each have their own limits.
    ...(Object.fromEntries(
      THROTTLE_SETTING_KEYS.map((key) => {
        const range = key.endsWith('RateLimit') ? ROUTE_RATE_LIMIT_RANGE : ROUTE_BURST_LIMIT_RANGE;
        return [key, z.optional(wholeNumber(key, range.min, range.max))];
      }),
    ) as Record<(typeof THROTTLE_SETTING_KEYS)[number], z.ZodMiniOptional<ReturnType<typeof wholeNumber>>>),
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
    Partial<Pick<TenantConfig, 'ghostingDays'>>,
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
    POWERTOOLS_SERVICE_NAME: 'cosell-flow',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}
