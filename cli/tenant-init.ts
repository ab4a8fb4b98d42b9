import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  DEFAULT_TIMEZONE,
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
  STAGE_WEIGHTS,
} from '../lambdas/domain/defaults';
import {
  loadTenantConfig,
  TENANT_NAME_PATTERN,
  type TenantSettings,
  TenantSettingsSchema,
} from '../lib/tenant-config';
import { CliError, ExitCode } from './exit-codes';

/**
 * `cosell tenant init NAME`: a tenant settings file the CDK app accepts (`tenants/NAME.json`, read by
 * `loadTenantConfig`), and beside it `tenants/NAME.README.md` explaining each setting, because JSON has no
 * comments. The same explanation is printed as commented JSON.
 */

export interface TenantInitOptions {
  name: string;
  /** The repository root that holds `tenants/` (default: the current directory). */
  dir: string;
  force?: boolean;
  senderAddress?: string;
  publicBaseUrl?: string;
  defaultTimezone?: string;
  linkTtlDays?: number;
  reminderSweepMinutes?: number;
  ghostingDays?: number;
  account?: string;
  region?: string;
  /** The machine's time zone (injected in tests). */
  systemTimeZone?: () => string | undefined;
}

export interface TenantInitResult {
  tenant: string;
  file: string;
  readme: string;
  settings: TenantSettings;
  /** Settings left at a made-up value that must be replaced before deploying. */
  placeholders: string[];
}

interface SettingDoc {
  key: keyof TenantSettings | 'env.account' | 'env.region';
  what: string;
}

const SETTING_DOCS: SettingDoc[] = [
  {
    key: 'senderAddress',
    what: 'From address of every email (nudges, escalations, links). Must be a verified SES identity in the account and region you deploy to.',
  },
  {
    key: 'publicBaseUrl',
    what: 'Where people reach the link pages: the HTTP API URL or a custom domain in front of it. https:// only (http:// on localhost); no query or fragment. Links are <publicBaseUrl>/a/<token>.',
  },
  {
    key: 'defaultTimezone',
    what: "IANA time zone for people the plan gives no timezone; milestones fall due at 17:00 in the owner's time zone.",
  },
  {
    key: 'linkTtlDays',
    what: `Days an action link stays valid (${LINK_TTL_DAYS_RANGE.min} to ${LINK_TTL_DAYS_RANGE.max}; default ${LINK_TTL_DAYS}).`,
  },
  {
    key: 'reminderSweepMinutes',
    what: `How often the reminder sweep runs, in minutes (${REMINDER_SWEEP_MINUTES_RANGE.min} to ${REMINDER_SWEEP_MINUTES_RANGE.max}; default ${REMINDER_SWEEP_MINUTES}).`,
  },
  {
    key: 'ghostingDays',
    what: `Days without any partner-side action, while partner work is open, before the partner's escalation path is told (${GHOSTING_DAYS_RANGE.min} to ${GHOSTING_DAYS_RANGE.max}; default ${GHOSTING_DAYS}).`,
  },
  {
    key: 'workweek',
    what: 'Days people work, e.g. ["MON", "TUE", "WED", "THU", "FRI"] (the default): the cadence sends nothing on other days, on each recipient\'s own calendar.',
  },
  {
    key: 'holidays',
    what: 'Dates that are never working days, YYYY-MM-DD, e.g. ["2026-12-25"] (default none).',
  },
  {
    key: 'escalationGraceBusinessDays',
    what: `Working days after a gate's deadline before its escalation path is told (${ESCALATION_GRACE_BUSINESS_DAYS_RANGE.min} to ${ESCALATION_GRACE_BUSINESS_DAYS_RANGE.max}; default ${ESCALATION_GRACE_BUSINESS_DAYS}).`,
  },
  {
    key: 'roomLinkTtlDays',
    what: `Days a deal room's view link (<publicBaseUrl>/room/<token>, in every email) stays valid (${ROOM_LINK_TTL_DAYS_RANGE.min} to ${ROOM_LINK_TTL_DAYS_RANGE.max}; default ${ROOM_LINK_TTL_DAYS}).`,
  },
  {
    key: 'stageWeights',
    what: `Forecast weight of a deal in each stage, in percent, stage 1 first (default ${STAGE_WEIGHTS.join('/')}).`,
  },
  {
    key: 'env.account',
    what: "Optional: the 12-digit AWS account to deploy to (else the CLI credentials' account).",
  },
  {
    key: 'env.region',
    what: 'Optional: the AWS region to deploy to, e.g. eu-west-1 (else the CLI default region).',
  },
];

function systemTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

function valueAt(settings: TenantSettings, key: SettingDoc['key']): unknown {
  if (key === 'env.account') return settings.env?.account;
  if (key === 'env.region') return settings.env?.region;
  return settings[key];
}

