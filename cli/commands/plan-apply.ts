import type { Command } from 'commander';
import { planWarnings } from '../../lambdas/domain/plan-warnings';
import { ApiError } from '../api-client';
import { ExitCode, type ExitCodeValue, type IssueLine, worstExitCode } from '../exit-codes';
import { FileIssuesError, printFileIssues, printRefusal } from '../issue-printer';
import type { DocumentFile } from '../plan-files';
import { type CommandContext, json, planFiles, sourcePositions } from './command-context';

interface Change {
  path: string;
  change: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

interface Applied {
  file: string;
  planId: string;
  action: 'created' | 'amended' | 'unchanged' | 'refused';
  version?: number;
  changes: Change[];
  notified?: string[];
  warnings?: IssueLine[];
  issues?: IssueLine[];
  dryRun?: boolean;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A change as a line of a readable diff. */
export function diffLine(c: Change): string {
  if (c.change === 'added') return `  + ${c.path}: ${show(c.to)}`;
  if (c.change === 'removed') return `  - ${c.path}: ${show(c.from)}`;
  return `  ~ ${c.path}: ${show(c.from)} -> ${show(c.to)}`;
}

/**
 * `cosell plan apply FILES... [--dry-run]`: plans as code. Each file's `id` names its deal: a new id is
 * created (POST /plans), an existing one amended (PUT /plans/{id}) and its change list printed.
 */
export function addPlanApply(plan: Command, { io, out, setExit, client }: CommandContext): void {
  plan
    .command('apply')
    .description("create or amend each file's deal by its id: POST /plans or PUT /plans/{id}")
    .argument('<files...>', 'plan files (.yaml, .yml or .json), each with a top-level id')
    .option('--dry-run', 'show what would change; store nothing')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Each file needs a top-level id (3 to 63 lower-case letters, digits and dashes). Changes that would
rewrite what already happened (a done milestone, a passed stage, the partner, attribution after stage 1)
are refused whole, with a field path and reason for each (exit code 2); nothing is changed.

Examples:
  cosell plan apply plans/globex.yaml --dry-run
  cosell plan apply plans/*.yaml --json`,
    )
    .action(async (files: string[], options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const api = client(command);
      const { readDocumentFile } = await planFiles();
      const results: Applied[] = [];
      const codes: ExitCodeValue[] = [];
      for (const file of files) {
        let document: DocumentFile;
        try {
          document = await readDocumentFile(file);
        } catch (error) {
          if (!(error instanceof FileIssuesError)) throw error;
          printFileIssues(io.stderr, error);
          codes.push(ExitCode.invalid);
          continue;
        }
        const id = (document.data as { id?: unknown } | null)?.id;
        if (typeof id !== 'string') {
          io.stderr(`${file}: the plan has no top-level id: apply needs one (or use cosell plan create)\n`);
          codes.push(ExitCode.invalid);
          continue;
        }
        const body = { body: document.text, contentType: document.contentType };
        const path = `/plans/${encodeURIComponent(id)}`;
        try {
          const exists = await api.request('GET', path).then(
            () => true,
            (error: unknown) => {
              if (error instanceof ApiError && error.status === 404) return false;
              throw error;
            },
          );
          if (!exists) {
            if (options.dryRun) {
              // Nothing is sent: the file is checked here, by the API's own parse, so a dry run tells the truth.
              const { checkPlanText } = await planFiles();
              const check = checkPlanText(file, document.text);
              if (!check.valid || !check.plan) {
                printFileIssues(io.stderr, check);
                codes.push(ExitCode.invalid);
                if (options.json) {
                  results.push({ file, planId: id, action: 'refused', changes: [], issues: check.issues });
                }
                continue;
              }
              const warnings = planWarnings(check.plan);
              results.push({ file, planId: id, action: 'created', changes: [], warnings, dryRun: true });
              continue;
            }
            const res = await api.request<{ planId: string; version: number; warnings?: IssueLine[] }>(
              'POST',
              '/plans',
              body,
            );
            results.push({
              file,
              planId: res.body.planId,
              action: 'created',
              version: res.body.version,
              changes: [],
              warnings: res.body.warnings ?? [],
            });
            continue;
          }
          const res = await api.request<{
            version: number;
            changes: Change[];
            notified: string[];
            warnings?: IssueLine[];
          }>('PUT', path, { ...body, ...(options.dryRun ? { query: { dryRun: 'true' } } : {}) });
          results.push({
            file,
            planId: id,
            action: res.body.changes.length ? 'amended' : 'unchanged',
            version: res.body.version,
            changes: res.body.changes,
            notified: res.body.notified,
            warnings: res.body.warnings ?? [],
            ...(options.dryRun ? { dryRun: true } : {}),
          });
        } catch (error) {
          if (!(error instanceof ApiError) || (error.exitCode !== ExitCode.invalid && error.status !== 409))
            throw error;
          codes.push(ExitCode.invalid);
          if (options.json) {
            results.push({ file, planId: id, action: 'refused', changes: [], issues: [...error.issues] });
            continue;
          }
          const { locateIssues } = await sourcePositions();
          printRefusal(io.stderr, file, error.message, locateIssues(document.text, error.issues));
        }
      }
      if (options.json) out(json(results));
      else {
        for (const r of results) {
          const dry = r.dryRun ? ' (dry run: nothing stored)' : '';
          const version = r.version ? ` version ${r.version}` : '';
          out(`${r.file}: ${r.planId} ${r.action}${version}${dry}`);
          for (const c of r.changes) out(diffLine(c));
          if (r.notified?.length) out(`  new links emailed to: ${r.notified.join(', ')}`);
          for (const w of r.warnings ?? []) io.stderr(`${r.file}: warning: ${w.path}: ${w.message}\n`);
        }
      }
      setExit(worstExitCode(codes));
    });
}
