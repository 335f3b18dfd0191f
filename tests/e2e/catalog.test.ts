/**
 * Browsing the demo catalog in the built app (headless Chromium): filters, typo-tolerant text
 * search, a learnware's detail page read from its bundle (checked, not run), and "Try it on my
 * data" leading to the user's journey with the search restricted to it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

describe('catalog browser', () => {
  it('filters, searches with a typo, shows a learnware from its bundle and hands it to the user journey', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: Request[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r));
    await page.goto(`${inject('appUrl')}#/catalog`);
    const count = page.getByTestId('browse-count');
    await expect.poll(() => count.textContent(), { timeout: 60_000 }).toBe('166 of 166 learnwares');

    await page.getByTestId('browse-task').selectOption('Classification');
    await expect.poll(() => count.textContent()).toBe('120 of 166 learnwares');
    await page.getByTestId('browse-task').selectOption('');
    await page.getByTestId('browse-text').fill('austn housing');
    await expect.poll(async () => (await page.getByTestId('learnware-card').first().textContent()) ?? '').toMatch(/^Housing prices: Austin/);

    await page.getByTestId('learnware-card').first().getByRole('link').click();
    const detail = page.getByTestId('learnware-detail');
    await detail.getByTestId('model-card').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => location.hash)).toBe('#/learnware/txhousing-austin');
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe('Housing prices: Austin');
    expect(await detail.getByTestId('input-schema').locator('tbody tr').count()).toBe(5);
    expect(await detail.getByTestId('input-schema').textContent()).toMatch(/sales.*volume.*listings.*inventory.*month/s);
    expect(await detail.getByTestId('output-schema').textContent()).toMatch(/One value \(regression\)/);
    expect(await detail.getByTestId('spec-summary').textContent()).toMatch(/reduced points in 5 dimensions summarise \d+ training rows/);
    expect(await detail.getByTestId('model-card').textContent()).toMatch(/Austin/);
    await page.screenshot({ path: join(ARTIFACTS, 'catalog-detail.png'), fullPage: true });

    await detail.getByTestId('try-it').click();
    await page.getByTestId('trying').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/');
    expect(await page.getByTestId('trying').textContent()).toMatch(/Trying Housing prices: Austin/);
    await page.getByTestId('file-input').setInputFiles(join(process.cwd(), 'public', 'catalog-holdout', 'txhousing-austin.csv'));
    await page.getByTestId('table-summary').waitFor();
    expect(await page.getByTestId('search-text').inputValue()).toBe('Housing prices: Austin');

    // only GETs of the app's own files, the catalog index and the one bundle shown
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    expect(requests.filter((r) => /\/catalog\/bundles\//.test(r.url()))).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an unknown learnware in the URL is a message, not a blank page', async () => {
    const page = await browser.newPage();
    await page.goto(`${inject('appUrl')}#/learnware/no-such-thing`);
    await expect.poll(() => page.getByTestId('learnware-detail').getByRole('alert').textContent(), { timeout: 60_000 }).toMatch(/no learnware "no-such-thing"/);
    await page.close();
  });
});
