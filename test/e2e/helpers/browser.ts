import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from './local-stack';

/**
 * A real phone-sized browser for the link pages: Debian's `chromium` (not a Playwright download) driven by
 * `playwright-core`, headless, each session with a fresh profile in a temp dir.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** `--user-data-dir` is added by launchPersistentContext, with a fresh temp dir per session. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** A 375 px wide phone (iPhone X/11 Pro logical size). */
export const PHONE = { width: 375, height: 812 } as const;
/** Screenshots kept after a run (git-ignored). */
export const ARTIFACTS_DIR = resolve(repoRoot, 'test/artifacts');

/** Fails (never skips) when the browser is missing: CI installs it, and so must a developer. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${CHROMIUM_PATH}, and it is missing. ` +
        'Install it with `apt-get install -y chromium` (as root; CI installs it in .ci/run).',
    );
  }
}

export interface PhoneSession {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and uncaught page errors (a CSP violation shows up here). */
  errors: string[];
  close(): Promise<void>;
}

/** Chromium with a 375×812 touch viewport and a fresh profile; `javaScriptEnabled: false` for a no-JS run. */
export async function openPhone(options: { javaScriptEnabled?: boolean } = {}): Promise<PhoneSession> {
  requireChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'cosell-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: PHONE,
      screen: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      javaScriptEnabled: options.javaScriptEnabled ?? true,
      timeout: 60_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context,
    page,
    requests,
    errors,
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** The page's layout width against the viewport's: wider means the page scrolls sideways. */
export async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.scrollingElement.scrollWidth');
}

/**
 * Form controls a screen reader could not name: every input, select and textarea (but hidden ones and
 * buttons) needs a `<label>` (for= or wrapping), `aria-label` or `aria-labelledby`.
 */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML)`);
}

/** A full-page screenshot in test/artifacts; returns its path. */
export async function screenshot(page: Page, file: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, file);
  await page.screenshot({ path, fullPage: true });
  return path;
}
