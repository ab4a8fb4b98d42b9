import { readFile } from 'node:fs/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiClient, type ApiClientDeps, ApiError, DEFAULT_ENDPOINT, resolveTarget } from './api-client';
import {
  CliError,
  EXIT_CODES_HELP,
  ExitCode,
  type ExitCodeValue,
  type IssueLine,
  worstExitCode,
} from './exit-codes';
import { type CliIo, progress } from './io';
import type { FileCheck, PartnerPlanValidator } from './plan-files';
import {
  formatPlanList,
  formatPlanMarkdown,
  formatPlanText,
  type PlanSummary,
  type PlanView,
} from './plan-view-format';
import { asProgramReport, formatReportCsv, formatReportTable } from './report-format';
import type { RuleResult } from './rules-of-thumb';
import { type Column, renderTable } from './table-format';

export interface CliDeps extends ApiClientDeps {
  io: CliIo;
  env: Record<string, string | undefined>;
  /** The current directory (tenant init's default `--dir`). */
  cwd?: string;
  /** Finds the partner plan schema (tests replace it). */
  partnerPlan?: () => Promise<PartnerPlanValidator | undefined>;
}

// Reading plan files pulls in zod, the plan schema and both YAML parsers: only the commands that read files
// load them, so `--help`, `plan list`, `plan show` and `report` start sooner.
const planFiles = () => import('./plan-files');

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function today(deps: CliDeps): string {
  return (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
}

function positiveInt(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date written YYYY-MM-DD');
  }
  return value;
}

interface PartnerPlanStored {
  partner: string;
  targetAccounts: number;
  quarterlyTarget: { quarter: string; arr: number; currency: string };
  created: boolean;
}

interface PartnerPlanListed {
  partner: { name: string };
  targetAccounts: unknown[];
  quarterlyTarget: { quarter: string; arr: number; currency: string };
  motion: { fronts: string };
}

