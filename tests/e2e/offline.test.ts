/**
 * The built app as a product: after a first visit it opens and searches with the network cut
 * (service worker), and its Content-Security-Policy keeps the page and its workers from connecting
 * anywhere but the app's origin and the configured ones.
 */
import { createServer, type Server } from 'node:http';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';
import { launchChromium, searchHousingRows } from './browser.js';

let browser: Browser;
/** a server on localhost (not in the CSP): counts the requests that reach it */
let elsewhere: Server;
let elsewhereHits = 0;

beforeAll(async () => {
  browser = await launchChromium();
  elsewhere = createServer((_req, res) => {
    elsewhereHits++;
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((done) => elsewhere.listen(0, 'localhost', done));
});
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => elsewhere?.close(done));
});

describe('offline and CSP', () => {
  it('after a first visit, the app loads and searches with the network cut', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(inject('appUrl'));
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares/);
    // installed: the app's files and the demo catalog's index and shards are cached
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.state)), { timeout: 60_000 }).toBe('activated');

    await context.setOffline(true);
    expect(
      await page.evaluate(() =>
        fetch('/catalog-holdout/txhousing-austin.csv').then(
          () => 'online',
          () => 'offline',
        ),
      ),
    ).toBe('offline');
    await page.reload();
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/166 learnwares in 4 groups/);
    await page.getByTestId('backend').waitFor({ timeout: 60_000 });
    await searchHousingRows(page, AUSTIN_HOLDOUT_PATH);
    expect(await page.getByTestId('search-results').locator('tbody tr').first().textContent()).toMatch(/^1Housing prices: Austin/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the CSP blocks connections to an origin it does not list, from the page and from the workers', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy/.test(m.text()) && violations.push(m.text()));
    await page.goto(inject('appUrl'));
    await page.getByTestId('backend').waitFor({ timeout: 60_000 });
    const address = elsewhere.address() as { port: number };
    const other = `http://localhost:${address.port}/`;
    expect(
      await page.evaluate(
        (url) =>
          fetch(url).then(
            () => 'fetched',
            () => 'blocked',
          ),
        other,
      ),
    ).toBe('blocked');
    // the spec worker fetches catalogs: a catalog on that origin is refused with a message
    await page.getByTestId('catalog-url').fill(`${other}catalog/`);
    await page.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => page.getByTestId('catalog-error').textContent(), { timeout: 30_000 }).toMatch(/cannot reach .*localhost.*Content-Security-Policy/s);
    expect(elsewhereHits).toBe(0);
    expect(violations.length).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});
