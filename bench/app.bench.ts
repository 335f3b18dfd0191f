/**
 * npm run bench:app — the built app in headless Chromium, as a user meets it. Builds the app with
 * Vite's JS API into a temporary folder (dist/ is left alone), serves it with `vite preview` (the
 * COOP/COEP headers of vite.config.ts) and, for each repeat, opens it in a fresh browser context
 * (empty HTTP cache) and measures:
 *  1. first render: first-contentful-paint (PerformanceObserver 'paint') and the time until
 *     `nav[aria-label="pages"]` is in the DOM (MutationObserver) and the frame after it (double
 *     requestAnimationFrame), all from navigation start;
 *  2. the bytes loaded before any interaction (until the backend badge and the catalog summary are
 *     shown and no request has been in flight for 1 s): every response with its encoded (transfer)
 *     and decoded size, by type (js, wasm, other) and by side, page or worker: JS files by the
 *     build's import graphs (the page's from index.html, each worker's from its *.worker-*.js
 *     entry), other files by the resource timing of the page or of a worker; and which JS files
 *     carry tfjs or onnxruntime-web code (marker strings);
 *  3. file to search results on the demo catalog: a CSV of n rows (default 10,000) resampled from
 *     public/samples/txhousing.csv with the engine's seeded Prng is set on the file input; the bench
 *     selects the housing island's columns (as tests/e2e/app.test.ts does) and clicks "Search the
 *     catalog"; timed in the page from the input's change event to the results section in the DOM,
 *     split into file → table summary and click → results. Bytes loaded by the search are counted
 *     too. Also records the compute backend the page chose.
 * Writes bench/results/app.json (--quick: 1 repeat, bench/results/app-quick.json).
 * Options: --quick, --repeats n (default 3), --rows n (default 10000), --seed n (default 1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { Prng } from '../src/engine/core/prng.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.js';
import { ensureDemoCatalog } from '../tests/demo-catalog-setup.js';
import { machineInfo } from './machine.js';
import { flag, option } from './options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = flag('quick');
const repeats = Number(option('repeats') ?? (quick ? 1 : 3));
const rows = Number(option('rows') ?? 10_000);
const seed = Number(option('seed') ?? 1);
const IDLE_MS = 1000;
const log = (line: string) => process.stdout.write(line + '\n');
const loadStart = loadavg();

type Kind = 'js' | 'wasm' | 'other';
interface Loaded {
  url: string;
  status: number;
  kind: Kind;
  /** whose it is: the page, workers or both (JS shared by their import graphs), else unattributed */
  side: 'page' | 'worker' | 'page + worker' | 'service worker (offline cache)' | 'unattributed';
  /** 'page' and/or the workers (spec.worker, …) whose code or resource timing it is */
  owners: string[];
  phase: 'start' | 'search';
  encodedBytes: number;
  decodedBytes: number | null;
  /** libraries recognised in a JS file's text (LIBRARY_MARKERS) */
  contains?: string[];
}

/** strings that only these libraries' code carries */
/** (the word "onnxruntime" alone is not one: the publish page's messages name it) */
const LIBRARY_MARKERS: Record<string, RegExp> = { tfjs: /tfjsflags|tensorflowjs_models/, onnxruntime: /ort-wasm/ };

function kindOf(url: string): Kind {
  const path = new URL(url).pathname;
  if (/\.m?js$/.test(path)) return 'js';
  if (path.endsWith('.wasm')) return 'wasm';
  return 'other';
}

