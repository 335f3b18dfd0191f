/**
 * npm run bench:reuse — reusing the demo catalog's learnwares (issue 5). Three parts:
 *  1. Inference throughput (rows/s, batches of 10,000 rows) of one housing learnware, one flights
 *     learnware and a generated 32→256→256→8 MLP: onnxruntime-web WASM in Node, and the WASM and
 *     WebGPU execution providers in headless Chromium (SwiftShader's WebGPU adapter on a machine
 *     without a GPU). Every provider's output is compared with Node's; a provider that cannot be
 *     created is recorded with its error message.
 *  2. The reference paper's protocol (docs/algorithms.md §7.2–7.3, Table A) on the demo catalog:
 *     every learnware's held-out rows (public/catalog-holdout) are a user with known labels; on the
 *     user's rows: the average of every island learnware's predictions, the mean of the learnwares'
 *     errors ("Mean in Market"), the oracle best single learnware, the top-1 searched single, the job
 *     selector and averaging over the search's mixture (top-3 singles when there is none), and what
 *     the search recommends; means and medians over users. Housing: RMSE, and RMSE / std of the
 *     user's labels; flights: error rate and log loss, next to a constant predicting the user's own
 *     delay rate. "Gap recovered by top-1" = (baseline − top-1) / (baseline − oracle).
 *  3. Labelled-data curves: error on a fixed test set against labelled user rows for ensemble
 *     pruning (top-5 searched), feature augmentation (top-5 searched, as the app does, and top-1, as
 *     the paper's "FeatureAugment (Single)") and ridge / logistic regression from scratch, averaged
 *     over seeds. Flights users: 6,000 flights of the learnware's airport that no learnware has seen
 *     (not among the 5,000 the catalog build samples, scripts/demo-sources.ts): 5,000 labelled pool,
 *     1,000 test. Housing users: a city's held-out months only (18–47 rows), so cities with ≥ 35
 *     rows, 15 fixed test rows, n ∈ {10, 20, all of the remaining 20–32}.
 * Writes bench/results/reuse.json and bench/results/reuse-*.svg, prints a summary. Any failure
 * exits non-zero; nothing is written from a run that did not finish.
 * Options: --quick (fewer users, seeds and sizes; reuse-quick.json, reuse-quick-*.svg),
 * --no-browser (Node only), --seeds n.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import {
  tableDataset,
  alignRows,
  applyJobSelector,
  applyLinearHead,
  averageOutputs,
  commonTask,
  encodeTargets,
  exportDenseOnnx,
  fetchBundles,
  fitLinearHead,
  imputeColumnMeans,
  loadCatalogIndex,
  loadLearnware,
  logLoss,
  OnnxModel,
  parseCsvBytes,
  predictionError,
  predictLearnware,
  Prng,
  pruneEnsemble,
  gatherRows,
  readZip,
  searchCatalog,
  selectRows,
  toFeatureMatrix,
  trainJobSelector,
  recommendedReuseMethod,
  defaultLearnwares,
  type CatalogSearchIsland,
  type Learnware,
  type Predictions,
  type TaskKind,
} from '../src/engine/index.js';
import { nodeBackend } from '../src/cli/node-backend.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.js';
import { directoryFetch, readHoldoutIndex, type HoldoutEntry } from '../tests/shared/identification.js';
import { busiestOrigins, FLIGHT_FEATURES, FLIGHTS_HOLDOUT, FLIGHTS_TRAIN, flightRow, flightSample, fnv1a, loadFlights } from '../scripts/demo-sources.js';
import { machineInfo } from './machine.js';
import { barChart, lineChart, svgDocument, type LineSeries } from './svg.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const useBrowser = !argv.includes('--no-browser');
const seedsArg = argv.indexOf('--seeds');
const SEEDS = seedsArg >= 0 ? Number(argv[seedsArg + 1]) : quick ? 2 : 5;
if (!Number.isInteger(SEEDS) || SEEDS < 1) throw new Error(`--seeds must be a positive integer, got ${argv[seedsArg + 1]}`);
const started = performance.now();
const loadStart = loadavg();

const BATCH = 10_000;
const TIMED_MS = quick ? 400 : 2000;
const FLIGHT_SIZES = quick ? [10, 100, 1000] : [10, 50, 100, 500, 1000, 5000];
const FLIGHT_POOL = FLIGHTS_TRAIN + FLIGHTS_HOLDOUT; // 5,000 labelled rows at most
const FLIGHT_TEST = 1000;
const HOUSING_SIZES: (number | 'all')[] = [10, 20, 'all'];
const HOUSING_TEST = 15;
const HOUSING_MIN_ROWS = 35;
/** quick mode: every k-th user */
const HOUSING_STRIDE = quick ? 5 : 1;
const FLIGHT_USERS = quick ? 4 : 20;

