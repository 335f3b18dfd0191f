/**
 * A newcomer's first steps in the built app (headless Chromium), touching nothing but the file, the
 * label and the buttons: the README's journey (the Austin held-out file, label `median`, *Search
 * the catalog*, *Predict my rows*), *use the sample*, *Try it on my data* from a detail page and a
 * flights held-out file all find their learnwares with the default columns; the label is never a
 * feature; a search nothing matches is answered in words; a 2-row file is said to be too few; the
 * first screen says what the page does, what the catalog covers and what it takes; the catalog URL
 * takes a relative URL and goes back to the demo catalog. Every journey asks only for the app's own
 * files (GETs without a body). Screenshots go to tests/artifacts/ (not committed).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
const FLIGHTS_ATL_PATH = fileURLToPath(new URL('../../public/catalog-holdout/flights-atl.csv', import.meta.url));
let browser: Browser;
let files: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  files = mkdtempSync(join(tmpdir(), 'lwd-first-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openApp(hash = ''): Promise<{ page: Page; errors: string[]; requests: Request[] }> {
  const page = await browser.newPage({ acceptDownloads: true });
  const errors: string[] = [];
  const requests: Request[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r));
  await page.goto(inject('appUrl') + hash);
  await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
  return { page, errors, requests };
}

const checked = async (page: Page, column: string) => page.getByRole('checkbox', { name: `use column ${column}` }).isChecked();
const firstResult = async (page: Page) => (await page.getByTestId('search-results').locator('tbody tr').first().locator('.label').textContent())?.trim();

/** The file, the label, *Search the catalog*: nothing else touched. */
async function search(page: Page, file: string, label: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
  await page.getByTestId('label-column').selectOption(label);
  await page.getByRole('button', { name: 'Search the catalog' }).click();
  await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
}

async function predict(page: Page): Promise<string> {
  const button = page.getByTestId('reuse-run');
  expect(await button.textContent()).toBe('Predict my rows');
  await button.click();
  await page.getByTestId('predictions').waitFor({ timeout: 180_000 });
  return (await page.getByTestId('predictions').locator('p').first().textContent()) ?? '';
}

