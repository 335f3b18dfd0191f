/**
 * One owner of the user's rows, in the built app (headless Chromium): through a whole journey —
 * load a file → search → reuse twice → download predictions → evaluate → save → predict with the
 * saved model — the file is parsed once, by the spec worker (every worker counts the files it
 * parses in `self.tableParses`; the page itself parses nothing), and the downloads and the saved
 * model are those of the result shown, not of another reuse.
 */
import { readFileSync } from 'node:fs';
import { type Browser, type Page, type Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readZip } from '../../src/engine/index.js';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { launchChromium } from './browser.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const APP_WORKER = /\/(spec|reuse|publish)\.worker[^/]*\.js$/;

/**
 * The app's workers (spec, reuse, publish) by name, as the page starts them: the first worker of
 * each script. onnxruntime starts its WASM threads from the reuse worker's own script; those may sit
 * in Atomics.wait and are not asked.
 */
function appWorkers(page: Page): Map<string, Worker> {
  const workers = new Map<string, Worker>();
  page.on('worker', (worker) => {
    const name = APP_WORKER.exec(new URL(worker.url()).pathname)?.[1];
    if (name && !workers.has(name)) workers.set(name, worker);
  });
  return workers;
}

/** Files parsed so far by each app worker. */
async function parses(workers: Map<string, Worker>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, worker] of workers) counts[name] = await worker.evaluate(() => (self as { tableParses?: number }).tableParses ?? 0);
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);

async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFileSync(await file.path());
}

const shownPredictions = async (page: Page) => (await page.getByTestId('prediction').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
/** the CSV's prediction column (found by its header: the user's columns come before it) */
const csvPredictions = (csv: Buffer) => {
  const [header, ...lines] = csv.toString('utf8').trim().split('\n');
  const at = header.split(',').indexOf('prediction');
  expect(at).toBeGreaterThan(0);
  return lines.map((line) => Number(line.split(',')[at]));
};

describe('one owner of the rows', () => {
  it('parses the file once per journey, and saves and downloads the result shown after two reuses', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const workers = appWorkers(page);
    await page.goto(inject('appUrl'));
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);

    await page.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
    await page.getByTestId('table-summary').waitFor();
    await page.getByTestId('label-column').selectOption('median');
    await page.getByRole('checkbox', { name: 'use column month' }).check();
    await page.getByTestId('search').click();
    await page.getByTestId('reuse').waitFor({ timeout: 60_000 });

    // first reuse: the best single learnware
    await page.getByTestId('reuse-run').click();
    await expect.poll(() => page.getByTestId('predictions').textContent(), { timeout: 120_000 }).toMatch(/47 rows predicted .* by Housing prices: Austin\./);
    const single = await shownPredictions(page);
    const singleCsv = csvPredictions(await download(page, () => page.getByTestId('download-predictions').click()));

    // second reuse: averaging three learnwares gives other predictions
    await page.getByTestId('method-average').check();
    await page.getByTestId('reuse-run').click();
    await expect.poll(() => page.getByTestId('predictions').textContent(), { timeout: 120_000 }).toMatch(/47 rows predicted .* \(\d+ %\)/);
    const averaged = await shownPredictions(page);
    expect(averaged).not.toEqual(single);
    const averagedCsv = csvPredictions(await download(page, () => page.getByTestId('download-predictions').click()));
    expect(averagedCsv).toHaveLength(47);
    averaged.forEach((v, r) => expect(Math.abs(averagedCsv[r] - v), `row ${r + 1}`).toBeLessThanOrEqual(1e-5 * Math.abs(v)));
    single.forEach((v, r) => expect(Math.abs(singleCsv[r] - v), `row ${r + 1}`).toBeLessThanOrEqual(1e-5 * Math.abs(v)));

    // the composite downloaded and the one saved are the averaging shown, not the first reuse
    const zip = await download(page, () => page.getByRole('button', { name: 'Download it (composite .zip)' }).click());
    const composite = JSON.parse(new TextDecoder().decode(readZip(new Uint8Array(zip)).get('composite.json')!)) as { method: string; components: unknown[] };
    expect(composite.method).toBe('average');
    expect(composite.components).toHaveLength(3);
    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluation').waitFor({ timeout: 120_000 });
    await page.getByTestId('save-composite').click();
    await expect.poll(() => page.getByTestId('saved-note').textContent()).toBe('Saved in this browser.');
    await page.getByTestId('saved-models').locator('summary').click();
    expect(await page.getByTestId('saved-models').textContent()).toMatch(/Averaging for txhousing-austin\.csv/);
    await page.getByTestId('saved-models').getByRole('button', { name: 'Predict my rows' }).first().click();
    await expect.poll(() => page.getByTestId('predictions').textContent(), { timeout: 60_000 }).toMatch(/47 rows predicted/);
    expect(await shownPredictions(page)).toEqual(averaged);

    // the whole journey parsed the file once, in the spec worker; the reuse worker parsed nothing
    const counts = await parses(workers);
    expect(Object.keys(counts).sort()).toEqual(['reuse', 'spec']);
    expect(counts).toEqual({ spec: 1, reuse: 0 });

    // a new file is a new journey: one more parse
    await page.getByTestId('file-input').setInputFiles(AUSTIN_HOLDOUT_PATH);
    await expect.poll(async () => total(await parses(workers))).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });
});
