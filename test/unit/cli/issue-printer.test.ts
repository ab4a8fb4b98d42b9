import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../cli/exit-codes';
import type { CliIo } from '../../../cli/io';
import {
  FileIssuesError,
  formatFileIssues,
  printCliError,
  printFileIssues,
  printRefusal,
} from '../../../cli/issue-printer';

const ISSUES = [
  { path: 'partner.name', message: 'must not be blank', line: 16, column: 9 },
  { path: '(root)', message: 'invalid YAML: bad', line: 2, column: 1 },
];

function capture(): { io: CliIo; stderr: () => string } {
  let stderr = '';
  return {
    io: {
      stdout: () => undefined,
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: false,
    },
    stderr: () => stderr,
  };
}

describe('issue printer', () => {
  it('writes each located issue as FILE:LINE:COL  path  message', () => {
    // Prepare
    let out = '';

    // Act
    printFileIssues(
      (t) => {
        out += t;
      },
      { file: 'a.yaml', issues: ISSUES },
    );

    // Assess
    expect(formatFileIssues({ file: 'a.yaml', issues: ISSUES })).toEqual([
      'a.yaml:16:9  partner.name  must not be blank',
      'a.yaml:2:1  (root)  invalid YAML: bad',
    ]);
    expect(out).toBe('a.yaml:16:9  partner.name  must not be blank\na.yaml:2:1  (root)  invalid YAML: bad\n');
  });

  it("heads the API's refusal with the file and the API's reason", () => {
    let out = '';
    printRefusal(
      (t) => {
        out += t;
      },
      'a.yaml',
      'POST /plans: the plan is not valid',
      ISSUES.slice(0, 1),
    );
    expect(out).toBe(
      'a.yaml: POST /plans: the plan is not valid\na.yaml:16:9  partner.name  must not be blank\n',
    );
  });

  it('prints a FileIssuesError as its located lines (exit 2), any other CliError under cosell:', () => {
    const located = capture();
    const error = new FileIssuesError('a.yaml', ISSUES);
    printCliError(located.io, error);
    expect(error.exitCode).toBe(ExitCode.invalid);
    expect(located.stderr()).toBe(`${formatFileIssues(error).join('\n')}\n`);

    const plain = capture();
    printCliError(
      plain.io,
      new CliError('invalid settings', ExitCode.invalid, [{ path: 'ghostingDays', message: 'too big' }]),
    );
    expect(plain.stderr()).toBe('cosell: invalid settings\n  ghostingDays  too big\n');
  });
});
