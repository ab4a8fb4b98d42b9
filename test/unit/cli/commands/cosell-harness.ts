import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartnerPlanValidator } from '../../../../cli/plan-files';
import { type CliDeps, runCli } from '../../../../cli/program';
import { REFERENCE_PLAN_PATH } from '../../../helpers/plan';
import { PLAN_VIEW } from '../fixtures';

/** How the CLI tests answer for the API: undefined falls through to a 404. */
export type Route = (request: Request) => { status: number; body: unknown } | undefined;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  requests: Request[];
}

/** Runs the CLI in-process against a fake API; stderr a terminal or not. */
export async function cosell(
  argv: string[],
  options: {
    route?: Route;
    tty?: boolean;
    env?: CliDeps['env'];
    partnerPlan?: () => Promise<PartnerPlanValidator | undefined>;
  } = {},
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
    partnerPlan: options.partnerPlan ?? (async () => undefined),
  });
  return { code, stdout, stderr, requests };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cosell-cli-'));
}

/** The reference plan with a blank partner name: one problem, at line 16, column 9. */
export function brokenCopy(dir: string): string {
  const file = join(dir, 'broken.yaml');
  writeFileSync(
    file,
    readFileSync(REFERENCE_PLAN_PATH, 'utf8').replace('name: Northwind Integrators', 'name: ""'),
  );
  return file;
}

/** The example partner plan in the repository. */
export const PARTNER_PLAN_EXAMPLE = new URL(
  '../../../../examples/partner-plan-northwind.yaml',
  import.meta.url,
).pathname;

/** `GET /plans` with two plans, `GET /plans/{planId}` for PLAN_VIEW's id, 404 for any other plan id. */
export const PLANS_ROUTE: Route = (r) => {
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

/** `PUT /partner-plans` (201, noting each request in `seen`) and `GET /partner-plans` with one plan. */
export function partnerPlansRoute(seen: { method: string; contentType: string | null }[] = []): Route {
  return (r) => {
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
}
