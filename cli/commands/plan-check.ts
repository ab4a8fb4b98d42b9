import type { Command } from 'commander';
import { CliError, ExitCode } from '../exit-codes';
import type { RuleResult } from '../rules-of-thumb';
import { type Column, renderTable } from '../table-format';
import { type CommandContext, json, planFiles } from './command-context';
import { isoDate } from './option-parsers';

/** `cosell plan check FILE`: does this deal need a co-sell plan? The rules of thumb, applied and explained. */
export function addPlanCheck(plan: Command, { deps, out, setExit }: CommandContext): void {
  plan
    .command('check')
    .description('does this deal need a co-sell plan? applies the rules of thumb to the file and says why')
    .argument('<file>', 'a plan file, or a draft of one (only the fields the rules read are needed)')
    .option('--json', 'print the assessment as JSON')
    .option('--today <date>', 'judge the sales cycle from this date (YYYY-MM-DD; default: today)', isoDate)
    .addHelpText(
      'after',
      `
Rules of thumb (a plan is worth writing when any applies): ARR above about $50K; more than one stakeholder at
the buyer; a partner relationship to preserve; commercial complexity (revenue share, joint quoting,
marketplace); a sales cycle past about 60 days; the partner brought the deal. Not for transactional purchases
or renewals the partner takes no part in. Exit code 0 whatever the verdict; 2 if the file cannot be read.

Examples:
  cosell plan check plans/globex.yaml
  cosell plan check draft.yaml --json | jq .needsPlan`,
    )
    .action(async (file: string, options: { json?: boolean; today?: string }) => {
      const { checkPlanText, readDocumentFile } = await planFiles();
      const { assessNeedForPlan } = await import('../rules-of-thumb');
      // A file that cannot be read, or that the API would not read, throws with its problems located.
      const { data, text } = await readDocumentFile(file);
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new CliError(`${file}: expected a plan (a YAML or JSON object)`, ExitCode.invalid);
      }
      if ((data as { kind?: unknown }).kind === 'PartnerPlan') {
        throw new CliError(
          `${file} is a partner plan; plan check asks whether one deal needs a co-sell plan: give it a deal's plan (kind: CoSellPlan) or a draft of one`,
          ExitCode.invalid,
        );
      }
      const today = (deps.now?.() ?? new Date()).toISOString().slice(0, 10);
      const assessment = assessNeedForPlan(data, options.today ?? today);
      const validity = checkPlanText(file, text);
      if (options.json) {
        out(json({ file, validPlan: validity.valid, ...assessment }));
      } else {
        const name = (data as { name?: unknown }).name;
        const columns: Column<RuleResult>[] = [
          { header: 'APPLIES', value: (r) => r.answer },
          { header: 'RULE OF THUMB', value: (r) => r.rule },
          { header: 'WHY', value: (r) => r.why },
        ];
        out(`Does ${typeof name === 'string' ? `"${name}"` : file} need a co-sell plan?\n`);
        out(renderTable(columns, assessment.rules));
        out(`\nReasons not to write one:\n`);
        out(renderTable(columns, assessment.exclusions));
        out(`\n${assessment.verdict}`);
        if (!validity.valid) {
          out(
            `\nNote: ${file} is not a valid plan yet (${validity.issues.length} problem${validity.issues.length === 1 ? '' : 's'}); see: cosell plan validate ${file}`,
          );
        }
      }
      setExit(ExitCode.ok);
    });
}