/** header + `n` rows of the sample drawn with replacement by Prng(seed) */
function resampledCsv(n: number, seedValue: number): string {
  const lines = readFileSync(join(ROOT, 'public', 'samples', 'txhousing.csv'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const [header, ...body] = lines;
  const prng = new Prng(seedValue);
  const out = [header];
  for (let i = 0; i < n; i++) out.push(body[prng.nextInt(body.length)]);
  return out.join('\n') + '\n';
}

/** spec.worker-AbCd1234.js → spec.worker */
const workerName = (path: string) =>
  path
    .replace(/^.*\//, '')
    .replace(/-[\w-]{8}\.js$/, '')
    .replace(/\.js$/, '');

/**
 * Who each built JS file belongs to: the page (reachable from index.html's scripts through static
 * and dynamic imports) or a worker (reachable from a *.worker-*.js entry), or both. Read from the
 * build, because Chromium lists a module worker's static imports in the page's resource timing.
 */
function codeOwners(outDir: string): Map<string, string[]> {
  const assets = join(outDir, 'assets');
  const reach = (entry: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    const text = readFileSync(join(assets, entry), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'`]\.\/([^"'`]+\.js)["'`]/g)) reach(m[1], seen);
    return seen;
  };
  const owners = new Map<string, Set<string>>();
  const claim = (who: string, files: Set<string>) => files.forEach((f) => (owners.get(f) ?? owners.set(f, new Set()).get(f)!).add(who));
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  for (const m of html.matchAll(/<script[^>]*\ssrc="\/assets\/([^"]+\.js)"/g)) claim('page', reach(m[1]));
  for (const file of readdirSync(assets).filter((f) => /\.worker-[\w-]+\.js$/.test(f))) claim(workerName(file), reach(file));
  return new Map([...owners].map(([file, who]) => [`/assets/${file}`, [...who].sort()]));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Runs in the page before its scripts: the first-render marks and the search's marks. A string,
 * because tsx's transform wraps named functions in a helper the page does not have.
 */
const PAGE_PROBE = `(() => {
  const marks = {};
  globalThis.__benchMarks = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) marks[entry.name] ??= entry.startTime;
  }).observe({ type: 'paint', buffered: true });
  const watch = [
    ['nav', 'nav[aria-label="pages"]'],
    ['tableSummary', '[data-testid="table-summary"]'],
    ['searchResults', '[data-testid="search-results"]'],
  ];
  new MutationObserver(() => {
    for (const [name, selector] of watch) {
      const present = document.querySelector(selector) !== null;
      if (present && marks[name] === undefined) {
        marks[name] = performance.now();
        requestAnimationFrame(() => requestAnimationFrame(() => (marks[name + 'Frame'] = performance.now())));
      } else if (!present && marks[name] !== undefined) delete marks[name];
    }
  }).observe(document, { childList: true, subtree: true });
  document.addEventListener('change', (e) => {
    if (e.target?.dataset?.testid === 'file-input') marks.fileChange ??= performance.now();
  }, true);
  document.addEventListener('click', (e) => {
    if (e.target?.closest?.('[data-testid="search"]')) marks.searchClick ??= performance.now();
  }, true);
})();`;

async function marks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => ({ ...(globalThis as unknown as { __benchMarks: Record<string, number> }).__benchMarks }));
}

/** Resolves once no request of the context has been in flight for `quietMs`. */
async function networkIdle(inFlight: () => number, quietMs: number, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  let quietSince = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (inFlight() > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`network not idle after ${timeoutMs} ms (${inFlight()} in flight)`);
}

function summarise(loaded: readonly Loaded[]) {
  const byKind = (list: readonly Loaded[]) => {
    const out: Record<string, { files: number; encodedBytes: number; decodedBytes: number }> = {};
    for (const kind of ['js', 'wasm', 'other'] as const) {
      const of = list.filter((l) => l.kind === kind);
      out[kind] = { files: of.length, encodedBytes: of.reduce((s, l) => s + l.encodedBytes, 0), decodedBytes: of.reduce((s, l) => s + (l.decodedBytes ?? 0), 0) };
    }
    return out;
  };
  const bySide: Record<string, ReturnType<typeof byKind>> = {};
  for (const side of [...new Set(loaded.map((l) => l.side))].sort()) bySide[side] = byKind(loaded.filter((l) => l.side === side));
  const libraries: Record<string, string[]> = {};
  for (const l of loaded) for (const name of l.contains ?? []) if (!(libraries[name] ??= []).includes(l.side)) libraries[name].push(l.side);
  return { all: byKind(loaded), bySide, librariesLoadedBy: libraries };
}

