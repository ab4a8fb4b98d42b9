import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutLineComments } from '../../lib/tenant-config';
import {
  freePort,
  type LocalStackProcess,
  REFERENCE_PLAN_PATH,
  referencePlanVariant,
  removeStateDir,
  repoRoot,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';

// The `cosell` CLI as ops run it: a child process (`node --import tsx bin/cosell.ts ...`) against the
// local stack (`npm start`), through its HTTP API only.

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

let stack: LocalStackProcess;
const runs: { args: string; ms: number }[] = [];
const work = mkdtempSync(join(tmpdir(), 'cosell-cli-e2e-'));

/** The environment of a user's shell, without the test runner's own variables. */
function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k === 'NODE_ENV' || k === 'TEST' || k.startsWith('COSELL_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function cosell(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/cosell.ts', ...args],
      { cwd: repoRoot, env: shellEnv({ COSELL_ENDPOINT: stack.url, ...env }), timeout: 60_000 },
      (error, stdout, stderr) => {
        const ms = performance.now() - t0;
        runs.push({ args: args.join(' '), ms });
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, ms });
      },
    );
  });
}

function lineOf(text: string, pattern: RegExp): number {
  return text.split('\n').findIndex((line) => pattern.test(line)) + 1;
}

/** The reference plan with a blank partner name: one problem the schema reports at a known line. */
function writeBrokenCopy(): { file: string; line: number } {
  const text = readFileSync(REFERENCE_PLAN_PATH, 'utf8').replace('name: Northwind Integrators', 'name: ""');
  const file = join(work, 'broken.yaml');
  writeFileSync(file, text);
  return { file, line: lineOf(text, /^ {2}name: ""$/) };
}

beforeAll(async () => {
  stack = await startStack();
  console.log(`e2e cli: the local stack answered GET /plans after ${Math.round(stack.startupMs)} ms`);
});

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  if (runs.length > 0) {
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
    console.log(
      `e2e cli: ${runs.length} cosell runs, median ${Math.round(ms[Math.floor(ms.length / 2)] ?? 0)} ms, slowest ${Math.round(ms.at(-1) ?? 0)} ms`,
    );
  }
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

