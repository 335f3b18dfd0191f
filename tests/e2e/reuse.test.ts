/**
 * The user's journey past the search, in the built app in headless Chromium: a city's held-out
 * months (with their label column) → search → reuse in the reuse worker (onnxruntime-web, WebGPU
 * EP on SwiftShader when asked, WASM by default) → predictions, download, comparison with training
 * from scratch, a reused model saved in IndexedDB and used again. Predictions are checked against
 * the same learnware run by onnxruntime-web in Node. Nothing but GETs of the app's and the
 * catalog's files may leave the page.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchBundles, loadCatalogIndex, loadLearnware, parseCsvBytes, predictLearnware, toFeatureMatrix } from '../../src/engine/index.js';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';
import { directoryFetch } from '../shared/identification.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Austin's held-out rows predicted by the Austin learnware in Node (onnxruntime-web WASM). */
async function austinInNode(): Promise<Float64Array> {
  const fetchFn = directoryFetch(join(ROOT, 'public', 'catalog'));
  const index = await loadCatalogIndex(fetchFn, 'file:///catalog/');
  const entry = index.entries.find((e) => e.id === 'txhousing-austin')!;
  const [bytes] = await fetchBundles(fetchFn, 'file:///catalog/', [entry.bundle]);
  const lw = await loadLearnware(bytes);
  const matrix = toFeatureMatrix(parseCsvBytes(readFileSync(AUSTIN_HOLDOUT_PATH)), { dropColumns: ['median'] });
  const p = await predictLearnware(lw, matrix.values, matrix.rows, matrix.featureNames);
  await lw.model.dispose();
  return p.values;
}

async function searchAustin(query: string): Promise<{ page: Page; errors: string[]; requests: Request[] }> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  const requests: Request[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.context().on('request', (r) => requests.push(r));
  await page.goto(inject('appUrl') + query);
  await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
  await page.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
  await page.getByTestId('table-summary').waitFor();
  await page.getByTestId('label-column').selectOption('median');
  await page.getByRole('checkbox', { name: 'use column month' }).check();
  await page.getByTestId('search').click();
  await page.getByTestId('search-results').waitFor({ timeout: 60_000 });
  await page.getByTestId('reuse').waitFor();
  return { page, errors, requests };
}

const predictionsShown = async (page: Page) => (await page.getByTestId('prediction').allTextContents()).map((t) => Number(t.replace(/,/g, '')));

