/**
 * Saved models have a page of their own (#/models): after a reuse is saved, a fresh visit opens
 * the page directly — no search — and the model is opened, predicts a new file (the same numbers
 * as the reuse that saved it), is downloaded and deleted. Nothing but GETs of the app's and the
 * catalog's files leaves the page.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readZip } from '../../src/engine/index.js';
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

describe('saved models page', () => {
  it('lists the saved models without a search: open, predict a new file, download, delete', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const requests: Request[] = [];
    const errors: string[] = [];
    context.on('request', (r) => requests.push(r));
    const first = await context.newPage();
    first.on('pageerror', (e) => errors.push(e.message));

    // before anything is saved, the page says how to get a model
    await first.goto(`${inject('appUrl')}#/models`);
    await first.getByTestId('models-empty').waitFor({ timeout: 60_000 });
    expect(await first.getByTestId('models-empty').textContent()).toMatch(/No saved models yet/);

    // a reuse, saved in the browser
    await first.goto(inject('appUrl'));
    await expect.poll(() => first.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
    await first.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
    await first.getByTestId('table-summary').waitFor();
    await first.getByTestId('label-column').selectOption('median');
    await first.getByRole('checkbox', { name: 'use column month' }).check();
    await first.getByTestId('search').click();
    await first.getByTestId('reuse').waitFor({ timeout: 60_000 });
    await first.getByTestId('method-job-selector').check();
    await first.getByTestId('reuse-run').click();
    await first.getByTestId('predictions').waitFor({ timeout: 120_000 });
    const reused = await first.getByTestId('prediction').allTextContents();
    await first.getByTestId('save-composite').click();
    await expect.poll(() => first.getByTestId('saved-note').textContent()).toBe('Saved in this browser.');
    await first.close();

    // a fresh visit goes straight to the saved models: no file, no search
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(inject('appUrl'));
    await page.getByTestId('nav-models').click();
    expect(await page.evaluate(() => location.hash)).toBe('#/models');
    const item = page.getByTestId('saved-model');
    await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(1);
    expect(await item.textContent()).toMatch(/Job selector for txhousing-austin\.csv/);
    await item.getByTestId('saved-open').click();
    await item.getByTestId('saved-model-spec').waitFor({ timeout: 60_000 });
    expect(await item.getByTestId('saved-model-spec').textContent()).toMatch(/regression.*sales, volume, listings, inventory, month.*Housing prices: Austin/s);

    await item.getByTestId('saved-predict-file').setInputFiles(AUSTIN_HOLDOUT_PATH);
    await page.getByTestId('models-predictions').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('models-predictions').textContent()).toMatch(/47 rows predicted by Job selector for txhousing-austin\.csv/);
    expect(await page.getByTestId('prediction').allTextContents()).toEqual(reused);
    // the predictions come with the columns the model read from the file
    expect(await page.getByTestId('models-predictions').locator('thead th').allTextContents()).toEqual(['row', 'sales', 'volume', 'listings', 'inventory', 'month', 'prediction']);
    expect(await page.getByTestId('models-predictions').locator('tbody tr').first().locator('td').allTextContents()).toEqual(expect.arrayContaining(['1', '1,603', '3']));
    await page.screenshot({ path: join(ARTIFACTS, 'saved-models.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('saved-download').click()]);
    const zip = readZip(readFileSync(await download.path()));
    expect([...zip.keys()]).toContain('composite.json');
    expect(JSON.parse(new TextDecoder().decode(zip.get('composite.json')!)).method).toBe('job-selector');

    // a file without the model's columns is told which are missing
    const partial = join(mkdtempSync(join(tmpdir(), 'lwd-models-')), 'partial.csv');
    writeFileSync(partial, 'sales,volume\n10,20\n30,40\n');
    await item.getByTestId('saved-predict-file').setInputFiles(partial);
    await expect.poll(() => page.getByTestId('models-error').textContent(), { timeout: 60_000 }).toMatch(/partial\.csv lacks columns the model takes: listings, inventory, month/);

    await item.getByTestId('saved-delete').click();
    await page.getByTestId('models-empty').waitFor();
    await page.reload();
    await page.getByTestId('models-empty').waitFor({ timeout: 60_000 });
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await context.close();
  });
});
