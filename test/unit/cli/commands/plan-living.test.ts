import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../../cli/exit-codes';
import { REFERENCE_PLAN_PATH } from '../../../helpers/plan';
import { cosell, tempDir } from './cosell-harness';

function planFile(id = 'globex-2027'): string {
  const file = join(tempDir(), 'globex.yaml');
  writeFileSync(file, `id: ${id}\n${readFileSync(REFERENCE_PLAN_PATH, 'utf8')}`);
  return file;
}

describe('cosell plan apply', () => {
  it('creates the deal of a new id', async () => {
    const file = planFile();
    const run = await cosell(['plan', 'apply', file], {
      route: (r) =>
        r.method === 'GET'
          ? { status: 404, body: { error: 'No plan with id globex-2027.', issues: [] } }
          : { status: 201, body: { planId: 'globex-2027', version: 1, warnings: [] } },
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /plans/globex-2027',
      'POST /plans',
    ]);
    expect(run.stdout).toContain('globex-2027 created version 1');
  });

  it('amends an existing deal and prints the change list as a diff; --dry-run asks the API not to store', async () => {
    const file = planFile();
    const run = await cosell(['plan', 'apply', file, '--dry-run'], {
      route: (r) =>
        r.method === 'GET'
          ? { status: 200, body: { planId: 'globex-2027' } }
          : {
              status: 200,
              body: {
                planId: 'globex-2027',
                version: 3,
                changes: [
                  {
                    path: 'stages.door-opener.milestones.warm-intro.owner',
                    change: 'changed',
                    from: 'partner',
                    to: 'raj@x',
                  },
                  { path: 'owners.customer', change: 'added', to: { name: 'Lee' } },
                ],
                notified: [],
                warnings: [],
              },
            },
    });
    expect(run.code).toBe(ExitCode.ok);
    const put = run.requests[1];
    expect(put?.method).toBe('PUT');
    expect(new URL(put?.url ?? '').searchParams.get('dryRun')).toBe('true');
    expect(run.stdout).toContain('globex-2027 amended version 3 (dry run: nothing stored)');
    expect(run.stdout).toContain('  ~ stages.door-opener.milestones.warm-intro.owner: partner -> raj@x');
    expect(run.stdout).toContain('  + owners.customer: {"name":"Lee"}');
  });

  it('checks a new file on --dry-run as the API would, and stores nothing', async () => {
    const file = planFile();
    writeFileSync(file, readFileSync(file, 'utf8').replace('owner: partner,', 'owner: nobody@x.example,'));
    const run = await cosell(['plan', 'apply', file, '--dry-run'], {
      route: () => ({ status: 404, body: { error: 'No plan with id globex-2027.', issues: [] } }),
    });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toMatch(/stages\.door-opener\.milestones\[0\]\.owner/);
    expect(run.requests.map((r) => r.method)).toEqual(['GET']);
    const valid = await cosell(['plan', 'apply', planFile(), '--dry-run'], {
      route: () => ({ status: 404, body: { error: 'No plan with id globex-2027.', issues: [] } }),
    });
    expect(valid.code).toBe(ExitCode.ok);
    expect(valid.stdout).toContain('globex-2027 created (dry run: nothing stored)');
  });

  it('prints a refused amendment at its field paths and exits 2', async () => {
    const file = planFile();
    const run = await cosell(['plan', 'apply', file], {
      route: (r) =>
        r.method === 'GET'
          ? { status: 200, body: { planId: 'globex-2027' } }
          : {
              status: 409,
              body: {
                error: 'the amendment is refused',
                issues: [{ path: 'partner.name', message: 'a deal does not change partner' }],
              },
            },
    });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toContain('partner.name  a deal does not change partner');
  });

  it('needs an id in the file', async () => {
    const run = await cosell(['plan', 'apply', REFERENCE_PLAN_PATH], { route: () => undefined });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toContain('has no top-level id');
  });
});

describe('cosell plan close and history', () => {
  it('closes with an outcome and a reason', async () => {
    const run = await cosell(
      ['plan', 'close', 'globex-2027', '--outcome', 'no-decision', '--reason', 'Budget'],
      {
        route: () => ({
          status: 200,
          body: { planId: 'globex-2027', stage: 'joint-discovery', status: 'lost' },
        }),
      },
    );
    expect(run.code).toBe(ExitCode.ok);
    expect(await run.requests[0]?.json()).toEqual({ outcome: 'no-decision', reason: 'Budget' });
    expect(run.stdout).toContain('globex-2027: closed (no-decision) at joint-discovery');
  });

  it('refuses an unknown outcome', async () => {
    const run = await cosell(['plan', 'close', 'x-1', '--outcome', 'won', '--reason', 'r'], {
      route: () => undefined,
    });
    expect(run.code).toBe(ExitCode.invalid);
  });

  it('prints the history oldest first', async () => {
    const run = await cosell(['plan', 'history', 'globex-2027'], {
      route: () => ({
        status: 200,
        body: {
          planId: 'globex-2027',
          entries: [
            { at: '2026-12-01T00:00:00.000Z', by: 'ops', kind: 'created', detail: { version: 1 } },
            {
              at: '2026-12-01T00:00:01.000Z',
              by: 'system',
              kind: 'email',
              detail: { to: ['a@x'], subject: 'S', why: 'a gate opened' },
            },
          ],
        },
      }),
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      '2026-12-01T00:00:00.000Z  ops  created  {"version":1}',
      '2026-12-01T00:00:01.000Z  system  email  to a@x: "S" (a gate opened)',
    ]);
  });
});

describe('cosell plan validate warnings', () => {
  it('prints warnings and exits 0, or 3 with --strict', async () => {
    const file = join(tempDir(), 'two-party.yaml');
    writeFileSync(
      file,
      readFileSync(REFERENCE_PLAN_PATH, 'utf8').replace(
        /^risks:\n( {2}- .*\n)+/m,
        'risks:\n  - Only one risk.\n',
      ),
    );
    const plain = await cosell(['plan', 'validate', file], { route: () => undefined });
    expect(plain.code).toBe(ExitCode.ok);
    expect(plain.stdout).toContain(`${file}: warning: risks  name at least two risks`);
    const strict = await cosell(['plan', 'validate', file, '--strict'], { route: () => undefined });
    expect(strict.code).toBe(3);
  });
});