interface Timing {
  name: string;
  encodedBodySize: number;
  decodedBodySize: number;
}
/** the resource timing entries of a page or worker (a string for the reason PAGE_PROBE is one) */
const timingsIn = `performance.getEntriesByType('resource').map((e) => ({ name: e.name, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize }))`;

interface Run {
  fcpMs: number | null;
  navInDomMs: number;
  navFrameMs: number | null;
  domContentLoadedMs: number;
  loadMs: number;
  backendShownMs: number;
  idleAfterMs: number;
  backend: string;
  /** the workers running when the page was idle after load */
  workers: string[];
  start: ReturnType<typeof summarise>;
  fileToTableMs: number;
  clickToResultsMs: number;
  fileToResultsMs: number;
  benchFileToResultsMs: number;
  search: ReturnType<typeof summarise>;
  firstResult: string;
  resources: Loaded[];
}

async function oneRun(browser: Browser, url: string, csvPath: string, code: Map<string, string[]>): Promise<Run> {
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript({ content: PAGE_PROBE });
  let inFlight = 0;
  let phase: Loaded['phase'] = 'start';
  const responses: { response: Response; phase: Loaded['phase'] }[] = [];
  context.on('request', () => inFlight++);
  context.on('requestfinished', () => inFlight--);
  context.on('requestfailed', () => inFlight--);
  context.on('response', (response) => responses.push({ response, phase }));

  await page.goto(url);
  await page.getByTestId('backend').waitFor({ timeout: 120_000 });
  const backendShownMs = await page.evaluate(() => performance.now());
  await page
    .getByTestId('catalog-summary')
    .filter({ hasText: /learnwares/ })
    .waitFor({ timeout: 60_000 });
  await networkIdle(() => inFlight, IDLE_MS);
  const idleAfterMs = (await page.evaluate(() => performance.now())) - IDLE_MS;
  const first = await marks(page);
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd };
  });
  const backend = (await page.getByTestId('backend').textContent())?.trim() ?? '';

  // non-JS files: whose resource timing lists them (the page's or a worker's); also their sizes
  const attribution = new Map<string, string>();
  const timings = new Map<string, Timing>();
  const workers = page.workers();
  for (const worker of workers) {
    const name = workerName(new URL(worker.url()).pathname) || worker.url();
    attribution.set(worker.url(), name);
    const entries = await worker.evaluate<Timing[]>(timingsIn).catch(() => [] as Timing[]);
    for (const e of entries) {
      if (!attribution.has(e.name)) attribution.set(e.name, name);
      timings.set(e.name, e);
    }
  }
  const attributePage = async () => {
    for (const e of await page.evaluate<Timing[]>(timingsIn)) {
      if (!attribution.has(e.name)) attribution.set(e.name, 'page');
      timings.set(e.name, e);
    }
    attribution.set(page.url(), 'page');
  };
  await attributePage();

  // 3. file → search results
  await page.getByTestId('file-input').setInputFiles(csvPath);
  phase = 'search';
  const benchStart = performance.now();
  await page.getByTestId('table-summary').waitFor({ timeout: 60_000 });
  await page.getByRole('checkbox', { name: 'use column month' }).check();
  await page.getByRole('checkbox', { name: 'use column median' }).uncheck();
  await page.getByTestId('search').click();
  await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
  const benchFileToResultsMs = performance.now() - benchStart;
  await networkIdle(() => inFlight, 300);
  const after = await marks(page);
  const firstResult = ((await page.getByTestId('search-results').locator('tbody tr').first().textContent()) ?? '').trim();
  for (const worker of page.workers()) {
    const name = workerName(new URL(worker.url()).pathname) || worker.url();
    if (!attribution.has(worker.url())) attribution.set(worker.url(), name);
    const entries = await worker.evaluate<Timing[]>(timingsIn).catch(() => [] as Timing[]);
    for (const e of entries) {
      if (!attribution.has(e.name)) attribution.set(e.name, name);
      timings.set(e.name, e);
    }
  }
  await attributePage();

  const resources: Loaded[] = [];
  for (const { response, phase: p } of responses) {
    const u = response.url();
    if (!/^https?:/.test(u)) continue;
    // the service worker's install (registered after load) fetches the app's files for offline use:
    // background downloads, reported on their own rather than as code the page or a worker ran
    const bySw = response.request().serviceWorker() !== null;
    const owners = bySw ? ['service-worker'] : ((kindOf(u) === 'js' ? code.get(new URL(u).pathname) : undefined) ?? (attribution.has(u) ? [attribution.get(u)!] : []));
    const onPage = owners.includes('page');
    const inWorker = !bySw && owners.some((o) => o !== 'page');
    const sizes = await response
      .request()
      .sizes()
      .catch(() => null);
    const body = await response.body().catch(() => null);
    resources.push({
      url: new URL(u).pathname + new URL(u).search,
      status: response.status(),
      kind: kindOf(u),
      side: bySw ? 'service worker (offline cache)' : onPage && inWorker ? 'page + worker' : onPage ? 'page' : inWorker ? 'worker' : 'unattributed',
      owners,
      phase: p,
      encodedBytes: timings.get(u)?.encodedBodySize || sizes?.responseBodySize || 0,
      decodedBytes: timings.get(u)?.decodedBodySize || body?.length || null,
      ...(kindOf(u) === 'js' && body ? { contains: Object.keys(LIBRARY_MARKERS).filter((name) => LIBRARY_MARKERS[name].test(body.toString('latin1'))) } : {}),
    });
  }
  await context.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
  if (first.nav === undefined) throw new Error('nav[aria-label="pages"] never appeared');
  return {
    fcpMs: first['first-contentful-paint'] ?? null,
    navInDomMs: first.nav,
    navFrameMs: first.navFrame ?? null,
    domContentLoadedMs: timing.domContentLoaded,
    loadMs: timing.load,
    backendShownMs,
    idleAfterMs,
    backend,
    workers: workers.map((w) => workerName(new URL(w.url()).pathname)),
    start: summarise(resources.filter((r) => r.phase === 'start')),
    fileToTableMs: after.tableSummary - after.fileChange,
    clickToResultsMs: after.searchResults - after.searchClick,
    fileToResultsMs: after.searchResults - after.fileChange,
    benchFileToResultsMs,
    search: summarise(resources.filter((r) => r.phase === 'search')),
    firstResult,
    resources,
  };
}

