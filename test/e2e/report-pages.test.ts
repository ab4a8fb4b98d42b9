import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgramReport } from '../../lambdas/domain/reports';
import { formatMoney, formatRate } from '../../lambdas/views/reports/format';
import { openPhone, requireChromium, screenshot } from './helpers/browser';
import {
  getJson,
  type LocalStackProcess,
  postBody,
  referencePlanVariant,
  removeStateDir,
  repoRoot,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';
import { PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// The program view as a new user meets it: a partner plan and a few deal plans across three partners
// loaded into the local stack, one deal played to won and one to lost through the emailed links, then the
// report page and a one-pager opened in a real browser (Debian chromium), and `cosell report` in a shell.

const PARTNER_PLAN_FILE = resolve(repoRoot, 'examples/partner-plan-northwind.yaml');
const NORTHWIND = 'Northwind Integrators';

let stack: LocalStackProcess;
const deals: Record<'won' | 'lost' | 'offList' | 'contoso' | 'fabrikam', string> = {
  won: '',
  lost: '',
  offList: '',
  contoso: '',
  fabrikam: '',
};

/** The reference plan under another name, for another partner or account, attribution or ARR. */
async function variant(
  name: string,
  edit: { partner?: string; account?: [string, string]; influenced?: boolean } = {},
): Promise<string> {
  let yaml = await referencePlanVariant(stack.url, name);
  if (edit.partner) yaml = yaml.replace('name: Northwind Integrators', `name: ${edit.partner}`);
  if (edit.account) {
    yaml = yaml
      .replace('  name: Globex Corporation', `  name: ${edit.account[0]}`)
      .replace('  domain: globex.example', `  domain: ${edit.account[1]}`);
  }
  if (edit.influenced) yaml = yaml.replace(/^attribution: sourced/m, 'attribution: influenced');
  return yaml;
}

async function post(yaml: string) {
  const res = await postBody<{ planId: string; warnings: { path: string; message: string }[] }>(
    `${stack.url}/plans`,
    yaml,
    'application/yaml',
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function cosell(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !k.startsWith('COSELL_')),
    );
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/cosell.ts', ...args],
      { cwd: repoRoot, env: { ...env, COSELL_ENDPOINT: stack.url }, timeout: 60_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The cells of the table with this caption, row by row (header row excluded). */
async function tableRows(page: Page, caption: string): Promise<string[][]> {
  return page.evaluate(
    `[...document.querySelectorAll('table')].filter((t) => t.caption && t.caption.textContent === ${JSON.stringify(caption)})
      .flatMap((t) => [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent)))`,
  ) as Promise<string[][]>;
}

beforeAll(async () => {
  stack = await startStack();
  const t0 = performance.now();

  // A partner plan for Northwind (Globex is on its list); Contoso and Fabrikam have none.
  const put = await fetch(`${stack.url}/partner-plans`, {
    method: 'PUT',
    headers: { 'content-type': 'application/yaml' },
    body: readFileSync(PARTNER_PLAN_FILE, 'utf8'),
  });
  expect(put.status).toBe(201);

  const won = await ReferenceDeal.create(stack.url, await variant('Report deal (won)'), 'Report deal (won)');
  const lost = await ReferenceDeal.create(
    stack.url,
    await variant('Report deal (lost)'),
    'Report deal (lost)',
  );
  deals.won = won.planId;
  deals.lost = lost.planId;
  const offList = await post(await variant('Report deal (Hooli)', { account: ['Hooli', 'hooli.example'] }));
  expect(offList.warnings).toEqual([
    {
      path: 'account',
      message: `Hooli (hooli.example) is not a target account on the ${NORTHWIND} partner plan`,
    },
  ]);
  deals.offList = offList.planId;
  deals.contoso = (
    await post(await variant('Report deal (Contoso)', { partner: 'Contoso Partners' }))
  ).planId;
  deals.fabrikam = (
    await post(await variant('Report deal (Fabrikam)', { partner: 'Fabrikam Services', influenced: true }))
  ).planId;
  expect((await post(await variant('Report deal (Globex, on list)'))).warnings).toEqual([]);

  // One deal to won, one to lost, through the links in the outbox.
  await won.driveToStage5();
  await won.finishStage5Milestones();
  await won.confirm(PEOPLE.ana, 5, {
    outcome: 'won',
    finalArr: '95000',
    lesson: 'The partner opened the door; we closed on its paper.',
  });
  await won.waitForStatus('won');
  await lost.driveToStage5();
  await lost.confirm(PEOPLE.ana, 5, {
    outcome: 'lost',
    finalArr: '0',
    lesson: 'The incumbent matched on price.',
  });
  await lost.waitForStatus('lost');
  console.log(
    `e2e report pages: 6 plans loaded, 2 played to the end in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
});

afterAll(async () => {
  if (!stack) return;
  // A failing route logs why on the stack's output: show it beside the failure.
  const errors = stack
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":"ERROR"'));
  if (errors.length > 0) console.log(`e2e report pages: errors logged by the stack:\n${errors.join('\n')}`);
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

describe('GET /reports/program on the local stack', () => {
  it('counts every deal by partner, and the partners add up to the total', async () => {
    const { status, body: report } = await getJson<ProgramReport>(`${stack.url}/reports/program`);
    expect(status).toBe(200);
    expect(report.partners.map((p) => p.partner)).toEqual([
      'Contoso Partners',
      'Fabrikam Services',
      NORTHWIND,
    ]);
    const northwind = report.partners.find((p) => p.partner === NORTHWIND);
    expect(northwind?.deals).toEqual({ total: 4, active: 2, won: 1, lost: 1 });
    expect(northwind?.hasPartnerPlan).toBe(true);
    expect(northwind?.wonRevenue).toEqual({ sourced: 95_000, influenced: 0, total: 95_000 });
    expect(northwind?.winRate).toBe(0.5);
    expect(northwind?.offListAccounts.map((o) => o.planId)).toEqual([deals.offList]);
    expect(report.total.deals).toEqual({ total: 6, active: 4, won: 1, lost: 1 });
    // Midpoint of 80,000-120,000 per active deal: 3 sourced, 1 influenced (Fabrikam).
    expect(report.total.openPipeline).toEqual({ sourced: 300_000, influenced: 100_000, total: 400_000 });
    for (const key of ['total', 'active', 'won', 'lost'] as const)
      expect(report.partners.reduce((a, p) => a + p.deals[key], 0)).toBe(report.total.deals[key]);
    for (const split of ['openPipeline', 'wonRevenue'] as const)
      expect(report.partners.reduce((a, p) => a + p[split].total, 0)).toBe(report.total[split].total);
    // Stage 5: two reached it, one passed (won); the lost deal's last stage is not a pass.
    expect(report.total.stages[4]).toMatchObject({ reached: 2, passed: 1, conversion: 0.5 });
  });

  it('filters by partner and answers CSV', async () => {
    const { body: only } = await getJson<ProgramReport>(
      `${stack.url}/reports/program?partner=contoso%20partners`,
    );
    expect(only.partners.map((p) => p.partner)).toEqual(['Contoso Partners']);
    expect(only.total.deals.total).toBe(1);
    const csv = await fetch(`${stack.url}/reports/program.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual([
      'partner',
      'Contoso Partners',
      'Fabrikam Services',
      NORTHWIND,
      'Total',
    ]);
    expect((await fetch(`${stack.url}/reports/program?stallDays=soon`)).status).toBe(400);
  });
});

describe('the report page and a one-pager in a real browser (Chromium)', () => {
  it('shows the same numbers as the JSON, three SVG charts, and nothing from elsewhere', async () => {
    requireChromium();
    const { body: report } = await getJson<ProgramReport>(`${stack.url}/reports/program`);
    const money = (v: number) => formatMoney(v, report.currency);
    const phone = await openPhone();
    try {
      const { page } = phone;
      await page.setViewportSize({ width: 1024, height: 1400 });
      const opened = await page.goto(`${stack.url}/reports/program.html`);
      expect(opened?.status()).toBe(200);
      expect(opened?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Co-sell program report');
      expect(await page.locator('svg.chart').count()).toBe(3);
      for (const id of ['pipeline', 'funnel', 'days'])
        expect(await page.locator(`svg[aria-labelledby^="${id}-title"]`).count(), id).toBe(1);
      expect(await page.locator('script').count()).toBe(0);

      const rows = await tableRows(page, 'Pipeline and revenue by partner');
      const expected = [
        ...report.partners.map((p) => [p.partner, p] as const),
        ['Total', report.total] as const,
      ].map(([name, f]) => [
        name,
        String(f.deals.active),
        String(f.deals.won),
        String(f.deals.lost),
        money(f.openPipeline.sourced),
        money(f.openPipeline.influenced),
        money(f.wonRevenue.sourced),
        money(f.wonRevenue.influenced),
        formatRate(f.winRate),
      ]);
      expect(rows).toEqual(expected);
      const kpis = await page.locator('.kpi b').allTextContents();
      expect(kpis.slice(0, 3)).toEqual([
        money(report.total.openPipeline.total),
        money(report.total.wonRevenue.total),
        formatRate(report.total.winRate),
      ]);
      expect(await tableRows(page, 'Deals for accounts their partner plan does not name')).toEqual([
        [NORTHWIND, 'Report deal (Hooli)', 'Hooli'],
      ]);
      await screenshot(page, 'report-program.png');

      const origin = new URL(stack.url).origin;
      expect(phone.requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
      expect(phone.errors.filter((e) => !/favicon\.ico|404 \(Not Found\)/.test(e))).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it("opens the won deal's one-pager, and 404 for an unknown plan", async () => {
    requireChromium();
    const phone = await openPhone();
    try {
      const { page } = phone;
      await page.setViewportSize({ width: 1024, height: 1400 });
      const opened = await page.goto(`${stack.url}/plans/${deals.won}/one-pager`);
      expect(opened?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Report deal (won)');
      expect(await page.locator('main').textContent()).toContain(NORTHWIND);
      expect(await page.locator('script').count()).toBe(0);
      await screenshot(page, 'one-pager.png');
      expect(phone.errors.filter((e) => !/favicon\.ico|404 \(Not Found\)/.test(e))).toEqual([]);
      expect((await page.goto(`${stack.url}/plans/pl_00000000000000000000/one-pager`))?.status()).toBe(404);
    } finally {
      await phone.close();
    }
  });
});

describe('cosell report against the same stack', () => {
  it('prints partner rows that add up to the Total row, and the same JSON as the API', async () => {
    const run = await cosell(['report']);
    expect(run.code, run.stderr).toBe(0);
    const row = (name: string) => {
      const line = run.stdout.split('\n').find((l) => l.startsWith(`${name} `) && l.includes('$'));
      return (line ?? '').slice(name.length).trim().split(/ {2,}/);
    };
    const names = ['Contoso Partners', 'Fabrikam Services', NORTHWIND];
    const number = (text: string) => Number(text.replace(/[$,]/g, ''));
    const total = row('Total');
    expect(total.slice(0, 4)).toEqual(['6', '4', '1', '1']);
    // Deals, active, won, lost, the four money columns and stalled: each column's partner cells sum to Total.
    for (const column of [0, 1, 2, 3, 4, 5, 6, 7, 9]) {
      const sum = names.reduce((a, n) => a + number(row(n)[column] ?? 'NaN'), 0);
      expect(sum, `column ${column}`).toBe(number(total[column] ?? 'NaN'));
    }
    const json = await cosell(['report', '--json']);
    const api = (await getJson<ProgramReport>(`${stack.url}/reports/program`)).body;
    const { generatedAt: _a, ...fromCli } = JSON.parse(json.stdout) as ProgramReport;
    const { generatedAt: _b, ...fromApi } = api;
    expect(fromCli).toEqual(fromApi);
  });
});