/** The `cosell` command tree. Each action returns its exit code; failures throw `CliError`. */
export function buildProgram(deps: CliDeps, setExit: (code: ExitCodeValue) => void): Command {
  const { io } = deps;
  const out = (text: string) => io.stdout(text.endsWith('\n') ? text : `${text}\n`);

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

  const client = (command: Command) => {
    const options = command.optsWithGlobals() as { endpoint?: string; region?: string; profile?: string };
    return new ApiClient(resolveTarget({ ...options, env: deps.env }), deps);
  };

  const plan = program.command('plan').description('co-sell plans: validate, check, create, list, show');

  // ---- plan validate
  plan
    .command('validate')
    .description('validate plan files (YAML or JSON; kind CoSellPlan or PartnerPlan) without sending them')
    .argument('<files...>', 'plan files (.yaml, .yml or .json)')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Each problem is printed as FILE:LINE:COL  field.path  message. Exit code 2 if any file is invalid.

Examples:
  cosell plan validate examples/globex-platform-migration.yaml
  cosell plan validate plans/*.yaml --json`,
    )
    .action(async (files: string[], options: { json?: boolean }) => {
      const { checkPlanFile, formatFileIssues, loadPartnerPlanValidator } = await planFiles();
      let partnerPlan: PartnerPlanValidator | undefined;
      try {
        partnerPlan = await (deps.partnerPlan ?? loadPartnerPlanValidator)();
      } catch (error) {
        // A schema file that does not load (mid-edit, a newer zod) must not stop deal plans from being checked.
        io.stderr(
          `cosell: warning: the partner plan schema did not load (${(error as Error).message}); partner plans are not checked\n`,
        );
      }
      const shown = progress(io, files.length, 'validating');
      const checks: FileCheck[] = [];
      for (const file of files) {
        shown.step(file);
        checks.push(await checkPlanFile(file, partnerPlan ? { partnerPlan } : {}));
      }
      shown.done();
      if (options.json) {
        out(json(checks.map(({ plan: _plan, ...check }) => check)));
      } else {
        for (const check of checks) {
          if (check.valid)
            out(`${check.file}: valid ${check.kind ?? 'plan'}${check.plan ? ` "${check.plan.name}"` : ''}`);
          else out(formatFileIssues(check).join('\n'));
        }
        const invalid = checks.filter((c) => !c.valid);
        const issues = invalid.reduce((n, c) => n + c.issues.length, 0);
        if (checks.length > 1 || invalid.length > 0) {
          out(
            `${checks.length} file${checks.length === 1 ? '' : 's'} checked: ${checks.length - invalid.length} valid, ${invalid.length} invalid` +
              (issues > 0 ? ` (${issues} problem${issues === 1 ? '' : 's'})` : ''),
          );
        }
      }
      setExit(checks.every((c) => c.valid) ? ExitCode.ok : ExitCode.invalid);
    });

  // ---- plan check
  plan
    .command('check')
    .description('does this deal need a co-sell plan? applies the rules of thumb to the file and says why')
    .argument('<file>', 'a plan file, or a draft of one (only the fields the rules read are needed)')
    .option('--json', 'print the assessment as JSON')
    .option('--today <date>', 'judge the sales cycle from this date (YYYY-MM-DD; default: today)', isoDate)
    .addHelpText(
      'after',
      `
Rules of thumb (a plan is worth writing when any applies): ARR above about $50K; more than one stakeholder at
the buyer; a partner relationship to preserve; commercial complexity (revenue share, joint quoting,
marketplace); a sales cycle past about 60 days; the partner brought the deal. Not for transactional purchases
or renewals the partner takes no part in. Exit code 0 whatever the verdict; 2 if the file cannot be read.

Examples:
  cosell plan check plans/globex.yaml
  cosell plan check draft.yaml --json | jq .needsPlan`,
    )
    .action(async (file: string, options: { json?: boolean; today?: string }) => {
      const { checkPlanText, detectFormat, formatFileIssues, parseData, ValidationError } = await planFiles();
      const { assessNeedForPlan } = await import('./rules-of-thumb');
      let format: ReturnType<typeof detectFormat>;
      let text: string;
      try {
        format = detectFormat(file);
        text = await readFile(file, 'utf8');
      } catch (error) {
        if (error instanceof ValidationError)
          throw new CliError(`${file}: ${error.issues[0]?.message}`, ExitCode.invalid);
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.invalid);
      }
      let data: unknown;
      try {
        data = parseData(text, format);
      } catch {
        const check = checkPlanText(file, text);
        throw new CliError(
          `${file} does not parse:\n${formatFileIssues(check).join('\n')}`,
          ExitCode.invalid,
        );
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new CliError(`${file}: expected a plan (a YAML or JSON object)`, ExitCode.invalid);
      }
      if ((data as { kind?: unknown }).kind === 'PartnerPlan') {
        throw new CliError(
          `${file} is a partner plan; plan check asks whether one deal needs a co-sell plan: give it a deal's plan (kind: CoSellPlan) or a draft of one`,
          ExitCode.invalid,
        );
      }
      const assessment = assessNeedForPlan(data, options.today ?? today(deps));
      const validity = checkPlanText(file, text);
      if (options.json) {
        out(json({ file, validPlan: validity.valid, ...assessment }));
      } else {
        const name = (data as { name?: unknown }).name;
        const columns: Column<RuleResult>[] = [
          { header: 'APPLIES', value: (r) => r.answer },
          { header: 'RULE OF THUMB', value: (r) => r.rule },
          { header: 'WHY', value: (r) => r.why },
        ];
        out(`Does ${typeof name === 'string' ? `"${name}"` : file} need a co-sell plan?\n`);
        out(renderTable(columns, assessment.rules));
        out(`\nReasons not to write one:\n`);
        out(renderTable(columns, assessment.exclusions));
        out(`\n${assessment.verdict}`);
        if (!validity.valid) {
          out(
            `\nNote: ${file} is not a valid plan yet (${validity.issues.length} problem${validity.issues.length === 1 ? '' : 's'}); see: cosell plan validate ${file}`,
          );
        }
      }
      setExit(ExitCode.ok);
    });

  // ---- plan create
  plan
    .command('create')
    .description('load plans into the tenant: POST /plans for each file (the workflow starts at once)')
    .argument('<files...>', 'plan files (.yaml, .yml or .json)')
    .option('--json', 'print the created plans as JSON (an array of the API answers)')
    .addHelpText(
      'after',
      `
The API validates each plan; its problems are printed as FILE:LINE:COL  field.path  message (exit code 2).
The other files are still sent; if the API cannot be reached, nothing more is sent (exit code 4).

Examples:
  cosell plan create examples/globex-platform-migration.yaml
  cosell plan create plans/*.yaml --json | jq -r '.[].planId'`,
    )
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      const api = client(command);
      const { readDocumentFile } = await planFiles();
      const { parseIssuePath, SourceLocator } = await import('./source-positions');
      const shown = progress(io, files.length, 'creating');
      const created: (PlanView & { file: string })[] = [];
      const codes: ExitCodeValue[] = [];
      try {
        for (const file of files) {
          shown.step(file);
          let document: { text: string; contentType: string };
          try {
            document = await readDocumentFile(file);
          } catch (error) {
            io.stderr(`${(error as Error).message}\n`);
            codes.push(ExitCode.invalid);
            continue;
          }
          try {
            const res = await api.request<PlanView & { warnings?: IssueLine[] }>('POST', '/plans', {
              body: document.text,
              contentType: document.contentType,
            });
            // Accepted with something to know, such as an account off the partner plan's target list.
            for (const w of res.body.warnings ?? []) io.stderr(`${file}: warning: ${w.path}: ${w.message}\n`);
            created.push({ ...res.body, file });
          } catch (error) {
            if (!(error instanceof ApiError) || error.exitCode !== ExitCode.invalid) throw error;
            const locator = new SourceLocator(
              document.text.startsWith('\uFEFF') ? document.text.slice(1) : document.text,
            );
            io.stderr(`${file}: ${error.message}\n`);
            for (const issue of error.issues) {
              const at = locator.locate(parseIssuePath(issue.path), issue.message);
              io.stderr(`${file}:${at.line}:${at.column}  ${issue.path}  ${issue.message}\n`);
            }
            codes.push(ExitCode.invalid);
          }
        }
      } finally {
        shown.done();
      }
      if (options.json) out(json(created));
      else if (created.length > 0) {
        out(
          renderTable(
            [
              { header: 'FILE', value: (p) => p.file },
              { header: 'PLAN', value: (p) => p.planId },
              { header: 'NAME', value: (p) => p.name },
              { header: 'STAGE', value: (p) => p.stage },
              { header: 'STATUS', value: (p) => p.status },
            ],
            created,
          ),
        );
        out(
          `\n${created.length} plan${created.length === 1 ? '' : 's'} created; see one with: cosell plan show ${created[0]?.planId}`,
        );
      }
      setExit(worstExitCode(codes));
    });

  // ---- plan list
  plan
    .command('list')
    .description("the tenant's plans: GET /plans")
    .option('--partner <name>', "only this partner's plans (case-insensitive)")
    .option('--status <status>', 'only plans with this status (active, won, lost)')
    .option('--json', 'print the API answer ({plans: [...]}) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  cosell plan list
  cosell plan list --partner "Northwind Integrators" --status active
  cosell plan list --json | jq -r '.plans[] | [.planId, .stage] | @tsv'`,
    )
    .action(async (options: { partner?: string; status?: string; json?: boolean }, command: Command) => {
      const res = await client(command).request<{ plans: PlanSummary[] }>('GET', '/plans');
      const plans = (res.body.plans ?? []).filter(
        (p) =>
          (options.partner === undefined || p.partner?.toLowerCase() === options.partner.toLowerCase()) &&
          (options.status === undefined || p.status === options.status),
      );
      out(options.json ? json({ plans }) : formatPlanList(plans));
      setExit(ExitCode.ok);
    });

  // ---- plan show
  plan
    .command('show')
    .description('one plan: GET /plans/{planId}: stages, milestones, confirmations')
    .argument('<planId>', 'the plan id (pl_...), as plan create and plan list print it')
    .addOption(
      new Option('--format <format>', 'table, md (Markdown) or json')
        .choices(['table', 'md', 'json'])
        .default('table'),
    )
    .option('--json', 'same as --format json')
    .addHelpText(
      'after',
      `
Exit code 3 if there is no plan with that id.

Examples:
  cosell plan show pl_0123456789abcdef0123
  cosell plan show pl_0123456789abcdef0123 --format md > deal.md
  cosell plan show pl_0123456789abcdef0123 --json | jq '.milestones[] | select(.status == "open")'`,
    )
    .action(async (planId: string, options: { format: string; json?: boolean }, command: Command) => {
      let res: { body: PlanView };
      try {
        res = await client(command).request<PlanView>('GET', `/plans/${encodeURIComponent(planId)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          throw new CliError(`no plan with id ${planId} (see: cosell plan list)`, ExitCode.notFound);
        }
        throw error;
      }
      const format = options.json ? 'json' : options.format;
      out(
        format === 'json'
          ? json(res.body)
          : format === 'md'
            ? formatPlanMarkdown(res.body)
            : formatPlanText(res.body),
      );
      setExit(ExitCode.ok);
    });

  // ---- partner-plan put, list
  const partnerPlan = program
    .command('partner-plan')
    .description('partner plans (kind PartnerPlan): target accounts, motion, credit rules, quarterly target');
  partnerPlan
    .command('put')
    .description("store a partner plan, replacing that partner's previous one: PUT /partner-plans")
    .argument('<file>', 'the partner plan (.yaml, .yml or .json)')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
Deal plans loaded afterwards for this partner are checked against its target accounts: an account not on
the list is accepted with a warning and counted in the report's off-list figure. Exit code 2 if the file is
invalid (each problem printed as FILE:LINE:COL  field.path  message).

Examples:
  cosell partner-plan put examples/partner-plan-northwind.yaml`,
    )
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const { readDocumentFile } = await planFiles();
      let document: { text: string; contentType: string };
      try {
        document = await readDocumentFile(file);
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.invalid);
      }
      let res: { status: number; body: PartnerPlanStored };
      try {
        res = await client(command).request<PartnerPlanStored>('PUT', '/partner-plans', {
          body: document.text,
          contentType: document.contentType,
        });
      } catch (error) {
        if (!(error instanceof ApiError) || error.exitCode !== ExitCode.invalid) throw error;
        const { parseIssuePath, SourceLocator } = await import('./source-positions');
        const locator = new SourceLocator(
          document.text.startsWith('\uFEFF') ? document.text.slice(1) : document.text,
        );
        io.stderr(`${file}: ${error.message}\n`);
        for (const issue of error.issues) {
          const at = locator.locate(parseIssuePath(issue.path), issue.message);
          io.stderr(`${file}:${at.line}:${at.column}  ${issue.path}  ${issue.message}\n`);
        }
        setExit(ExitCode.invalid);
        return;
      }
      const b = res.body;
      if (options.json) out(json(b));
      else
        out(
          `${b.created ? 'Stored' : 'Replaced'} the partner plan for ${b.partner}: ${b.targetAccounts} target accounts, ` +
            `target ${b.quarterlyTarget.arr} ${b.quarterlyTarget.currency} in ${b.quarterlyTarget.quarter}`,
        );
      setExit(ExitCode.ok);
    });
  partnerPlan
    .command('list')
    .description("the tenant's partner plans: GET /partner-plans")
    .option('--json', 'print the API answer ({partnerPlans: [...]}) as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const res = await client(command).request<{ partnerPlans: PartnerPlanListed[] }>(
        'GET',
        '/partner-plans',
      );
      const plans = res.body.partnerPlans ?? [];
      if (options.json) out(json(res.body));
      else if (plans.length === 0) out('No partner plans yet (add one with: cosell partner-plan put FILE).');
      else
        out(
          renderTable(
            [
              { header: 'PARTNER', value: (p) => p.partner.name },
              { header: 'ACCOUNTS', value: (p) => p.targetAccounts.length, align: 'right' },
              { header: 'QUARTER', value: (p) => p.quarterlyTarget.quarter },
              { header: 'TARGET', value: (p) => p.quarterlyTarget.arr, align: 'right' },
              { header: 'CURRENCY', value: (p) => p.quarterlyTarget.currency },
              { header: 'FRONTS', value: (p) => p.motion.fronts },
            ] satisfies Column<PartnerPlanListed>[],
            plans,
          ),
        );
      setExit(ExitCode.ok);
    });

  // ---- report
  program
    .command('report')
    .description(
      'the program view: pipeline, revenue, win rate, conversion, stalls, targets (GET /reports/program)',
    )
    .option('--partner <name>', 'only this partner (case-insensitive); totals then cover it alone')
    .option(
      '--stall-days <days>',
      'a stage open more than this many days counts as stalled',
      positiveInt('--stall-days'),
    )
    .option('--currency <code>', 'money figures in this currency (default: the one most deals use)')
    .addOption(
      new Option('--format <format>', 'table, json or csv')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .addOption(
      new Option('--table <table>', 'with --format csv: summary (a row per partner and Total) or stalled')
        .choices(['summary', 'stalled'])
        .default('summary'),
    )
    .option('--json', 'same as --format json')
    .addHelpText(
      'after',
      `
The tables: pipeline and revenue by partner and in total (sourced and influenced), conversion and median
days per stage, quarterly targets, and the deals stalled now with whose move it is. Each partner's row and
the Total row come from the same deals, so the partner rows add up to the total.
--format csv is the API's own CSV (GET /reports/program.csv): raw numbers, rates as fractions.
Exit code 3 if --partner names a partner with no deals and no partner plan; 1 if the API has no program
report yet (an older deployment).

Examples:
  cosell report
  cosell report --partner "Northwind Integrators" --stall-days 21
  cosell report --format csv > program.csv
  cosell report --format csv --table stalled > stalled.csv
  cosell report --json | jq '.total.winRate'`,
    )
    .action(
      async (
        options: {
          partner?: string;
          stallDays?: number;
          currency?: string;
          format: string;
          table: 'summary' | 'stalled';
          json?: boolean;
        },
        command: Command,
      ) => {
        const api = client(command);
        const query = {
          partner: options.partner,
          stallDays: options.stallDays === undefined ? undefined : String(options.stallDays),
          currency: options.currency,
        };
        let body: unknown;
        try {
          body = (await api.request('GET', '/reports/program', { query })).body;
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) {
            throw new CliError(
              `the API at ${api.target.endpoint.origin} has no program report (GET /reports/program answered 404: ${error.message}); update the stack or the local checkout`,
              ExitCode.failure,
            );
          }
          throw error;
        }
        const format = options.json ? 'json' : options.format;
        if (format === 'json') {
          out(json(body));
        } else {
          const report = asProgramReport(body);
          if (options.partner && report.partners.length === 0) {
            throw new CliError(
              `no deals and no partner plan for partner "${options.partner}" (see: cosell plan list, cosell partner-plan list)`,
              ExitCode.notFound,
            );
          }
          out(format === 'csv' ? formatReportCsv(report, options.table) : formatReportTable(report));
        }
        setExit(ExitCode.ok);
      },
    );

  // ---- tenant init
  const tenant = program.command('tenant').description('tenant settings for deploying a Cosell Flow stack');
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
      'days an action link stays valid (1-90)',
      positiveInt('--link-ttl-days'),
      14,
    )
    .option(
      '--reminder-sweep-minutes <minutes>',
      'how often reminders are swept (1-1440)',
      positiveInt('--reminder-sweep-minutes'),
      15,
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
    .action(
      async (
        name: string,
        options: {
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
        },
      ) => {
        const { commentedSettings, initTenant } = await import('./tenant-init');
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
      },
    );

  return program;
}

function printError(io: CliIo, error: CliError): void {
  io.stderr(`cosell: ${error.message}\n`);
  for (const issue of error.issues) io.stderr(`  ${issue.path}  ${issue.message}\n`);
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
      printError(deps.io, error);
      return error.exitCode;
    }
    deps.io.stderr(`cosell: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.failure;
  }
}