const log = (line: string) => process.stdout.write(line + '\n');
const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: readonly number[]) => {
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};
/** Every number that reaches the results goes through here: a NaN or ∞ stops the run. */
function finite(v: number, what: string): number {
  if (!Number.isFinite(v)) throw new Error(`non-finite ${what}: ${v}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The demo catalog and its learnwares

const catalogDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-holdout');
if (!existsSync(join(catalogDir, 'catalog.json')) || !existsSync(join(holdoutDir, 'index.json'))) {
  log('building the demo catalog …');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-demo-catalog.ts'), '--if-missing'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
const { backend } = await nodeBackend('wasm');
const fetchFn = directoryFetch(catalogDir);
const base = 'file:///catalog/';
const index = await loadCatalogIndex(fetchFn, base);
const learnwares = new Map<string, Learnware>();
const bundles = new Map<string, Uint8Array>();
for (const entry of index.entries) {
  const [bytes] = await fetchBundles(fetchFn, base, [entry.bundle]);
  bundles.set(entry.id, bytes);
  learnwares.set(entry.id, await loadLearnware(bytes));
}
const islandOf = new Map(index.entries.map((e) => [e.id, e.island]));
const islandMembers = (island: string) => index.entries.filter((e) => e.island === island).map((e) => learnwares.get(e.id)!);
const groupOf = (id: string): Group => (id.startsWith('txhousing-') ? 'housing' : id.startsWith('flights-') ? 'flights' : fail(`unexpected learnware ${id}`));
type Group = 'housing' | 'flights';
function fail(message: string): never {
  throw new Error(message);
}
log(`demo catalog: ${index.entries.length} learnwares in ${index.islands.length} islands; search backend tfjs-${backend.name}`);

interface UserTable {
  id: string;
  group: Group;
  island: string;
  /** features in the island's order, missing cells filled with the user's column means */
  values: Float64Array;
  rows: number;
  features: string[];
  labels: number[];
  imputedCells: number;
}

function holdoutUser(entry: HoldoutEntry): UserTable {
  const table = parseCsvBytes(readFileSync(join(holdoutDir, entry.file)));
  const matrix = toFeatureMatrix(table, { dropColumns: [entry.labelColumn] });
  if (matrix.featureNames.join() !== entry.features.join()) throw new Error(`${entry.file}: columns ${matrix.featureNames.join()} are not the island's ${entry.features.join()}`);
  const label = table.columns.find((c) => c.name === entry.labelColumn);
  if (!label || label.kind !== 'numeric') throw new Error(`${entry.file}: no numeric label column ${entry.labelColumn}`);
  const labels = Array.from(label.values, (v, r) => finite(v, `label of row ${r + 1} in ${entry.file}`));
  const { values, imputed } = imputeColumnMeans(matrix.values, matrix.rows, matrix.cols, matrix.featureNames);
  return {
    id: entry.id,
    group: groupOf(entry.id),
    island: islandOf.get(entry.id) ?? fail(`${entry.id} is not in the catalog`),
    values,
    rows: matrix.rows,
    features: matrix.featureNames,
    labels,
    imputedCells: imputed,
  };
}

async function search(user: UserTable): Promise<CatalogSearchIsland> {
  const islands = await searchCatalog({
    index,
    fetchFn,
    base,
    backend,
    data: tableDataset({ values: user.values, rows: user.rows, cols: user.features.length, featureNames: user.features }),
  });
  return islands.find((i) => i.island === user.island) ?? fail(`the search from ${user.id}'s rows did not rank its island`);
}

async function predictAll(user: UserTable, members: Learnware[]): Promise<Map<string, Predictions>> {
  const out = new Map<string, Predictions>();
  for (const lw of members) out.set(lw.id, await predictLearnware(lw, user.values, user.rows, user.features));
  return out;
}

/** the metrics of a group: housing RMSE and RMSE / label std; flights error rate and log loss */
type Scores = Record<string, number>;
const METRICS: Record<Group, string[]> = { housing: ['rmse', 'nrmse'], flights: ['errorRate', 'logLoss'] };
const PRIMARY: Record<Group, string> = { housing: 'nrmse', flights: 'logLoss' };

function scorer(group: Group, targets: Float64Array, labelStd: number) {
  return (p: Predictions): Scores => {
    const error = finite(predictionError(p, targets), 'prediction error');
    return group === 'housing' ? { rmse: error, nrmse: error / labelStd } : { errorRate: error, logLoss: finite(logLoss(p, targets), 'log loss') };
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Inference throughput

interface ThroughputModel {
  name: string;
  bytes: Uint8Array;
  d: number;
  outputs: number;
  params: number;
  /** BATCH rows × d */
  input: Float32Array;
  /** for predictLearnware (catalog learnwares only) */
  learnware?: Learnware;
  user?: UserTable;
}

interface ThroughputRow {
  model: string;
  where: 'node' | 'chromium';
  provider: 'wasm' | 'webgpu';
  path: 'OnnxModel.run' | 'predictLearnware';
  rows: number;
  rowsPerSecond: number | null;
  loadMs?: number;
  firstRunMs?: number;
  runs?: number;
  ms?: number;
  /** max |output − Node's output| / max |Node's output| over the first outputs */
  maxRelDiffVsNode?: number;
  adapter?: string;
  error?: string;
}

function tiled(user: UserTable): Float32Array {
  const d = user.features.length;
  const out = new Float32Array(BATCH * d);
  for (let r = 0; r < BATCH; r++) out.set(user.values.subarray((r % user.rows) * d, ((r % user.rows) + 1) * d), r * d);
  return out;
}

function throughputModels(): ThroughputModel[] {
  const entries = readHoldoutIndex(holdoutDir);
  const housing = entries.find((e) => e.id === 'txhousing-austin') ?? entries.find((e) => e.id.startsWith('txhousing-'))!;
  const flights = entries.find((e) => e.id === 'flights-atl') ?? entries.find((e) => e.id.startsWith('flights-'))!;
  const models: ThroughputModel[] = [];
  for (const entry of [housing, flights]) {
    const user = holdoutUser(entry);
    const lw = learnwares.get(entry.id)!;
    const bytes = readZip(bundles.get(entry.id)!).get(lw.manifest.model.file) ?? fail(`${entry.id}: no model file`);
    const outputs = lw.manifest.model.output.shape[1];
    models.push({ name: entry.id, bytes, d: user.features.length, outputs, params: (user.features.length + 1) * outputs, input: tiled(user), learnware: lw, user });
  }
  // a larger generated model: 32 → 256 → 256 → 8, softmax
  const prng = new Prng(5);
  const sizes = [32, 256, 256, 8];
  const layers = sizes.slice(1).map((outputs, i) => {
    const inputs = sizes[i];
    return { inputs, outputs, weights: Float32Array.from({ length: inputs * outputs }, () => prng.nextNormal() * Math.sqrt(2 / inputs)), bias: new Float32Array(outputs) };
  });
  const input = Float32Array.from({ length: BATCH * 32 }, () => prng.nextNormal());
  models.push({
    name: 'mlp-32-256-256-8',
    bytes: exportDenseOnnx({ layers, output: 'softmax' }),
    d: 32,
    outputs: 8,
    params: layers.reduce((s, l) => s + l.inputs * l.outputs + l.outputs, 0),
    input,
  });
  return models;
}

const SAMPLE = 2000;
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

async function nodeThroughput(m: ThroughputModel): Promise<{ row: ThroughputRow; sample: number[] }> {
  let t = performance.now();
  const model = await OnnxModel.load(m.bytes);
  const loadMs = performance.now() - t;
  t = performance.now();
  const first = await model.run(m.input, BATCH, m.d);
  const firstRunMs = performance.now() - t;
  if (first.values.length !== BATCH * m.outputs || first.values.some((v) => !Number.isFinite(v))) throw new Error(`${m.name}: bad output in Node`);
  let runs = 0;
  t = performance.now();
  while (runs < 3 || (performance.now() - t < TIMED_MS && runs < 500)) {
    await model.run(m.input, BATCH, m.d);
    runs++;
  }
  const ms = performance.now() - t;
  await model.dispose();
  const row: ThroughputRow = {
    model: m.name,
    where: 'node',
    provider: 'wasm',
    path: 'OnnxModel.run',
    rows: BATCH,
    rowsPerSecond: finite((runs * BATCH) / (ms / 1000), 'rows/s'),
    loadMs,
    firstRunMs,
    runs,
    ms,
  };
  return { row, sample: Array.from(first.values.subarray(0, SAMPLE)) };
}

/** End to end in Node: column alignment, checks, 4,096-row model runs and conversion (predictions.ts). */
async function nodePredictThroughput(m: ThroughputModel): Promise<ThroughputRow> {
  const values = Float64Array.from(m.input);
  let runs = 0;
  const t = performance.now();
  while (runs < 3 || (performance.now() - t < TIMED_MS && runs < 500)) {
    const p = await predictLearnware(m.learnware!, values, BATCH, m.user!.features);
    if (p.rows !== BATCH) throw new Error(`${m.name}: predictLearnware returned ${p.rows} rows`);
    runs++;
  }
  const ms = performance.now() - t;
  return { model: m.name, where: 'node', provider: 'wasm', path: 'predictLearnware', rows: BATCH, rowsPerSecond: finite((runs * BATCH) / (ms / 1000), 'rows/s'), runs, ms };
}

interface BrowserRun {
  loadMs?: number;
  firstRunMs?: number;
  runs?: number;
  ms?: number;
  rowsPerSecond?: number;
  sample?: number[];
  adapter?: string;
  error?: string;
}

let vite: ViteDevServer | null = null;
let browser: Browser | null = null;

async function openBenchPage(): Promise<Page> {
  vite = await createServer({
    root: ROOT,
    logLevel: 'error',
    // its own dependency cache: another bench's Vite server may be running on this root
    cacheDir: join(tmpdir(), 'learnware-dock-reuse-bench-vite'),
    server: { host: '127.0.0.1', port: 4397, strictPort: false, hmr: false, watch: null },
  });
  await vite.listen();
  const origin = vite.resolvedUrls!.local[0].replace(/\/$/, '');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`  [chromium page error] ${e.message.slice(0, 300)}`));
  await page.goto(`${origin}/bench/browser.html`);
  await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true, undefined, { timeout: 180_000 });
  return page;
}

