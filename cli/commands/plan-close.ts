import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes';
import { type CommandContext, json } from './command-context';

const OUTCOMES = ['lost', 'no-decision', 'withdrawn'];

/** `cosell plan close ID --outcome lost --reason "..."`: POST /plans/{id}/close, at any stage. */
export function addPlanClose(plan: Command, { out, setExit, client }: CommandContext): void {
  plan
    .command('close')
    .description('close a deal at any stage: POST /plans/{id}/close (the workflow ends on its lost path)')
    .argument('<planId>', 'the plan id')
    .requiredOption('--outcome <outcome>', `how it ended: ${OUTCOMES.join(', ')}`)
    .requiredOption('--reason <text>', 'why (required, at most 500 characters)')
    .option('--lesson <text>', 'what to do differently next time')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
One CoSell Deal Closed Lost event goes out, naming the stage the deal died in; every link stops working and
nothing more is sent for the deal. Closing a closed deal is refused (exit code 1, HTTP 409).

Examples:
  cosell plan close globex-2027 --outcome no-decision --reason "Budget frozen until Q3"`,
    )
    .action(
      async (
        planId: string,
        options: { outcome: string; reason: string; lesson?: string; json?: boolean },
        command: Command,
      ) => {
        if (!OUTCOMES.includes(options.outcome)) {
          throw new CliError(`--outcome must be one of ${OUTCOMES.join(', ')}`, ExitCode.invalid);
        }
        const res = await client(command).request<{ planId: string; stage: string; status: string }>(
          'POST',
          `/plans/${encodeURIComponent(planId)}/close`,
          {
            body: JSON.stringify({
              outcome: options.outcome,
              reason: options.reason,
              ...(options.lesson ? { lesson: options.lesson } : {}),
            }),
            contentType: 'application/json',
          },
        );
        out(options.json ? json(res.body) : `${planId}: closed (${options.outcome}) at ${res.body.stage}`);
        setExit(ExitCode.ok);
      },
    );
}
