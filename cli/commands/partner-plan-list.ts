import type { Command } from 'commander';
import { ExitCode } from '../exit-codes';
import { type Column, renderTable } from '../table-format';
import { type CommandContext, json } from './command-context';

interface PartnerPlanListed {
  partner: { name: string };
  targetAccounts: unknown[];
  quarterlyTarget: { quarter: string; arr: number; currency: string };
  motion: { fronts: string };
}

/** `cosell partner-plan list`: the tenant's partner plans (`GET /partner-plans`). */
export function addPartnerPlanList(partnerPlan: Command, { out, setExit, client }: CommandContext): void {
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
}
