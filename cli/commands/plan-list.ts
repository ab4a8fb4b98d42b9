import type { Command } from 'commander';
import { ExitCode } from '../exit-codes';
import { formatPlanList, type PlanSummary } from '../plan-view-format';
import { type CommandContext, json } from './command-context';

/** `cosell plan list`: the tenant's plans (`GET /plans`), filtered here by partner and status. */
export function addPlanList(plan: Command, { out, setExit, client }: CommandContext): void {
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
}
