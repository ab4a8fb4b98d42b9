import { type Command, Option } from 'commander';
import { type Dashboard, HEALTHS } from '../../lambdas/domain/dashboard';
import { STAGE_KEYS } from '../../lambdas/domain/vocabulary';
import { DASHBOARD_COLUMNS, dashboardCells } from '../../lambdas/views/reports/dashboard-rows';
import { CliError, ExitCode } from '../exit-codes';
import { renderTable } from '../table-format';
import { type CommandContext, json } from './command-context';

interface DealsOptions {
  partner?: string;
  owner?: string;
  stage?: string;
  health?: string;
  json?: boolean;
}

/** The dashboard as the report gives it; a clear error for an API without one. */
function asDashboard(body: unknown): Dashboard {
  const dashboard = (body as { dashboard?: Dashboard } | null)?.dashboard;
  if (!dashboard || !Array.isArray(dashboard.rows)) {
    throw new CliError(
      'the API answered a program report without the deals dashboard; update the stack or the local checkout',
      ExitCode.failure,
    );
  }
  return dashboard;
}

/** `cosell deals`: every active deal, one row each, as the dashboard shows it (GET /reports/program). */
export function addDeals(program: Command, { out, setExit, client }: CommandContext): void {
  program
    .command('deals')
    .description('every active deal with its stage, whose move, next due item and health (the dashboard)')
    .option('--partner <name>', 'only this partner (case-insensitive)')
    .option('--owner <email>', "only deals of this vendor owner (the vendor owner's email)")
    .addOption(new Option('--stage <key>', 'only deals at this stage').choices([...STAGE_KEYS]))
    .addOption(new Option('--health <health>', 'only deals of this health').choices([...HEALTHS]))
    .option('--json', 'the dashboard as JSON (filters, counts by health, rows)')
    .addHelpText(
      'after',
      `
The same rows, in the same order, as the dashboard at GET /reports/program.html: the deals needing
someone's move first (needs attention, stalled, at risk, on track; then most days overdue). The README
explains each column and health.

Examples:
  cosell deals
  cosell deals --health stalled
  cosell deals --partner "Northwind Integrators" --json | jq '.rows[].planId'`,
    )
    .action(async (options: DealsOptions, command: Command) => {
      const query = {
        partner: options.partner,
        owner: options.owner,
        stage: options.stage,
        health: options.health,
      };
      const { body } = await client(command).request('GET', '/reports/program', { query });
      const dashboard = asDashboard(body);
      if (options.json) {
        out(json(dashboard));
      } else {
        const columns = DASHBOARD_COLUMNS.map((header, index) => ({
          header,
          value: (cells: string[]) => cells[index],
          ...(header === 'Days in stage' ? { align: 'right' as const } : {}),
        }));
        const counts = HEALTHS.map((h) => `${h} ${dashboard.counts[h]}`).join(', ');
        out(
          `${dashboard.rows.length} active deal(s) shown (${counts})\n${renderTable(columns, dashboard.rows.map(dashboardCells))}`,
        );
      }
      setExit(ExitCode.ok);
    });
}
