import { type Command, Option } from 'commander';
import { ApiError } from '../api-client';
import { CliError, ExitCode } from '../exit-codes';
import { asProgramReport, formatReportCsv, formatReportTable } from '../report-format';
import { type CommandContext, json } from './command-context';
import { positiveInt } from './option-parsers';

interface ReportOptions {
  partner?: string;
  stallDays?: number;
  currency?: string;
  format: string;
  table: 'summary' | 'stalled';
  json?: boolean;
}

/** `cosell report`: the program view (`GET /reports/program`) as tables, JSON or CSV. */
export function addReport(program: Command, { out, setExit, client }: CommandContext): void {
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
    .action(async (options: ReportOptions, command: Command) => {
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
    });
}
