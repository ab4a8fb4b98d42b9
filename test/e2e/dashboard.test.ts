import { execFile } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../lambdas/domain/dashboard';
import type { ProgramReport } from '../../lambdas/domain/reports';
import { dashboardCells } from '../../lambdas/views/reports/dashboard-rows';
import { openPhone, PHONE, requireChromium, screenshot, scrollWidth } from './helpers/browser';
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

// The ops dashboard as a user meets it: a few plans across three partners on the local stack, one closed
// at its first stage, then the dashboard at /reports/program.html in a real browser (Debian chromium),
// on a desktop and on a 375 px phone, beside GET /reports/program and `cosell deals --json`.

const CAPTION = 'Active deals, those needing someone’s move first';
let stack: LocalStackProcess;
const ids: Record<'northwind' | 'hooli' | 'contoso' | 'fabrikam' | 'closed', string> = {
  northwind: '',
  hooli: '',
  contoso: '',
  fabrikam: '',
  closed: '',
};

async function load(name: string, edit: (yaml: string) => string = (y) => y): Promise<string> {
  const yaml = edit(await referencePlanVariant(stack.url, name));
  const res = await postBody<{ planId: string }>(`${stack.url}/plans`, yaml, 'application/yaml');
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.planId;
}

const partner = (name: string) => (yaml: string) =>
  yaml.replace('name: Northwind Integrators', `name: ${name}`);

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

/** The dashboard table's cells (text) and the two links of each row (deal name, plan id), absolute. */
async function dashboardTable(page: Page): Promise<{ cells: string[][]; links: string[][] }> {
  return page.evaluate(`(() => {
    const table = [...document.querySelectorAll('table')].find((t) => t.caption && t.caption.textContent === ${JSON.stringify(CAPTION)});
    const rows = [...table.tBodies[0].rows].filter((r) => r.cells.length > 1);
    return {
      cells: rows.map((r) => [...r.cells].map((c) => c.childNodes[0] ? c.childNodes[0].textContent : '')),
      links: rows.map((r) => [r.cells[0].querySelector('a').href, r.cells[1].querySelector('a').href, (r.cells[0].querySelector('a.room') || {}).href]),
    };
  })()`) as Promise<{ cells: string[][]; links: string[][] }>;
}

beforeAll(async () => {
  stack = await startStack();
  ids.northwind = await load('Dashboard deal (Northwind)');
  ids.hooli = await load('Dashboard deal (Hooli)', (y) =>
    y
      .replace('  name: Globex Corporation', '  name: Hooli')
      .replace('  domain: globex.example', '  domain: hooli.example'),
  );
  ids.contoso = await load('Dashboard deal (Contoso)', partner('Contoso Partners'));
  ids.fabrikam = await load('Dashboard deal (Fabrikam)', (y) =>
    partner('Fabrikam Services')(y).replace(/^attribution: sourced/m, 'attribution: influenced'),
  );
  ids.closed = await load('Dashboard deal (withdrawn)', partner('Contoso Partners'));
  const closed = await postBody(
    `${stack.url}/plans/${ids.closed}/close`,
    JSON.stringify({ outcome: 'withdrawn', reason: 'Partner withdrew' }),
    'application/json',
  );
  expect(closed.status, JSON.stringify(closed.body)).toBeLessThan(300);
});