let server: PreviewServer | null = null;
let browser: Browser | null = null;
const outDir = mkdtempSync(join(tmpdir(), 'learnware-dock-app-bench-'));
try {
  const started = performance.now();
  ensureDemoCatalog();
  const buildStart = performance.now();
  await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const buildSeconds = (performance.now() - buildStart) / 1000;
  log(`built the app into ${outDir} in ${buildSeconds.toFixed(1)} s`);
  const code = codeOwners(outDir);
  server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 4327, strictPort: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  const csvPath = join(outDir, '..', `learnware-dock-app-bench-${rows}.csv`);
  const csv = resampledCsv(rows, seed);
  writeFileSync(csvPath, csv);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });

  const runs: Run[] = [];
  for (let r = 0; r < repeats; r++) {
    const run = await oneRun(browser, url, csvPath, code);
    runs.push(run);
    const mb = (b: number) => (b / 1e6).toFixed(2);
    log(
      `run ${r + 1}/${repeats}: FCP ${run.fcpMs?.toFixed(0)} ms, nav ${run.navInDomMs.toFixed(0)} ms, backend ${run.backend} at ${run.backendShownMs.toFixed(0)} ms; ` +
        `start bytes js ${mb(run.start.all.js.encodedBytes)} MB, wasm ${mb(run.start.all.wasm.encodedBytes)} MB, other ${mb(run.start.all.other.encodedBytes)} MB; ` +
        `file → results ${run.fileToResultsMs.toFixed(0)} ms (table ${run.fileToTableMs.toFixed(0)}, click → results ${run.clickToResultsMs.toFixed(0)})`,
    );
    log(`  libraries at start: ${JSON.stringify(run.start.librariesLoadedBy)}; during the search: ${JSON.stringify(run.search.librariesLoadedBy)}`);
    for (const [who, kinds] of Object.entries(run.start.bySide))
      log(
        `  start, ${who}: js ${mb(kinds.js.encodedBytes)} MB (${kinds.js.files}), wasm ${mb(kinds.wasm.encodedBytes)} MB (${kinds.wasm.files}), other ${mb(kinds.other.encodedBytes)} MB (${kinds.other.files})`,
      );
  }
  const med = (f: (r: Run) => number | null) => {
    const xs = runs.map(f).filter((x): x is number => x !== null);
    return xs.length ? round(median(xs)) : null;
  };
  const results = {
    benchmark: 'app',
    quick,
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: loadavg() },
    chromium: browser.version(),
    chromiumArgs: CHROMIUM_ARGS,
    backends: [...new Set(runs.map((r) => r.backend))],
    options: { repeats, rows, seed, idleMs: IDLE_MS, cache: 'fresh browser context per repeat (cold HTTP cache)', server: 'vite preview (COOP/COEP from vite.config.ts), loopback' },
    buildSeconds: round(buildSeconds, 2),
    /** the app is built from the working tree: uncommitted changes are part of what was measured */
    git: {
      commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
      uncommittedFiles: execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).length,
    },
    csvBytes: Buffer.byteLength(csv),
    description:
      "Times in ms from navigation start (first render) or from the file input's change event (search). fcp = first-contentful-paint; navInDom = nav[aria-label=\"pages\"] inserted; navFrame = two animation frames later. Bytes loaded before any interaction: until the backend badge and catalog summary are shown and the network has been quiet for idleMs; encoded = bytes on the wire (encodedBodySize of the page's or worker's resource timing, gzip from vite preview; else Playwright's responseBodySize), decoded = decodedBodySize or body length. side/owners = whose it is: JS files by the build's import graphs (page: reachable from index.html; a worker: reachable from its *.worker-*.js entry; Chromium lists a module worker's static imports in the page's resource timing, so timing alone would put them on the page); other files by the page's or a worker's resource timing. A chunk shared by several workers' graphs was loaded by a worker that was running (see workers). librariesLoadedBy: which sides loaded JS carrying tfjs or onnxruntime-web code (marker strings). fileToResults includes the bench selecting the housing columns (month on, median off) and clicking Search.",
    median: {
      fcpMs: med((r) => r.fcpMs),
      navInDomMs: med((r) => r.navInDomMs),
      navFrameMs: med((r) => r.navFrameMs),
      backendShownMs: med((r) => r.backendShownMs),
      fileToTableMs: med((r) => r.fileToTableMs),
      clickToResultsMs: med((r) => r.clickToResultsMs),
      fileToResultsMs: med((r) => r.fileToResultsMs),
    },
    runs: runs.map((r, i) => ({ ...r, resources: i === 0 ? r.resources : undefined })),
    seconds: round((performance.now() - started) / 1000, 1),
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const out = join(ROOT, 'bench', 'results', quick ? 'app-quick.json' : 'app.json');
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  log(
    `median: FCP ${results.median.fcpMs} ms, nav ${results.median.navInDomMs} ms, file → results ${results.median.fileToResultsMs} ms (each: ${runs.map((r) => r.fileToResultsMs.toFixed(0)).join(', ')}); backend ${results.backends.join(', ')}`,
  );
  log(`wrote ${out} in ${results.seconds} s (load average ${results.loadAverage.end.map((x) => x.toFixed(2)).join(' ')})`);
  rmSync(csvPath, { force: true });
} catch (error) {
  process.stderr.write(`bench:app failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  rmSync(outDir, { recursive: true, force: true });
}
