import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { ExitCode } from '../exit-codes';
import { printRefusal } from '../issue-printer';
import { type CommandContext, json, planFiles, sourcePositions } from './command-context';

interface PartnerPlanStored {
  partner: string;
  targetAccounts: number;
  quarterlyTarget: { quarter: string; arr: number; currency: string };
  created: boolean;
}

/** `cosell partner-plan put FILE`: `PUT /partner-plans`, replacing that partner's previous plan. */
export function addPartnerPlanPut(partnerPlan: Command, { io, out, setExit, client }: CommandContext): void {
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
      // A file the API would not read is not sent: it throws with its problems located.
      const document = await readDocumentFile(file);
      let res: { status: number; body: PartnerPlanStored };
      try {
        res = await client(command).request<PartnerPlanStored>('PUT', '/partner-plans', {
          body: document.text,
          contentType: document.contentType,
        });
      } catch (error) {
        if (!(error instanceof ApiError) || error.exitCode !== ExitCode.invalid) throw error;
        const { locateIssues } = await sourcePositions();
        printRefusal(io.stderr, file, error.message, locateIssues(document.text, error.issues));
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
}
