/**
 * The page's journey with images (docs/image.md), in the built app on the demo catalog: a user's
 * held-out zip of Fashion-MNIST PNGs in class folders (public/catalog-image-holdout/, docs/image.md
 * §6) dropped on the page → thumbnails drawn from the decoded pixels → the image spec with its
 * progress → search finds the image island, learnwares trained on the user's classes first, the
 * user's images beside each learnware's reduced images → reuse → predictions with thumbnails →
 * the CSV (one row per image, in sorted path order). No request carries an image or names one.
 * Also: a folder, several chosen files and several dropped images become images; an image
 * learnware is published (model.onnx + a zip of training images → USABLE), the images not uploaded.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readZip } from '../../src/engine/index.js';
import { centroidModel, FASHION_CLASSES, fashionTest, imageFiles, pick, writeFiles, zipFiles } from '../helpers/images.js';
import { dropFiles, expectOnlyBodylessGets, launchChromium } from './browser.js';

const ROOT = process.cwd();
const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const HOLDOUT = join(ROOT, 'public', 'catalog-image-holdout');
const USER = 'fashion-user-001';

let browser: Browser;
let appUrl: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  appUrl = inject('appUrl');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Records, in the page, every text the job's progress line shows (a spec of 300 images is over in a moment). */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const line = document.querySelector('[data-testid="progress"] p')?.textContent;
      if (line && seen.at(-1) !== line) seen.push(line);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** The classes in a demo learnware's name ("Fashion 07: coat, bag, shirt, dress"). */
const classesOf = (name: string) => (/:\s*(.+)$/.exec(name)?.[1] ?? '').split(/,\s*/);

