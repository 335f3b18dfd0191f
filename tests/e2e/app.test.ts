/**
 * The built app in real headless Chromium (WebGPU via SwiftShader): loads, reports its backend,
 * builds a spec from a file chosen with the file chooser, downloads it, and shows clear errors
 * for bad files. Screenshots go to tests/artifacts/ (not committed).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseCsvBytes, parseTableSpec } from '../../src/engine/index.js';
import { tableAsParquet } from '../helpers/parquet-writer.js';
import { expectOnlyBodylessGets, launchChromium, searchHousingRows } from './browser.js';
import { AUSTIN_HOLDOUT_PATH, TXHOUSING_PATH } from '../helpers/data.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let browser: Browser;
let files: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  files = mkdtempSync(join(tmpdir(), 'lwd-e2e-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * `serviceWorkers: 'block'` where a test routes requests (a service worker's cache would answer them first);
 * `timeout` 0 waits for the page however long it takes (the test's own timeout still bounds it).
 */
async function openApp(query = '', serviceWorkers: 'allow' | 'block' = 'allow', timeout = 60_000): Promise<{ page: Page; errors: string[]; requests: Request[] }> {
  const page = await browser.newPage({ acceptDownloads: true, serviceWorkers });
  const errors: string[] = [];
  const requests: Request[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r));
  page.context().on('request', (r) => requests.includes(r) || requests.push(r));
  await page.goto(inject('appUrl') + query, { timeout });
  await page.getByTestId('backend').waitFor({ timeout });
  return { page, errors, requests };
}

