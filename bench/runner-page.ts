/**
 * The benchmark runner page (bench/browser.html, bench/browser-runner.ts) served by Vite and opened
 * in headless Chromium with the tests' flags, for the benches that measure in the browser. File
 * watching is off, so editing sources while a bench runs never reloads the page mid-measurement.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.js';

export interface RunnerPage {
  page: Page;
  browser: Browser;
  close(): Promise<void>;
}

export async function openRunnerPage(root: string, port: number): Promise<RunnerPage> {
  const server = await createServer({ root, logLevel: 'error', server: { host: '127.0.0.1', port, hmr: false, watch: null } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    await page.goto(`${server.resolvedUrls!.local[0]}bench/browser.html`);
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 120_000 });
    return { page, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
