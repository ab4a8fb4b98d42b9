import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPhone,
  PHONE,
  requireChromium,
  screenshot,
  scrollWidth,
  unlabelledControls,
} from './helpers/browser';
import {
  getPlan,
  type LocalStackProcess,
  referencePlanVariant,
  removeStateDir,
  stageOf,
  startStack,
  stopAndAssertClean,
} from './helpers/local-stack';
import { PEOPLE, ReferenceDeal, STAGES } from './helpers/reference-deal';

// A real browser on a phone-sized screen opens links from the outbox. One local stack for the file; each
// test its own deal. Screenshots go to test/artifacts/.

let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  if (!stack) return;
  try {
    if (!stack.exited) await stopAndAssertClean(stack);
  } finally {
    removeStateDir(stack.stateDir);
  }
});

async function newDeal(label: string): Promise<ReferenceDeal> {
  const name = `Globex platform migration (browser, ${label})`;
  return ReferenceDeal.create(stack.url, await referencePlanVariant(stack.url, name), name);
}

/** Readable on the phone: nothing wider than the screen, one h1, no script. */
async function expectPhonePage(page: Page, heading: string): Promise<void> {
  expect(await page.getByRole('heading', { level: 1 }).allTextContents()).toEqual([heading]);
  expect(await scrollWidth(page), 'the page scrolls sideways at 375 px').toBeLessThanOrEqual(PHONE.width);
  expect(await page.locator('script').count(), 'the page has a script').toBe(0);
}

/** Submits the page's form by its button and waits for the result page; returns the POST's status. */
async function submit(page: Page, button: string): Promise<number> {
  const url = page.url();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === url && r.request().method() === 'POST'),
    page.getByRole('button', { name: button }).click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}

describe('link pages in a real browser (Chromium, 375×812)', () => {
  it('the vendor closes stage 5 as won from the outbox link on a phone', async () => {
    requireChromium(); // a missing browser fails each test at once (never a skip), saying what to install
    const deal = await newDeal('stage 5');
    await deal.driveToStage5();
    await deal.finishStage5Milestones();
    const url = await deal.link(PEOPLE.ana, 5, 'Confirm the gate');
    const stage5 = STAGES[4].key;

    const phone = await openPhone();
    try {
      const { page } = phone;
      const opened = await page.goto(url);
      expect(opened?.status()).toBe(200);
      await expectPhonePage(page, 'Confirm the gate');
      expect(await page.title()).toContain('Confirm the gate');
      const summary = await page.locator('dl').first().textContent();
      expect(summary).toContain(deal.name);
      expect(summary).toContain('Ana Ruiz'); // names, not addresses
      // Before the outcome: the planned ARR range, the attribution and fee to be recorded, and the warning.
      const registering = (await page.locator('#outcome').locator('..').textContent()) ?? '';
      expect(registering).toContain('USD');
      expect(registering).toContain('partner-sourced');
      expect(registering).toContain('20% of first-year ARR');
      expect(registering).toContain('cannot be undone');

      // Every control is labelled, and the controls are found by their labels, as a screen reader would.
      expect(await unlabelledControls(page)).toEqual([]);
      expect(await page.getByRole('group', { name: 'Outcome' }).count()).toBe(1);
      const won = page.getByRole('radio', { name: 'Won' });
      const lost = page.getByRole('radio', { name: 'Lost' });
      const finalArr = page.getByLabel('Final ARR');
      const lesson = page.getByLabel('Lesson learned');
      const confirm = page.getByRole('button', { name: 'Confirm' });
      for (const control of [won, lost, finalArr, lesson, confirm])
        await expect.poll(() => control.count()).toBe(1);
      // The stylesheet is allowed by the page's own CSP (a blocked one would leave the button unstyled).
      expect(
        await page.evaluate("getComputedStyle(document.querySelector('form button')).backgroundColor"),
      ).toBe('rgb(11, 87, 208)');
      // A thumb-sized button.
      expect((await confirm.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);

      // The browser will not send the form without its required fields: nothing happens.
      await confirm.click();
      await page.waitForTimeout(300);
      expect(page.url()).toBe(url);
      expect(stageOf(await deal.plan(), stage5).confirmations).toEqual([]);

      await won.check();
      await finalArr.fill('95000');
      await lesson.fill(
        'Lead with the partner: the warm intro saved a quarter, and procurement came in early.',
      );
      expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'stage5-form.png');
      // and on a desktop, no sideways scroll either
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(1280);
      await screenshot(page, 'stage5-form-1280.png');
      await page.setViewportSize(PHONE);

      expect(await submit(page, 'Confirm')).toBe(200);
      await expectPhonePage(page, 'Done');
      const status = await page.getByRole('status').textContent();
      expect(status).toContain('Confirmed: Close, register, review.');
      expect(status).toContain('The Close, register, review gate has passed.');
      // The result page says exactly what was registered, and leads to the deal room.
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain('What was registered');
      expect(main).toContain('$95,000');
      expect(main).toContain('partner-sourced');
      expect(await page.getByRole('link', { name: 'See the whole deal' }).getAttribute('href')).toMatch(
        /\/room\//,
      );
      await screenshot(page, 'stage5-result.png');

      // Nothing came from anywhere but the stack, and nothing was refused by the CSP.
      const origin = new URL(stack.url).origin;
      expect(phone.requests.filter((r) => new URL(r).origin !== origin)).toEqual([]);
      expect(phone.errors.filter((e) => !/favicon\.ico|404 \(Not Found\)/.test(e))).toEqual([]);
    } finally {
      await phone.close();
    }

    const won = await deal.waitForStatus('won');
    expect(won.outcome).toMatchObject({
      result: 'won',
      finalArr: 95000,
      lesson: 'Lead with the partner: the warm intro saved a quarter, and procurement came in early.',
    });
    expect(stageOf(won, stage5).confirmations).toMatchObject([{ party: 'vendor', by: PEOPLE.ana }]);
  });

  it('works with JavaScript disabled: the form submits, and the error pages render', async () => {
    requireChromium();
    const deal = await newDeal('no JS');
    await deal.waitForOpen(1);
    const url = await deal.link(PEOPLE.dana, 1, 'Confirm the gate');

    const phone = await openPhone({ javaScriptEnabled: false });
    try {
      const { page } = phone;
      expect((await page.goto(url))?.status()).toBe(200);
      await expectPhonePage(page, 'Confirm the gate');
      expect(await unlabelledControls(page)).toEqual([]);
      await page.getByLabel('Note (optional)').fill('Confirmed from a browser without JavaScript.');
      expect(await submit(page, 'Confirm')).toBe(200);
      await expectPhonePage(page, 'Done');
      expect(await page.getByRole('status').textContent()).toContain('Confirmed: Target account selection.');

      // The same link again: the "already used" page, then a link that is not valid at all.
      expect((await page.goto(url))?.status()).toBe(409);
      await expectPhonePage(page, 'This link was already used');
      expect(await page.locator('main').textContent()).toMatch(/Each link works once/);
      await screenshot(page, 'link-used-nojs.png');
      expect((await page.goto(`${stack.url}/a/not-a-real-token`))?.status()).toBe(404);
      await expectPhonePage(page, 'This link is not valid');
    } finally {
      await phone.close();
    }

    expect(stageOf(await getPlan(stack.url, deal.planId), STAGES[0].key).confirmations).toMatchObject([
      {
        party: 'partner',
        by: PEOPLE.dana,
        evidence: { note: 'Confirmed from a browser without JavaScript.' },
      },
    ]);
  });
});