describe('app', () => {
  it('loads the demo catalog served with the app', async () => {
    const { page, errors } = await openApp();
    await expect
      .poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 })
      .toMatch(
        /166 learnwares in 4 groups, each taking its own inputs:\s+Fashion take grey images compared by conv3-16-32-64@1 features and predict [a-z-]+( \/ [a-z-]+){9}; Flight delays take hour, weekday, month, distance and predict on time \/ delayed; Housing prices take sales, volume, listings, inventory, month and predict median sale price \(USD\); Brown take texts embedded by glove-100d-50k@1 \(100 dimensions\) and predict [a-z ]+( \/ [a-z ]+){14}\./,
      );
    await page.getByText('learnwares', { exact: true }).click();
    expect(await page.getByText(/Housing prices: Abilene/).isVisible()).toBe(true);
    expect(await page.getByText(/Flight delays from ORD/).isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('searches the demo catalog with the user rows, which never leave the page', async () => {
    const { page, errors, requests } = await openApp();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    // Austin's rows only, with the columns of the housing island
    const rows = readFileSync(TXHOUSING_PATH, 'utf8').split('\n');
    const path = join(files, 'austin.csv');
    writeFileSync(path, [rows[0], ...rows.filter((l) => l.startsWith('"Austin"'))].join('\n'));
    await searchHousingRows(page, path);
    const first = await page.getByTestId('search-results').locator('tbody tr').first().textContent();
    expect(first).toMatch(/^1Housing prices: Austin.*1\.000$/);
    // the picture of the match: the user's reduced points and the top learnwares' on two axes
    const picture = page.getByTestId('search-results').locator('svg[role="img"]');
    expect(await picture.count()).toBe(1);
    expect(await picture.getAttribute('aria-label')).toMatch(/your data and of the top 5 learnwares \(1\. Housing prices: Austin;/);
    expect(await picture.locator('title').first().textContent()).toMatch(/^Scatter plot/);
    expect(await picture.locator('[data-series="user"] circle').count()).toBeGreaterThan(10);
    expect(await picture.locator('[data-series="learnware"]').count()).toBe(5);
    expect(await picture.locator('[data-series="learnware"] circle').count()).toBeGreaterThan(50);
    expect(await page.getByTestId('search-results').textContent()).toMatch(/within sampling noise of your data/);
    // the legend's buttons highlight one learnware's points, from the keyboard too
    const austin = page.getByTestId('search-results').getByRole('button', { name: /^1\. Housing prices: Austin/ });
    await austin.focus();
    await page.keyboard.press('Enter');
    expect(await austin.getAttribute('aria-pressed')).toBe('true');
    expect(await picture.locator('[data-series="learnware"]').last().getAttribute('fill-opacity')).toBe('0.6');
    expect(await picture.locator('[data-series="learnware"]').first().getAttribute('fill-opacity')).toBe('0.08');
    await page.screenshot({ path: join(ARTIFACTS, 'search-results.png'), fullPage: true });
    // a phone-width screen: nothing overflows sideways
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.getByTestId('search-results').screenshot({ path: join(ARTIFACTS, 'search-results-phone.png') });
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('shows the phase of a running search with a Cancel button, and cancels it', async () => {
    const { page, errors } = await openApp('', 'block');
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    // hold the island's shard until the test has seen the progress and cancelled
    let release!: () => void;
    const held = new Promise<void>((done) => (release = done));
    await page.context().route('**/shards/**', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await page.getByRole('button', { name: /use the sample/ }).click();
    await page.getByTestId('table-summary').waitFor();
    await page.getByRole('checkbox', { name: 'use column month' }).check();
    await page.getByRole('checkbox', { name: 'use column median' }).uncheck();
    await page.getByTestId('search').click();
    await expect.poll(() => page.getByTestId('progress').textContent(), { timeout: 60_000 }).toMatch(/^Searching the catalog: comparing with the learnwares…/);
    expect(await page.getByTestId('progress').getByRole('progressbar').count()).toBe(1);
    await page.locator('section', { has: page.getByTestId('progress') }).screenshot({ path: join(ARTIFACTS, 'search-progress.png') });
    await page.getByTestId('cancel').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('error').textContent()).toBe('Cancelled.');
    release();
    expect(await page.getByTestId('progress').count()).toBe(0);
    expect(await page.getByTestId('search-results').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a static host answering missing files with index.html breaks nothing', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${inject('fallbackUrl')}?catalog=/no-such-catalog/`);
    await page.getByTestId('catalog-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('catalog-error').textContent()).toMatch(/returned an HTML page instead of a json file/);
    // the rest of the app still works from that host, and the real catalog loads there too
    await page.getByTestId('backend').waitFor({ timeout: 60_000 });
    await page.getByTestId('catalog-url').fill(`${inject('fallbackUrl')}catalog/`);
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('prefers WASM over a software WebGPU adapter and says why', async () => {
    const { page, errors } = await openApp();
    expect(await page.getByTestId('backend').textContent()).toBe('WASM');
    await page.getByText('why not the others').click();
    expect(await page.getByText(/webgpu: the WebGPU adapter is a software renderer/).isVisible()).toBe(true);
    await page.getByRole('button', { name: /use the sample/ }).click();
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('result').textContent()).toMatch(/8,602 rows × 5 features, on WASM/);
    await page.screenshot({ path: join(ARTIFACTS, 'spec-result-wasm.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  // WebGPU here is SwiftShader, a software adapter on the CPU that every other test competes for: the test
  // builds from the first 500 rows of txhousing (the full table takes minutes on a loaded machine; what is
  // checked does not depend on the row count, as long as there are more rows than the 100 reduced points) and waits on the page's own state, bounded only by the test timeout.
  it('builds a spec from a chosen CSV on WebGPU and downloads it; nothing leaves the page', { timeout: 600_000 }, async () => {
    const rows = 500;
    const subset = join(mkdtempSync(join(files, 'webgpu-')), 'txhousing.csv');
    writeFileSync(
      subset,
      readFileSync(TXHOUSING_PATH, 'utf8')
        .split('\n')
        .slice(0, rows + 1)
        .join('\n') + '\n',
    );
    const { page, errors, requests } = await openApp('?backend=webgpu', 'allow', 0);
    expect(await page.getByTestId('backend').textContent()).toBe('WebGPU');
    await page.getByTestId('file-input').setInputFiles(subset);
    await expect.poll(() => page.getByTestId('table-summary').textContent(), { timeout: 0 }).toMatch(/500 rows, 9 columns/);
    // the text column cannot be selected
    expect(await page.getByRole('checkbox', { name: 'use column city' }).isDisabled()).toBe(true);
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 0 });
    expect(await page.getByTestId('result').textContent()).toMatch(/100 reduced points summarise 500 rows × 5 features, on WebGPU/);
    await page.screenshot({ path: join(ARTIFACTS, 'spec-result.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 0 }), page.getByRole('button', { name: 'Download stat.json' }).click()]);
    expect(download.suggestedFilename()).toBe('txhousing.stat.json');
    const spec = parseTableSpec(readFileSync(await download.path(), 'utf8'));
    // the housing learnwares' columns, preselected (median is the label, year and date no learnware takes)
    expect(spec.featureNames).toEqual(['month', 'sales', 'volume', 'listings', 'inventory']);
    expect([spec.K, spec.numPoints]).toEqual([100, rows]);
    expect(spec.scaleSource).toBe('std');
    expect(spec.provenance?.backend).toBe('webgpu');
    expect(errors).toEqual([]);

    // privacy: only GETs of the app's own files; no request carries a body
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('shows a clear message for each bad file, one after another in the same page', async () => {
    // one page for all six (each a full app load otherwise): every file replaces the previous one's message, and no
    // two files in a row share a message, so the message waited for is the current file's
    const cases: [string, string, Buffer, RegExp][] = [
      ['binary garbage', 'garbage.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a, 0xff, 0x00]), /not text/],
      ['a header only', 'header.csv', Buffer.from('a,b,c\n'), /header but no data rows/],
      ['ragged rows', 'ragged.csv', Buffer.from('a,b\n1,2\n3\n'), /line 3 has 1 fields/],
      ['random bytes without a NUL', 'random.csv', Buffer.from(Array.from({ length: 65536 }, (_, i) => 1 + (((i * 2654435761) >>> 24) % 255))), /not text/],
      ['no header row', 'noheader.csv', Buffer.from('1.5,2,3\n4,5,6\n7,8,9\n'), /holds numbers, not column names: add a header row/],
      ['an empty file', 'empty.csv', Buffer.alloc(0), /empty\.csv is empty/],
    ];
    const { page, errors } = await openApp();
    for (const [name, fileName, content, message] of cases) {
      const path = join(files, fileName);
      writeFileSync(path, content);
      await page.getByTestId('file-input').setInputFiles(path);
      await expect.poll(() => page.getByTestId('error').textContent(), { message: name }).toMatch(message);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses a 200 MB CSV by its size at once, and the page stays usable', async () => {
    const { page, errors } = await openApp();
    const path = join(files, 'huge.csv');
    const block = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `${i},${(i * 0.37) % 11},${i % 7}`).join('\n') + '\n');
    writeFileSync(path, 'a,b,c\n');
    while (statSync(path).size < 200 * 2 ** 20) appendFileSync(path, block);
    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByTestId('error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('error').textContent()).toMatch(/huge\.csv is 20\d MB; this page reads tables up to 100 MB/);
    // the page still answers: another page opens, and a small file loads after the refusal
    await page.getByRole('link', { name: 'Browse the catalog' }).click();
    await page.getByTestId('catalog-browser').waitFor();
    await page.getByRole('link', { name: 'Find and reuse learnwares' }).click();
    writeFileSync(join(files, 'small.csv'), 'a,b\n1,2\n3,4\n');
    await page.getByTestId('file-input').setInputFiles(join(files, 'small.csv'));
    await expect.poll(() => page.getByTestId('table-summary').textContent()).toMatch(/small\.csv: 2 rows, 2 columns/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a one-column CSV loads, and the search says no learnware takes that column', async () => {
    const { page, errors } = await openApp();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    const path = join(files, 'one-column.csv');
    writeFileSync(path, ['price', ...Array.from({ length: 200 }, (_, i) => String(100 + ((i * 37) % 50)))].join('\n'));
    await page.getByTestId('file-input').setInputFiles(path);
    await expect.poll(() => page.getByTestId('table-summary').textContent()).toMatch(/one-column\.csv: 200 rows, 1 column\./);
    await page.getByTestId('search').click();
    // an answer in words, not an error
    await page.getByTestId('no-match').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('no-match').textContent()).toMatch(/No learnware takes these columns\s*You searched with 1 column: price\./);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a Parquet file of the same rows finds the same learnware as its CSV', async () => {
    const { page, errors } = await openApp();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    const path = join(files, 'austin.parquet');
    writeFileSync(path, tableAsParquet(parseCsvBytes(readFileSync(AUSTIN_HOLDOUT_PATH)), [20, 27]));
    await searchHousingRows(page, path);
    expect(await page.getByTestId('table-summary').textContent()).toMatch(/austin\.parquet: 47 rows, 6 columns/);
    expect(await page.getByTestId('search-results').locator('tbody tr').first().textContent()).toMatch(/^1Housing prices: Austin/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen: no page scrolls sideways, every control has a name', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(inject('appUrl'));
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    await searchHousingRows(page, AUSTIN_HOLDOUT_PATH);
    for (const hash of ['#/', '#/catalog', '#/learnware/txhousing-austin', '#/publish', '#/models', '#/storage']) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${hash} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      // every input, select and button has an accessible name (label, aria-label or text)
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, button, textarea')]
          .filter((el) => (el as HTMLElement).offsetParent !== null || el.getAttribute('type') === 'file')
          .filter((el) => {
            const labelled =
              (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent?.trim());
            return !labelled;
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(unnamed, hash).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, `phone-${hash.replace(/[#/]+/g, '-').replace(/^-|-$/g, '') || 'home'}.png`), fullPage: true });
    }
    await page.close();
  });

  it('accepts a CSV dropped on the drop zone', async () => {
    const { page, errors } = await openApp();
    const dataTransfer = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      const rows = ['x,y', ...Array.from({ length: 300 }, (_, i) => `${Math.sin(i)},${Math.cos(i / 7)}`)];
      transfer.items.add(new File([rows.join('\n')], 'dropped.csv', { type: 'text/csv' }));
      return transfer;
    });
    await page.dispatchEvent('[aria-label="Drop a data file here"]', 'drop', { dataTransfer });
    await expect.poll(() => page.getByTestId('table-summary').textContent()).toMatch(/dropped\.csv: 300 rows, 2 columns/);
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('result').textContent()).toMatch(/100 reduced points summarise 300 rows × 2 features, on WASM/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reports a column that cannot be used and still builds from the rest', async () => {
    const { page } = await openApp();
    const path = join(files, 'mixed.csv');
    writeFileSync(path, 'a,b,name\n1,2,x\n2,3,y\n3,5,z\n4,4,w\n');
    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByTestId('table-summary').waitFor();
    expect(await page.getByRole('row', { name: /name/ }).textContent()).toMatch(/text.*“x”/);
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('result').textContent()).toMatch(/2 reduced points \(asked 100\) summarise 4 rows × 2 features/);
    expect(await page.getByTestId('result').textContent()).toMatch(/close to raw data/);
    await page.close();
  });
});
