/**
 * Columns that do not carry the catalog's names, in the built app (headless Chromium;
 * docs/heterogeneous.md §1–§3): Austin's held-out file renamed as a person would and with the
 * sales volume in thousands of dollars. After the file is chosen the page proposes, for the
 * nearest group of learnwares, each renamed column's learnware column, the unit factor of the
 * volume (× 1,000) and a confidence; the user sets one pair to "not used" and the search compares
 * on the other four columns (the results say so); back to the proposal, the results name every
 * mapped column with its unit and Austin ranks first. A typed factor reaches the search as well.
 * On a phone's width the panel needs no sideways scrolling. Screenshots go to tests/artifacts/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let browser: Browser;
let renamedPath: string;

/** The holdout's columns as a person names them; the volume in thousands (USD). */
const RENAMED: Record<string, string> = {
  sales: 'Number_Of_Sales',
  volume: 'sales_volume_kusd',
  listings: 'active listings',
  inventory: 'MonthsInventory',
  month: 'Month',
  median: 'median',
};
/** The true learnware column of each renamed column. */
const TRUTH: Record<string, string> = Object.fromEntries(Object.entries(RENAMED).map(([island, user]) => [user, island]));

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'lwd-mapping-'));
  const [header, ...lines] = readFileSync(AUSTIN_HOLDOUT_PATH, 'utf8').trim().split('\n');
  const names = header.split(',');
  // the person's own column order: month first, the label last
  const order = ['month', 'listings', 'sales', 'volume', 'inventory', 'median'].map((n) => names.indexOf(n));
  expect(order.every((i) => i >= 0)).toBe(true);
  const cell = (line: string, c: number) => {
    const v = line.split(',')[c];
    return names[c] === 'volume' ? String(Number(v) / 1000) : v;
  };
  const csv = [order.map((c) => RENAMED[names[c]]).join(','), ...lines.map((line) => order.map((c) => cell(line, c)).join(','))].join('\n') + '\n';
  renamedPath = join(dir, 'austin-renamed.csv');
  writeFileSync(renamedPath, csv);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openApp(): Promise<{ page: Page; errors: string[]; requests: Request[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: Request[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r));
  await page.goto(inject('appUrl'));
  await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
  return { page, errors, requests };
}

const select = (page: Page, user: string) => page.getByRole('combobox', { name: `learnware column for ${user} (Housing prices)` });
const housing = (page: Page) => page.getByTestId('mapping-island').filter({ hasText: 'Housing prices' });
const row = (page: Page, user: string) => housing(page).locator(`[data-testid="mapping-row"][data-user="${user}"]`);
const results = (page: Page) => page.getByTestId('search-results').locator('article').first();

async function search(page: Page): Promise<void> {
  await page.getByTestId('search').click();
  await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
  await expect.poll(() => page.getByTestId('search').isDisabled()).toBe(false);
}

/** The first island's mapped pairs as the results list them: user column → learnware column. */
async function mappedPairs(page: Page): Promise<Record<string, string>> {
  const items = results(page).getByTestId('mapped-pair');
  const out: Record<string, string> = {};
  for (let i = 0; i < (await items.count()); i++) out[(await items.nth(i).getAttribute('data-user'))!] = (await items.nth(i).getAttribute('data-island'))!;
  return out;
}

