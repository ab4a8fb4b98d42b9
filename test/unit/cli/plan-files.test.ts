import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { FileIssuesError, formatFileIssues } from '../../../cli/issue-printer';
import {
  checkPlanFile,
  checkPlanText,
  loadPartnerPlanValidator,
  PARTNER_PLAN_SCHEMA_FILE,
  readDocumentFile,
} from '../../../cli/plan-files';
import { MAX_PLAN_BYTES } from '../../../lambdas/domain/plan-document';
import { REFERENCE_PLAN_PATH, repoRoot } from '../../helpers/plan';

const reference = readFileSync(REFERENCE_PLAN_PATH, 'utf8');

/** The reference plan with a blank partner name, an unknown key and no close date. */
function broken(): string {
  return reference
    .replace('name: Northwind Integrators', 'name: ""')
    .replace('contractMonths: 36', 'contractMonths: 36\n  bogus: 1')
    .replace(/^ {2}closeDate: .*$/m, '');
}

function lineOf(text: string, pattern: RegExp): number {
  return text.split('\n').findIndex((line) => pattern.test(line)) + 1;
}

describe('checkPlanText', () => {
  it('accepts the reference plan as YAML and as the same document in JSON', () => {
    const yaml = checkPlanText('globex.yaml', reference);
    expect(yaml).toMatchObject({ valid: true, kind: 'CoSellPlan', issues: [] });
    expect(yaml.plan?.name).toBe('Globex platform migration');
    const json = JSON.stringify(load(reference), null, 2);
    expect(checkPlanText('globex.json', json)).toMatchObject({ valid: true, issues: [] });
  });

  it('reports each problem with its line, column and field path, in source order', () => {
    const text = broken();
    const check = checkPlanText('broken.yaml', text);
    expect(check.valid).toBe(false);
    expect(check.issues.map((i) => [i.line, i.path])).toEqual([
      [lineOf(text, /^ {2}name: ""/), 'partner.name'],
      [lineOf(text, /^jointOutcome:/), 'jointOutcome.closeDate'],
      [lineOf(text, /^ {2}bogus: 1/), 'jointOutcome'],
    ]);
    expect(formatFileIssues(check)[0]).toBe(
      `broken.yaml:${lineOf(text, /^ {2}name: ""/)}:9  partner.name  must not be blank`,
    );
  });

  it('finds the same problems at their lines in the JSON form', () => {
    const json = JSON.stringify(load(broken()), null, 2);
    const check = checkPlanText('broken.json', json);
    expect(check.issues.map((i) => [i.line, i.path])).toEqual([
      [lineOf(json, /"name": ""/), 'partner.name'],
      [lineOf(json, /"jointOutcome": \{/), 'jointOutcome.closeDate'],
      [lineOf(json, /"bogus": 1/), 'jointOutcome'],
    ]);
  });

  it('places syntax errors where the parser found them', () => {
    expect(checkPlanText('bad.yaml', 'a: [1\nb: 2\n').issues[0]).toMatchObject({
      line: 2,
      column: 1,
      path: '(root)',
    });
    expect(checkPlanText('bad.json', '{\n  "a": 1,,\n}').issues[0]).toMatchObject({
      line: 2,
      path: '(root)',
    });
  });

  it('refuses a file whose name says no format', () => {
    const check = checkPlanText('plan.txt', reference);
    expect(check.valid).toBe(false);
    expect(check.issues[0]?.message).toMatch(/\.yaml, \.yml or \.json/);
  });

  it('says a partner plan cannot be checked when there is no partner plan schema', () => {
    const text = 'apiVersion: cosell/v1\nkind: PartnerPlan\npartner: Northwind\n';
    const check = checkPlanText('northwind.yaml', text);
    expect(check).toMatchObject({ valid: false, kind: 'PartnerPlan' });
    expect(check.issues[0]).toMatchObject({ path: 'kind', line: 2, column: 7 });
  });

  it('validates a partner plan with the partner plan schema when there is one', () => {
    const text = 'apiVersion: cosell/v1\nkind: PartnerPlan\npartner:\n  name: ""\n';
    const partnerPlan = (data: unknown) =>
      (data as { partner: { name: string } }).partner.name
        ? []
        : [{ path: 'partner.name', message: 'must not be blank' }];
    const check = checkPlanText('p.yaml', text, { partnerPlan });
    expect(check).toMatchObject({ valid: false, kind: 'PartnerPlan' });
    expect(check.issues[0]).toMatchObject({ path: 'partner.name', line: 4, column: 9 });
    expect(checkPlanText('p.yaml', text.replace('""', 'Northwind'), { partnerPlan }).valid).toBe(true);
  });
});

describe('loadPartnerPlanValidator', () => {
  it('is undefined when the schema file does not exist', async () => {
    expect(
      await loadPartnerPlanValidator(join(tmpdir(), 'no-such-dir', 'partner-plan.schema.ts')),
    ).toBeUndefined();
  });

  it("uses the module's partnerPlanSchema when it exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-cli-'));
    const file = join(dir, 'partner-plan.schema.mjs');
    writeFileSync(
      file,
      `export const partnerPlanSchema = { safeParse: (d) => d && d.partner ? { success: true, data: d } :
        { success: false, error: { issues: [{ path: ['partner'], message: 'is required' }] } } };`,
    );
    const validate = await loadPartnerPlanValidator(file);
    expect(validate?.({ partner: 'x' })).toEqual([]);
    expect(validate?.({})).toEqual([{ path: 'partner', message: 'is required' }]);
  });
});

