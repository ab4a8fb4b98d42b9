import type { Command } from 'commander';
import { ExitCode } from '../exit-codes';
import { formatPlanList, type PlanSummary } from '../plan-view-format';
import { type CommandContext, json } from './command-context';

/** Pages of `GET /plans` followed at most this many times (100 plans a page). */
const MAX_PAGES = 1000;

/**
 * `cosell plan list`: the tenant's plans (`GET /plans`), every page (it follows `nextCursor`), filtered by
 * the API (`partner`, `status`, `stage`). The filters are applied here too, for an API that predates them.
 */
export function addPlanList(plan: Command, { out, setExit, client }: CommandContext): void {
  plan
    .command('list')
    .description("the tenant's plans: GET /plans, every page")
    .option('--partner <name>', "only this partner's plans (case-insensitive)")
    .option('--status <status>', 'only plans with this status (active, won, lost)')
    .option('--stage <stage>', 'only plans at this stage (its key, e.g. door-opener)')
    .option('--json', 'print the API answer ({plans: [...]}) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  cosell plan list
  cosell plan list --partner "Northwind Integrators" --status active
  cosell plan list --json | jq -r '.plans[] | [.planId, .stage] | @tsv'`,
    )
    .action(
      async (
        options: { partner?: string; status?: string; stage?: string; json?: boolean },
        command: Command,
      ) => {
        const api = client(command);
        const all: PlanSummary[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page++) {
          const res = await api.request<{ plans: PlanSummary[]; nextCursor?: string }>('GET', '/plans', {
            query: {
              limit: '100',
              cursor,
              partner: options.partner,
              status: options.status,
              stage: options.stage,
            },
          });
          all.push(...(res.body.plans ?? []));
          cursor = res.body.nextCursor;
          if (!cursor) break;
        }
        const same = (a: string | undefined, b: string) =>
          (a ?? '').trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
        const plans = all.filter(
          (p) =>
            (options.partner === undefined || same(p.partner, options.partner)) &&
            (options.status === undefined || p.status === options.status) &&
            (options.stage === undefined || p.stage === options.stage),
        );
        out(options.json ? json({ plans }) : formatPlanList(plans));
        setExit(ExitCode.ok);
      },
    );
}
