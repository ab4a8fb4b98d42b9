import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { CliError, ExitCode } from '../exit-codes';
import { type CommandContext, json } from './command-context';

interface RoomLink {
  planId: string;
  recipient: string;
  url: string;
  expiresAt: string;
}

/** `cosell plan room PLAN_ID`: a view link to the deal room, for the vendor owner (`POST /plans/{id}/room-link`). */
export function addPlanRoom(plan: Command, { out, setExit, client }: CommandContext): void {
  plan
    .command('room')
    .description("a view link to the deal's room (read-only), signed for its vendor owner")
    .argument('<planId>', 'the plan id (pl_...), as plan create and plan list print it')
    .option('--json', 'print {planId, recipient, url, expiresAt} as JSON')
    .addHelpText(
      'after',
      `
The link shows the deal as the vendor owner sees it (everything), works until it expires and changes
nothing. It is a capability: share it only with the vendor owner. Exit code 3 if there is no such plan.

Examples:
  cosell plan room pl_0123456789abcdef0123
  open "$(cosell plan room pl_0123456789abcdef0123)"`,
    )
    .action(async (planId: string, options: { json?: boolean }, command: Command) => {
      let res: { body: RoomLink };
      try {
        res = await client(command).request<RoomLink>(
          'POST',
          `/plans/${encodeURIComponent(planId)}/room-link`,
        );
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          throw new CliError(`no plan with id ${planId} (see: cosell plan list)`, ExitCode.notFound);
        }
        throw error;
      }
      out(options.json ? json(res.body) : `${res.body.url}\n`);
      setExit(ExitCode.ok);
    });
}