// The partner plan schema is another piece of work; once it is in the tree, its example must pass here too.
describe.runIf(existsSync(PARTNER_PLAN_SCHEMA_FILE))('with the partner plan schema in the tree', () => {
  it('validates the example partner plan and locates a problem in it', async () => {
    const partnerPlan = await loadPartnerPlanValidator();
    expect(partnerPlan).toBeTypeOf('function');
    const example = join(repoRoot, 'examples', 'partner-plan-northwind.yaml');
    if (!existsSync(example)) return;
    expect(await checkPlanFile(example, { partnerPlan })).toMatchObject({ kind: 'PartnerPlan', valid: true });
    const text = readFileSync(example, 'utf8').replace(/^kind: PartnerPlan$/m, 'kind: PartnerPlan\nbogus: 1');
    const check = checkPlanText('northwind.yaml', text, { partnerPlan });
    expect(check.valid).toBe(false);
    expect(check.issues).toContainEqual(
      expect.objectContaining({ line: lineOf(text, /^bogus: 1$/), column: 1 }),
    );
  });
});

describe('checkPlanFile', () => {
  it('reports a missing file as one problem', async () => {
    const check = await checkPlanFile(join(tmpdir(), 'no-such-plan.yaml'));
    expect(check).toMatchObject({ valid: false, issues: [{ path: '(root)', line: 1, column: 1 }] });
    expect(check.issues[0]?.message).toMatch(/no such file/);
  });
});

describe('readDocumentFile', () => {
  it('reads a plan file as the API reads a request body: the text, its media type and the data', async () => {
    const document = await readDocumentFile(REFERENCE_PLAN_PATH);
    expect(document).toMatchObject({ text: reference, format: 'yaml', contentType: 'application/yaml' });
    expect((document.data as { name: string }).name).toBe('Globex platform migration');
  });

  it('throws FileIssuesError with each problem at its line: a syntax error, the size limit, no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosell-cli-'));
    const cases = {
      'bad.yaml': ['a: [1\nb: 2\n', { path: '(root)', line: 2, column: 1 }],
      'large.json': [
        `{"a": "${'x'.repeat(MAX_PLAN_BYTES)}"}`,
        { line: 1, column: 1, message: expect.stringMatching(/256 KB limit/) },
      ],
      'empty.yaml': ['\n', { line: 1, column: 1, message: 'the plan file is empty' }],
    } as const;
    for (const [name, [text, issue]] of Object.entries(cases)) {
      writeFileSync(join(dir, name), text);
      const error = await readDocumentFile(join(dir, name)).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(FileIssuesError);
      expect((error as FileIssuesError).issues, name).toEqual([expect.objectContaining(issue)]);
    }
    const missing = await readDocumentFile(join(dir, 'none.yaml')).catch((e: unknown) => e);
    expect((missing as FileIssuesError).issues).toEqual([
      { path: '(root)', message: 'cannot read the file: no such file', line: 1, column: 1 },
    ]);
  });
});
