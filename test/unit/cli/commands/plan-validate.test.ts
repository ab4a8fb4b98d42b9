import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { loadPartnerPlanValidator } from '../../../../cli/plan-files';
import { MAX_PLAN_BYTES, readPlanDocument } from '../../../../lambdas/domain/plan-document';
import { ValidationError, type ValidationIssue } from '../../../../lambdas/schemas/validation';
import { REFERENCE_PLAN_PATH } from '../../../helpers/plan';
import { brokenCopy, cosell, PARTNER_PLAN_EXAMPLE, tempDir } from './cosell-harness';

/** The problem the API's own reader (`readPlanDocument`, behind POST /plans and PUT /partner-plans) reports. */
function apiRefusal(text: string): ValidationIssue {
  try {
    readPlanDocument(text, 'yaml');
  } catch (error) {
    const [issue, ...more] = error instanceof ValidationError ? error.issues : [];
    if (issue && more.length === 0) return issue;
    throw error;
  }
  throw new Error('expected the API to refuse the document');
}

function lineOf(text: string, pattern: RegExp): number {
  return text.split('\n').findIndex((line) => pattern.test(line)) + 1;
}

/** The example partner plan with a block nested deeper than the API reads. */
function tooDeep(): string {
  let block = 'notes:\n';
  for (let depth = 1; depth <= 40; depth++) block += `${'  '.repeat(depth)}level${depth}:\n`;
  return `${readFileSync(PARTNER_PLAN_EXAMPLE, 'utf8')}${block}${'  '.repeat(41)}end: 1\n`;
}

/** The example partner plan padded with a comment past the API's size limit (still a valid partner plan). */
function tooLarge(): string {
  return `${readFileSync(PARTNER_PLAN_EXAMPLE, 'utf8')}# ${'x'.repeat(MAX_PLAN_BYTES)}\n`;
}

describe('cosell plan validate', () => {
  it('exits 0 for the reference plan', async () => {
    const run = await cosell(['plan', 'validate', REFERENCE_PLAN_PATH]);
    expect(run).toMatchObject({ code: ExitCode.ok, stderr: '' });
    expect(run.stdout).toBe(`${REFERENCE_PLAN_PATH}: valid CoSellPlan "Globex platform migration"\n`);
  });

  it('prints FILE:LINE:COL  path  message and exits 2 when any file is invalid', async () => {
    const broken = brokenCopy(tempDir());
    const run = await cosell(['plan', 'validate', REFERENCE_PLAN_PATH, broken]);
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stdout).toContain(`${broken}:16:9  partner.name  must not be blank\n`);
    expect(run.stdout).toContain('2 files checked: 1 valid, 1 invalid (1 problem)');
  });

  it('prints the results as JSON with --json', async () => {
    const broken = brokenCopy(tempDir());
    const run = await cosell(['plan', 'validate', broken, '--json']);
    expect(run.code).toBe(ExitCode.invalid);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        file: broken,
        kind: 'CoSellPlan',
        valid: false,
        issues: [{ path: 'partner.name', message: 'must not be blank', line: 16, column: 9 }],
      },
    ]);
  });

  it('shows progress on stderr only when it is a terminal', async () => {
    const files = [REFERENCE_PLAN_PATH, REFERENCE_PLAN_PATH];
    expect((await cosell(['plan', 'validate', ...files])).stderr).toBe('');
    const tty = await cosell(['plan', 'validate', ...files], { tty: true });
    expect(tty.stderr).toContain(`[1/2] validating ${REFERENCE_PLAN_PATH}`);
    expect(tty.stderr).toContain('[2/2]');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('cosell plan validate applies the limits of the API', () => {
  const partnerPlan = () => loadPartnerPlanValidator();

  it('passes the example partner plan it then refuses when made too deep or too large', async () => {
    const run = await cosell(['plan', 'validate', PARTNER_PLAN_EXAMPLE], { partnerPlan });
    expect(run.code, run.stdout).toBe(ExitCode.ok);
  });

  it('refuses a file nested deeper than the API reads, with the message the API gives, at its line', async () => {
    // Prepare
    const text = tooDeep();
    const file = join(tempDir(), 'deep.yaml');
    writeFileSync(file, text);
    const refusal = apiRefusal(text);
    const [, line, column] = /\(line (\d+), column (\d+)\)/.exec(refusal.message) ?? [];

    // Act
    const run = await cosell(['plan', 'validate', file], { partnerPlan });

    // Assess
    expect(refusal.message).toMatch(/maxDepth/);
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stdout).toContain(`${file}:${line}:${column}  ${refusal.path}  ${refusal.message}\n`);
  });

  it('refuses a file over the size limit, with the message the API gives', async () => {
    // Prepare
    const text = tooLarge();
    const file = join(tempDir(), 'large.yaml');
    writeFileSync(file, text);
    const refusal = apiRefusal(text);

    // Act
    const run = await cosell(['plan', 'validate', file, '--json'], { partnerPlan });

    // Assess
    expect(refusal.message).toBe('the plan file is larger than the 256 KB limit');
    expect(run.code).toBe(ExitCode.invalid);
    expect(JSON.parse(run.stdout)).toEqual([
      // A problem with the whole document points at its first line after the header comments.
      { file, valid: false, issues: [{ ...refusal, line: lineOf(text, /^apiVersion:/), column: 1 }] },
    ]);
  });
});
