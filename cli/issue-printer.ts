import { CliError, ExitCode, type IssueLine } from './exit-codes';
import type { CliIo } from './io';

/**
 * How every command prints validation problems. A problem located in a file is one line,
 * `FILE:LINE:COL  field.path  message` (the form editors and CI annotate from); a problem with no file to
 * point into is `  field.path  message` under the `cosell:` line that says what failed.
 */

/** One problem in one file, with where it is (1-based). */
export interface FileIssue extends IssueLine {
  line: number;
  column: number;
}

/** The problems found in one file. */
export interface FileIssues {
  file: string;
  issues: readonly FileIssue[];
}

/** A file that cannot be used (unreadable, not a plan document): exit code 2, each problem located in it. */
export class FileIssuesError extends CliError {
  readonly file: string;
  override readonly issues: readonly FileIssue[];

  constructor(file: string, issues: readonly FileIssue[]) {
    super(formatFileIssues({ file, issues }).join('\n'), ExitCode.invalid, issues);
    this.file = file;
    this.issues = issues;
  }
}

/** `FILE:LINE:COL  path  message`, one line per issue. */
export function formatFileIssues({ file, issues }: FileIssues): string[] {
  return issues.map((issue) => `${file}:${issue.line}:${issue.column}  ${issue.path}  ${issue.message}`);
}

/** Writes each issue as `FILE:LINE:COL  path  message`. */
export function printFileIssues(write: (text: string) => void, found: FileIssues): void {
  for (const line of formatFileIssues(found)) write(`${line}\n`);
}

/** What the API refused in a file: `FILE: why`, then each issue at its place in the file. */
export function printRefusal(
  write: (text: string) => void,
  file: string,
  why: string,
  issues: readonly FileIssue[],
): void {
  write(`${file}: ${why}\n`);
  printFileIssues(write, { file, issues });
}

/** A failure on stderr: located issues as lines of their file; anything else as `cosell: message`. */
export function printCliError(io: CliIo, error: CliError): void {
  if (error instanceof FileIssuesError) {
    printFileIssues(io.stderr, error);
    return;
  }
  io.stderr(`cosell: ${error.message}\n`);
  for (const issue of error.issues) io.stderr(`  ${issue.path}  ${issue.message}\n`);
}