afterAll(async () => {
  if (!stack) return;
  const errors = stack
    .output()
    .split('\n')
    .filter((line) => line.includes('"level":"ERROR"'));
  if (errors.length > 0) console.log(`e2e dashboard: errors logged by the stack:\n${errors.join('\n')}`);
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

describe('GET /reports/program: the dashboard, forecast and return', () => {
  it('lists every active deal once, counts the close at stage 1 as a loss, and filters', async () => {
    const { status, body } = await getJson<ProgramReport>(`${stack.url}/reports/program`);
    expect(status).toBe(200);
    expect(body.dashboard.rows.map((r) => r.planId).sort()).toEqual(
      [ids.northwind, ids.hooli, ids.contoso, ids.fabrikam].sort(),
    );
    expect(body.forecast.losses.byStage[0]).toMatchObject({ number: 1, lost: 1 });
    expect(body.forecast.losses.byReason).toEqual([
      { outcome: 'withdrawn', reason: 'Partner withdrew', lost: 1 },
    ]);
    expect(body.forecast.stageWeights).toEqual([10, 20, 40, 60, 80]);
    // Four deals at stage 1 (10%), each 80,000-120,000: 400,000 unweighted, 40,000 weighted.
    expect(body.forecast.quarters.reduce((a, q) => a + q.unweighted.total, 0)).toBe(400_000);
    expect(body.forecast.quarters.reduce((a, q) => a + q.weighted.total, 0)).toBe(40_000);
    const { body: only } = await getJson<ProgramReport>(
      `${stack.url}/reports/program?partner=contoso%20partners&stage=target-account-selection`,
    );
    expect(only.dashboard.rows.map((r) => r.planId)).toEqual([ids.contoso]);
    expect((await fetch(`${stack.url}/reports/program?health=fine`)).status).toBe(400);
  });
});

describe('the dashboard in a real browser (Chromium)', () => {
  it('shows the same rows as the API, in order, each linking to its one-pager and plan', async () => {
    requireChromium();
    const { body: report } = await getJson<ProgramReport>(`${stack.url}/reports/program`);
    const phone = await openPhone();
    try {
      const { page } = phone;
      await page.setViewportSize({ width: 1280, height: 1400 });
      const opened = await page.goto(`${stack.url}/reports/program.html`);
      expect(opened?.status()).toBe(200);
      expect(await page.locator('script').count()).toBe(0);
      const { cells, links } = await dashboardTable(page);
      expect(cells).toEqual(report.dashboard.rows.map(dashboardCells));
      // Each deal's room, through a view link signed for its vendor owner.
      for (const l of links) expect(l[2]).toMatch(new RegExp(`^${stack.url}/room/`));
      expect(links.map((l) => l.slice(0, 2))).toEqual(
        report.dashboard.rows.map((r) => [
          `${stack.url}/plans/${r.planId}/one-pager`,
          `${stack.url}/plans/${r.planId}`,
        ]),
      );
      await screenshot(page, 'dashboard.png');
      const first = report.dashboard.rows[0];
      expect((await page.goto(links[0]?.[0] ?? ''))?.status()).toBe(200);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(first?.name);
      expect((await fetch(links[0]?.[1] ?? '')).status).toBe(200);
      expect((await page.goto(links[0]?.[2] ?? ''))?.status()).toBe(200);
      expect(await page.locator('main').textContent()).toContain(first?.name);
      await screenshot(page, 'dashboard-room.png');
      expect(phone.errors.filter((e) => !/favicon\.ico|404 \(Not Found\)/.test(e))).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('narrows to a partner through a plain link, and the filter URL matches the JSON report', async () => {
    requireChromium();
    const phone = await openPhone();
    try {
      const { page } = phone;
      await page.setViewportSize({ width: 1280, height: 1400 });
      await page.goto(`${stack.url}/reports/program.html`);
      await page.locator('table a', { hasText: 'Fabrikam Services' }).first().click();
      await page.waitForURL(/partner=Fabrikam/);
      expect(new URL(page.url()).search).toBe('?partner=Fabrikam+Services');
      const { body } = await getJson<ProgramReport>(
        `${stack.url}/reports/program${new URL(page.url()).search}`,
      );
      expect(body.dashboard.rows.map((r) => r.planId)).toEqual([ids.fabrikam]);
      expect((await dashboardTable(page)).cells).toEqual(body.dashboard.rows.map(dashboardCells));
      expect(await page.locator('main').textContent()).toContain('show every deal');
    } finally {
      await phone.close();
    }
  });

  it('scrolls only vertically at 375 px: the dashboard and report, and a one-pager', async () => {
    requireChromium();
    const phone = await openPhone();
    try {
      const { page } = phone;
      for (const [path, file] of [
        ['/reports/program.html', 'dashboard-phone.png'],
        ['/reports/program.html?partner=Northwind%20Integrators', 'dashboard-filtered-phone.png'],
        [`/plans/${ids.northwind}/one-pager`, 'one-pager-phone.png'],
      ] as const) {
        expect((await page.goto(`${stack.url}${path}`))?.status(), path).toBe(200);
        expect(await scrollWidth(page), path).toBeLessThanOrEqual(PHONE.width);
        await screenshot(page, file);
      }
      await page.emulateMedia({ media: 'print' });
      await page.goto(`${stack.url}/reports/program.html`);
      await screenshot(page, 'report-print.png');
      expect(await page.locator('thead').first().isVisible()).toBe(true);
    } finally {
      await phone.close();
    }
  });
});

describe('cosell deals against the same stack', () => {
  it('prints the dashboard rows, and --json is the JSON the page was drawn from', async () => {
    const api = (await getJson<ProgramReport>(`${stack.url}/reports/program`)).body;
    const json = await cosell(['deals', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout) as Dashboard).toEqual(api.dashboard);
    const table = await cosell(['deals', '--partner', 'Contoso Partners']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(ids.contoso);
    expect(table.stdout).not.toContain(ids.northwind);
    const filtered = await cosell(['deals', '--health', 'on-track', '--json']);
    const { body: onTrack } = await getJson<ProgramReport>(`${stack.url}/reports/program?health=on-track`);
    expect(JSON.parse(filtered.stdout)).toEqual(onTrack.dashboard);
  });
});
