import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { runCli } from '../../../../cli/program';
import { MAX_PLAN_BYTES } from '../../../../lambdas/domain/plan-document';
import { REFERENCE_PLAN_PATH } from '../../../helpers/plan';
import { PLAN_VIEW } from '../fixtures';
import { brokenCopy, cosell, tempDir } from './cosell-harness';

describe('cosell plan create', () => {
  it('posts each file with its media type and prints what was created', async () => {
    const dir = tempDir();
    const asJson = join(dir, 'globex.json');
    writeFileSync(asJson, JSON.stringify({ kind: 'CoSellPlan' }));
    const run = await cosell(['plan', 'create', REFERENCE_PLAN_PATH, asJson], {
      route: (r) =>
        r.method === 'POST'
          ? { status: 201, body: { ...PLAN_VIEW, stage: 'target-account-selection' } }
          : undefined,
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(
      run.requests.map((r) => [r.method, new URL(r.url).pathname, r.headers.get('content-type')]),
    ).toEqual([
      ['POST', '/plans', 'application/yaml'],
      ['POST', '/plans', 'application/json'],
    ]);
    expect(await run.requests[0]?.text()).toBe(readFileSync(REFERENCE_PLAN_PATH, 'utf8'));
    expect(run.stdout).toMatch(/^FILE +PLAN +NAME +STAGE +STATUS$/m);
    expect(run.stdout).toContain('2 plans created; see one with: cosell plan show pl_0123456789abcdef0123');
  });

  it("prints the API's problems at their lines in the file and exits 2", async () => {
    const broken = brokenCopy(tempDir());
    const run = await cosell(['plan', 'create', broken], {
      route: () => ({
        status: 400,
        body: {
          error: 'the plan is not valid',
          issues: [{ path: 'partner.name', message: 'must not be blank' }],
        },
      }),
    });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toContain(
      `${broken}: POST /plans: the plan is not valid\n${broken}:16:9  partner.name  must not be blank\n`,
    );
  });

  it('sends no file the API would not read, and still sends the others (exit 2)', async () => {
    const dir = tempDir();
    const large = join(dir, 'large.yaml');
    writeFileSync(large, `apiVersion: cosell/v1\n# ${'x'.repeat(MAX_PLAN_BYTES)}\n`);
    const syntax = join(dir, 'syntax.yaml');
    writeFileSync(syntax, 'a: [1\nb: 2\n');
    const run = await cosell(['plan', 'create', large, syntax, REFERENCE_PLAN_PATH], {
      route: () => ({ status: 201, body: PLAN_VIEW }),
    });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.requests).toHaveLength(1);
    expect(run.stderr).toContain(`${large}:1:1  (root)  the plan file is larger than the 256 KB limit\n`);
    expect(run.stderr).toContain(`${syntax}:2:1  (root)  invalid YAML`);
    expect(run.stdout).toContain('1 plan created');
  });

  it('prints the API answers as a JSON array with --json', async () => {
    const run = await cosell(['plan', 'create', REFERENCE_PLAN_PATH, '--json'], {
      route: () => ({ status: 201, body: PLAN_VIEW }),
    });
    expect(JSON.parse(run.stdout)).toEqual([{ ...PLAN_VIEW, file: REFERENCE_PLAN_PATH }]);
  });

  it('exits 4 when the API cannot be reached', async () => {
    const run = await runCli(['plan', 'create', REFERENCE_PLAN_PATH], {
      io: { stdout: () => undefined, stderr: () => undefined, stderrIsTTY: false },
      env: { COSELL_ENDPOINT: 'http://127.0.0.1:1' },
      fetch: (async () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      }) as typeof fetch,
    });
    expect(run).toBe(ExitCode.unreachable);
  });
});