async function browserThroughput(page: Page, m: ThroughputModel, provider: 'wasm' | 'webgpu', nodeSample: number[]): Promise<ThroughputRow> {
  const config = {
    model: Buffer.from(m.bytes).toString('base64'),
    input: Buffer.from(m.input.buffer, m.input.byteOffset, m.input.byteLength).toString('base64'),
    rows: BATCH,
    d: m.d,
    executionProvider: provider,
    minMs: TIMED_MS,
    // SwiftShader's WebGPU takes tens of seconds per 10k-row batch of the MLP: one timed run is enough there
    minRuns: provider === 'webgpu' ? 1 : 3,
    maxRuns: 500,
    sample: SAMPLE,
  };
  const run = (await page.evaluate((c) => (globalThis as unknown as { runReuseThroughputBench: (c: unknown) => Promise<unknown> }).runReuseThroughputBench(c), config)) as BrowserRun;
  const row: ThroughputRow = { model: m.name, where: 'chromium', provider, path: 'OnnxModel.run', rows: BATCH, rowsPerSecond: null, ...(run.adapter ? { adapter: run.adapter } : {}) };
  if (run.error !== undefined) return { ...row, error: run.error };
  const diff = relDiff(run.sample!, nodeSample);
  if (provider === 'wasm' && !(diff < 1e-4)) throw new Error(`${m.name}: Chromium's WASM output differs from Node's (relative ${diff})`);
  return { ...row, rowsPerSecond: finite(run.rowsPerSecond!, 'rows/s'), loadMs: run.loadMs, firstRunMs: run.firstRunMs, runs: run.runs, ms: run.ms, maxRelDiffVsNode: diff };
}

// ---------------------------------------------------------------------------------------------
// 2. The paper's protocol

const SETTINGS = ['averageOfAll', 'meanInMarket', 'oracle', 'top1', 'jobSelector', 'averaging', 'recommended'] as const;
type Setting = (typeof SETTINGS)[number];
const SETTING_LABELS: Record<Setting, string> = {
  averageOfAll: 'average of all',
  meanInMarket: 'mean in market',
  oracle: 'oracle single',
  top1: 'top-1 searched',
  jobSelector: 'job selector',
  averaging: 'averaging',
  recommended: 'search recommends',
};

interface ProtocolUser {
  id: string;
  group: Group;
  rows: number;
  imputedCells: number;
  labelStd: number;
  top1: string;
  top1IsSource: boolean;
  sourceRank: number;
  recommended: 'single' | 'mixture' | 'none';
  /** the learnwares combined by the job selector and averaging */
  combined: { from: 'mixture' | 'top-3'; ids: string[]; weights: number[] };
  /** oracle learnware by the primary metric */
  oracleId: string;
  scores: Record<Setting, Scores>;
  /** flights: always predicting the user's own delay rate (majority class; an oracle constant) */
  constant?: Scores;
}

/** Error rate and log loss of predicting the share p of delayed flights for every row (labels 0/1). */
function baseRate(labels: ArrayLike<number>): Scores {
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i] / labels.length;
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return { errorRate: Math.min(p, 1 - p), logLoss: -(p * Math.log(q) + (1 - p) * Math.log(1 - q)) };
}