describe('images in the page', () => {
  it('drop a zip → thumbnails → spec with progress → search → reuse → predictions with thumbnails → CSV; no image leaves', async () => {
    const index = JSON.parse(readFileSync(join(HOLDOUT, 'index.json'), 'utf8')) as { entries: { id: string; file: string; rows: number; classes: string[] }[] };
    const user = index.entries.find((e) => e.id === USER)!;
    const zip = new Uint8Array(readFileSync(join(HOLDOUT, user.file)));
    const paths = [...readZip(zip, { maxEntries: 10_000 }).keys()].filter((n) => n.endsWith('.png')).sort();
    expect(paths).toHaveLength(user.rows);

    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: Request[] = [];
    page.context().on('request', (r) => requests.push(r));
    await page.goto(appUrl);
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/learnwares/);
    await page.getByTestId('backend').waitFor({ timeout: 60_000 });

    await dropFiles(page, [{ name: user.file, type: 'application/zip', bytes: zip }]);
    const summary = page.getByTestId('images-summary');
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/300 grey images \(a zip of images, 28×28 pixels\), 300 labelled \(6 labels:/);
    for (const c of user.classes) expect(await summary.textContent()).toContain(c);
    expect(await page.getByTestId('image-labels').isChecked()).toBe(true);
    // the thumbnails are drawn from the decoded pixels: 24 canvases, each of real (not blank) pixels
    const thumbs = page.getByTestId('image-preview').getByTestId('thumbnail');
    expect(await thumbs.count()).toBe(24);
    expect(await thumbs.first().getAttribute('title')).toContain(paths[0].replace(/^[^/]+\//, ''));
    const spread = await thumbs.first().evaluate((c: HTMLCanvasElement) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < data.length; i += 4) {
        lo = Math.min(lo, data[i]);
        hi = Math.max(hi, data[i]);
      }
      return { w: c.width, h: c.height, lo, hi };
    });
    expect(spread).toMatchObject({ w: 28, h: 28 });
    expect(spread.hi - spread.lo).toBeGreaterThan(100);
    await page.locator('section[aria-labelledby="data-heading"]').screenshot({ path: join(ARTIFACTS, 'image-data.png') });

    await recordProgress(page);
    await page.getByTestId('build').click();
    await page.getByTestId('image-spec').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('image-spec').textContent()).toMatch(/50 reduced images summarise 300 grey images, compared by the features of conv3-16-32-64@1 \(256 dimensions\)/);
    expect(await page.getByTestId('spec-images').getByTestId('thumbnail').count()).toBe(16);
    const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    expect(
      progress.some((p) => /Building the specification: computing the features of your images/.test(p)),
      progress.join(' | '),
    ).toBe(true);
    expect(
      progress.some((p) => /k-means/.test(p)),
      progress.join(' | '),
    ).toBe(true);
    await page.getByTestId('result').screenshot({ path: join(ARTIFACTS, 'image-spec.png') });

    await page.getByTestId('search').click();
    await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
    const results = page.getByTestId('search-results');
    expect(await results.locator('h3').first().textContent()).toMatch(/Learnwares taking grey images, compared by conv3-16-32-64@1 features/);
    const names = await results.locator('table.singles tbody tr .label').allTextContents();
    expect(names.length).toBeGreaterThan(3);
    // learnwares trained on the user's classes first: the best shares at least three of its four classes with the user's six, the next ones two
    const shared = names.map((n) => classesOf(n).filter((c) => user.classes.includes(c)).length);
    expect(shared[0], names.join(' | ')).toBeGreaterThanOrEqual(3);
    expect(
      shared.slice(0, 3).every((s) => s >= 2),
      names.join(' | '),
    ).toBe(true);
    // the picture of the match: the user's images beside each top learnware's reduced images
    await results.getByTestId('match-picture').first().waitFor();
    const match = results.getByTestId('image-match').first();
    expect(await match.getByTestId('match-user-images').getByTestId('thumbnail').count()).toBe(8);
    const strips = match.getByTestId('match-learnware');
    expect(await strips.count()).toBe(5);
    expect(await strips.first().textContent()).toContain(names[0]);
    expect(await strips.first().getByTestId('thumbnail').count()).toBe(8);
    await results.screenshot({ path: join(ARTIFACTS, 'image-search.png') });

    await page.getByTestId('reuse').waitFor();
    await page.getByTestId('method-single').check();
    await page.getByTestId('reuse-run').click();
    await page.locator('[data-testid="predictions"], [data-testid="reuse-error"]').first().waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('reuse-error').count(), (await page.getByTestId('reuse-error').allTextContents()).join(' ')).toBe(0);
    await expect.poll(async () => (await page.getByTestId('predictions').textContent())?.replace(/\s+/g, ' '), { timeout: 120_000 }).toMatch(/300 images predicted/);
    const shown = await page.getByTestId('prediction').allTextContents();
    expect(shown).toHaveLength(20);
    const best = classesOf(names[0]);
    for (const cell of shown)
      expect(
        best.some((c) => cell.startsWith(`${c} (`)),
        cell,
      ).toBe(true);
    expect(await page.getByTestId('predictions').getByTestId('thumbnail').count()).toBe(20);
    await page.getByTestId('predictions').screenshot({ path: join(ARTIFACTS, 'image-predictions.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-predictions').click()]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 4)).toEqual(['row', 'source', 'label', 'prediction']);
    expect(
      header
        .slice(4)
        .map((h) => /^p\((.+)\)$/.exec(h)?.[1])
        .sort(),
    ).toEqual([...best].sort());
    expect(csv).toHaveLength(user.rows + 1);
    let right = 0;
    csv.slice(1).forEach((line, r) => {
      const cells = line.split(',');
      expect(cells[0]).toBe(String(r + 1));
      expect(paths[r].endsWith(cells[1])).toBe(true);
      expect(cells[2]).toBe(paths[r].split('/').at(-2));
      if (cells[3] === cells[2]) right++;
      const p = cells.slice(4).map(Number);
      expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-4);
    });
    // one learnware of four classes on six: right on most images of its classes, never on the other two classes'
    expect(right / user.rows).toBeGreaterThan(0.3);

    // the comparison: every method and training from scratch on a held-out part of the labelled images
    await page.getByTestId('evaluate').click();
    await page.locator('[data-testid="evaluation"], [data-testid="reuse-error"]').first().waitFor({ timeout: 360_000 });
    expect(await page.getByTestId('reuse-error').count(), (await page.getByTestId('reuse-error').allTextContents()).join(' ')).toBe(0);
    const rows = await page.getByTestId('evaluation-row').allTextContents();
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.join(' | ')).toMatch(/scratch/i);
    // the reading speaks of the user's images, not of table rows
    const reading = (await page.getByTestId('evaluation-reading').textContent())!;
    expect(reading).toMatch(/Labelled images used: \d+ of the \d+ images of yours that have a label \(\d+ held out for testing/);
    expect(reading).not.toMatch(/\brows?\b|table/);
    expect(await page.getByTestId('evaluation').locator('figcaption').textContent()).toMatch(/held-out images of yours .* labelled images\./s);
    // the user's classes no compared learnware predicts are named, their images left out of the comparison
    const leftOut = page.getByTestId('evaluation-left-out');
    if (await leftOut.count()) expect(await leftOut.textContent()).toMatch(/\d+ labelled images were left out of the comparison: their label \((.+)\) is a class none of these/);
    await page.getByTestId('evaluation').screenshot({ path: join(ARTIFACTS, 'image-comparison.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'image-journey.png'), fullPage: true });

    const names0 = paths.slice(0, 20).map((p) => p.split('/').at(-1)!);
    expectOnlyBodylessGets(requests, new URL(appUrl).origin, [USER, ...names0]);
    expect(errors).toEqual([]);
    await page.close();
  }, 600_000);

  it('takes a folder of images (class sub-folders are labels), several chosen image files and several dropped ones', async () => {
    const data = fashionTest();
    const dir = mkdtempSync(join(tmpdir(), 'lwd-image-folder-'));
    const files = imageFiles(data, pick(data, [1, 8], 3));
    writeFiles(join(dir, 'shop'), files);
    writeFileSync(join(dir, 'shop', 'notes.md'), 'not an image');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(appUrl);
    await page.getByTestId('folder-input').setInputFiles(join(dir, 'shop'));
    await expect
      .poll(() => page.getByTestId('images-summary').textContent(), { timeout: 30_000 })
      .toMatch(/6 grey images \(the folder shop, 28×28 pixels\), 6 labelled \(2 labels: bag 3, trouser 3\); 1 other file was left out/);
    expect(await page.getByTestId('image-preview').getByTestId('thumbnail').count()).toBe(6);
    await page.locator('section[aria-labelledby="data-heading"]').screenshot({ path: join(ARTIFACTS, 'image-folder.png') });

    await page.getByTestId('file-input').setInputFiles([join(dir, 'shop', files[0][0]), join(dir, 'shop', files[4][0])]);
    await expect.poll(() => page.getByTestId('images-summary').textContent(), { timeout: 30_000 }).toMatch(/2 grey images \(2 image files, 28×28 pixels\)\./);

    await dropFiles(
      page,
      files.slice(0, 3).map(([path, bytes]) => ({ name: path.split('/').at(-1)!, type: 'image/png', bytes })),
    );
    await expect.poll(() => page.getByTestId('images-summary').textContent(), { timeout: 30_000 }).toMatch(/3 grey images \(3 image files, 28×28 pixels\)\./);
    expect(await page.getByTestId('image-preview').getByTestId('thumbnail').count()).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('publishes an image learnware: model.onnx + a zip of training images → the checker’s report; the images are not uploaded', async () => {
    const data = fashionTest();
    const classes = [1, 3, 7, 8]; // trouser, dress, sneaker, bag
    const train = pick(data, classes, 40, 200);
    const dir = mkdtempSync(join(tmpdir(), 'lwd-image-publish-'));
    writeFileSync(join(dir, 'model.onnx'), centroidModel(data, train, classes));
    writeFileSync(join(dir, 'train.zip'), zipFiles(imageFiles(data, train), 'train'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const uploads: string[] = [];
    page.context().on('request', (r) => (r.method() !== 'GET' || r.postData() !== null) && uploads.push(r.url()));
    await page.goto(`${appUrl}#/publish`);
    await page.getByTestId('model-input').setInputFiles(join(dir, 'model.onnx'));
    await page.getByTestId('train-input').setInputFiles(join(dir, 'train.zip'));
    await expect.poll(() => page.getByTestId('train-images').textContent()).toMatch(/160 training grey images \(a zip of images\), 160 labelled \(bag, dress, sneaker, trouser\)/);
    await expect.poll(() => page.getByTestId('model-summary').textContent(), { timeout: 30_000 }).toMatch(/takes images of shape \[N, 1, 28, 28\], gives 4 values per image/);
    const order = classes.map((c) => FASHION_CLASSES[c]);
    await page.getByTestId('classes').fill(order.join(', '));
    await page.getByTestId('name').fill('Trousers, dresses, sneakers and bags');
    await page.getByTestId('description').fill('Tells trouser, dress, sneaker and bag photos apart: a nearest-centroid model on the pixels.');
    await page.getByLabel('Fashion').check();
    await page.getByTestId('pack').click();
    await page.getByTestId('check-report').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('check-status').textContent()).toBe('USABLE');
    await page.screenshot({ path: join(ARTIFACTS, 'image-publish.png'), fullPage: true });
    expect(uploads).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
