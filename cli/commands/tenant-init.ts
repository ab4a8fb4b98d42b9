import type { Command } from 'commander';
import {
  LINK_TTL_DAYS,
  LINK_TTL_DAYS_RANGE,
  REMINDER_SWEEP_MINUTES,
  REMINDER_SWEEP_MINUTES_RANGE,
} from '../../lambdas/domain/defaults';
import { ExitCode } from '../exit-codes';
import { type CommandContext, json } from './command-context';
import { positiveInt } from './option-parsers';

interface TenantInitCommandOptions {
  dir?: string;
  force?: boolean;
  senderAddress?: string;
  publicBaseUrl?: string;
  timezone?: string;
  linkTtlDays: number;
  reminderSweepMinutes: number;
  awsAccount?: string;
  awsRegion?: string;
  json?: boolean;
}

/** `cosell tenant init NAME`: writes `tenants/NAME.json` and its README (the work is `cli/tenant-init.ts`). */
export function addTenantInit(tenant: Command, { deps, out, setExit }: CommandContext): void {
  tenant
    .command('init')
    .description(
      'write tenants/NAME.json (what `cdk deploy -c tenant=NAME` reads) and tenants/NAME.README.md explaining it',
    )
    .argument(
      '<name>',
      'the tenant name: 2-31 characters, lowercase letters, digits and -, starting with a letter',
    )
    .option('--dir <dir>', 'the repository root holding tenants/ (default: the current directory)')
    .option('--force', 'overwrite existing files')
    .option('--sender-address <email>', 'the SES-verified From address (default: a placeholder to replace)')
    .option(
      '--public-base-url <url>',
      'where people reach the link pages (default: a placeholder to replace)',
    )
    .option('--timezone <zone>', "default IANA time zone (default: this machine's)")
    .option(
      '--link-ttl-days <days>',
      `days an action link stays valid (${LINK_TTL_DAYS_RANGE.min}-${LINK_TTL_DAYS_RANGE.max})`,
      positiveInt('--link-ttl-days'),
      LINK_TTL_DAYS,
    )
    .option(
      '--reminder-sweep-minutes <minutes>',
      `how often reminders are swept (${REMINDER_SWEEP_MINUTES_RANGE.min}-${REMINDER_SWEEP_MINUTES_RANGE.max})`,
      positiveInt('--reminder-sweep-minutes'),
      REMINDER_SWEEP_MINUTES,
    )
    .option('--aws-account <id>', 'the 12-digit AWS account to deploy to (optional)')
    .option('--aws-region <region>', 'the AWS region to deploy to (optional)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Refuses to overwrite an existing file without --force (exit code 2). The file is plain JSON, as the CDK app
reads it; the explanation of each setting is printed and kept in tenants/NAME.README.md.

Examples:
  cosell tenant init acme-emea --sender-address deals@acme.example --public-base-url https://deals.acme.example
  cosell tenant init acme-emea --timezone Europe/Berlin --aws-region eu-central-1 --force`,
    )
    .action(async (name: string, options: TenantInitCommandOptions) => {
      const { commentedSettings, initTenant } = await import('../tenant-init');
      const result = initTenant({
        name,
        dir: options.dir ?? deps.cwd ?? process.cwd(),
        force: options.force ?? false,
        linkTtlDays: options.linkTtlDays,
        reminderSweepMinutes: options.reminderSweepMinutes,
        ...(options.senderAddress !== undefined ? { senderAddress: options.senderAddress } : {}),
        ...(options.publicBaseUrl !== undefined ? { publicBaseUrl: options.publicBaseUrl } : {}),
        ...(options.timezone !== undefined ? { defaultTimezone: options.timezone } : {}),
        ...(options.awsAccount !== undefined ? { account: options.awsAccount } : {}),
        ...(options.awsRegion !== undefined ? { region: options.awsRegion } : {}),
      });
      if (options.json) {
        out(json(result));
      } else {
        out(`Wrote ${result.file}\n  and ${result.readme}\n`);
        out(commentedSettings(result.settings, result.placeholders));
        if (result.placeholders.length > 0) {
          out(`\nReplace before deploying: ${result.placeholders.join(', ')}.`);
        }
        out(`Check it with: npx cdk synth -c tenant=${result.tenant}`);
      }
      setExit(ExitCode.ok);
    });
}
