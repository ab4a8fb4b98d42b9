import type { Command } from 'commander';
import { ExitCode } from '../exit-codes';
import { shortInstant } from '../plan-view-format';
import { type CommandContext, json } from './command-context';

/** `cosell plan retry ID`: POST /plans/{id}/retry, after fixing what the deal needed attention for. */
export function addPlanRetry(plan: Command, { out, setExit, client }: CommandContext): void {
  plan
    .command('retry')
    .description('try again what a deal needs attention for: POST /plans/{id}/retry')
    .argument('<planId>', 'the plan id')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
A deal needs attention when an email about it was refused for good (an address SES will not take, a
sandbox recipient) or its workflow stopped; cosell plan list and cosell plan show say which and why.
Fix the cause (verify the address, amend the plan with cosell plan apply), then retry: the next reminder
sweep sends what is still unsent and restarts a stopped workflow at the same gate. What fails again is
recorded again.

Examples:
  cosell plan retry pl_0123456789abcdef0123`,
    )
    .action(async (planId: string, options: { json?: boolean }, command: Command) => {
      const res = await client(command).request<{
        planId: string;
        retryRequestedAt: string;
        cleared?: { what: string; since: string };
      }>('POST', `/plans/${encodeURIComponent(planId)}/retry`);
      const cleared = res.body.cleared
        ? ` (cleared: ${res.body.cleared.what}, since ${shortInstant(res.body.cleared.since)})`
        : '';
      out(
        options.json
          ? json(res.body)
          : `${planId}: retry asked at ${shortInstant(res.body.retryRequestedAt)}; the next sweep tries again${cleared}`,
      );
      setExit(ExitCode.ok);
    });
}
