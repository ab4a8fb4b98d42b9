import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { ExitCode, type ExitCodeValue, type IssueLine, worstExitCode } from '../exit-codes';
import { progress } from '../io';
import { FileIssuesError, printFileIssues, printRefusal } from '../issue-printer';
import type { DocumentFile } from '../plan-files';
import type { PlanView } from '../plan-view-format';
import { renderTable } from '../table-format';
import { type CommandContext, json, planFiles, sourcePositions } from './command-context';

/** `cosell plan create FILES...`: `POST /plans` for each file; the API's problems shown at their lines. */
export function addPlanCreate(plan: Command, { io, out, setExit, client }: CommandContext): void {
  plan
    .command('create')
    .description('load plans into the tenant: POST /plans for each file (the workflow starts at once)')
    .argument('<files...>', 'plan files (.yaml, .yml or .json)')
    .option('--json', 'print the created plans as JSON (an array of the API answers)')
    .addHelpText(
      'after',
      `
The API validates each plan; its problems are printed as FILE:LINE:COL  field.path  message (exit code 2).
The other files are still sent; if the API cannot be reached, nothing more is sent (exit code 4).

Examples:
  cosell plan create examples/globex-platform-migration.yaml
  cosell plan create plans/*.yaml --json | jq -r '.[].planId'`,
    )
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      const api = client(command);
      const { readDocumentFile } = await planFiles();
      const shown = progress(io, files.length, 'creating');
      const created: (PlanView & { file: string })[] = [];
      const codes: ExitCodeValue[] = [];
      try {
        for (const file of files) {
          shown.step(file);
          let document: DocumentFile;
          try {
            // A file the API would not read is not sent.
            document = await readDocumentFile(file);
          } catch (error) {
            if (!(error instanceof FileIssuesError)) throw error;
            printFileIssues(io.stderr, error);
            codes.push(ExitCode.invalid);
            continue;
          }
          try {
            const res = await api.request<PlanView & { warnings?: IssueLine[] }>('POST', '/plans', {
              body: document.text,
              contentType: document.contentType,
            });
            // Accepted with something to know, such as an account off the partner plan's target list.
            for (const w of res.body.warnings ?? []) io.stderr(`${file}: warning: ${w.path}: ${w.message}\n`);
            created.push({ ...res.body, file });
          } catch (error) {
            if (!(error instanceof ApiError) || error.exitCode !== ExitCode.invalid) throw error;
            const { locateIssues } = await sourcePositions();
            printRefusal(io.stderr, file, error.message, locateIssues(document.text, error.issues));
            codes.push(ExitCode.invalid);
          }
        }
      } finally {
        shown.done();
      }
      if (options.json) out(json(created));
      else if (created.length > 0) {
        out(
          renderTable(
            [
              { header: 'FILE', value: (p) => p.file },
              { header: 'PLAN', value: (p) => p.planId },
              { header: 'NAME', value: (p) => p.name },
              { header: 'STAGE', value: (p) => p.stage },
              { header: 'STATUS', value: (p) => p.status },
            ],
            created,
          ),
        );
        out(
          `\n${created.length} plan${created.length === 1 ? '' : 's'} created; see one with: cosell plan show ${created[0]?.planId}`,
        );
      }
      setExit(worstExitCode(codes));
    });
}