describe('reuse in the app', () => {
  it('predicts with the recommended learnware on WebGPU, matching Node; compares with from-scratch; saves and reuses the model; nothing leaves the page', async () => {
    const { page, errors, requests } = await searchAustin('?backend=webgpu');
    const reuse = page.getByTestId('reuse');
    expect(await reuse.getByText('recommended').count()).toBe(1);
    expect(await page.getByTestId('method-single').isChecked()).toBe(true);
    await page.getByTestId('reuse-run').click();
    await page.getByTestId('predictions').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('reuse-provider').textContent()).toBe('WebGPU');
    expect(await page.getByTestId('predictions').textContent()).toMatch(/47 rows predicted on WebGPU by Housing prices: Austin/);
    const expected = await austinInNode();
    const shown = await predictionsShown(page);
    expect(shown).toHaveLength(20);
    shown.forEach((v, r) => expect(Math.abs(v - expected[r]) / Math.abs(expected[r]), `row ${r + 1}`).toBeLessThan(1e-4));

    // the full predictions as CSV
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-predictions').click()]);
    expect(download.suggestedFilename()).toBe('txhousing-austin.predictions.csv');
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    // with the user's columns and the actual label next to the prediction
    expect(lines[0]).toBe('row,sales,volume,listings,inventory,month,median,prediction');
    expect(lines).toHaveLength(48);
    const source = parseCsvBytes(readFileSync(AUSTIN_HOLDOUT_PATH));
    const column = (name: string) => source.columns.find((c) => c.name === name)!.values as Float64Array;
    lines.slice(1).forEach((line, r) => {
      const cells = line.split(',');
      expect(Number(cells[0])).toBe(r + 1);
      expect(Number(cells[1]), `sales of row ${r + 1}`).toBe(column('sales')[r]);
      expect(Number(cells[6]), `median of row ${r + 1}`).toBe(column('median')[r]);
      expect(Math.abs(Number(cells[7]) - expected[r])).toBeLessThan(1e-4 * Math.abs(expected[r]));
    });
    // the table on the page shows the same columns
    expect(await page.getByTestId('predictions').locator('thead th').allTextContents()).toEqual([
      'row',
      'sales',
      'volume',
      'listings',
      'inventory',
      'month',
      'median (actual)',
      'prediction',
    ]);

    // every method against a model trained from scratch on the same labelled rows
    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluation').waitFor({ timeout: 120_000 });
    const rows = page.getByTestId('evaluation-row');
    expect(await rows.count()).toBe(7);
    const errorOf = async (method: string) => Number(await page.locator(`[data-testid="evaluation-row"][data-method="${method}"]`).getAttribute('data-error'));
    expect(await errorOf('single')).toBeLessThan(await errorOf('from-scratch'));
    expect(await page.getByTestId('evaluation').textContent()).toMatch(/RMSE on 14 held-out rows/);
    // the trivial baseline (the mean of the same labelled rows) is charted and the best method beats it
    expect(await errorOf('single')).toBeLessThan(await errorOf('baseline'));
    const reading = (await page.getByTestId('evaluation-reading').textContent())!;
    expect(reading).toMatch(/Best: best single, RMSE [\d,]+, \d+ % lower than the trivial baseline/);
    // averaging Austin with other cities' price levels is far worse, and the page says why
    expect(await errorOf('average')).toBeGreaterThan(2 * (await errorOf('single')));
    expect(reading).toMatch(/Averaging is [\d.]+ × worse than the best .*their means range from [\d,]+ to [\d,]+; your labels average [\d,]+/);
    // the labelled rows are counted as they were used: 47 rows, 14 tested, 33 learnt from (not the 100 asked for)
    expect(reading).toContain('Labelled rows used: 33 of the 47 rows of your table that have a label (14 held out for testing; you asked for 100, more than the table has left).');
    await page.screenshot({ path: join(ARTIFACTS, 'reuse-evaluation.png'), fullPage: true });

    // save the reused model in the browser, then use it again
    await page.getByTestId('save-composite').click();
    await expect.poll(() => page.getByTestId('saved-note').textContent()).toBe('Saved in this browser.');
    await page.getByTestId('saved-models').locator('summary').click();
    await page.getByTestId('saved-models').getByRole('button', { name: 'Predict my rows' }).first().click();
    await expect.poll(() => page.getByTestId('predictions').textContent(), { timeout: 60_000 }).toMatch(/47 rows predicted/);
    expect(await predictionsShown(page)).toEqual(shown);
    expect(errors).toEqual([]);

    // privacy: GETs of the app's own files and the catalog's, no request body
    const bundles = requests.filter((r) => /\/catalog\/bundles\/[0-9a-f]{64}\.zip$/.test(r.url()));
    expect(bundles.length).toBeGreaterThan(0);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('the job selector on WASM reports where it sent the rows; methods that learn are disabled without labels', async () => {
    const { page, errors } = await searchAustin('');
    await page.getByTestId('method-job-selector').check();
    await page.getByTestId('reuse-run').click();
    await page.getByTestId('predictions').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('reuse-provider').textContent()).toBe('WASM');
    // the preview server sends COOP/COEP: the page is cross-origin isolated, so WASM runs threads
    expect(await page.getByTestId('reuse-threads').textContent()).toMatch(/^\([2-4] threads\)$/);
    expect(await page.getByTestId('predictions').textContent()).toMatch(/Rows sent by the job selector: .*Housing prices: Austin \d+/);
    await page.getByTestId('label-column').selectOption('');
    expect(await page.getByTestId('method-feature-augment').isDisabled()).toBe(true);
    expect(await page.getByTestId('method-ensemble-pruning').isDisabled()).toBe(true);
    expect(await page.getByTestId('evaluate').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
