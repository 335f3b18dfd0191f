/**
 * The developer's journey in the built app: ONNX model + training CSV + semantic form → RKME in the
 * worker → checker report → download the bundle → publish to a real S3-compatible server (s3rver
 * on loopback, CORS enabled) with signed requests from the browser.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkBundle, exportDenseOnnx, loadCatalogIndex } from '../../src/engine/index.js';
import { launchChromium } from './browser.js';
import { gaussianMixture } from '../shared/synthetic.js';

const CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;

let browser: Browser;
let server: S3rver;
let endpoint: string;
let files: string;

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'lwd-publish-'));
  const n = 400;
  const x = gaussianMixture(n, 3, 2, 12);
  const lines = ['temperature,pressure,humidity,rain'];
  for (let r = 0; r < n; r++) lines.push(`${x[r * 3].toFixed(4)},${x[r * 3 + 1].toFixed(4)},${x[r * 3 + 2].toFixed(4)},${x[r * 3] > 0 ? 'yes' : 'no'}`);
  writeFileSync(join(files, 'weather.csv'), lines.join('\n'));
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

    // validation messages appear next to the fields
    await page.getByTestId('pack').click();
    await page.getByText(/Name must be a string of 5 to 50 characters/).waitFor();
    await page.getByText(/Scenario needs at least one value/).waitFor();

    await page.getByTestId('name').fill('weather classifier');
    await page.getByTestId('description').fill('Rain or no rain from three weather readings.');
    await page.getByTestId('classes').fill('no, yes');
    await page.getByLabel('Nature').check();
    await page.getByTestId('pack').click();
    await page.getByTestId('check-report').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-status').textContent()).toBe('USABLE');

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
});