describe('a renamed file in other units', () => {
  it('the page proposes the mapping, the user changes a pair, the search takes it and the results say what was mapped', async () => {
    const { page, errors, requests } = await openApp();
    await page.getByTestId('file-input').setInputFiles(renamedPath);
    await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
    // median names what the learnwares predict: the label; the five renamed columns are the features
    expect(await page.getByTestId('label-column').inputValue()).toBe('median');

    // the proposal, nearest group first: every renamed column paired with its true learnware column
    await page.getByTestId('column-mapping').waitFor({ timeout: 60_000 });
    const first = page.getByTestId('mapping-island').first();
    expect(await first.textContent()).toMatch(/^Housing prices/);
    expect(await first.getAttribute('open')).not.toBeNull();
    for (const user of ['Number_Of_Sales', 'sales_volume_kusd', 'active listings', 'MonthsInventory', 'Month']) {
      expect(await select(page, user).inputValue(), user).toBe(TRUTH[user]);
    }
    // the volume's unit: thousands of dollars → dollars, estimated against the learnwares
    expect(await row(page, 'sales_volume_kusd').getByTestId('mapping-factor').inputValue()).toBe('1000');
    expect(await row(page, 'sales_volume_kusd').getByTestId('mapping-unit').textContent()).toMatch(/× 1,000 \(thousands → units\)/);
    expect(await row(page, 'Number_Of_Sales').getByTestId('mapping-unit').textContent()).toBe('same unit');
    // confidence: a percentage and a word for matched pairs, "same name" for Month
    expect(await row(page, 'active listings').getByTestId('mapping-confidence').textContent()).toMatch(/^\d+ % \((sure|likely|possible|unsure)\)$/);
    expect(await row(page, 'Month').getByTestId('mapping-confidence').textContent()).toBe('same name');
    expect(await housing(page).getByTestId('mapping-missing').count()).toBe(0);
    await page.getByTestId('column-mapping').screenshot({ path: join(ARTIFACTS, 'mapping-proposal.png') });

    // the user leaves the inventory out: the panel says so and the search compares on four columns
    await select(page, 'MonthsInventory').selectOption('');
    expect(await housing(page).getByTestId('mapping-missing').textContent()).toMatch(/Not in your table: inventory — filled from each learnware's spec when reused/);
    expect(await housing(page).getByTestId('mapping-ignored').textContent()).toMatch(/MonthsInventory/);
    expect(await housing(page).getByTestId('mapping-coverage').textContent()).toMatch(/edited by you/);
    await search(page);
    expect(await results(page).locator('h3').textContent()).toMatch(/sales, volume, listings, inventory, month/);
    expect(await mappedPairs(page)).toEqual({ Number_Of_Sales: 'sales', sales_volume_kusd: 'volume', 'active listings': 'listings', Month: 'month' });
    expect(await results(page).getByTestId('mapped-missing').textContent()).toMatch(/Missing: inventory/);
    expect(await results(page).getByTestId('mapped').textContent()).toMatch(/4 of 5 learnware columns fed/);
    expect(await results(page).getByTestId('search-warning').allTextContents()).toContainEqual(expect.stringMatching(/compared on 4 of 5 columns/));
    expect((await results(page).locator('tbody tr').first().locator('.label').textContent())?.trim()).toBe('Housing prices: Austin');

    // a swap: Number_Of_Sales takes listings, and active listings gets sales (the column's old pair)
    await select(page, 'Number_Of_Sales').selectOption('listings');
    expect(await select(page, 'active listings').inputValue()).toBe('sales');
    expect(await row(page, 'Number_Of_Sales').getByTestId('mapping-confidence').textContent()).toBe('your choice');

    // back to the proposal: all five pairs, the volume × 1,000, Austin first
    await housing(page).getByTestId('mapping-reset').click();
    expect(await select(page, 'MonthsInventory').inputValue()).toBe('inventory');
    expect(await select(page, 'Number_Of_Sales').inputValue()).toBe('sales');
    await search(page);
    expect(await mappedPairs(page)).toEqual({
      Number_Of_Sales: 'sales',
      sales_volume_kusd: 'volume',
      'active listings': 'listings',
      MonthsInventory: 'inventory',
      Month: 'month',
    });
    expect(await results(page).locator('[data-testid="mapped-pair"][data-user="sales_volume_kusd"]').textContent()).toMatch(/× 1,000 \(thousands → units\)/);
    expect(await results(page).getByTestId('mapped').textContent()).toMatch(/5 of 5 learnware columns fed/);
    expect(await results(page).getByTestId('mapped-missing').count()).toBe(0);
    expect((await results(page).locator('tbody tr').first().locator('.label').textContent())?.trim()).toBe('Housing prices: Austin');
    expect(await results(page).getByTestId('verdict').textContent()).toMatch(/Best fit: Housing prices: Austin/);
    await page.getByTestId('search-results').screenshot({ path: join(ARTIFACTS, 'mapping-results.png') });

    // a typed factor is the user's: the search keeps it (a wrong one, 1, and the results say "same unit")
    await row(page, 'sales_volume_kusd').getByTestId('mapping-factor').fill('1');
    await row(page, 'sales_volume_kusd').getByTestId('mapping-factor').press('Tab');
    expect(await row(page, 'sales_volume_kusd').getByTestId('mapping-unit').textContent()).toBe('your factor: same unit');
    await search(page);
    const volume = page.getByTestId('search-results').locator('[data-testid="mapped-pair"][data-user="sales_volume_kusd"]').first();
    expect(await volume.textContent()).toMatch(/same unit · your choice/);

    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });

  it('fits a phone: the mapping panel scrolls no page sideways and every control has a name', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(inject('appUrl'));
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
    await page.getByTestId('file-input').setInputFiles(renamedPath);
    await page.getByTestId('column-mapping').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    const unnamed = await page
      .getByTestId('column-mapping')
      .locator('select, input')
      .evaluateAll((els) => els.filter((el) => !el.getAttribute('aria-label') && !el.closest('label')).length);
    expect(unnamed).toBe(0);
    // keyboard: the first select takes focus and a key changes it
    await select(page, 'Month').focus();
    await page.keyboard.press('ArrowUp');
    expect(await select(page, 'Month').inputValue()).not.toBe('month');
    await page.getByTestId('column-mapping').screenshot({ path: join(ARTIFACTS, 'mapping-phone.png') });
    await context.close();
  });
});