async function protocolUser(user: UserTable, found: CatalogSearchIsland): Promise<ProtocolUser> {
  const members = islandMembers(user.island);
  const outputs = await predictAll(user, members);
  const task = commonTask([...outputs.values()]);
  const targets = encodeTargets(user.labels, task.kind, task.classes);
  const labelStd = finite(std(user.labels), 'label std');
  if (user.group === 'housing' && !(labelStd > 0)) throw new Error(`${user.id}: constant labels`);
  const score = scorer(user.group, targets, labelStd);
  const metrics = METRICS[user.group];
  const single = new Map([...outputs].map(([id, p]) => [id, score(p)]));
  const perMetric = (f: (values: number[]) => number) => Object.fromEntries(metrics.map((k) => [k, f([...single.values()].map((s) => s[k]))]));
  const primary = PRIMARY[user.group];
  const oracleId = [...single].reduce((best, cur) => (cur[1][primary] < best[1][primary] ? cur : best))[0];
  // mixture members in search-rank order, as the dock takes them (reuse/methods/choose.ts)
  const ranked = found.mixture && found.mixture.ids.map((id, i) => ({ id, w: found.mixture!.weights[i], r: found.singles.findIndex((s) => s.id === id) })).sort((a, b) => a.r - b.r);
  const combined = ranked
    ? { from: 'mixture' as const, ids: ranked.map((m) => m.id), weights: ranked.map((m) => m.w) }
    : { from: 'top-3' as const, ids: found.singles.slice(0, 3).map((s) => s.id), weights: found.singles.slice(0, 3).map(() => 1 / Math.min(3, found.singles.length)) };
  const combinedOutputs = combined.ids.map((id) => outputs.get(id) ?? fail(`${id} is not in ${user.island}`));
  const features = members[0].manifest.model.input.features;
  const x = alignRows(user.values, user.rows, user.features, features);
  const selector = trainJobSelector(
    combined.ids.map((id) => learnwares.get(id)!.spec),
    combined.weights,
    { seed: 0 },
  );
  const top1 = found.singles[0].id;
  const averaging = score(averageOutputs(combinedOutputs, combined.weights));
  const jobSelectorScores = score(applyJobSelector(selector, combinedOutputs, x, user.rows));
  // what the dock preselects with no labels (reuse/registry.ts), on the learnwares it would take
  const recommendedScores = (): Scores => {
    const method = recommendedReuseMethod({ recommended: found.recommended, hasLabels: false });
    const choice = defaultLearnwares(found, method);
    if (method === 'single') return single.get(choice.refs[0].id)!;
    const outs = choice.refs.map((r) => outputs.get(r.id)!);
    if (method === 'average') return score(averageOutputs(outs, choice.weights));
    if (method !== 'job-selector') throw new Error(`unexpected recommended method ${method}`);
    const chosen = trainJobSelector(
      choice.refs.map((r) => learnwares.get(r.id)!.spec),
      choice.weights,
      { seed: 0 },
    );
    return score(applyJobSelector(chosen, outs, x, user.rows));
  };
  const scores: Record<Setting, Scores> = {
    averageOfAll: score(averageOutputs([...outputs.values()])),
    meanInMarket: perMetric(mean),
    oracle: perMetric((v) => Math.min(...v)),
    top1: single.get(top1)!,
    jobSelector: jobSelectorScores,
    averaging,
    recommended: recommendedScores(),
  };
  return {
    id: user.id,
    group: user.group,
    rows: user.rows,
    imputedCells: user.imputedCells,
    labelStd,
    top1,
    top1IsSource: top1 === user.id,
    sourceRank: found.singles.findIndex((s) => s.id === user.id) + 1,
    recommended: found.recommended,
    combined,
    oracleId,
    scores,
    ...(user.group === 'flights' ? { constant: baseRate(targets) } : {}),
  };
}

