/**
 * The app on a phone (390 × 844, touch, device scale 2) in headless Chromium: the catalog pages
 * its cards instead of rendering all 166, the reuse page and its comparison chart fit the width (no
 * sideways scrolling) and the chart's labels and values stay readable. Screenshots go to
 * tests/artifacts/. Nothing but GETs of the app's and the catalog's files leaves the page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function phonePage(): Promise<{ page: Page; errors: string[]; requests: Request[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: Request[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  context.on('request', (r) => requests.push(r));
  return { page, errors, requests };
}

/** How far the page scrolls sideways (0 when nothing is wider than the screen). */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('on a phone (390 × 844)', () => {
  it('the catalog shows its cards a page at a time, without sideways scrolling', async () => {
    const { page, errors, requests } = await phonePage();
    await page.goto(`${inject('appUrl')}#/catalog`);
    await expect.poll(() => page.getByTestId('browse-count').textContent(), { timeout: 60_000 }).toBe('166 of 166 learnwares');
    expect(await page.getByTestId('learnware-card').count()).toBe(12);
    expect(await page.getByTestId('browse-page').textContent()).toMatch(/^Page 1 of 14/);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(8000); // 12 cards made 6,753 px; all 66 table cards made 20,840 px (before the text and image learnwares)
    expect(await sideways(page)).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-catalog.png'), fullPage: true });

    const first = await page.getByTestId('learnware-card').first().textContent();
    await page.getByTestId('browse-next').click();
    expect(await page.getByTestId('browse-page').textContent()).toMatch(/^Page 2 of 14 \(learnwares 13–24\)/);
    expect(await page.getByTestId('learnware-card').first().textContent()).not.toBe(first);
    await page.getByTestId('browse-previous').click();
    expect(await page.getByTestId('learnware-card').first().textContent()).toBe(first);
    // a filter starts again at its first page
    await page.getByTestId('browse-next').click();
    await page.getByTestId('browse-task').selectOption('Classification');
    await expect.poll(() => page.getByTestId('browse-count').textContent()).toBe('120 of 166 learnwares'); // 20 flights + 50 text + 50 image classifiers
    expect(await page.getByTestId('browse-page').textContent()).toMatch(/^Page 1 of 10/);
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('the reuse page and its comparison chart fit the screen and stay readable', async () => {
    const { page, errors, requests } = await phonePage();
    await page.goto(inject('appUrl'));
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
    await page.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
    await page.getByTestId('table-summary').waitFor();
    await page.getByTestId('label-column').selectOption('median');
    await page.getByRole('checkbox', { name: 'use column month' }).check();
    await page.getByTestId('search').click();
    await page.getByTestId('reuse').waitFor({ timeout: 60_000 });
    await page.getByTestId('reuse-run').click();
    await page.getByTestId('predictions').waitFor({ timeout: 120_000 });
    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluation').waitFor({ timeout: 120_000 });
    expect(await sideways(page)).toBe(0);

    // every bar's label and value is on screen, in a font a person can read, and not cut off
    const rows = page.getByTestId('evaluation-row');
    expect(await rows.count()).toBe(7);
    for (const row of await rows.all()) {
      for (const part of ['.bar-label', '.bar-value']) {
        const box = await row.locator(part).evaluate((el) => {
          const r = el.getBoundingClientRect();
          return { left: r.left, right: r.right, font: parseFloat(getComputedStyle(el).fontSize), clipped: el.scrollWidth > el.clientWidth + 1 };
        });
        expect(box.left).toBeGreaterThanOrEqual(0);
        expect(box.right).toBeLessThanOrEqual(390);
        expect(box.font).toBeGreaterThanOrEqual(13);
        expect(box.clipped).toBe(false);
      }
    }
    await page.getByTestId('evaluation').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'phone-reuse.png'), fullPage: true });
    await page.getByTestId('evaluation').screenshot({ path: join(ARTIFACTS, 'phone-evaluation.png') });
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });
});
