/**
 * The developer's journey in the built app: ONNX model + training CSV + semantic form → RKME in the
 * worker → checker report → download the bundle → publish to a real S3-compatible server (s3rver
 * on loopback, CORS enabled) with signed requests from the browser.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Request } from 'playwright-core';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBundle, exportDenseOnnx, loadCatalogIndex } from '../../src/engine/index.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';
import { gaussianMixture } from '../shared/synthetic.js';

const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;

let browser: Browser;
let server: S3rver;
let endpoint: string;
let files: string;
let distinctPrices: number;
const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  files = mkdtempSync(join(tmpdir(), 'lwd-publish-'));
  const n = 400;
  const x = gaussianMixture(n, 3, 2, 12);
  const lines = ['temperature,pressure,humidity,rain'];
  for (let r = 0; r < n; r++) lines.push(`${x[r * 3].toFixed(4)},${x[r * 3 + 1].toFixed(4)},${x[r * 3 + 2].toFixed(4)},${x[r * 3] > 0 ? 'yes' : 'no'}`);
  writeFileSync(join(files, 'weather.csv'), lines.join('\n'));
  // a regression file: four numeric features and a decimal label
  const prices = ['rooms,area,age,floor,price'];
  for (let r = 0; r < n; r++)
    prices.push(`${x[r * 3].toFixed(4)},${x[r * 3 + 1].toFixed(4)},${x[r * 3 + 2].toFixed(4)},${(r % 7) - 3},${(100 + 20 * x[r * 3] + x[r * 3 + 1]).toFixed(2)}`);
  writeFileSync(join(files, 'prices.csv'), prices.join('\n'));
  distinctPrices = new Set(prices.slice(1).map((line) => line.split(',')[4])).size;
  const regressor = { inputs: 3, outputs: 1, weights: new Float32Array([20, 1, 0]), bias: new Float32Array([100]) };
  writeFileSync(join(files, 'price3.onnx'), exportDenseOnnx({ layers: [regressor], output: 'identity' }));
  // the same model with a symbolic feature axis: only running it shows that it takes 3
  writeFileSync(join(files, 'price-free.onnx'), exportDenseOnnx({ layers: [regressor], output: 'identity', freeInputWidth: true }));
  writeFileSync(
    join(files, 'weather.onnx'),
    exportDenseOnnx({ layers: [{ inputs: 3, outputs: 2, weights: new Float32Array([1, -1, 0.2, 0.1, -0.3, 0.4]), bias: new Float32Array([0, 0]) }], output: 'softmax' }),
  );
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 'lwd-s3e2e-')), configureBuckets: [{ name: 'dock', configs: [CORS] }] });
  endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('publish a learnware', () => {
  it('packs, checks, downloads and publishes from the browser; the training rows are never uploaded', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const uploads: { url: string; size: number }[] = [];
    page.context().on('request', (r) => {
      if (r.method() === 'PUT' || r.method() === 'POST') uploads.push({ url: r.url(), size: r.postDataBuffer()?.length ?? 0 });
    });
    await page.goto(`${inject('appUrl')}#/publish`);
    await page.getByTestId('model-input').setInputFiles(join(files, 'weather.onnx'));
    await page.getByTestId('train-input').setInputFiles(join(files, 'weather.csv'));
    await page.getByLabel('label column').waitFor();
    expect(await page.getByLabel('label column').inputValue()).toBe('rain');
    expect(await page.getByLabel('description of humidity').inputValue()).toBe('humidity');
    // a text label: classification, its classes prefilled in sorted order
    await page.getByTestId('task-note').waitFor();
    expect(await page.getByTestId('task-note').textContent()).toBe('rain holds text with 2 distinct values: classification is the default.');
    expect(await page.getByTestId('task').inputValue()).toBe('Classification');
    expect(await page.getByTestId('classes').inputValue()).toBe('no, yes');
    await page
      .getByTestId('model-summary')
      .getByText(/takes 3 features per row, gives 2 values per row/)
      .waitFor();

    // problems appear next to their fields, in plain words (not the spec's field names)
    await page.getByTestId('pack').click();
    await page.getByTestId('problem-name').waitFor();
    expect(await page.getByTestId('problem-name').textContent()).toBe('Give the learnware a name of 5 to 50 characters (it has 0): it is its title in the catalog.');
    expect(await page.getByTestId('problem-scenarios').textContent()).toMatch(/^Tick at least one scenario/);
    await page.getByTestId('classes').fill('');
    await page.getByTestId('pack').click();
    await page.getByTestId('problem-classes').waitFor();
    expect(await page.getByTestId('problem-classes').textContent()).toBe("List the model's classes, separated by commas, in the order of its outputs (e.g. no, yes).");
    expect(await page.locator('body').textContent()).not.toMatch(/Output\.Dimension|must be a string/);

    await page.getByTestId('name').fill('weather classifier');
    await page.getByTestId('description').fill('Rain or no rain from three weather readings.');
    await page.getByTestId('classes').fill('no, yes');
    await page.getByLabel('Nature').check();
    // every step of Build and check is shown while it runs (recorded as the page shows them)
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { stepsSeen: string[] }).stepsSeen = seen;
      new MutationObserver(() => {
        const current = document.querySelector('[data-testid="build-progress"] li[data-state="current"]');
        const id = current?.getAttribute('data-step');
        if (id && seen.at(-1) !== id) seen.push(id);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId('pack').click();
    await page.getByTestId('check-report').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-status').textContent()).toBe('USABLE');
    expect(await page.evaluate(() => (window as unknown as { stepsSeen: string[] }).stepsSeen)).toEqual(['spec', 'pack', 'check']);
    // the report lists every check that passed
    const passed = await page.getByTestId('check-passed').locator('li').allTextContents();
    expect(passed).toHaveLength(10);
    expect(passed.join('\n')).toMatch(/agrees with the model's input \(3 features\)[\s\S]*ran on 48 rows[\s\S]*probabilities of 2 classes/);
    expect(await page.getByTestId('check-report').textContent()).toMatch(/passed all 10 checks/);
    await page.screenshot({ path: join(ARTIFACTS, 'publish-usable-report.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bundle' }).click()]);
    const bundle = readFileSync(await download.path());
    const check = await checkBundle(bundle);
    expect(check.status).toBe('USABLE');
    expect(check.manifest!.model.input.features).toEqual(['temperature', 'pressure', 'humidity']);
    expect(check.manifest!.semantic.Input!.Description).toEqual({ '0': 'temperature', '1': 'pressure', '2': 'humidity' });

    await page.getByTestId('s3-endpoint').fill(endpoint);
    await page.getByTestId('s3-bucket').fill('dock');
    await page.getByTestId('s3-key').fill('S3RVER');
    await page.getByTestId('s3-secret').fill('S3RVER');
    await page.getByTestId('publish').click();
    await page.getByTestId('published').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('published').textContent()).toMatch(/Published weather-classifier: the catalog now holds 1 learnware/);
    const index = await loadCatalogIndex(fetch, `${endpoint}/dock/`);
    expect(index.entries.map((e) => e.id)).toEqual(['weather-classifier']);
    expect(errors).toEqual([]);

    // privacy: only the bundle, the entry, the shard and the index went out, none holding the CSV
    const csv = readFileSync(join(files, 'weather.csv'));
    expect(uploads.length).toBeGreaterThan(0);
    for (const upload of uploads) {
      expect(upload.url.startsWith(endpoint), upload.url).toBe(true);
      expect(upload.url).toMatch(/\/dock\/(bundles\/[0-9a-f]{64}\.zip|entries\/\d+-[0-9a-f]{64}\.json|shards\/.+\.bin|catalog\.json)$/);
      expect(upload.size).toBeLessThan(csv.length);
    }
    await page.close();
  });

  it('a decimal label defaults to regression; a feature count the model does not take is caught before running; a NONUSABLE bundle is not offered as fine', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await page.goto(`${inject('appUrl')}#/publish`);
    await page.getByTestId('model-input').setInputFiles(join(files, 'price3.onnx'));
    await page.getByTestId('train-input').setInputFiles(join(files, 'prices.csv'));
    await page.getByTestId('task-note').waitFor();
    expect(await page.getByLabel('label column').inputValue()).toBe('price');
    expect(await page.getByTestId('task-note').textContent()).toBe(`price holds decimal numbers (${distinctPrices} distinct values): regression is the default.`);
    expect(await page.getByTestId('task').inputValue()).toBe('Regression');
    expect(await page.getByTestId('output-description').inputValue()).toBe('price');

    // four columns ticked, the model takes three: said before anything runs, and Build does not start
    await page.getByTestId('model-mismatch').waitFor();
    expect(await page.getByTestId('model-mismatch').textContent()).toBe(
      'The model takes 3 features per row, but 4 columns are chosen (rooms, area, age, floor): untick 1, or choose the model trained on these columns.',
    );
    await page.getByTestId('name').fill('flat prices');
    await page.getByTestId('description').fill('Price of a flat from rooms, area and age.');
    await page.getByLabel('Business').check();
    await page.getByTestId('output-description').fill('price in thousands');
    await page.getByTestId('pack').click();
    await page.screenshot({ path: join(ARTIFACTS, 'publish-feature-mismatch.png'), fullPage: true });
    expect(await page.getByTestId('build-progress').count()).toBe(0);
    expect(await page.getByTestId('check-report').count()).toBe(0);
    await page.getByLabel('use feature floor').uncheck();
    await page.getByTestId('model-mismatch').waitFor({ state: 'detached' });

    // a model whose feature axis is free: only the checker's run finds the mismatch, and says it in words
    await page.getByTestId('model-input').setInputFiles(join(files, 'price-free.onnx'));
    await page.getByTestId('model-summary').getByText('takes any number of features').waitFor();
    await page.getByLabel('use feature floor').check();
    await page.getByTestId('pack').click();
    await page.getByTestId('check-report').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-status').textContent()).toBe('NONUSABLE');
    expect(await page.getByTestId('check-verdict').textContent()).toMatch(/^This bundle is NONUSABLE: .*a catalog refuses it/);
    const reasons = page.getByTestId('check-reasons');
    expect(await reasons.textContent()).toMatch(/The model failed on 48 rows: the model takes 3 features per row but was given 4/);
    expect(
      await reasons
        .locator('li')
        .first()
        .evaluate((li) => li.firstChild?.textContent ?? ''),
    ).not.toMatch(/OrtRun/);
    await reasons.getByText("onnxruntime's message").click();
    expect(await reasons.locator('pre').textContent()).toMatch(/failed to call OrtRun\(\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'publish-nonusable-report.png'), fullPage: true });
    // not offered for download as if it were fine: no Download bundle, no publishing; only behind "download anyway"
    expect(await page.getByRole('button', { name: 'Download bundle' }).count()).toBe(0);
    expect(await page.getByTestId('publish').count()).toBe(0);
    await page.getByText('Download anyway, for debugging').click();
    const [debug] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the NONUSABLE bundle' }).click()]);
    expect(debug.suggestedFilename()).toBe('flat-prices-nonusable.zip');
    expect((await checkBundle(readFileSync(await debug.path()))).status).toBe('NONUSABLE');

    // with the three columns the model takes: USABLE, the output description in the bundle
    await page.getByLabel('use feature floor').uncheck();
    await page.getByTestId('pack').click();
    await page.getByTestId('check-status').getByText('USABLE', { exact: true }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-passed').locator('li').count()).toBe(9);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download bundle' }).click()]);
    const check = await checkBundle(readFileSync(await download.path()));
    expect(check.status).toBe('USABLE');
    expect(check.manifest!.semantic.Task.Values).toEqual(['Regression']);
    expect(check.manifest!.semantic.Output!.Description).toEqual({ '0': 'price in thousands' });
    expect(check.manifest!.model.input.features).toEqual(['rooms', 'area', 'age']);
    expect(errors).toEqual([]);
    // privacy: nothing was sent anywhere (no upload, only the app's own files)
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });
});
