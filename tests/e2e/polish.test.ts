/**
 * What a person notices on the built app's pages besides the journeys themselves: the backend
 * line reads as words, no internal option names, the nav marks the page you are on, the main
 * journey's button stands out, stat.json is shown readably, and the storage page explains usage
 * that its listed items do not account for. Screenshots go to tests/artifacts/ (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './browser.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function open(hash = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${inject('appUrl')}${hash}`);
  await page.getByTestId('backend').waitFor({ timeout: 60_000 });
  return { page, errors };
}

const background = (page: Page, selector: string) => page.locator(selector).evaluate((e) => getComputedStyle(e).backgroundColor);

describe('polish', () => {
  it('the backend line reads as words, without option names; the nav marks the current page; the main button is the primary one', async () => {
    const { page, errors } = await open();
    const line = (await page.getByTestId('backend').locator('..').innerText()).split('\n')[0];
    // large data go to one worker per core (docs/parallel.md §4), at most 8
    const cores = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
    expect(line).toBe(`Compute backend: WASM (SIMD, single thread${cores > 1 ? `; large data on ${cores} workers` : ''})`);
    await page.getByText('why not the others').click();
    const why = await page.getByText('why not the others').locator('..').innerText();
    expect(why).toMatch(/software renderer .*, slower than WASM, so it is skipped/);
    expect(why).toMatch(/add \?backend=webgpu to the page's address/);
    expect(await page.locator('body').innerText()).not.toMatch(/allowSoftwareGpu/);

    // the nav: exactly one link marked as the current page, and it looks different
    const nav = page.getByRole('navigation', { name: 'pages' });
    const current = () => nav.locator('a[aria-current="page"]').allTextContents();
    expect(await current()).toEqual(['Find and reuse learnwares']);
    await nav.getByRole('link', { name: 'Publish a learnware' }).click();
    await page.getByRole('heading', { name: 'Publish a learnware' }).waitFor();
    expect(await current()).toEqual(['Publish a learnware']);
    expect(await background(page, 'nav a[aria-current="page"]')).not.toBe(await background(page, 'nav a[href="#/"]'));
    await nav.getByRole('link', { name: 'Find and reuse learnwares' }).click();

    // the main journey's button (search) is the primary one; building a spec alone is secondary
    await page.getByRole('button', { name: /use the sample/ }).click();
    await page.getByTestId('search').waitFor();
    expect(await page.getByTestId('search').getAttribute('class')).toMatch(/\bprimary\b/);
    expect((await page.getByTestId('build').getAttribute('class')) ?? '').not.toMatch(/\bprimary\b/);
    expect(await page.locator('section button.primary').allTextContents()).toEqual(['Search the catalog']);
    await page.screenshot({ path: join(ARTIFACTS, 'polish-header-nav.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stat.json is shown pretty-printed in a collapsed section, the same JSON as the download; numbers have separators', async () => {
    const { page, errors } = await open();
    await page.getByRole('button', { name: /use the sample/ }).click();
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('result').textContent()).toMatch(/summarise 8,602 rows × 5 features/);
    expect(await page.getByTestId('table-summary').textContent()).toMatch(/: 8,602 rows, /);
    const details = page.getByTestId('stat-json');
    expect(await details.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await details.locator('summary').click();
    const shown = await details.locator('pre').textContent();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stat.json' }).click()]);
    const saved = readFileSync(await download.path(), 'utf8');
    expect(JSON.parse(shown!)).toEqual(JSON.parse(saved));
    const lines = shown!.split('\n');
    // one key per line, two-space indents; a reduced point per line rather than a number per line
    expect(lines.some((l) => /^ {2}"type": "RKMETableSpecification",?$/.test(l))).toBe(true);
    const K = JSON.parse(saved).z.length as number;
    expect(lines.filter((l) => /^ {4}\[-?\d[^\]]*\],?$/.test(l)).length).toBeGreaterThanOrEqual(K);
    expect(lines.length).toBeLessThan(3 * K + 40);
    await page.screenshot({ path: join(ARTIFACTS, 'polish-stat-json.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the storage page explains usage its listed items do not account for', async () => {
    const { page, errors } = await open();
    // once the service worker has cached the app's files, the browser's usage is far above what the page lists
    await page.evaluate(() => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0), { timeout: 60_000 }).toBeGreaterThan(2 ** 20);
    await page.goto(`${inject('appUrl')}#/storage`);
    await page.getByTestId('storage-estimate').waitFor();
    const explained = await page.getByTestId('storage-unlisted').innerText();
    expect(explained).toMatch(/^The items listed below hold about [\d.]+ KB\. The rest is .*service worker's copy of the app's own files/);
    expect(await page.getByTestId('storage-estimate').innerText()).toMatch(
      /^This site uses [\d.]+ MB of [\d,.]+ (MB|GB) the browser allows it \(by the browser's count: .*cached app files [\d.]+ MB/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'polish-storage.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
