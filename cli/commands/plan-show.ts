import { type Command, Option } from 'commander';
import { ApiError } from '../api-client';
import { CliError, ExitCode } from '../exit-codes';
import { formatPlanMarkdown, formatPlanText, type PlanView } from '../plan-view-format';
import { type CommandContext, json } from './command-context';

/** `cosell plan show PLAN_ID`: one plan (`GET /plans/{planId}`) as a table, Markdown or JSON. */
export function addPlanShow(plan: Command, { out, setExit, client }: CommandContext): void {
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
}
