import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { REFERENCE_PLAN_PATH } from '../../../helpers/plan';
import { cosell, tempDir } from './cosell-harness';

describe('cosell plan check', () => {
  it('prints each rule with yes/no and why, then the verdict', async () => {
    const run = await cosell(['plan', 'check', REFERENCE_PLAN_PATH]);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toMatch(
      /^yes +ARR above about \$50,000 +ARR 80,000–120,000 USD reaches the threshold$/m,
    );
    expect(run.stdout).toMatch(/^no +More than one stakeholder at the buyer +only Lee Park/m);
    expect(run.stdout).toContain('95 days from today (2026-11-23)');
    expect(run.stdout).toContain('Yes, this deal needs a co-sell plan: 5 of 6 rules of thumb apply.');
  });

  it('answers for a draft too, noting it is not a valid plan yet; --json for scripts', async () => {
    const dir = tempDir();
    const draft = join(dir, 'draft.json');
    writeFileSync(
      draft,
      JSON.stringify({ name: 'Hooli', jointOutcome: { arr: { min: 90000, max: 90000, currency: 'USD' } } }),
    );
    const run = await cosell(['plan', 'check', draft, '--json']);
    expect(run.code).toBe(ExitCode.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ file: draft, validPlan: false, needsPlan: true });
    expect((await cosell(['plan', 'check', draft])).stdout).toContain('is not a valid plan yet');
  });

  it('exits 2 for a partner plan: the question is about one deal', async () => {
    const file = join(tempDir(), 'northwind.yaml');
    writeFileSync(file, 'apiVersion: cosell/v1\nkind: PartnerPlan\n');
    const run = await cosell(['plan', 'check', file]);
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toMatch(/is a partner plan/);
  });

  it('exits 2 when the file cannot be read or parsed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yaml'), 'a: [1\nb: 2\n');
    const bad = await cosell(['plan', 'check', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toContain(`${join(dir, 'bad.yaml')}:2:1  (root)  invalid YAML`);
    expect((await cosell(['plan', 'check', join(dir, 'none.yaml')])).code).toBe(ExitCode.invalid);
    expect((await cosell(['plan', 'check', REFERENCE_PLAN_PATH, '--today', 'soon'])).code).toBe(
      ExitCode.invalid,
    );
  });

  it('prints a file it cannot read as one located problem', async () => {
    const none = join(tempDir(), 'none.yaml');
    const run = await cosell(['plan', 'check', none]);
    expect(run.stderr).toBe(`${none}:1:1  (root)  cannot read the file: no such file\n`);
  });
});
