import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_ENDPOINT } from './api-client';
import { type CliDeps, commandContext } from './commands/command-context';
import { addDeals } from './commands/deals';
import { addPartnerPlanList } from './commands/partner-plan-list';
import { addPartnerPlanPut } from './commands/partner-plan-put';
import { addPlanApply } from './commands/plan-apply';
import { addPlanCheck } from './commands/plan-check';
import { addPlanClose } from './commands/plan-close';
import { addPlanCreate } from './commands/plan-create';
import { addPlanHistory } from './commands/plan-history';
import { addPlanList } from './commands/plan-list';
import { addPlanRetry } from './commands/plan-retry';
import { addPlanRoom } from './commands/plan-room';
import { addPlanShow } from './commands/plan-show';
import { addPlanValidate } from './commands/plan-validate';
import { addReport } from './commands/report';
import { addTenantInit } from './commands/tenant-init';
import { CliError, EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes';
import { printCliError } from './issue-printer';

export type { CliDeps } from './commands/command-context';

/**
 * The `cosell` command tree, assembled from `cli/commands/` (one file per command). Each action sets its
 * exit code; failures throw `CliError`.
 */
export function buildProgram(deps: CliDeps, setExit: (code: ExitCodeValue) => void): Command {
  const { io } = deps;
  const context = commandContext(deps, setExit);

  const program = new Command('cosell')
    .description(
      'Cosell Flow for partnerships ops: validate and load co-sell plans, follow deals, report on the program.',
    )
    .addOption(
      new Option(
        '--endpoint <url>',
        `the Cosell Flow HTTP API (default: $COSELL_ENDPOINT, else ${DEFAULT_ENDPOINT}, the local stack)`,
      ),
    )
    .addOption(
      new Option(
        '--region <region>',
        'AWS region for signing requests to a deployed tenant (default: $AWS_REGION)',
      ),
    )
    .addOption(
      new Option('--profile <name>', 'AWS profile for the credentials (default: the usual provider chain)'),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText(
      'after',
      `
Examples:
  cosell plan validate plans/*.yaml
  cosell plan check plans/globex.yaml
  cosell plan create plans/globex.yaml
  cosell plan list --json | jq -r '.plans[].planId'
  cosell plan show pl_0123456789abcdef0123 --format md > globex.md
  cosell report --partner "Northwind Integrators" --format csv > northwind.csv
  cosell tenant init acme-emea
  COSELL_ENDPOINT=https://abc123.execute-api.eu-west-1.amazonaws.com cosell plan list

Requests to the local stack (localhost) are sent as they are; requests to any other endpoint are signed
with SigV4 (service execute-api) using AWS credentials from the usual provider chain.

${EXIT_CODES_HELP}`,
    );

  // Subcommands are made with `.command()` so they inherit exitOverride and the output settings.
  const plan = program
    .command('plan')
    .description('co-sell plans: validate, check, create, apply, list, show, history, close, retry');
  for (const add of [
    addPlanValidate,
    addPlanCheck,
    addPlanCreate,
    addPlanApply,
    addPlanList,
    addPlanShow,
    addPlanHistory,
    addPlanClose,
    addPlanRoom,
    addPlanRetry,
  ])
    add(plan, context);

  const partnerPlan = program
    .command('partner-plan')
    .description('partner plans (kind PartnerPlan): target accounts, motion, credit rules, quarterly target');
  addPartnerPlanPut(partnerPlan, context);
  addPartnerPlanList(partnerPlan, context);

  addReport(program, context);
  addDeals(program, context);

  const tenant = program.command('tenant').description('tenant settings for deploying a Cosell Flow stack');
  addTenantInit(tenant, context);

  return program;
}

/** Runs one command line (without `node` and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCodeValue> {
  let code: ExitCodeValue = ExitCode.ok;
  const program = buildProgram(deps, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are answers; anything else (a bare `cosell plan` included) is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      return ExitCode.invalid;
    }
    if (error instanceof CliError) {
      printCliError(deps.io, error);
      return error.exitCode;
    }
    deps.io.stderr(`cosell: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.failure;
  }
}
