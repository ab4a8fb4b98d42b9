import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../cli/exit-codes';
import { type CliDeps, runCli } from '../../../cli/program';
import { reportToCsv } from '../../../lambdas/domain/reports';
import { REFERENCE_PLAN_PATH } from '../../helpers/plan';
import { PLAN_VIEW, REPORT } from './fixtures';

type Route = (request: Request) => { status: number; body: unknown } | undefined;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  requests: Request[];
}

/** Runs the CLI in-process against a fake API; stderr a terminal or not. */
async function cosell(
  argv: string[],
  options: { route?: Route; tty?: boolean; env?: CliDeps['env'] } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const requests: Request[] = [];
  const fetchFake = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    const answer = options.route?.(request) ?? {
      status: 404,
      body: { error: `no route ${request.method} ${new URL(request.url).pathname}`, issues: [] },
    };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  const code = await runCli(argv, {
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: options.tty ?? false,
    },
    env: options.env ?? {},
    fetch: fetchFake,
    now: () => new Date('2026-11-23T12:00:00Z'),
    partnerPlan: async () => undefined,
  });
  return { code, stdout, stderr, requests };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cosell-cli-'));
}

function brokenCopy(dir: string): string {
  const file = join(dir, 'broken.yaml');
  writeFileSync(
    file,
    readFileSync(REFERENCE_PLAN_PATH, 'utf8').replace('name: Northwind Integrators', 'name: ""'),
  );
  return file;
}

describe('cosell (usage)', () => {
  it('documents the exit codes and examples in --help (exit 0)', async () => {
    const run = await cosell(['--help']);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}ok\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 /);
  });

  it('gives every command its own help with examples', async () => {
    for (const command of [
      ['plan', 'validate'],
      ['plan', 'check'],
      ['plan', 'create'],
      ['plan', 'list'],
      ['plan', 'show'],
      ['report'],
      ['tenant', 'init'],
    ]) {
      const run = await cosell([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(ExitCode.ok);
      expect(run.stdout, command.join(' ')).toContain('Examples:');
    }
  });

  it('exits 2 on an unknown command or option, a missing argument or a bad choice', async () => {
    expect((await cosell(['plan', 'frobnicate'])).code).toBe(ExitCode.invalid);
    expect((await cosell(['plan', 'show', 'pl_1', '--bogus'])).code).toBe(ExitCode.invalid);
    expect((await cosell(['plan', 'show'])).code).toBe(ExitCode.invalid);
    const bad = await cosell(['plan', 'show', 'pl_1', '--format', 'pdf']);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toMatch(/Allowed choices are table, md, json/);
    expect((await cosell([])).code).toBe(ExitCode.invalid);
  });
});

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
});

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

