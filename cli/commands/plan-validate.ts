import type { Command } from 'commander';
import { planWarnings } from '../../lambdas/domain/plan-warnings';
import { ExitCode } from '../exit-codes';
import { progress } from '../io';
import { formatFileIssues } from '../issue-printer';
import type { FileCheck, PartnerPlanValidator } from '../plan-files';
import { type CommandContext, json, planFiles } from './command-context';

/** `cosell plan validate FILES...`: checks plan files locally, as the API would, without sending them. */
export function addPlanValidate(plan: Command, { deps, io, out, setExit }: CommandContext): void {
  plan
    .command('validate')
    .description('validate plan files (YAML or JSON; kind CoSellPlan or PartnerPlan) without sending them')
    .argument('<files...>', 'plan files (.yaml, .yml or .json)')
    .option('--json', 'print the results as JSON')
    .option('--strict', 'exit 3 when a valid plan has warnings')
    .addHelpText(
      'after',
      `
Each problem is printed as FILE:LINE:COL  field.path  message. Exit code 2 if any file is invalid.
Warnings (a valid plan that is not yet a co-sell plan: no customer sponsor, a partner with no work...)
are printed as FILE: warning: field.path  message; they do not fail the check unless --strict (exit 3).
Files are read as the API reads them: the same size limit, nesting depth and YAML rules.

Examples:
  cosell plan validate examples/globex-platform-migration.yaml
  cosell plan validate plans/*.yaml --json`,
    )
    .action(async (files: string[], options: { json?: boolean; strict?: boolean }) => {
      const { checkPlanFile, loadPartnerPlanValidator } = await planFiles();
      let partnerPlan: PartnerPlanValidator | undefined;
      try {
        partnerPlan = await (deps.partnerPlan ?? loadPartnerPlanValidator)();
      } catch (error) {
        // A schema file that does not load (mid-edit, a newer zod) must not stop deal plans from being checked.
        io.stderr(
          `cosell: warning: the partner plan schema did not load (${(error as Error).message}); partner plans are not checked\n`,
        );
      }
      const shown = progress(io, files.length, 'validating');
      const checks: FileCheck[] = [];
      for (const file of files) {
        shown.step(file);
        checks.push(await checkPlanFile(file, partnerPlan ? { partnerPlan } : {}));
      }
      shown.done();
      const warned = checks.map((c) => (c.plan ? planWarnings(c.plan) : []));
      if (options.json) {
        out(
          json(
            checks.map(({ plan, ...check }, i) => ({
              ...check,
              ...(plan ? { warnings: warned[i] ?? [] } : {}),
            })),
          ),
        );
      } else {
        for (const check of checks) {
          if (check.valid)
            out(`${check.file}: valid ${check.kind ?? 'plan'}${check.plan ? ` "${check.plan.name}"` : ''}`);
          else out(formatFileIssues(check).join('\n'));
        }
        checks.forEach((check, i) => {
          for (const w of warned[i] ?? []) out(`${check.file}: warning: ${w.path}  ${w.message}`);
        });
        const invalid = checks.filter((c) => !c.valid);
        const issues = invalid.reduce((n, c) => n + c.issues.length, 0);
        if (checks.length > 1 || invalid.length > 0) {
          out(
            `${checks.length} file${checks.length === 1 ? '' : 's'} checked: ${checks.length - invalid.length} valid, ${invalid.length} invalid` +
              (issues > 0 ? ` (${issues} problem${issues === 1 ? '' : 's'})` : ''),
          );
        }
      }
      const anyWarning = warned.some((w) => w.length > 0);
      if (!checks.every((c) => c.valid)) setExit(ExitCode.invalid);
      else setExit(options.strict && anyWarning ? ExitCode.notFound : ExitCode.ok);
    });
}
