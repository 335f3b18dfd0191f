/**
 * Local state in the built app (headless Chromium): the semantic requirements of a search, recent
 * searches and downloaded bundles kept in IndexedDB, a bundle reused from IndexedDB on the next
 * visit without a download, and the storage page that shows and clears all of it.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { launchChromium } from './browser.js';

const BUNDLE = /\/catalog\/bundles\/[0-9a-f]{64}\.zip$/;
let browser: Browser;
/** the service worker would answer bundle requests from its own cache: this file tests IndexedDB */
const NO_SERVICE_WORKER = { serviceWorkers: 'block' as const };

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Austin's held-out rows searched with the given task requirement; returns the bundle downloads counter. */
async function searchAustin(context: BrowserContext, task: string, shows = 'search-results'): Promise<{ page: Page; errors: string[]; bundleRequests: () => number }> {
  const page = await context.newPage();
  const errors: string[] = [];
  let bundles = 0;
  page.on('pageerror', (e) => errors.push(e.message));
  context.on('request', (r) => BUNDLE.test(r.url()) && bundles++);
  await page.goto(inject('appUrl'));
  await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
  await page.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
  await page.getByTestId('table-summary').waitFor();
  await page.getByTestId('label-column').selectOption('median');
  await page.getByRole('checkbox', { name: 'use column month' }).check();
  await page.getByTestId('task').selectOption(task);
  await page.getByTestId('search').click();
  await page.getByTestId(shows).waitFor({ timeout: 60_000 });
  return { page, errors, bundleRequests: () => bundles };
}

async function reuseTopLearnware(page: Page): Promise<void> {
  await page.getByTestId('reuse-run').click();
  await expect.poll(() => page.getByTestId('predictions').textContent(), { timeout: 120_000 }).toMatch(/47 rows predicted .* by Housing prices: Austin/);
}

async function openStoragePage(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Stored in this browser' }).click();
  await page.getByTestId('storage-page').waitFor();
}

describe('local state', () => {
  it('a task the catalog cannot serve finds nothing; the demo tasks are offered', async () => {
    const context = await browser.newContext(NO_SERVICE_WORKER);
    const { page, errors } = await searchAustin(context, 'Classification', 'error');
    const options = await page.getByTestId('task').locator('option').allTextContents();
    expect(options).toEqual(['any', 'Classification', 'Regression']);
    // the housing island's learnwares are all regressors: none meets the requirement
    expect(await page.getByTestId('error').textContent()).toMatch(/no learnware with your features meets the requirements \(Task: Classification\); the catalog has 46 with them/);
    expect(await page.getByTestId('search-results').count()).toBe(0);
    expect(await page.getByTestId('reuse').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps searches and bundles in IndexedDB, reuses a bundle without downloading it again, and clears everything', async () => {
    const context = await browser.newContext(NO_SERVICE_WORKER);
    const first = await searchAustin(context, 'Regression');
    await reuseTopLearnware(first.page);
    expect(first.bundleRequests()).toBe(1);
    await openStoragePage(first.page);
    await expect
      .poll(() => first.page.getByTestId('recent').textContent())
      .toMatch(/Search of txhousing-austin\.csv \(47 rows × 5 features\).*best Housing prices: Austin \(score 1\.00\)/);
    await expect.poll(() => first.page.getByTestId('bundle-summary').textContent()).toMatch(/^1 bundle, \d+\.\d KB/);
    expect(first.errors).toEqual([]);
    await first.page.close();

    // a new visit (new page, new workers): the bundle comes from IndexedDB, checked again by SHA-256
    const second = await searchAustin(context, 'Regression');
    const before = second.bundleRequests();
    await reuseTopLearnware(second.page);
    expect(second.bundleRequests()).toBe(before);

    await openStoragePage(second.page);
    await expect.poll(async () => await second.page.getByTestId('recent').locator('li').count()).toBe(2);
    await second.page.getByTestId('clear-all').click();
    await expect.poll(() => second.page.getByTestId('storage-message').textContent()).toBe('Cleared everything.');
    expect(await second.page.getByTestId('bundle-summary').textContent()).toMatch(/^0 bundles/);
    expect(await second.page.getByTestId('recent-empty').isVisible()).toBe(true);
    expect(second.errors).toEqual([]);
    await second.page.close();

    // after clearing, the next visit downloads the bundle again
    const third = await searchAustin(context, '');
    const beforeThird = third.bundleRequests();
    await reuseTopLearnware(third.page);
    expect(third.bundleRequests()).toBe(beforeThird + 1);
    await context.close();
  });
  it('a full storage quota falls back to memory and says so; reuse still works', async () => {
    const context = await browser.newContext(NO_SERVICE_WORKER);
    const probe = await context.newPage();
    await probe.goto(inject('appUrl'));
    const cdp = await context.newCDPSession(probe);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(inject('appUrl')).origin, quotaSize: 1024 });
    const { page, errors } = await searchAustin(context, 'Regression');
    await reuseTopLearnware(page);
    await page.getByTestId('save-composite').click();
    await expect.poll(() => page.getByTestId('saved-note').textContent()).toMatch(/Browser storage is unavailable or full: kept for this session only/);
    await openStoragePage(page);
    await expect.poll(() => page.getByTestId('storage-memory').textContent()).toMatch(/falls back to memory for this session \(the browser storage quota is full\)/);
    // the session still has the model it could not store
    expect(await page.getByTestId('composites').locator('li').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