describe('cosell plan validate', () => {
  it('accepts the reference plan (exit 0)', async () => {
    const run = await cosell(['plan', 'validate', REFERENCE_PLAN_PATH]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`${REFERENCE_PLAN_PATH}: valid CoSellPlan "Globex platform migration"\n`);
  });

  it('reports a broken copy with file, line and field path (exit 2)', async () => {
    const { file, line } = writeBrokenCopy();
    const run = await cosell(['plan', 'validate', file]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toContain(`${file}:${line}:9  partner.name  must not be blank\n`);
  });
});

describe('cosell plan create, list and show against the local stack', () => {
  let planId: string;
  const name = 'CLI e2e deal';

  beforeAll(async () => {
    const file = join(work, 'cli-deal.yaml');
    writeFileSync(file, await referencePlanVariant(stack.url, name));
    const run = await cosell(['plan', 'create', file, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as { planId: string; name: string; file: string }[];
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name, file });
    planId = created[0]?.planId ?? '';
    expect(planId).toMatch(/^pl_/);
  });

  it('creates with a readable summary too', async () => {
    const file = join(work, 'cli-deal-2.yaml');
    writeFileSync(file, await referencePlanVariant(stack.url, 'CLI e2e second deal'));
    const run = await cosell(['plan', 'create', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^FILE +PLAN +NAME +STAGE +STATUS$/m);
    expect(run.stdout).toMatch(/CLI e2e second deal +target-account-selection +active/);
  });

  it('lists the plan, as a table and as JSON', async () => {
    const table = await cosell(['plan', 'list']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(`^${planId} +${name} +Northwind Integrators +Globex Corporation`, 'm'),
    );
    const json = await cosell(['plan', 'list', '--json']);
    const plans = (JSON.parse(json.stdout) as { plans: { planId: string }[] }).plans;
    expect(plans.map((p) => p.planId)).toContain(planId);
  });

  it('shows the plan as Markdown: stages with status, milestones with owner, due date and status', async () => {
    const run = await cosell(['plan', 'show', planId, '--format', 'md']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith(`# ${name}\n\n- **Plan:** ${planId}\n`)).toBe(true);
    expect(run.stdout).toContain('- **Status:** active, stage 1 of 5 (target-account-selection)');
    expect(run.stdout).toMatch(
      /^\| 1 \| target-account-selection \| open \| \d{4}-\d{2}-\d{2} \d{2}:\d{2}Z \|/m,
    );
    expect(run.stdout).toMatch(/^\| 5 \| close-register-review \| pending \|/m);
    expect(run.stdout).toMatch(
      /^\| target-account-selection \| Confirm Globex fits both ideal customer profiles \[fit-check\] \| Ana Ruiz \(vendor\) <ana\.ruiz@vendor\.example> \| \d{4}-\d{2}-\d{2} \| open \|/m,
    );
    expect(run.stdout).toContain('## Confirmations\n\n_None yet._');
  });

  it('shows the plan as JSON: the API answer unchanged', async () => {
    const run = await cosell(['plan', 'show', planId, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const api = await (await fetch(`${stack.url}/plans/${planId}`)).json();
    expect(JSON.parse(run.stdout)).toEqual(api);
  });

  it('exits 3 for a plan id the stack does not know', async () => {
    const run = await cosell(['plan', 'show', 'pl_00000000000000000000']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('cosell: no plan with id pl_00000000000000000000 (see: cosell plan list)\n');
  });

  it("prints the API's problems with a rejected plan at their lines (exit 2)", async () => {
    const { file, line } = writeBrokenCopy();
    const run = await cosell(['plan', 'create', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: POST /plans: the plan is not valid\n`);
    expect(run.stderr).toContain(`${file}:${line}:9  partner.name  must not be blank\n`);
  });
});

describe('cosell report', () => {
  it('prints the program report: tables whose partner rows add up to the total, and the JSON of the API', async () => {
    const api = await fetch(`${stack.url}/reports/program`);
    expect(api.status).toBe(200);
    const report = (await api.json()) as {
      total: { deals: { total: number } };
      partners: { partner: string; deals: { total: number } }[];
    };
    expect(report.total.deals.total).toBeGreaterThanOrEqual(2); // the plans created above
    expect(report.partners.reduce((a, p) => a + p.deals.total, 0)).toBe(report.total.deals.total);

    const run = await cosell(['report']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Pipeline and revenue \(USD\)$/m);
    expect(run.stdout).toMatch(
      new RegExp(`^Northwind Integrators +${report.partners[0]?.deals.total} `, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^Total +${report.total.deals.total} `, 'm'));

    const json = await cosell(['report', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const { generatedAt: _cli, ...fromCli } = JSON.parse(json.stdout) as Record<string, unknown>;
    const { generatedAt: _api, ...fromApi } = report as unknown as Record<string, unknown>;
    expect(fromCli).toEqual(fromApi);

    const csv = await cosell(['report', '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^partner,currency,deals,active,won,lost,/);
    expect(csv.stdout).toMatch(/\r\nTotal,USD,/);
  });
});

describe('cosell tenant init', () => {
  it('writes tenants/NAME.json and its README in the given directory, and refuses to overwrite', async () => {
    const dir = join(work, 'repo');
    const args = ['tenant', 'init', 'globex-emea', '--dir', dir, '--timezone', 'Europe/Berlin'];
    const run = await cosell(args);
    expect(run.code, run.stderr).toBe(0);
    expect(
      JSON.parse(withoutLineComments(readFileSync(join(dir, 'tenants', 'globex-emea.json'), 'utf8'))),
    ).toEqual({
      senderAddress: 'deals@globex-emea.example',
      publicBaseUrl: 'https://deals.globex-emea.example',
      defaultTimezone: 'Europe/Berlin',
      linkTtlDays: 14,
      reminderSweepMinutes: 15,
      ghostingDays: 7,
      workweek: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      holidays: [],
      escalationGraceBusinessDays: 1,
      roomLinkTtlDays: 90,
      stageWeights: [10, 20, 40, 60, 80],
    });
    expect(existsSync(join(dir, 'tenants', 'globex-emea.README.md'))).toBe(true);
    expect(run.stdout).toContain('// From address of every email');
    const again = await cosell(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
  });
});

describe('cosell without an API', () => {
  it('exits 4 and says how to start the local stack', async () => {
    const run = await cosell(['plan', 'list'], { COSELL_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /cannot reach the API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Is the local stack running \(npm start\)\?/,
    );
  });
});
