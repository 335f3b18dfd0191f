/**
 * npm run bench:spec — time and quality of table RKME generation.
 * Grid n ∈ {1k, 10k, 100k} × d ∈ {10, 50, 200} on seeded Gaussian-mixture data (20 clusters),
 * scale 'std', K = 100, 3 steps; plus the real txhousing table. Backends: Node (plain TS,
 * tfjs-wasm, tfjs-cpu up to 10k rows) and Chromium (tfjs-webgpu, tfjs-wasm). Every spec is
 * evaluated in Node by its squared MMD to the data (data self-term exact up to 10k rows, else
 * estimated once per data set from 20k sampled rows, so differences between backends are exact), next to the
 * k-means (all rows) + QP baseline. Writes bench/results/spec.json and prints a table. Then the
 * worker section (bench/spec-workers.ts: table, image and text specs on 0, 1 and 2 lanes in Node
 * and Chromium; bench/results/spec-workers.json).
 * Options: --quick (n ≤ 10k; writes spec-quick.json), --no-browser, --print (reprint the table of
 * the last results), --workers (the worker section only).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTableRkme, parseTableSpec, resolveBackend, squaredMmdToData, type BackendName, type ComputeBackend, type RkmeTableSpec } from '../src/engine/index.js';
import { CHROMIUM_ARGS } from '../tests/chromium.js';
import { marketMatrix } from '../tests/helpers/data.js';
import { gaussianMixture } from '../tests/shared/synthetic.js';
import type { BrowserSpecRun } from './browser-runner.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { machineInfo } from './machine.js';
import { openRunnerPage } from './runner-page.js';
import { runWorkerBench } from './spec-workers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const withBrowser = !process.argv.includes('--no-browser');
const SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
/** a quick run never overwrites the full results (bench/results/*-quick* is not committed) */
const RESULTS = join(ROOT, 'bench', 'results', quick ? 'spec-quick.json' : 'spec.json');
const DIMS = [10, 50, 200];
const SEED = 1;
const BROWSER_TIMEOUT_MS = 240_000;

interface Row {
  data: string;
  n: number;
  d: number;
  where: 'node' | 'chromium';
  backend: string;
  seconds: number | null;
  /** squared MMD between the spec and the data; the data self-term is estimated when n > 10k */
  mmd2: number | null;
  mmd2Exact: boolean;
  /** MMD² − ‖μ_X‖² = βᵀKβ − 2βᵀc: exact for every n, the quantity that orders specs of one data set */
  objective: number | null;
  note?: string;
}

const wasmPaths = NODE_WASM_PATHS;
const nodeBackends = new Map<BackendName, ComputeBackend>();
async function nodeBackend(name: BackendName): Promise<ComputeBackend> {
  if (!nodeBackends.has(name)) nodeBackends.set(name, (await resolveBackend({ preference: [name], wasmPaths })).backend);
  return nodeBackends.get(name)!;
}

/**
 * Data self-terms per data set, computed once: exact in Float64 up to 10k rows, else a U-statistic
 * on 20k sampled rows (on wasm: n² pairs in Float64 would take minutes).
 */
const dataTerms = new Map<Float64Array, { value: number; exact: boolean }>();