/** The settings as JSON with a comment above each one (JSONC): for reading, not for `loadTenantConfig`. */
export function commentedSettings(settings: TenantSettings, placeholders: readonly string[] = []): string {
  const lines = ['{'];
  const entries = SETTING_DOCS.filter((doc) => !doc.key.startsWith('env.'));
  const envDocs = SETTING_DOCS.filter(
    (doc) => doc.key.startsWith('env.') && valueAt(settings, doc.key) !== undefined,
  );
  const last = envDocs.length === 0 ? entries.length - 1 : -1;
  entries.forEach((doc, index) => {
    const mark = placeholders.includes(doc.key) ? ' PLACEHOLDER: replace before deploying.' : '';
    lines.push(`  // ${doc.what}${mark}`);
    lines.push(
      `  ${JSON.stringify(doc.key)}: ${JSON.stringify(valueAt(settings, doc.key))}${index === last ? '' : ','}`,
    );
  });
  if (envDocs.length > 0) {
    lines.push('  // Where to deploy (optional).', '  "env": {');
    envDocs.forEach((doc, index) => {
      const key = doc.key.slice('env.'.length);
      lines.push(`    // ${doc.what}`);
      lines.push(
        `    ${JSON.stringify(key)}: ${JSON.stringify(valueAt(settings, doc.key))}${index === envDocs.length - 1 ? '' : ','}`,
      );
    });
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n');
}

function readme(tenant: string, settings: TenantSettings, placeholders: readonly string[]): string {
  const rows = SETTING_DOCS.map((doc) => {
    const value = valueAt(settings, doc.key);
    const shown = value === undefined ? '(not set)' : `\`${String(value)}\``;
    const mark = placeholders.includes(doc.key) ? ' **Placeholder: replace before deploying.**' : '';
    return `| \`${doc.key}\` | ${shown} | ${doc.what.replace(/\|/g, '\\|')}${mark} |`;
  });
  return `# Tenant \`${tenant}\`

Settings for the \`CosellFlow-${tenant}\` stack, in \`tenants/${tenant}.json\` (plain JSON: the CDK app reads
it with \`JSON.parse\`, so comments cannot go in the file itself; they are here).

| setting | value | what it is |
|---|---|---|
${rows.join('\n')}

Check and deploy:

\`\`\`bash
npx cdk synth -c tenant=${tenant}     # offline: validates these settings and writes the template
npx cdk deploy -c tenant=${tenant}    # with AWS credentials for the target account
\`\`\`

The annotated form of the file:

\`\`\`jsonc
${commentedSettings(settings, placeholders)}
\`\`\`
`;
}

/** A path relative to the current directory when it lies under it, else as it is. */
function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export function initTenant(options: TenantInitOptions): TenantInitResult {
  const tenant = options.name;
  if (!TENANT_NAME_PATTERN.test(tenant)) {
    throw new CliError(
      `invalid tenant name '${tenant}': use 2-31 characters, lowercase letters, digits and '-', starting with a letter`,
      ExitCode.invalid,
    );
  }
  const placeholders: string[] = [];
  const placeholder = <T>(key: string, given: T | undefined, made: T): T => {
    if (given !== undefined) return given;
    placeholders.push(key);
    return made;
  };
  const zone = (options.systemTimeZone ?? systemTimeZone)();
  const env = {
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  };
  const raw = {
    senderAddress: placeholder('senderAddress', options.senderAddress, `deals@${tenant}.example`),
    publicBaseUrl: placeholder('publicBaseUrl', options.publicBaseUrl, `https://deals.${tenant}.example`),
    defaultTimezone: options.defaultTimezone ?? (zone && zone !== 'Etc/Unknown' ? zone : DEFAULT_TIMEZONE),
    linkTtlDays: options.linkTtlDays ?? LINK_TTL_DAYS,
    reminderSweepMinutes: options.reminderSweepMinutes ?? REMINDER_SWEEP_MINUTES,
    ghostingDays: options.ghostingDays ?? GHOSTING_DAYS,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  };
  const parsed = TenantSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(
      `invalid settings for tenant '${tenant}'`,
      ExitCode.invalid,
      parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(settings)',
        message: issue.message,
      })),
    );
  }

  const dir = join(options.dir, 'tenants');
  const file = join(dir, `${tenant}.json`);
  const readmeFile = join(dir, `${tenant}.README.md`);
  const existing = [file, readmeFile].filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new CliError(
      `${existing.map(shortPath).join(' and ')} already exist${existing.length === 1 ? 's' : ''}: pass --force to overwrite`,
      ExitCode.invalid,
    );
  }
  mkdirSync(dir, { recursive: true });
  // Commented, so the file explains itself; the CDK app's loader skips whole-line comments.
  writeFileSync(file, `${commentedSettings(parsed.data, placeholders)}\n`);
  writeFileSync(readmeFile, readme(tenant, parsed.data, placeholders));

  // What the CDK app will read: the same loader, so a file written here is a file it accepts.
  loadTenantConfig({ tenant, context: () => undefined, rootDir: options.dir });
  return { tenant, file, readme: readmeFile, settings: parsed.data, placeholders };
}
