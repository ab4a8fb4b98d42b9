/**
 * Renders the program report page and a plan one-pager from generated data into test/artifacts/, and, when
 * Debian's chromium is installed, screenshots them (screen and A4 print PDF) with playwright-core.
 *
 *   npx tsx scripts/render-report-preview.ts
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { replan } from '../lambdas/domain/actions';
import type { DealSnapshot } from '../lambdas/domain/ports';
import { programReport } from '../lambdas/domain/reports';
import { renderOnePager } from '../lambdas/views/pages/one-pager';
import { PRINT_PAGE_HEADERS } from '../lambdas/views/pages/print-layout';
import { renderProgramReportPage } from '../lambdas/views/pages/report-page';
import { generateProgram, PROGRAM, PROGRAM_NOW, programPartnerPlans } from './lib/program-fixture';
import { dealAtStage, milestoneOf, PEOPLE, repoRoot } from './lib/reference-plan';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
];
const OUT = resolve(repoRoot, 'test/artifacts');

/** The reference deal in joint discovery, with the warm introduction slipped a week. */
function slippedDeal(): DealSnapshot {
  const at = dealAtStage('joint-discovery', new Date('2026-12-01T15:00:00Z'));
  const out = replan(
    at.deal,
    at.milestones,
    milestoneOf(at, 'discovery-call'),
    '2026-12-23',
    new Date('2026-12-15T10:00:00Z'),
    PEOPLE.ana,
    'Globex IT asked to move the call after their change freeze',
  );
  return {
    deal: out.deal,
    milestones: at.milestones.map((m) => out.milestones.find((c) => c.milestoneId === m.milestoneId) ?? m),
  };
}

export function renderPreviews(): { file: string; html: string }[] {
  const report = programReport(generateProgram(PROGRAM, PROGRAM_NOW), programPartnerPlans(), PROGRAM_NOW);
  return [
    { file: 'report-program.html', html: renderProgramReportPage(report) },
    { file: 'one-pager.html', html: renderOnePager(slippedDeal(), new Date('2026-12-16T15:00:00Z')) },
  ];
}

const ORIGIN = 'http://preview.cosell.local';

/** Serves each page with its real headers (CSP included), so a blocked style or asset shows as an error. */
async function screenshot(pages: { file: string; html: string }[]): Promise<string[]> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'cosell-preview-'));
  const written: string[] = [];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 900 },
  });
  try {
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      const served = pages.find((p) => url.origin === ORIGIN && url.pathname === `/${p.file}`);
      if (!served) return route.abort();
      return route.fulfill({ status: 200, headers: PRINT_PAGE_HEADERS, body: served.html });
    });
    for (const { file } of pages) {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('request', (r) => {
        if (r.url() !== `${ORIGIN}/${file}`) problems.push(`requested ${r.url()}`);
      });
      await page.goto(`${ORIGIN}/${file}`);
      const png = join(OUT, file.replace(/\.html$/, '.png'));
      await page.screenshot({ path: png, fullPage: true });
      const top = join(OUT, file.replace(/\.html$/, '.top.png'));
      await page.screenshot({ path: top, clip: { x: 0, y: 0, width: 1100, height: 1500 }, fullPage: true });
      written.push(top);
      await page.emulateMedia({ media: 'print' });
      const printPng = join(OUT, file.replace(/\.html$/, '.print.png'));
      await page.screenshot({ path: printPng, fullPage: true });
      const pdf = join(OUT, file.replace(/\.html$/, '.pdf'));
      const bytes = await page.pdf({ path: pdf, format: 'A4', printBackground: false });
      const count = bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      console.log(`${file}: ${count} A4 page(s) in print`);
      written.push(png, printPng, pdf);
      if (problems.length) {
        console.warn(`${file}: ${problems.join(' | ')}`);
        process.exitCode = 1;
      }
      await page.close();
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return written;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const pages = renderPreviews();
  for (const { file, html } of pages) {
    writeFileSync(join(OUT, file), html);
    console.log(`wrote ${join(OUT, file)}`);
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`no browser at ${CHROMIUM}: skipped screenshots (apt-get install -y chromium)`);
    return;
  }
  for (const file of await screenshot(pages)) console.log(`wrote ${file}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
