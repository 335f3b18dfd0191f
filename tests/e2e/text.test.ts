/**
 * The page's journey with texts (docs/text.md), in the built app: a user's held-out JSON Lines
 * file (Brown passages of press and fiction, docs/text.md §6) dropped on the page → the text spec
 * with its languages → search finds the text island, a learnware of both superclasses near the
 * top → reuse → predictions shown with a snippet of each text → the CSV (one row per text, in input
 * order). No request carries the user's texts. Also: a folder of .txt files (sub-folders are labels)
 * and a table's text column become texts; a text learnware is published (model.onnx + vocab.txt +
 * training texts → USABLE); after a first visit texts work offline. The demo text catalog when it is built
 * (public/catalog-text-holdout/), else a small text catalog of this test's own, served on loopback.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Browser, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildCatalog,
  embedTextDataset,
  EMBEDDER_FILE,
  exportTokenNaiveBayes,
  packLearnware,
  parseVocab,
  parseWordVectors,
  RKME_TEXT_TYPE,
  textDataset,
  tokenize,
  trainTokenNaiveBayes,
  TsBackend,
  vocabText,
  type SemanticSpec,
} from '../../src/engine/index.js';
import { GENRES, loadBrownPassages, splitPassages, textDevelopers, textUsers, type TextDeveloper } from '../../scripts/demo-text-sources.js';
import { dropFiles, launchChromium } from './browser.js';

const ROOT = process.cwd();
const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const DEMO_HOLDOUT = join(ROOT, 'public', 'catalog-text-holdout');
const USER = 'brown-user-press-fiction';

let browser: Browser;
/** the page's address (with ?catalog= for this test's own catalog) and the catalog's origin */
let pageUrl: string;
let catalogOrigin: string;
let userFile: string;
let server: Server | null = null;

/** Whether the demo catalog served with the app has a text island and its users' held-out texts. */
function demoHasTexts(): boolean {
  if (!existsSync(join(DEMO_HOLDOUT, 'index.json'))) return false;
  const index = JSON.parse(readFileSync(join(ROOT, 'public', 'catalog', 'catalog.json'), 'utf8')) as { islands: { type: string }[] };
  return index.islands.some((i) => i.type === RKME_TEXT_TYPE);
}

/**
 * A small text catalog (four developers, one superclass triple each, half 1 of docs/text.md §6),
 * as the demo builds it: naive Bayes on each developer's own vocabulary, the text RKME of its
 * passages. Writes the catalog's files under `dir`; returns the chosen user's JSON Lines file.
 */
async function buildOwnTextCatalog(dir: string): Promise<string> {
  const { train, test } = splitPassages(loadBrownPassages());
  const wanted = ['press-non-fiction-fiction', 'press-learned-fiction', 'non-fiction-belles_lettres-learned', 'belles_lettres-learned-fiction'];
  const developers = textDevelopers(train).filter((d) => wanted.some((w) => d.id === `brown-${w}-1`));
  const vectors = parseWordVectors(new Uint8Array(readFileSync(join(ROOT, 'public', EMBEDDER_FILE))));
  const L = 320;
  const bundles: { file: string; bytes: Uint8Array }[] = [];
  for (const dev of developers) bundles.push({ file: `${dev.id}.zip`, bytes: await textBundle(dev, vectors, L) });
  const built = await buildCatalog(bundles, [], { layout: 'shard' });
  for (const [path, bytes] of built.files) {
    mkdirSync(dirname(join(dir, 'catalog', path)), { recursive: true });
    writeFileSync(join(dir, 'catalog', path), bytes);
  }
  const user = textUsers(test).find((u) => u.id === USER)!;
  const file = join(dir, `${USER}.jsonl`);
  writeFileSync(file, user.passages.map((p) => JSON.stringify({ text: p.text, label: p.genre }) + '\n').join(''));
  return file;
}

