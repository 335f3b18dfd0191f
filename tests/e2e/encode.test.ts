/**
 * Text columns can be used: in the built app, a semicolon-separated file with decimal commas is
 * read as numbers, and a categorical text column is encoded in one click (one-hot or ordinal),
 * shown on the page and recorded in the specification's feature names. Nothing but GETs of the
 * app's own files leaves the page.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Prng } from '../../src/engine/core/prng.js';
import { expectOnlyBodylessGets, launchChromium } from './browser.js';

const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** diamonds-like rows, written the way a spreadsheet in a European locale exports them */
function diamondsFile(): string {
  const prng = new Prng(7);
  const cuts = ['Fair', 'Good', 'Ideal', 'Premium'];
  const colors = ['D', 'E', 'J'];
  const lines = ['carat;cut;color;price'];
  for (let i = 0; i < 60; i++) {
    const carat = (0.2 + prng.nextFloat() * 2).toFixed(2).replace('.', ',');
    lines.push(`${carat};${cuts[i % 4]};${colors[i % 3]};${300 + Math.round(prng.nextFloat() * 5000)}`);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'lwd-encode-')), 'diamonds.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('text columns', () => {
  it('decimal commas are numbers; cut one-hot and color ordinal in one click each, recorded in the spec', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    const errors: string[] = [];
    const requests: Request[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.context().on('request', (r) => requests.push(r));
    await page.goto(inject('appUrl'));
    await page.getByTestId('file-input').setInputFiles(diamondsFile());
    await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
    // carat ("0,23") is numeric and usable; cut and color are text, with a way to encode them
    expect(await page.getByRole('checkbox', { name: 'use column carat' }).isDisabled()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'use column cut' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'encode cut one-hot' }).click();
    for (const c of ['Fair', 'Good', 'Ideal', 'Premium']) {
      const box = page.getByRole('checkbox', { name: `use column cut=${c}` });
      await box.waitFor();
      expect(await box.isChecked()).toBe(true);
    }
    expect(await page.getByRole('checkbox', { name: 'use column cut', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'encode color as ordinal codes' }).click();
    await expect.poll(() => page.getByRole('checkbox', { name: 'use column color', exact: true }).isDisabled()).toBe(false);
    expect(await page.getByRole('checkbox', { name: 'use column color', exact: true }).isChecked()).toBe(true);
    const shown = (await page.getByTestId('encodings').textContent())!.replace(/\s+/g, ' ');
    expect(shown).toContain('cut one-hot: cut=Fair, cut=Good, cut=Ideal, cut=Premium');
    expect(shown).toContain('color ordinal: D = 0, E = 1, J = 2');
    await page.screenshot({ path: join(ARTIFACTS, 'encode-columns.png'), fullPage: true });

    // price is what these rows would predict: the label, not a feature
    await page.getByTestId('label-column').selectOption('price');
    await page.getByTestId('build').click();
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download stat.json' }).click()]);
    const spec = JSON.parse(readFileSync(await download.path(), 'utf8')) as { feature_names: string[]; z: number[][] };
    expect(spec.feature_names).toEqual(['carat', 'cut=Fair', 'cut=Good', 'cut=Ideal', 'cut=Premium', 'color']);
    expect(spec.z[0]).toHaveLength(6);
    expect(errors).toEqual([]);
    expectOnlyBodylessGets(requests, new URL(inject('appUrl')).origin);
    await page.close();
  });
});