function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function protocolSummary(users: ProtocolUser[], group: Group) {
  const list = users.filter((u) => u.group === group);
  const metrics = METRICS[group];
  const over = (f: (v: number[]) => number) =>
    Object.fromEntries(SETTINGS.map((s) => [s, Object.fromEntries(metrics.map((k) => [k, finite(f(list.map((u) => u.scores[s][k])), `${group} ${s} ${k}`)]))])) as Record<
      Setting,
      Scores
    >;
  const means = over(mean);
  const medians = over(median);
  const gap = (of: Record<Setting, Scores>, baseline: Setting, setting: Setting = 'top1') =>
    Object.fromEntries(metrics.map((k) => [k, (of[baseline][k] - of[setting][k]) / (of[baseline][k] - of.oracle[k])]));
  // the same gap for every reuse setting (docs/reuse.md, "Which method the dock recommends")
  const gaps = (setting: Setting) => ({ vsAverageOfAll: gap(means, 'averageOfAll', setting), vsMeanInMarket: gap(means, 'meanInMarket', setting) });
  const constants = list.flatMap((u) => (u.constant ? [u.constant] : []));
  return {
    users: list.length,
    rowsPerUser: { min: Math.min(...list.map((u) => u.rows)), max: Math.max(...list.map((u) => u.rows)), mean: mean(list.map((u) => u.rows)) },
    metrics,
    means,
    medians,
    gapRecoveredByTop1: { vsAverageOfAll: gap(means, 'averageOfAll'), vsMeanInMarket: gap(means, 'meanInMarket') },
    gapRecovered: { top1: gaps('top1'), jobSelector: gaps('jobSelector'), averaging: gaps('averaging'), recommended: gaps('recommended') },
    /** users on whom the recommended method does worse than the top-1 single (primary metric) */
    recommendedWorseThanTop1: list.filter((u) => u.scores.recommended[PRIMARY[group]] > u.scores.top1[PRIMARY[group]] + 1e-12).length,
    gapRecoveredByTop1OfMedians: { vsAverageOfAll: gap(medians, 'averageOfAll'), vsMeanInMarket: gap(medians, 'meanInMarket') },
    ...(constants.length ? { constantBaseRate: Object.fromEntries(metrics.map((k) => [k, mean(constants.map((c) => c[k]))])) } : {}),
    top1IsSource: list.filter((u) => u.top1IsSource).length / list.length,
    top1IsOracle: list.filter((u) => u.top1 === u.oracleId).length / list.length,
    sourceIsOracle: list.filter((u) => u.id === u.oracleId).length / list.length,
    recommendedMixture: list.filter((u) => u.recommended === 'mixture').length / list.length,
    combinedFromMixture: list.filter((u) => u.combined.from === 'mixture').length / list.length,
    meanCombinedSize: mean(list.map((u) => u.combined.ids.length)),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Labelled-data curves

const CURVE_METHODS = ['ensemble-pruning', 'feature-augment', 'feature-augment-top1', 'from-scratch'] as const;
type CurveMethod = (typeof CURVE_METHODS)[number];
const CURVE_LABELS: Record<CurveMethod | 'top1', string> = {
  'ensemble-pruning': 'ensemble pruning (top-5)',
  'feature-augment': 'feature augment (top-5)',
  'feature-augment-top1': 'feature augment (top-1)',
  'from-scratch': 'from scratch',
  top1: 'top-1, no labels',
};

interface CurveUser {
  id: string;
  group: Group;
  x: Float64Array;
  d: number;
  targets: Float64Array;
  task: { kind: TaskKind; classes: string[] | null };
  /** the top-5 searched learnwares' predictions for every row, best first */
  outputs: Predictions[];
  top5: string[];
  labelStd: number;
  /** rows the labelled ones are drawn from, and the fixed test rows */
  pool: Int32Array;
  test: Int32Array;
}

async function curveUser(user: UserTable, found: CatalogSearchIsland, pool: Int32Array, test: Int32Array): Promise<CurveUser> {
  const top5 = found.singles.slice(0, 5).map((s) => s.id);
  const lws = top5.map((id) => learnwares.get(id)!);
  const outputs = [];
  for (const lw of lws) outputs.push(await predictLearnware(lw, user.values, user.rows, user.features));
  const task = commonTask(outputs);
  const features = lws[0].manifest.model.input.features;
  const testLabels = Array.from(test, (r) => user.labels[r]);
  return {
    id: user.id,
    group: user.group,
    x: alignRows(user.values, user.rows, user.features, features),
    d: features.length,
    targets: encodeTargets(user.labels, task.kind, task.classes),
    task,
    outputs,
    top5,
    labelStd: finite(std(user.group === 'housing' ? user.labels : testLabels), 'label std'),
    pool,
    test,
  };
}

/** scores[method][size][seed] for one user; size 'all' = the whole pool */
function curveScores(u: CurveUser, sizes: (number | 'all')[]): { scores: Record<CurveMethod, Scores[][]>; top1: Scores; constant?: Scores; n: number[] } {
  const pick = (rows: Int32Array) => gatherRows(u.x, u.d, rows);
  const xTest = pick(u.test);
  const yTest = Float64Array.from(u.test, (r) => u.targets[r]);
  const outTest = u.outputs.map((o) => selectRows(o, u.test));
  const score = scorer(u.group, yTest, u.labelStd);
  const n = sizes.map((s) => (s === 'all' ? u.pool.length : s));
  if (n.some((v) => v > u.pool.length)) throw new Error(`${u.id}: ${u.pool.length} labelled rows, sizes ${n.join(', ')}`);
  const scores = Object.fromEntries(CURVE_METHODS.map((m) => [m, n.map(() => [] as Scores[])])) as Record<CurveMethod, Scores[][]>;
  for (let seed = 0; seed < SEEDS; seed++) {
    const order = new Prng(fnv1a(`reuse-bench labelled ${u.id} ${seed}`)).sampleWithoutReplacement(u.pool.length, u.pool.length);
    n.forEach((size, si) => {
      const train = Int32Array.from(order.subarray(0, size), (k) => u.pool[k]);
      const xTrain = pick(train);
      const yTrain = Float64Array.from(train, (r) => u.targets[r]);
      const outTrain = u.outputs.map((o) => selectRows(o, train));
      const head = (k: number) => applyLinearHead(fitLinearHead(xTrain, size, u.d, outTrain.slice(0, k), yTrain, u.task), xTest, u.test.length, u.d, outTest.slice(0, k));
      scores['ensemble-pruning'][si].push(score(averageOutputs(outTest, pruneEnsemble(outTrain, yTrain).weights)));
      scores['feature-augment'][si].push(score(head(outTest.length)));
      scores['feature-augment-top1'][si].push(score(head(1)));
      scores['from-scratch'][si].push(score(head(0)));
    });
  }
  return { scores, top1: score(outTest[0]), ...(u.group === 'flights' ? { constant: baseRate(yTest) } : {}), n };
}

interface CurvePoint {
  size: number | 'all';
  /** labelled rows (mean over users where the size is 'all') */
  n: number;
  nMin: number;
  nMax: number;
  /** per metric: mean over seeds of the mean over users, and the std over seeds of that mean */
  [metric: string]: number | 'all' | { mean: number; std: number };
}

function curveSummary(group: Group, sizes: (number | 'all')[], runs: { user: CurveUser; result: ReturnType<typeof curveScores> }[]) {
  const metrics = METRICS[group];
  const methods = Object.fromEntries(
    CURVE_METHODS.map((m) => [
      m,
      sizes.map((size, si): CurvePoint => {
        const point: CurvePoint = {
          size,
          n: mean(runs.map((r) => r.result.n[si])),
          nMin: Math.min(...runs.map((r) => r.result.n[si])),
          nMax: Math.max(...runs.map((r) => r.result.n[si])),
        };
        for (const k of metrics) {
          const perSeed = Array.from({ length: SEEDS }, (_, s) => mean(runs.map((r) => r.result.scores[m][si][s][k])));
          point[k] = { mean: finite(mean(perSeed), `${group} ${m} ${k}`), std: std(perSeed) };
        }
        return point;
      }),
    ]),
  ) as Record<CurveMethod, CurvePoint[]>;
  const top1 = Object.fromEntries(metrics.map((k) => [k, finite(mean(runs.map((r) => r.result.top1[k])), `${group} top-1 ${k}`)]));
  const constant =
    group === 'flights' ? { constantTestBaseRate: Object.fromEntries(metrics.map((k) => [k, finite(mean(runs.map((r) => r.result.constant![k])), `${group} constant ${k}`)])) } : {};
  return { users: runs.map((r) => r.user.id), seeds: SEEDS, metrics, methods, top1NoLabels: top1, ...constant };
}

function ortVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-web', 'package.json'), 'utf8')) as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// Plots and the summary

type ProtocolSummary = ReturnType<typeof protocolSummary>;
type CurveSummary = ReturnType<typeof curveSummary> & { sizes: (number | 'all')[] };

const METRIC_LABELS: Record<string, string> = { rmse: 'RMSE (USD)', nrmse: 'RMSE / std of labels', errorRate: 'error rate', logLoss: 'log loss' };
const SERIES_OF = (r: ThroughputRow) => (r.where === 'node' ? 'Node wasm' : `Chromium ${r.provider}`);

function plots(rows: ThroughputRow[], modelNames: string[], protocol: Record<Group, ProtocolSummary>, curves: Record<Group, CurveSummary>): Record<string, string> {
  const runs = rows.filter((r) => r.path === 'OnnxModel.run');
  const series = [...new Set(runs.map(SERIES_OF))];
  const throughputSvg = svgDocument(
    [
      barChart({
        title: `onnxruntime-web inference, batches of ${BATCH.toLocaleString('en')} rows`,
        yLabel: 'rows / second',
        xLabel: 'model',
        series,
        logY: true,
        width: 720,
        height: 400,
        groups: modelNames.map((name) => ({ name, values: series.map((s) => runs.find((r) => r.model === name && SERIES_OF(r) === s)?.rowsPerSecond ?? null) })),
      }),
    ],
    'Reuse: inference throughput per backend',
  );
  const protocolPanels = (['housing', 'flights'] as Group[]).flatMap((g) =>
    protocol[g].metrics
      .filter((k) => k !== 'rmse')
      .map((k) =>
        barChart({
          title: `${g} (${protocol[g].users} users): ${METRIC_LABELS[k]}${g === 'housing' ? '' : ' (axis not from 0)'}`,
          reference: protocol[g].constantBaseRate
            ? { value: protocol[g].constantBaseRate[k], label: `constant: the user's own delay rate ${fmt(protocol[g].constantBaseRate[k])}` }
            : undefined,
          yLabel: `${METRIC_LABELS[k]}, mean over users`,
          series: [METRIC_LABELS[k]],
          // housing: a few learnwares extrapolate wildly (average of all ≫ the rest): log scale;
          // flights: the settings differ by a few per cent, a zero-based axis would hide it
          logY: g === 'housing',
          zero: g === 'housing',
          width: 560,
          height: 340,
          groups: SETTINGS.map((s) => ({ name: SETTING_LABELS[s], values: [protocol[g].means[s][k]] })),
        }),
      ),
  );
  const protocolSvg = svgDocument(protocolPanels, 'Reuse without labels on held-out users (paper protocol, lower is better)');
  const curvePanels = (g: Group) =>
    curves[g].metrics
      .filter((k) => k !== 'rmse')
      .map((k) =>
        lineChart({
          title: `${g}: ${METRIC_LABELS[k]} on the test rows`,
          xLabel: 'labelled user rows',
          yLabel: METRIC_LABELS[k],
          logX: true,
          width: 560,
          height: 380,
          series: [
            ...CURVE_METHODS.map((m): LineSeries => ({
              name: CURVE_LABELS[m],
              points: curves[g].methods[m].map((p) => {
                const v = p[k] as { mean: number; std: number };
                return { x: p.n, y: v.mean, err: v.std, label: p.size === 'all' ? `all (~${p.n.toFixed(0)})` : undefined };
              }),
            })),
            { name: CURVE_LABELS.top1, dashed: true, points: curves[g].methods['from-scratch'].map((p) => ({ x: p.n, y: curves[g].top1NoLabels[k] })) },
            ...(curves[g].constantTestBaseRate
              ? [{ name: 'constant: test delay rate', dashed: true, points: curves[g].methods['from-scratch'].map((p) => ({ x: p.n, y: curves[g].constantTestBaseRate![k] })) }]
              : []),
          ],
          // flights: 10 labels give log losses near 1.5; clip so that the rest stays readable
          yMax: g === 'flights' ? 1.2 * curves[g].top1NoLabels[k] : undefined,
        }),
      );
  return {
    throughput: throughputSvg,
    protocol: protocolSvg,
    'curves-housing': svgDocument(curvePanels('housing'), `Labelled-data curves, housing (${curves.housing.users.length} cities, ${SEEDS} seeds; ${HOUSING_TEST} test rows each)`),
    'curves-flights': svgDocument(curvePanels('flights'), `Labelled-data curves, flights (${curves.flights.users.length} airports, ${SEEDS} seeds; ${FLIGHT_TEST} test rows each)`),
  };
}

function printSummary(rows: ThroughputRow[], protocol: Record<Group, ProtocolSummary>, curves: Record<Group, CurveSummary>): void {
  log('\n== summary ==');
  log('throughput (rows/s, 10k-row batches):');
  for (const r of rows)
    log(
      `  ${r.model.padEnd(20)} ${`${r.where} ${r.provider}`.padEnd(16)} ${r.path.padEnd(16)} ${r.rowsPerSecond === null ? `n/a (${(r.error ?? '').slice(0, 100)})` : r.rowsPerSecond.toExponential(2)}`,
    );
  for (const g of ['housing', 'flights'] as Group[]) {
    const p = protocol[g];
    log(
      `\nprotocol, ${g}: ${p.users} users; top-1 is the source ${(100 * p.top1IsSource).toFixed(0)} %, the oracle ${(100 * p.top1IsOracle).toFixed(0)} %; mixture recommended ${(100 * p.recommendedMixture).toFixed(0)} %`,
    );
    log(`  ${'setting'.padEnd(20)}${p.metrics.map((k) => `mean ${k}`.padStart(16)).join('')}${p.metrics.map((k) => `median ${k}`.padStart(18)).join('')}`);
    for (const s of SETTINGS)
      log(`  ${SETTING_LABELS[s].padEnd(20)}${p.metrics.map((k) => fmt(p.means[s][k]).padStart(16)).join('')}${p.metrics.map((k) => fmt(p.medians[s][k]).padStart(18)).join('')}`);
    if (p.constantBaseRate) log(`  ${'constant (own rate)'.padEnd(20)}${p.metrics.map((k) => fmt(p.constantBaseRate![k]).padStart(16)).join('')}`);
    const pct = (gap: Scores) => p.metrics.map((k) => `${k} ${(100 * gap[k]).toFixed(0)} %`).join(', ');
    log(`  gap recovered by top-1 (means) vs average of all: ${pct(p.gapRecoveredByTop1.vsAverageOfAll)}; vs mean in market: ${pct(p.gapRecoveredByTop1.vsMeanInMarket)}`);
    for (const setting of ['jobSelector', 'recommended'] as const)
      log(
        `  gap recovered by ${SETTING_LABELS[setting]} (means) vs average of all: ${pct(p.gapRecovered[setting].vsAverageOfAll)}; vs mean in market: ${pct(p.gapRecovered[setting].vsMeanInMarket)}`,
      );
    log(`  the recommended method is worse than top-1 on ${p.recommendedWorseThanTop1} of ${p.users} users`);
    log(
      `  gap recovered by top-1 (medians) vs average of all: ${pct(p.gapRecoveredByTop1OfMedians.vsAverageOfAll)}; vs mean in market: ${pct(p.gapRecoveredByTop1OfMedians.vsMeanInMarket)}`,
    );
  }
  for (const g of ['housing', 'flights'] as Group[]) {
    const c = curves[g];
    for (const k of c.metrics.filter((m) => m !== 'rmse')) {
      log(
        `\ncurves, ${g}, ${k} (mean ± std over ${SEEDS} seeds; top-1 without labels ${fmt(c.top1NoLabels[k])}${c.constantTestBaseRate ? `; constant at the test delay rate ${fmt(c.constantTestBaseRate[k])}` : ''}):`,
      );
      log(`  ${'n'.padEnd(26)}${c.methods['from-scratch'].map((p) => (p.size === 'all' ? `all(~${p.n.toFixed(0)})` : String(p.size)).padStart(16)).join('')}`);
      for (const m of CURVE_METHODS)
        log(
          `  ${CURVE_LABELS[m].padEnd(26)}${c.methods[m]
            .map((p) => {
              const v = p[k] as { mean: number; std: number };
              return `${fmt(v.mean)}±${v.std < 5e-7 ? '0' : fmt(v.std, 2)}`.padStart(16);
            })
            .join('')}`,
        );
    }
  }
}

function fmt(v: number, digits = 4): string {
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(digits);
}

// ---------------------------------------------------------------------------------------------
// Run (last, so that every declaration above is initialised)

try {
  // 1. throughput
  log('\n== inference throughput (rows/s, batches of 10,000 rows) ==');
  const models = throughputModels();
  const throughput: ThroughputRow[] = [];
  const nodeSamples = new Map<string, number[]>();
  for (const m of models) {
    const { row, sample } = await nodeThroughput(m);
    nodeSamples.set(m.name, sample);
    throughput.push(row);
    log(`  node     wasm   ${m.name.padEnd(20)} ${row.rowsPerSecond!.toExponential(2)} rows/s`);
    if (m.learnware) {
      const e2e = await nodePredictThroughput(m);
      throughput.push(e2e);
      log(`  node     wasm   ${m.name.padEnd(20)} ${e2e.rowsPerSecond!.toExponential(2)} rows/s (predictLearnware, end to end)`);
    }
  }
  let chromiumVersion: string | null = null;
  if (useBrowser) {
    const page = await openBenchPage();
    chromiumVersion = browser!.version();
    for (const provider of ['wasm', 'webgpu'] as const) {
      for (const m of models) {
        const row = await browserThroughput(page, m, provider, nodeSamples.get(m.name)!);
        throughput.push(row);
        log(
          `  chromium ${provider.padEnd(6)} ${m.name.padEnd(20)} ${row.rowsPerSecond === null ? `failed: ${row.error!.slice(0, 160)}` : `${row.rowsPerSecond.toExponential(2)} rows/s (max rel. diff vs Node ${row.maxRelDiffVsNode!.toExponential(1)})`}`,
        );
      }
    }
    await browser!.close();
    browser = null;
    await vite!.close();
    vite = null;
  }
  const throughputSeconds = (performance.now() - started) / 1000;

  // 2. protocol
  log('\n== paper protocol: held-out users of the demo catalog ==');
  const entries = readHoldoutIndex(holdoutDir);
  const housingEntries = entries.filter((e) => e.id.startsWith('txhousing-')).filter((_, i) => i % HOUSING_STRIDE === 0);
  const flightEntries = entries.filter((e) => e.id.startsWith('flights-')).slice(0, quick ? FLIGHT_USERS : undefined);
  const protocolUsers: ProtocolUser[] = [];
  const housingCurveRuns: { user: CurveUser; result: ReturnType<typeof curveScores> }[] = [];
  const housingExcluded: { id: string; rows: number }[] = [];
  let t = performance.now();
  for (const entry of [...housingEntries, ...flightEntries]) {
    const user = holdoutUser(entry);
    const found = await search(user);
    const p = await protocolUser(user, found);
    protocolUsers.push(p);
    // housing curves use the same users (their held-out months are all the unseen data there is)
    if (user.group === 'housing') {
      if (user.rows < HOUSING_MIN_ROWS) {
        housingExcluded.push({ id: user.id, rows: user.rows });
      } else {
        const order = new Prng(fnv1a(`reuse-bench test ${user.id}`)).sampleWithoutReplacement(user.rows, user.rows);
        const cu = await curveUser(user, found, order.slice(HOUSING_TEST), order.slice(0, HOUSING_TEST));
        housingCurveRuns.push({ user: cu, result: curveScores(cu, HOUSING_SIZES) });
      }
    }
  }
  const protocolSeconds = (performance.now() - t) / 1000;
  const protocol = { housing: protocolSummary(protocolUsers, 'housing'), flights: protocolSummary(protocolUsers, 'flights') };
  log(`  ${protocolUsers.length} users in ${protocolSeconds.toFixed(1)} s`);

  // 3. flight curves: unseen flights of each airport
  log('\n== labelled-data curves ==');
  t = performance.now();
  const flights = await loadFlights(ROOT);
  const airports = busiestOrigins(flights).slice(0, FLIGHT_USERS);
  const flightUsers: UserTable[] = [];
  for (const [origin, indices] of airports) {
    const id = `flights-${origin.toLowerCase()}`;
    const sample = flightSample(origin, indices.length);
    // the shared sampler must reproduce the catalog's held-out rows exactly
    const heldOut = holdoutUser(entries.find((e) => e.id === id) ?? fail(`no held-out rows for ${id}`));
    for (let r = 0; r < FLIGHTS_HOLDOUT; r++) {
      const row = flightRow(flights[indices[sample[FLIGHTS_TRAIN + r]]]);
      const same = row.slice(0, 4).every((v, j) => v === heldOut.values[r * 4 + j]) && row[4] === heldOut.labels[r];
      if (!same) throw new Error(`${id}: held-out row ${r + 1} is not what scripts/demo-sources.ts samples; rebuild the demo catalog`);
    }
    const used = new Uint8Array(indices.length);
    for (const k of sample) used[k] = 1;
    const unseen = Int32Array.from({ length: indices.length }, (_, k) => k).filter((k) => !used[k]);
    const need = FLIGHT_POOL + FLIGHT_TEST;
    if (unseen.length < need) throw new Error(`${id}: only ${unseen.length} flights unseen by the catalog, need ${need}`);
    const draw = new Prng(fnv1a(`reuse-bench users ${origin}`)).sampleWithoutReplacement(unseen.length, need);
    const rows = Array.from(draw, (j) => flightRow(flights[indices[unseen[j]]]));
    const values = Float64Array.from(rows.flatMap((r) => r.slice(0, 4)));
    flightUsers.push({
      id,
      group: 'flights',
      island: islandOf.get(id) ?? fail(`${id} is not in the catalog`),
      values,
      rows: need,
      features: FLIGHT_FEATURES,
      labels: rows.map((r) => r[4]),
      imputedCells: 0,
    });
  }
  const flightsLoadSeconds = (performance.now() - t) / 1000;
  const flightCurveRuns: { user: CurveUser; result: ReturnType<typeof curveScores> }[] = [];
  const flightSearch: { id: string; top1: string; sourceRank: number }[] = [];
  for (const user of flightUsers) {
    const found = await search(user);
    flightSearch.push({ id: user.id, top1: found.singles[0].id, sourceRank: found.singles.findIndex((s) => s.id === user.id) + 1 });
    const pool = Int32Array.from({ length: FLIGHT_POOL }, (_, i) => i);
    const test = Int32Array.from({ length: FLIGHT_TEST }, (_, i) => FLIGHT_POOL + i);
    const cu = await curveUser(user, found, pool, test);
    flightCurveRuns.push({ user: cu, result: curveScores(cu, FLIGHT_SIZES) });
    log(`  ${user.id}: top-1 ${found.singles[0].id}, ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const curvesSeconds = (performance.now() - t) / 1000;
  const curves = {
    housing: {
      ...curveSummary('housing', HOUSING_SIZES, housingCurveRuns),
      sizes: HOUSING_SIZES,
      testRows: HOUSING_TEST,
      excluded: housingExcluded,
      note: `Housing users have only their city's held-out months (18–47 rows): cities with ≥ ${HOUSING_MIN_ROWS} rows, ${HOUSING_TEST} fixed test rows each, labelled rows drawn from the rest (20–32), so n ∈ {10, 20, all}; 'all' differs per city (n = mean, nMin, nMax). Normalised RMSE = RMSE / std of the city's held-out labels. Missing feature cells filled with the user's column means. The n ≥ 50 points of the issue do not fit.`,
    },
    flights: {
      ...curveSummary('flights', FLIGHT_SIZES, flightCurveRuns),
      sizes: FLIGHT_SIZES,
      testRows: FLIGHT_TEST,
      labelledPool: FLIGHT_POOL,
      search: flightSearch,
      note: `Per airport, ${FLIGHT_POOL + FLIGHT_TEST} flights no learnware saw (not among the ${FLIGHTS_TRAIN + FLIGHTS_HOLDOUT} the catalog build samples), seeded: the first ${FLIGHT_POOL} are the labelled pool (nested subsets per seed), the last ${FLIGHT_TEST} the fixed test set. The search and the top-5 come from all ${FLIGHT_POOL + FLIGHT_TEST} rows' features. At n = ${FLIGHT_POOL} every seed uses the whole pool (the fits are deterministic), so its std is 0. constantTestBaseRate = always predicting the test rows' own delay rate (an oracle constant). Ensemble pruning selects learnwares by error rate on the labelled rows (src/engine/reuse/methods.ts), not by log loss.`,
    },
  };

  const runSeconds = (performance.now() - started) / 1000;
  const results = {
    benchmark: 'reuse',
    quick,
    complete: true,
    machine: machineInfo(),
    loadAverage: { start: loadStart, end: loadavg() },
    backends: {
      search: `tfjs-${backend.name} (Node): user RKME for the search`,
      inference: [
        `onnxruntime-web ${ortVersion()} wasm (Node, 1 thread)`,
        ...(useBrowser ? [`onnxruntime-web ${ortVersion()} wasm (Chromium ${chromiumVersion}, 1 thread)`, `onnxruntime-web ${ortVersion()} webgpu (Chromium ${chromiumVersion})`] : []),
      ],
      reuseFits: 'plain TypeScript (src/engine/reuse/fit.ts): ridge λ = 1, logistic regression (Adam, 300 epochs, l2 1e-2), job selector: softmax with 32 ReLU units',
    },
    seconds: { total: runSeconds, throughput: throughputSeconds, protocol: protocolSeconds, flightsLoad: flightsLoadSeconds, curves: curvesSeconds },
    throughput: {
      batchRows: BATCH,
      timedMs: TIMED_MS,
      models: models.map((m) => ({ name: m.name, d: m.d, outputs: m.outputs, params: m.params, onnxBytes: m.bytes.length })),
      rows: throughput,
    },
    protocol: {
      description:
        "Users: each learnware's held-out rows (public/catalog-holdout; the learnware itself is in the market). Settings, on all of the user's rows, no labels used: averageOfAll = error of the average of every island learnware's predictions; meanInMarket = mean of the island learnwares' errors (the paper's 'Mean in Market'); oracle = min over the island's learnwares of the error (per metric); top1 = top-1 searched single; jobSelector / averaging = over the search's mixture with its weights (top-3 singles, equal weights, when there is no mixture); recommended = the method the dock preselects with no labels (recommendedReuseMethod: the job selector when the search recommends the mixture, else the top-1 single) on the learnwares it takes by default; gapRecovered gives the gap for top-1, the job selector, averaging and recommended; recommendedWorseThanTop1 = users on whom it does worse than top-1 (primary metric). gapRecoveredByTop1 = (baseline − top1) / (baseline − oracle) on the means over users (gapRecoveredByTop1OfMedians: on the medians, less swayed by the few housing learnwares that extrapolate wildly). housing: rmse and nrmse = rmse / std of the user's labels; flights: errorRate and logLoss, and constantBaseRate = always predicting the user's own delay rate (the majority class for the error rate; an oracle constant, since it knows the user's labels).",
      ...protocol,
      users: protocolUsers,
    },
    curves,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stem = quick ? 'reuse-quick' : 'reuse';
  const out = join(ROOT, 'bench', 'results', `${stem}.json`);
  const svgs = plots(
    results.throughput.rows,
    models.map((m) => m.name),
    protocol,
    curves,
  );
  for (const [name, svg] of Object.entries(svgs)) writeFileSync(join(ROOT, 'bench', 'results', `${stem}-${name}.svg`), svg);
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  printSummary(throughput, protocol, curves);
  log(
    `\nwrote ${out} and ${Object.keys(svgs)
      .map((n) => `${stem}-${n}.svg`)
      .join(', ')} in ${runSeconds.toFixed(0)} s`,
  );
  for (const lw of learnwares.values()) await lw.model.dispose();
} catch (error) {
  process.stderr.write(`bench:reuse failed: ${(error as Error).stack ?? error}\n`);
  // (assigned inside openBenchPage, which TypeScript's narrowing does not follow)
  await (browser as Browser | null)?.close().catch(() => undefined);
  await (vite as ViteDevServer | null)?.close().catch(() => undefined);
  process.exit(1);
}