describe('cosell plan list and show', () => {
  const route: Route = (r) => {
    const path = new URL(r.url).pathname;
    if (path === '/plans') {
      return {
        status: 200,
        body: {
          plans: [
            {
              planId: 'pl_1',
              name: 'Globex',
              partner: 'Northwind',
              account: 'Globex',
              stage: 'door-opener',
              status: 'active',
            },
            {
              planId: 'pl_2',
              name: 'Initech',
              partner: 'Contoso',
              account: 'Initech',
              stage: 'close-register-review',
              status: 'won',
            },
          ],
        },
      };
    }
    if (path === `/plans/${PLAN_VIEW.planId}`) return { status: 200, body: PLAN_VIEW };
    if (path.startsWith('/plans/')) return { status: 404, body: { error: 'No plan with id x.', issues: [] } };
    return undefined;
  };

  it('lists plans as a table, filtered by partner and status; --json keeps the API shape', async () => {
    const all = await cosell(['plan', 'list'], { route });
    expect(all.stdout).toMatch(/^pl_1 +Globex +Northwind/m);
    expect(all.stdout).toContain('2 plans');
    const some = await cosell(['plan', 'list', '--partner', 'contoso', '--json'], { route });
    expect(JSON.parse(some.stdout).plans.map((p: { planId: string }) => p.planId)).toEqual(['pl_2']);
    expect(
      JSON.parse((await cosell(['plan', 'list', '--status', 'active', '--json'], { route })).stdout).plans,
    ).toHaveLength(1);
  });

  it('shows one plan as a table, as Markdown or as JSON', async () => {
    const table = await cosell(['plan', 'show', PLAN_VIEW.planId], { route });
    expect(table.stdout.startsWith('Globex platform migration\n')).toBe(true);
    const md = await cosell(['plan', 'show', PLAN_VIEW.planId, '--format', 'md'], { route });
    expect(md.stdout.startsWith('# Globex platform migration\n')).toBe(true);
    const json = await cosell(['plan', 'show', PLAN_VIEW.planId, '--json'], { route });
    expect(JSON.parse(json.stdout)).toEqual(PLAN_VIEW);
  });

  it('exits 3 for an unknown plan id', async () => {
    const run = await cosell(['plan', 'show', 'pl_nope'], { route });
    expect(run.code).toBe(ExitCode.notFound);
    expect(run.stderr).toBe('cosell: no plan with id pl_nope (see: cosell plan list)\n');
  });

  it("exits 1 with the API's message on a server error", async () => {
    const run = await cosell(['plan', 'list'], {
      route: () => ({ status: 500, body: { error: 'internal error', issues: [] } }),
    });
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toBe('cosell: GET /plans failed (500): internal error\n');
  });
});