/** Every spec is scored the same way: the spec-dependent terms in Float64 on the plain-TS backend. */
async function evaluate(spec: RkmeTableSpec, x: Float64Array, n: number, d: number): Promise<Pick<Row, 'mmd2' | 'mmd2Exact' | 'objective'>> {
  if (!dataTerms.has(x)) {
    const backend = await nodeBackend(n <= 10_000 ? 'ts' : 'wasm');
    const first = await squaredMmdToData(backend, spec, x, n, d, { exactSelfTermRows: 10_000, seed: 7 });
    dataTerms.set(x, { value: first.dataTerm, exact: first.dataTermExact });
  }
  const result = await squaredMmdToData(await nodeBackend('ts'), spec, x, n, d, { knownDataTerm: dataTerms.get(x) });
  return { mmd2: result.value, mmd2Exact: result.dataTermExact, objective: result.withoutDataTerm };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const cells: { data: string; n: number; d: number; x: Float64Array }[] = [];
  const tx = marketMatrix();
  cells.push({ data: 'txhousing', n: tx.rows, d: tx.cols, x: tx.values });
  for (const n of SIZES) for (const d of DIMS) cells.push({ data: 'mixture', n, d, x: gaussianMixture(n, d, 20, SEED) });

  for (const cell of cells) {
    const { data, n, d, x } = cell;
    const names: BackendName[] = n <= 10_000 ? ['ts', 'wasm', 'cpu'] : ['ts', 'wasm'];
    for (const name of names) {
      const backend = await nodeBackend(name);
      const started = performance.now();
      const { spec } = await buildTableRkme(backend, x, n, d, { scale: 'std' });
      const seconds = (performance.now() - started) / 1000;
      rows.push({ data, n, d, where: 'node', backend: name, seconds, ...(await evaluate(spec, x, n, d)) });
      log(rows.at(-1)!);
    }
    const baselineStart = performance.now();
    const baseline = await buildTableRkme(await nodeBackend('wasm'), x, n, d, { scale: 'std', steps: 0, kmeansRows: 0 });
    rows.push({
      data,
      n,
      d,
      where: 'node',
      backend: 'baseline: k-means(all rows)+QP, wasm',
      seconds: (performance.now() - baselineStart) / 1000,
      ...(await evaluate(baseline.spec, x, n, d)),
    });
    log(rows.at(-1)!);
  }

  let browserInfo: Record<string, unknown> = { skipped: true };
  if (withBrowser)
    browserInfo = await runBrowser(
      cells.filter((c) => c.data === 'mixture'),
      rows,
    );

  const result = {
    benchmark: 'spec',
    machine: machineInfo(),
    browser: browserInfo,
    settings: {
      K: 100,
      gamma: 0.1,
      steps: 3,
      scale: 'std',
      seed: 0,
      dataSeed: SEED,
      clusters: 20,
      mmdDataTerm: 'exact for n <= 10k, else U-statistic on 20k sampled rows (same for all backends)',
    },
    rows,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  printTable(rows);
}

async function runBrowser(cells: { n: number; d: number; x: Float64Array }[], rows: Row[]): Promise<Record<string, unknown>> {
  const { page, browser, close } = await openRunnerPage(ROOT, 4391);
  try {
    let device = '';
    for (const { n, d, x } of cells) {
      for (const backend of ['webgpu', 'wasm'] as BackendName[]) {
        const run = (await page.evaluate((config) => (globalThis as unknown as { runSpecBench: (c: unknown) => Promise<unknown> }).runSpecBench(config), {
          backend,
          n,
          d,
          seed: SEED,
          timeoutMs: BROWSER_TIMEOUT_MS,
        })) as BrowserSpecRun;
        if (backend === 'webgpu') device = run.device;
        const ok = !run.error;
        rows.push({
          data: 'mixture',
          n,
          d,
          where: 'chromium',
          backend,
          seconds: ok ? run.ms / 1000 : null,
          ...(ok ? await evaluate(parseTableSpec(run.json), x, n, d) : { mmd2: null, mmd2Exact: false, objective: null }),
          note: run.error ? (/cancel/i.test(run.error) ? `stopped after ${BROWSER_TIMEOUT_MS / 1000} s` : run.error) : undefined,
        });
        log(rows.at(-1)!);
      }
    }
    return { chromium: browser.version(), webgpuDevice: device, flags: CHROMIUM_ARGS };
  } finally {
    await close();
  }
}

function log(row: Row): void {
  process.stderr.write(
    `${row.where} ${row.backend} ${row.data} n=${row.n} d=${row.d}: ${row.seconds?.toFixed(2) ?? '-'} s, objective ${row.objective?.toExponential(4) ?? '-'}${row.note ? ` (${row.note})` : ''}\n`,
  );
}

/** MMD² is shown where the data self-term is exact; Δ is exact everywhere (same data, same term). */
function printTable(rows: Row[]): void {
  const baselines = new Map(rows.filter((r) => r.backend.startsWith('baseline')).map((r) => [`${r.data}/${r.n}/${r.d}`, r.objective]));
  const header = ['data', 'n', 'd', 'where', 'backend', 'seconds', 'MMD²(spec, data)', 'ΔMMD² vs baseline'];
  const lines = rows.map((r) => {
    const base = baselines.get(`${r.data}/${r.n}/${r.d}`);
    const delta = r.objective !== null && base != null && !r.backend.startsWith('baseline') ? (r.objective - base).toExponential(2) : '';
    return [r.data, String(r.n), String(r.d), r.where, r.backend, r.seconds?.toFixed(2) ?? r.note ?? '-', r.mmd2 !== null && r.mmd2Exact ? r.mmd2.toExponential(3) : '-', delta];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  console.log('MMD² only where the data self-term is exact (n ≤ 10k); Δ = MMD²(spec) − MMD²(k-means on all rows + QP), exact for every n.');
}

if (process.argv.includes('--print')) {
  printTable((JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows: Row[] }).rows);
} else {
  if (!process.argv.includes('--workers')) await main();
  await runWorkerBench(ROOT, quick);
}
