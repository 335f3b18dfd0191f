/** Shared by the e2e tests: the Chromium they drive, and the privacy check of a page's requests. */
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** The app's own files and the demo catalog's index, shards and bundles: all a page may ask for. */
const ALLOWED_PATHS = /^\/(|index\.html|favicon\.svg|sw\.js|assets\/[\w.-]+|samples\/[\w.-]+\.csv|catalog\/(catalog\.json|shards\/[\w.-]+\.bin|bundles\/[0-9a-f]{64}\.zip))$/;

/**
 * Every request (but blob: and data: URLs) went to `origin`, was a GET, carried no body and asked
 * for one of the app's files or the catalog's index, shards and bundles; no URL names one of
 * `names` (the user's file names).
 */
export function expectOnlyBodylessGets(requests: readonly Request[], origin: string, names: readonly string[] = []): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    const url = new URL(request.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') continue;
    expect(url.origin, request.url()).toBe(origin);
    expect(request.method(), request.url()).toBe('GET');
    expect(request.postData(), request.url()).toBeNull();
    expect(url.pathname, request.url()).toMatch(ALLOWED_PATHS);
    for (const name of names) expect(decodeURIComponent(request.url())).not.toContain(name);
  }
}

/** Drops files on the drop zone as a browser does (a DataTransfer holding them). */
export async function dropFiles(page: Page, files: { name: string; type: string; bytes: Uint8Array | string }[]): Promise<void> {
  const transfer = await page.evaluateHandle(
    (list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([typeof f.bytes === 'string' ? f.bytes : Uint8Array.from(f.bytes)], f.name, { type: f.type }));
      return dt;
    },
    files.map((f) => ({ name: f.name, type: f.type, bytes: typeof f.bytes === 'string' ? f.bytes : [...f.bytes] })),
  );
  await page.getByRole('region', { name: 'Drop a data file here' }).dispatchEvent('drop', { dataTransfer: transfer });
}

/** Chooses a file of txhousing rows, picks the housing island's columns (month in, median out) and searches. */
export async function searchHousingRows(page: Page, file: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(file);
  await page.getByTestId('table-summary').waitFor();
  await page.getByRole('checkbox', { name: 'use column month' }).check();
  await page.getByRole('checkbox', { name: 'use column median' }).uncheck();
  await page.getByTestId('search').click();
  await page.getByTestId('search-results').waitFor({ timeout: 60_000 });
}