async function textBundle(dev: TextDeveloper, vectors: ReturnType<typeof parseWordVectors>, L: number): Promise<Uint8Array> {
  const counts = new Map<string, number>();
  const tokens = dev.passages.map((p) => tokenize(p.text));
  for (const list of tokens) for (const t of list) counts.set(t, (counts.get(t) ?? 0) + 1);
  const kept = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const vocabBytes = new TextEncoder().encode(vocabText(kept.slice(0, 3000).map(([t]) => t)));
  const vocab = parseVocab(new TextDecoder().decode(vocabBytes));
  const classes = GENRES.filter((g) => dev.passages.some((p) => p.genre === g));
  const nb = trainTokenNaiveBayes({
    ids: tokens.map((list) => list.slice(0, L).map((t) => vocab.id(t))),
    vocabSize: vocab.size,
    labels: Int32Array.from(dev.passages, (p) => classes.indexOf(p.genre)),
    classes: classes.length,
  });
  const data = { ...embedTextDataset(vectors, textDataset(dev.passages.map((p) => p.text))), languages: ['en'] };
  const name = `Brown: ${dev.superclasses.join(', ')}`;
  const semantic: SemanticSpec = {
    Data: { Type: 'Class', Values: ['Text'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Education'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `The Brown-corpus genre of an English passage, among ${classes.join(', ')}.` },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  };
  const packed = await packLearnware({
    backend: new TsBackend(),
    data,
    model: exportTokenNaiveBayes(nb, { maxLength: L, classes: classes.length }),
    semantic,
    id: dev.id,
    output: { kind: 'probabilities', classes },
    text: { vocab: vocabBytes, maxLength: L },
    specOptions: { K: 50 },
  });
  expect(packed.check.status, dev.id).toBe('USABLE');
  return packed.bundle;
}

/** A static server of the catalog's files, with CORS (the page is on another port). */
function serve(dir: string): Promise<Server> {
  const s = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = join(dir, path.replace(/\.\.+/g, ''));
    const headers = { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' };
    if (!existsSync(file) || path.endsWith('/')) {
      response.writeHead(404, headers).end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((done) => s.listen(0, '127.0.0.1', () => done(s)));
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const appUrl = inject('appUrl');
  if (demoHasTexts()) {
    pageUrl = appUrl;
    catalogOrigin = new URL(appUrl).origin;
    userFile = join(DEMO_HOLDOUT, `${USER}.jsonl`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-text-e2e-'));
    userFile = await buildOwnTextCatalog(dir);
    server = await serve(dir);
    catalogOrigin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    pageUrl = `${appUrl}?catalog=${encodeURIComponent(`${catalogOrigin}/catalog/`)}`;
  }
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
});

const APP_PATHS = /^\/(|index\.html|favicon\.svg|sw\.js|assets\/[\w.-]+|embedders\/[\w.-]+\.bin)$/;
const CATALOG_PATHS = /^\/catalog\/(catalog\.json|shards\/[\w.-]+\.bin|bundles\/[0-9a-f]{64}\.zip)$/;

/** Every request was a bodiless GET of the app's files, the embedder or the catalog's, and none names a word of the user's texts. */
function expectPrivate(requests: readonly Request[], appOrigin: string, words: readonly string[]): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    const url = new URL(request.url());
    if (url.protocol === 'blob:' || url.protocol === 'data:') continue;
    expect(request.method(), request.url()).toBe('GET');
    expect(request.postData(), request.url()).toBeNull();
    for (const word of words) expect(decodeURIComponent(request.url()).toLowerCase()).not.toContain(word);
    if (url.origin === appOrigin && APP_PATHS.test(url.pathname)) continue;
    // the catalog's files; the service worker also caches the demo catalog served with the app at install
    expect([catalogOrigin, appOrigin], request.url()).toContain(url.origin);
    expect(url.pathname, request.url()).toMatch(CATALOG_PATHS);
  }
}

const isPressAndFiction = (name: string) => /\bpress\b/.test(name) && /(^|[^-])\bfiction\b/.test(name);

describe('texts in the page', () => {
  it('drop JSON Lines → spec with languages → search → reuse → predictions with snippets → CSV; the texts never leave', async () => {
    const page = await browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: Request[] = [];
    page.context().on('request', (r) => requests.push(r));
    await page.goto(pageUrl);
    await expect.poll(() => page.getByTestId('catalog-summary').textContent(), { timeout: 60_000 }).toMatch(/learnwares/);

    const content = readFileSync(userFile, 'utf8');
    const lines = content.trim().split('\n');
    const first = JSON.parse(lines[0]) as { text: string };
    await dropFiles(page, [{ name: `${USER}.jsonl`, type: 'application/x-ndjson', bytes: content }]);
    await expect.poll(() => page.getByTestId('texts-summary').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`${lines.length} texts \\(JSON Lines`));
    expect(await page.getByTestId('texts-summary').textContent()).toMatch(/400 labelled/);
    const preview = page.getByTestId('text-preview').locator('li');
    expect(await preview.count()).toBe(5);
    expect(await preview.first().textContent()).toContain(first.text.replace(/\s+/g, ' ').slice(0, 40));
    expect(await page.getByTestId('text-labels').isChecked()).toBe(true);
    await page.locator('section[aria-labelledby="data-heading"]').screenshot({ path: join(ARTIFACTS, 'text-data.png') });

    await page.getByTestId('build').click();
    await page.getByTestId('text-spec').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('spec-languages').textContent()).toBe('en');
    expect(await page.getByTestId('text-spec').textContent()).toMatch(/400 texts embedded by glove-100d-50k \(version 1\)/);

    await page.getByTestId('search').click();
    await page.getByTestId('search-results').waitFor({ timeout: 60_000 });
    const results = page.getByTestId('search-results');
    expect(await results.locator('h3').first().textContent()).toMatch(/Learnwares taking texts \(embedded by glove-100d-50k/);
    const names = await results.locator('table.singles tbody tr .label').allTextContents();
    expect(names.length).toBeGreaterThan(1);
    // the user's two superclasses: a learnware trained on both (of a triple holding them) first
    expect(isPressAndFiction(names[0]), names.join(' | ')).toBe(true);
    expect(
      names.slice(0, 3).every((n) => /\bpress\b|(^|[^-])\bfiction\b/.test(n)),
      names.join(' | '),
    ).toBe(true);
    await page.getByTestId('match-picture').first().waitFor();
    await page.getByTestId('search-results').screenshot({ path: join(ARTIFACTS, 'text-search.png') });

    await page.getByTestId('reuse').waitFor();
    // the best single learnware: one text model to start (each runs in a worker of its own; the job selector's five take ~40 s here)
    await page.getByTestId('method-single').check();
    await page.getByTestId('reuse-run').click();
    await expect.poll(async () => (await page.getByTestId('predictions').textContent())?.replace(/\s+/g, ' '), { timeout: 120_000 }).toMatch(/400 texts predicted/);
    const shown = await page.getByTestId('prediction').allTextContents();
    expect(shown).toHaveLength(20);
    for (const cell of shown)
      expect(
        GENRES.some((g) => cell.startsWith(`${g} (`)),
        cell,
      ).toBe(true);
    const snippets = await page.locator('[data-testid="predictions"] td.snippet').allTextContents();
    expect(snippets).toHaveLength(20);
    expect(snippets[0]).toContain(first.text.replace(/\s+/g, ' ').slice(0, 40));

    await page.getByTestId('predictions').screenshot({ path: join(ARTIFACTS, 'text-predictions.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-predictions').click()]);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    const header = csv[0].split(',');
    expect(header.slice(0, 4)).toEqual(['row', 'source', 'label', 'prediction']);
    const classes = header.slice(4).map((h) => /^p\((.+)\)$/.exec(h)?.[1]);
    expect(classes.every((c) => c && (GENRES as readonly string[]).includes(c))).toBe(true);
    expect(csv).toHaveLength(lines.length + 1);
    csv.slice(1).forEach((line, r) => {
      const cells = line.split(',');
      expect(cells[0]).toBe(String(r + 1));
      expect(cells[2]).toBe((JSON.parse(lines[r]) as { label: string }).label);
      expect(classes).toContain(cells[3]);
      const p = cells.slice(4).map(Number);
      expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-4);
    });

    await page.screenshot({ path: join(ARTIFACTS, 'text-journey.png'), fullPage: true });

    // nothing but the app's files, the embedder and the catalog's files was asked for; no request names a word of the texts
    const words = [...new Set(first.text.toLowerCase().match(/\p{L}{9,}/gu) ?? [])].slice(0, 5);
    expectPrivate(requests, new URL(inject('appUrl')).origin, words);
    expect(requests.some((r) => new URL(r.url()).pathname.endsWith(`/${EMBEDDER_FILE}`))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('takes a folder of .txt files (sub-folders are labels) and a table’s text column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-text-folder-'));
    const folder = join(dir, 'reviews');
    for (const [label, texts] of Object.entries({ good: ['A <b>wonderful</b> film, warm and funny.', 'Loved every minute.'], bad: ['Dull & slow; I left early.'] })) {
      mkdirSync(join(folder, label), { recursive: true });
      texts.forEach((t, i) => writeFileSync(join(folder, label, `${i}.txt`), t));
    }
    const rows = ['id,review,stars', '1,"The plot was thin, but the acting carried it along nicely.",3', '2,"An absolute triumph of style over substance, and I loved it.",5'];
    writeFileSync(join(dir, 'reviews.csv'), rows.join('\n'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pageUrl);
    await page.getByTestId('folder-input').setInputFiles(folder);
    await expect
      .poll(() => page.getByTestId('texts-summary').textContent(), { timeout: 30_000 })
      .toMatch(/3 texts \(the folder reviews, 85 characters\), 3 labelled \(2 labels: bad, good\)/);
    // the text is shown as text, never as markup
    expect(await page.getByTestId('text-preview').textContent()).toContain('A <b>wonderful</b> film');
    await page.getByTestId('text-preview').screenshot({ path: join(ARTIFACTS, 'text-folder.png') });

    await page.getByTestId('file-input').setInputFiles(join(dir, 'reviews.csv'));
    await expect.poll(() => page.getByTestId('texts-summary').textContent(), { timeout: 30_000 }).toMatch(/2 texts \(column review/);
    expect(await page.getByTestId('text-column').inputValue()).toBe('review');
    await page.getByTestId('text-label-column').selectOption('stars');
    await page.getByTestId('use-texts').click();
    await expect.poll(() => page.getByTestId('texts-summary').textContent()).toMatch(/2 labelled \(2 labels: 3, 5\)/);
    await page.getByTestId('use-columns').click();
    await page.getByTestId('table-summary').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('publishes a text learnware: model.onnx + vocab.txt + training texts → the checker’s report; the texts are not uploaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-text-publish-'));
    const lines = readFileSync(userFile, 'utf8').trim().split('\n').slice(0, 120);
    const passages = lines.map((l) => JSON.parse(l) as { text: string; label: string });
    writeFileSync(join(dir, 'train.jsonl'), lines.join('\n') + '\n');
    const classes = [...new Set(passages.map((p) => p.label))].sort();
    const tokens = passages.map((p) => tokenize(p.text));
    const words = [...new Set(tokens.flat())].sort().slice(0, 2000);
    const vocab = parseVocab(vocabText(words));
    writeFileSync(join(dir, 'vocab.txt'), vocabText(words));
    const nb = trainTokenNaiveBayes({
      ids: tokens.map((list) => list.slice(0, 64).map((t) => vocab.id(t))),
      vocabSize: vocab.size,
      labels: Int32Array.from(passages, (p) => classes.indexOf(p.label)),
      classes: classes.length,
    });
    writeFileSync(join(dir, 'model.onnx'), exportTokenNaiveBayes(nb, { maxLength: 64, classes: classes.length }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const uploads: string[] = [];
    page.context().on('request', (r) => (r.method() !== 'GET' || r.postData() !== null) && uploads.push(r.url()));
    await page.goto(`${pageUrl}#/publish`);
    await page.getByTestId('model-input').setInputFiles(join(dir, 'model.onnx'));
    await page.getByTestId('train-input').setInputFiles(join(dir, 'train.jsonl'));
    await expect.poll(() => page.getByTestId('train-texts').textContent()).toMatch(/120 training texts \(JSON Lines\), 120 labelled/);
    expect(await page.getByTestId('classes').inputValue()).toBe(classes.join(', '));
    await page.getByTestId('vocab-input').setInputFiles(join(dir, 'vocab.txt'));
    await page.getByTestId('name').fill('Brown genre of press and fiction passages');
    await page.getByTestId('description').fill('The Brown-corpus genre of an English passage, naive Bayes on its first 64 tokens.');
    await page.getByLabel('Education').check();
    await page.getByTestId('pack').click();
    await page.getByTestId('check-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('check-status').textContent()).toBe('USABLE');
    expect(await page.getByTestId('check-passed').textContent()).toMatch(/token ids of length 64 from a vocabulary of \d+ tokens/);
    await page.screenshot({ path: join(ARTIFACTS, 'text-publish.png'), fullPage: true });
    expect(uploads).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('after a first text journey, texts work offline: the service worker kept the embedder (fetched on first use, never at install) and has the language model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lwd-text-offline-'));
    const texts = ['The committee approved the budget for the new school after a long debate.', 'She walked along the river at dusk, thinking of the letter she had not sent.'];
    writeFileSync(join(dir, 'few.jsonl'), texts.map((text) => JSON.stringify({ text })).join('\n'));
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const embedderRequests: string[] = [];
    context.on('request', (r) => r.url().includes(EMBEDDER_FILE) && embedderRequests.push(r.url()));
    await page.goto(inject('appUrl'));
    // installed: the app's files, not the word vectors
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.active?.state)), { timeout: 60_000 }).toBe('activated');
    expect(embedderRequests).toEqual([]);
    const textSpec = async () => {
      await page.reload();
      await page.getByTestId('backend').waitFor({ timeout: 60_000 });
      await page.getByTestId('file-input').setInputFiles(join(dir, 'few.jsonl'));
      await page.getByTestId('texts-summary').waitFor();
      await page.getByTestId('build').click();
      await page.getByTestId('text-spec').waitFor({ timeout: 60_000 });
    };
    // a first text spec online, on the page the service worker now controls: the word vectors are fetched, and kept
    await textSpec();
    expect(embedderRequests.length).toBeGreaterThan(0);
    await context.setOffline(true);
    await textSpec();
    expect(await page.getByTestId('spec-languages').textContent()).toBe('en');
    expect(errors).toEqual([]);
    await context.close();
  });
});
