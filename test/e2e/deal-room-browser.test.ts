import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPhone, PHONE, screenshot, scrollWidth } from './helpers/browser';
import {
  advanceUntil,
  type LocalStackProcess,
  outbox,
  referencePlanVariant,
  removeStateDir,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';
import { PEOPLE, ReferenceDeal } from './helpers/reference-deal';

// The deal room, an email and the local inbox in a real browser with JavaScript off, at 375 px and at
// 1280 px: nothing scrolls sideways. Screenshots go to test/artifacts/.

const DESKTOP = { width: 1280, height: 900 } as const;
let stack: LocalStackProcess;
let deal: ReferenceDeal;

beforeAll(async () => {
  stack = await startStack();
  const name = 'Globex platform migration (room in a browser)';
  deal = await ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
  await deal.passStage1();
  // Lee's first mail with a room link is the stage-passed note, held to his working hours (issue 14).
  await advanceUntil(stack.url, (mails) =>
    mails.some((e) => e.to.includes(PEOPLE.lee) && e.text.includes('/room/')),
  );
}, 180_000);

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

async function roomOf(to: string): Promise<string> {
  const mail = (await outbox(stack.url)).filter((e) => e.to.includes(to) && e.text.includes('/room/')).at(-1);
  const url = /https?:\/\/\S+\/room\/\S+/.exec(mail?.text ?? '')?.[0];
  if (!url) throw new Error(`no view link to ${to}`);
  return url;
}

describe('in Chromium, JavaScript off', () => {
  it.each([
    ['vendor', PEOPLE.ana],
    ['customer', PEOPLE.lee],
  ] as const)("shows the %s's room on a phone and a desktop, with no sideways scroll", async (party, who) => {
    const session = await openPhone({ javaScriptEnabled: false });
    try {
      const { page } = session;
      const res = await page.goto(await roomOf(who));
      expect(res?.status()).toBe(200);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(deal.name);
      expect(await scrollWidth(page), `${party} room at 375 px`).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, `room-${party}-375.png`);
      const buttons = page.locator('a.btn');
      if ((await buttons.count()) > 0) {
        const box = await buttons.first().boundingBox();
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      }
      await page.setViewportSize(DESKTOP);
      expect(await scrollWidth(page), `${party} room at 1280 px`).toBeLessThanOrEqual(DESKTOP.width);
      await screenshot(page, `room-${party}-1280.png`);
      const text = (await page.locator('main').textContent()) ?? '';
      if (party === 'customer') expect(text).not.toContain('partner-sourced');
      else expect(text).toContain('partner-sourced');
      expect(session.errors.filter((e) => !/favicon/.test(e))).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('shows the inbox, each mail as its recipient sees it, at 375 and 1280 px', async () => {
    const session = await openPhone({ javaScriptEnabled: false });
    try {
      const { page } = session;
      const res = await page.goto(`${stack.url}/_local/outbox?to=${encodeURIComponent(PEOPLE.lee)}`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await page.locator('article.mail').count()).toBeGreaterThan(0);
      expect(await page.locator('iframe').count()).toBe(await page.locator('article.mail').count());
      expect(await scrollWidth(page), 'inbox at 375 px').toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'inbox-375.png');
      await page.setViewportSize(DESKTOP);
      expect(await scrollWidth(page), 'inbox at 1280 px').toBeLessThanOrEqual(DESKTOP.width);
      await screenshot(page, 'inbox-1280.png');
      // The JSON for any other client, filtered the same way.
      const json = (await (await fetch(`${stack.url}/_local/outbox?to=${PEOPLE.lee}`)).json()) as {
        to: string[];
      }[];
      expect(json.length).toBeGreaterThan(0);
      for (const mail of json) expect(mail.to).toContain(PEOPLE.lee);
      const byDeal = (await (
        await fetch(`${stack.url}/_local/outbox?planId=${deal.planId}`)
      ).json()) as unknown[];
      expect(byDeal.length).toBeGreaterThan(json.length);
    } finally {
      await session.close();
    }
  });

  it('shows an email with its buttons at least 44 px tall, at 375 and 1280 px', async () => {
    const mail = (await outbox(stack.url))
      .filter((e) => e.to.includes(PEOPLE.dana) && e.text.includes('/a/'))
      .at(-1);
    expect(mail).toBeDefined();
    const session = await openPhone({ javaScriptEnabled: false });
    try {
      const { page } = session;
      await page.setContent(mail?.html ?? '');
      const buttons = page.locator('a[style]');
      expect(await buttons.count()).toBeGreaterThan(1);
      for (const box of await Promise.all((await buttons.all()).map((b) => b.boundingBox())))
        expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
      expect(await scrollWidth(page), 'email at 375 px').toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'email-375.png');
      await page.setViewportSize(DESKTOP);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(DESKTOP.width);
      await screenshot(page, 'email-1280.png');
    } finally {
      await session.close();
    }
  });
});