describe('cosell report', () => {
  const route: Route = (r) =>
    new URL(r.url).pathname === '/reports/program' ? { status: 200, body: REPORT } : undefined;

  it('exits 1 with a clear message while the API has no program report', async () => {
    const run = await cosell(['report']);
    expect(run.code).toBe(ExitCode.failure);
    expect(run.stderr).toMatch(
      /^cosell: the API at http:\/\/127\.0\.0\.1:3000 has no program report \(GET \/reports\/program answered 404/,
    );
  });

  it('prints tables, JSON or CSV, and passes --partner, --stall-days and --currency to the API', async () => {
    const table = await cosell(['report'], { route });
    expect(table.code).toBe(ExitCode.ok);
    expect(table.stdout).toMatch(/^Pipeline and revenue \(USD\)$/m);
    expect(table.stdout).toMatch(/^Total +4 +2 +1 +1 /m);
    const csv = await cosell(
      ['report', '--format', 'csv', '--partner', 'Contoso', '--stall-days', '21', '--currency', 'USD'],
      { route },
    );
    const query = new URL(csv.requests[0]?.url ?? '').searchParams;
    expect([query.get('partner'), query.get('stallDays'), query.get('currency')]).toEqual([
      'Contoso',
      '21',
      'USD',
    ]);
    expect(csv.stdout).toBe(reportToCsv(REPORT));
    const stalled = await cosell(['report', '--format', 'csv', '--table', 'stalled'], { route });
    expect(stalled.stdout).toBe(reportToCsv(REPORT, 'stalled'));
    expect(JSON.parse((await cosell(['report', '--json'], { route })).stdout)).toEqual(REPORT);
  });

  it('exits 3 when --partner names a partner the report does not have', async () => {
    const empty: Route = (r) =>
      new URL(r.url).pathname === '/reports/program'
        ? { status: 200, body: { ...REPORT, partners: [], partnerFilter: 'Nobody' } }
        : undefined;
    const run = await cosell(['report', '--partner', 'Nobody'], { route: empty });
    expect(run.code).toBe(ExitCode.notFound);
    expect(run.stderr).toMatch(/no deals and no partner plan for partner "Nobody"/);
  });
});

describe('cosell partner-plan', () => {
  it('puts a partner plan file and lists the partner plans', async () => {
    const file = new URL('../../../examples/partner-plan-northwind.yaml', import.meta.url).pathname;
    const seen: { method: string; contentType: string | null }[] = [];
    const route: Route = (r) => {
      const path = new URL(r.url).pathname;
      if (path !== '/partner-plans') return undefined;
      if (r.method === 'PUT') {
        seen.push({ method: r.method, contentType: r.headers.get('content-type') });
        return {
          status: 201,
          body: {
            partner: 'Northwind Integrators',
            targetAccounts: 4,
            quarterlyTarget: { quarter: '2027-Q1', arr: 600000, currency: 'USD' },
            created: true,
          },
        };
      }
      return {
        status: 200,
        body: {
          partnerPlans: [
            {
              partner: { name: 'Northwind Integrators' },
              targetAccounts: [{}, {}, {}, {}],
              quarterlyTarget: { quarter: '2027-Q1', arr: 600000, currency: 'USD' },
              motion: { fronts: 'partner' },
            },
          ],
        },
      };
    };
    const put = await cosell(['partner-plan', 'put', file], { route });
    expect(put.code, put.stderr).toBe(ExitCode.ok);
    expect(put.stdout).toBe(
      'Stored the partner plan for Northwind Integrators: 4 target accounts, target 600000 USD in 2027-Q1\n',
    );
    expect(seen[0]?.contentType).toBe('application/yaml');
    const list = await cosell(['partner-plan', 'list'], { route });
    expect(list.stdout).toMatch(/^PARTNER +ACCOUNTS +QUARTER +TARGET +CURRENCY +FRONTS$/m);
    expect(list.stdout).toMatch(/^Northwind Integrators +4 +2027-Q1 +600000 +USD +partner$/m);
  });

  it("prints the API's problems with a partner plan at their lines (exit 2)", async () => {
    const file = new URL('../../../examples/partner-plan-northwind.yaml', import.meta.url).pathname;
    const route: Route = (r) =>
      new URL(r.url).pathname === '/partner-plans'
        ? {
            status: 400,
            body: {
              error: 'the partner plan is not valid',
              issues: [{ path: 'quarterlyTarget.arr', message: 'must be more than 0' }],
            },
          }
        : undefined;
    const run = await cosell(['partner-plan', 'put', file], { route });
    expect(run.code).toBe(ExitCode.invalid);
    expect(run.stderr).toMatch(
      /partner-plan-northwind\.yaml:\d+:\d+ {2}quarterlyTarget\.arr {2}must be more than 0/,
    );
  });
});

describe('cosell tenant init', () => {
  it('writes the tenant file and its README, and refuses to overwrite without --force', async () => {
    const dir = tempDir();
    const args = ['tenant', 'init', 'globex-emea', '--dir', dir, '--timezone', 'Europe/Berlin'];
    const first = await cosell(args);
    expect(first.code).toBe(ExitCode.ok);
    expect(first.stdout).toContain('Replace before deploying: senderAddress, publicBaseUrl.');
    expect(existsSync(join(dir, 'tenants', 'globex-emea.json'))).toBe(true);
    expect(existsSync(join(dir, 'tenants', 'globex-emea.README.md'))).toBe(true);
    const again = await cosell(args);
    expect(again.code).toBe(ExitCode.invalid);
    expect(again.stderr).toMatch(/already exist.*--force/);
    expect((await cosell([...args, '--force'])).code).toBe(ExitCode.ok);
  });

  it('exits 2 for an invalid name or setting', async () => {
    expect((await cosell(['tenant', 'init', 'Globex', '--dir', tempDir()])).code).toBe(ExitCode.invalid);
    const bad = await cosell([
      'tenant',
      'init',
      'globex',
      '--dir',
      tempDir(),
      '--public-base-url',
      'http://deals.example',
    ]);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toContain('publicBaseUrl  publicBaseUrl must be an https:// URL');
    expect(
      (await cosell(['tenant', 'init', 'globex', '--dir', tempDir(), '--link-ttl-days', 'two'])).code,
    ).toBe(ExitCode.invalid);
  });
});