describe('the defaults lead to a result', () => {
  it('the README journey: the Austin file, label median, Search, Predict — finds Austin and predicts its 47 rows', async () => {
    const { page, errors, requests } = await openApp();
    await search(page, AUSTIN_HOLDOUT_PATH, 'median');
    // month is a feature of the housing learnwares: preselected, whatever its name suggests
    expect(await checked(page, 'month')).toBe(true);
    expect(await checked(page, 'median')).toBe(false);
    expect(await page.getByTestId('label-note').textContent()).toMatch(/median is the label: it is never used as a feature/);
    expect(await firstResult(page)).toBe('Housing prices: Austin');
    expect(await page.getByTestId('verdict').textContent()).toMatch(/Best fit: Housing prices: Austin/);
    expect(await page.getByTestId('search-warning').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'first-steps-austin.png'), fullPage: true });
    expect(await predict(page)).toMatch(/^47 rows predicted on (WebGPU|WASM) by/);
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('the sample: the housing columns are preselected (year and date are not), median is the label, and the storage page records the best fit the results showed', async () => {
    const { page, errors, requests } = await openApp();
    await page.getByRole('button', { name: /use the sample/ }).click();
    await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
    for (const column of ['sales', 'volume', 'listings', 'inventory', 'month']) expect(await checked(page, column)).toBe(true);
    for (const column of ['year', 'date', 'median']) expect(await checked(page, column)).toBe(false);
    // the column the housing learnwares predict is taken as the label, and the page says so
    expect(await page.getByTestId('label-column').inputValue()).toBe('median');
    expect(await page.getByTestId('label-note').textContent()).toMatch(/names what the learnwares predict \(“median sale price \(USD\)”\)/);
    expect(await page.getByTestId('columns-note').textContent()).toMatch(/Ticked: the 5 columns the “Housing prices” learnwares take .*No learnware takes year, date/s);
    await page.getByRole('button', { name: 'Search the catalog' }).click();
    await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
    expect(await firstResult(page)).toMatch(/^Housing prices: /);
    const verdict = (await page.getByTestId('verdict').textContent())!;
    // one truth: the storage page's record says what the verdict said (a mixture, with only members that carry weight, or one learnware)
    const mixture = page.getByTestId('mixture');
    const members = (await mixture.count()) ? (await mixture.locator('.weights li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()) : [];
    for (const member of members) expect(member).not.toMatch(/ 0 %$/);
    await page.getByRole('link', { name: 'Stored in this browser' }).click();
    await page.getByTestId('recent').waitFor();
    const record = (await page.getByTestId('recent').locator('li').first().textContent())!.replace(/\s+/g, ' ');
    if (/mixture/.test(verdict)) {
      expect(record).toMatch(/best fit a mixture of /);
      for (const member of members) expect(record).toContain(member.replace(/ (\d+ %)$/, ' $1'));
    } else {
      expect(record).not.toMatch(/mixture/);
      expect(record).toContain(`best ${/Best fit: (.+) \(score/.exec(verdict)![1]}`);
    }
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('Try it on my data from a detail page, then the Austin file: finds Austin', async () => {
    const { page, errors, requests } = await openApp('#/learnware/txhousing-austin');
    await page.getByTestId('try-it').click({ timeout: 60_000 });
    await page.getByTestId('trying').waitFor();
    await search(page, AUSTIN_HOLDOUT_PATH, 'median');
    expect(await firstResult(page)).toBe('Housing prices: Austin');
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('a flights held-out file, label delayed: finds its airport and predicts', async () => {
    const { page, errors, requests } = await openApp();
    await search(page, FLIGHTS_ATL_PATH, 'delayed');
    for (const column of ['hour', 'weekday', 'month', 'distance']) expect(await checked(page, column)).toBe(true);
    expect(await checked(page, 'delayed')).toBe(false);
    expect(await firstResult(page)).toBe('Flight delays from ATL');
    expect(await predict(page)).toMatch(/^1,000 rows predicted on (WebGPU|WASM) by/);
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });
});

describe('dead ends say what to do', () => {
  it('columns no learnware takes: an answer in words (what the catalog covers, what is missing, what to do), not an error', async () => {
    const { page, errors, requests } = await openApp();
    // columns of the user's own that share no word with any learnware's (a table with renamed or partly
    // missing columns is reached through a mapping: tests/e2e/mapping.test.ts)
    const path = join(files, 'rooms.csv');
    writeFileSync(path, ['rooms,bathrooms,lot_size', ...Array.from({ length: 60 }, (_, i) => `${1 + (i % 6)},${1 + (i % 3)},${400 + 13 * i}`)].join('\n') + '\n');
    await page.getByTestId('file-input').setInputFiles(path);
    await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Search the catalog' }).click();
    const answer = page.getByTestId('no-match');
    await answer.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('error').count()).toBe(0);
    // not styled as an error: nothing on the page is
    expect(await page.locator('.error, [role="alert"]').count()).toBe(0);
    expect(await answer.getAttribute('role')).toBe('status');
    await answer.screenshot({ path: join(ARTIFACTS, 'first-steps-no-match.png') });
    const text = (await answer.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/You searched with 3 columns: rooms, bathrooms, lot_size/);
    // what the catalog covers, from its entries: both groups, their members, their task
    expect(text).toMatch(/Housing prices — Abilene, .* and \d+ more \(46 regression learnwares\): take sales, volume, listings, inventory, month\./);
    expect(text).toMatch(/Flight delays — ATL, .* \(20 classification learnwares\)/);
    expect(await answer.getByRole('link', { name: 'Browse the catalog' }).getAttribute('href')).toBe('#/catalog');
    expect(await answer.getByRole('link', { name: 'Publish a learnware' }).getAttribute('href')).toBe('#/publish');

    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('a 2-row file: the results say the data are too few to judge', async () => {
    const { page, errors, requests } = await openApp();
    const path = join(files, 'two-rows.csv');
    writeFileSync(path, readFileSync(AUSTIN_HOLDOUT_PATH, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    await search(page, path, 'median');
    const warning = page.getByTestId('search-warning');
    expect(await warning.count()).toBe(1);
    expect(await warning.textContent()).toMatch(/Your data have 2 rows, fewer than the \d+ points that summarise each of these learnwares: too few to judge/);
    await page.getByTestId('search-results').screenshot({ path: join(ARTIFACTS, 'first-steps-two-rows.png') });
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });
});

describe('the first screen', () => {
  it('says what the page does, what the loaded catalog covers and what data it takes; the catalog URL takes a relative URL and goes back to the default', async () => {
    const { page, errors, requests } = await openApp();
    const intro = page.getByTestId('intro');
    expect((await intro.textContent())!.replace(/\s+/g, ' ')).toMatch(/What this page does: .*finds.*learnwares.*predicts your rows/);
    await expect
      .poll(() => page.getByTestId('covers').textContent())
      .toMatch(/Flight delays — ATL, .* \(20 classification learnwares\); Housing prices — Abilene, .* \(46 regression learnwares\); Brown — .* \(50 classification learnwares\)\./s);
    expect(await page.getByTestId('takes').textContent()).toMatch(/tables — a CSV, TSV or Parquet file/);
    await page.screenshot({ path: join(ARTIFACTS, 'first-screen.png') });
    // a relative URL loads (the field is not a browser "url" field refusing it)
    const field = page.getByTestId('catalog-url');
    expect(await field.inputValue()).toBe('/catalog/');
    await field.fill('/no-such-catalog/');
    await page.getByRole('button', { name: 'Load' }).click();
    await page.getByTestId('catalog-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('covers').textContent()).toMatch(/no catalog is loaded/);
    await page.getByTestId('default-catalog').click();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    expect(await field.inputValue()).toBe('/catalog/');
    expect(await page.getByTestId('default-catalog').count()).toBe(0);
    // the relative URL typed by hand loads too, and is remembered for the next visit
    await field.fill('/catalog/');
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 30_000 }).toMatch(/166 learnwares/);
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(
      requests.filter((r) => !new URL(r.url()).pathname.startsWith('/no-such-catalog/')),
      new URL(inject('appUrl')).origin,
    );
    expect(
      requests
        .filter((r) => new URL(r.url()).pathname.startsWith('/no-such-catalog/'))
        .every((r) => r.method() === 'GET' && new URL(r.url()).origin === new URL(inject('appUrl')).origin),
    ).toBe(true);
    await page.close();
  });
});
