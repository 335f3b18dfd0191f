/**
 * npm run bench:text — the reference's 20-Newsgroups protocol on the demo text catalog (docs/text.md
 * §6–§7): the 50 Brown-genre learnwares of public/catalog and the 10 users of
 * public/catalog-text-holdout (held-out passages of two superclasses each, with their genres).
 *  1. Per user, accuracy of: the mean over every text learnware ("mean in market"), the oracle best
 *     learnware on that user, the search's top-1 single, the job selector and averaging (by
 *     probability) on the learnwares the reuse registry chooses from the search, and the method the
 *     registry recommends without labels; the gap recovered (x − mean) / (best − mean).
 *  2. Labelled-data curve: the evaluation's split (reuse/evaluate.ts splitRows: 30 % tested) with n
 *     labelled user texts (capped by what a user has: 400 passages), ensemble pruning over every text
 *     learnware against the evaluation's from-scratch head on the embeddings; one seed, every fifth
 *     user (the head's cross-validation makes each point ~30 s on 2 cores).
 *  3. Texts embedded per second, text spec time for 10,000 texts per backend (ts, wasm, cpu), and
 *     the bytes the page loads for text (embedder and language-id assets of a `vite build`).
 *  4. Identification: how far the user's spec is from each learnware's (the γ the island compares
 *     under), and the squared-distance scale of the embeddings, for choosing γ.
 * Writes bench/results/text.json (text-quick.json with --quick: 3 users, the curve at n = 100 for one
 * of them, no vite build).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  corpusLanguages,
  defaultLearnwares,
  embeddingDimensions,
  embedTextDataset,
  embedTexts,
  embedderRef,
  alignOutputs,
  applyLinearHead,
  commonTask,
  encodeTargets,
  fitLinearHead,
  gatherRows,
  reuseMethod,
  selectRows,
  splitRows,
  fetchBundles,
  loadCatalogIndex,
  loadLearnware,
  predictLearnware,
  recommendedReuseMethod,
  resolveBackend,
  reuseLearnwares,
  RKME_TEXT_TYPE,
  searchCatalog,
  textDataset,
  textSpecType,
  type BackendName,
  type CatalogSearchIsland,
  type Learnware,
  type Predictions,
  type ReuseMethod,
  type TextDataset,
} from '../src/engine/index.js';
import { nodeLanguageIdentifier } from '../src/cli/language.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { directoryFetch } from '../tests/shared/identification.js';
import { demoTextData, loadDemoEmbedder } from '../scripts/build-demo-text.js';
import type { TextHoldoutEntry } from '../scripts/demo-text-sources.js';
import { machineInfo } from './machine.js';
import { curveMeans, describeSummary, summariseProtocol } from './protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const SEEDS = 1;
/** users the labelled-data curve runs on (its from-scratch head cross-validates: ~30 s a fit here) */
const CURVE_STRIDE = quick ? 3 : 5;
const SIZES = [100, 200, 500, 1000, 2000, 4000];
const SPEC_TEXTS = 10_000;
const log = (line: string) => process.stdout.write(line + '\n');
const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const started = performance.now();

const catalogDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-text-holdout');
if (!existsSync(join(holdoutDir, 'index.json'))) {
  log('building the demo catalog …');
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-demo-catalog.ts'), '--if-missing'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

const backends = new Map<BackendName, Awaited<ReturnType<typeof resolveBackend>>['backend']>();
async function backendOf(name: BackendName) {
  if (!backends.has(name)) backends.set(name, (await resolveBackend({ preference: [name], wasmPaths: NODE_WASM_PATHS })).backend);
  return backends.get(name)!;
}
const backend = await backendOf('wasm');
const vectors = loadDemoEmbedder(ROOT);
const identifier = await nodeLanguageIdentifier();
const fetchFn = directoryFetch(catalogDir);
const base = 'file:///catalog/';
const index = await loadCatalogIndex(fetchFn, base);
const textIsland = index.islands.find((i) => i.type === RKME_TEXT_TYPE) ?? fail('the demo catalog has no text island: rebuild it (npm run catalog:demo)');
const textEntries = index.entries.filter((e) => e.island === textIsland.id);
const learnwares = new Map<string, Learnware>();
for (const entry of textEntries) {
  const [bytes] = await fetchBundles(fetchFn, base, [entry.bundle]);
  learnwares.set(entry.id, await loadLearnware(bytes));
}
const all = [...learnwares.values()];
log(`text island ${textIsland.id}: ${all.length} learnwares`);

function fail(message: string): never {
  throw new Error(message);
}

interface User {
  id: string;
  superclasses: string[];
  data: TextDataset;
  labels: string[];
}

async function loadUser(entry: TextHoldoutEntry): Promise<User> {
  const lines = readFileSync(join(holdoutDir, entry.file), 'utf8').trimEnd().split('\n');
  const parsed = lines.map((l) => JSON.parse(l) as { text: string; label: string });
  const texts = parsed.map((p) => p.text);
  const embedded = embedTextDataset(vectors, textDataset(texts));
  const languages = corpusLanguages(await identifier.identify(texts));
  return { id: entry.id, superclasses: entry.superclasses, data: { ...embedded, languages }, labels: parsed.map((p) => p.label) };
}

function accuracy(p: Predictions, labels: readonly string[]): number {
  const C = p.classes!.length;
  let right = 0;
  for (let r = 0; r < p.rows; r++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (p.values[r * C + c] > p.values[r * C + best]) best = c;
    if (p.classes![best] === labels[r]) right++;
  }
  return right / p.rows;
}

const embeddingColumns = embeddingDimensions(embedderRef(vectors));
const columns = () => embeddingColumns;

async function reuseAccuracy(user: User, island: CatalogSearchIsland, method: ReuseMethod): Promise<{ accuracy: number; learnwares: string[] }> {
  const choice = defaultLearnwares(island, method);
  const chosen = choice.refs.map((r) => learnwares.get(r.id)!);
  const { predictions } = await reuseLearnwares({
    method,
    learnwares: chosen,
    weights: choice.weights,
    values: user.data.embedding!.values,
    rows: user.data.rows,
    columns: columns(),
    texts: user.data.texts,
  });
  return { accuracy: accuracy(predictions, user.labels), learnwares: chosen.map((l) => l.id) };
}

// ---- 1. the protocol -------------------------------------------------------------------------

const holdout = (JSON.parse(readFileSync(join(holdoutDir, 'index.json'), 'utf8')) as { entries: TextHoldoutEntry[] }).entries;
const users = quick ? holdout.filter((_, i) => i % 4 === 0) : holdout;
const curveUsers = users.filter((_, i) => i % CURVE_STRIDE === 0).length;
const protocol: Record<string, unknown>[] = [];
const curves: { user: string; n: number; labelled: number; seed: number; pruning: number; scratch: number; members: number }[] = [];
for (const entry of users) {
  const user = await loadUser(entry);
  log(`${user.id}: loaded`);
  const t0 = performance.now();
  const [island] = (await searchCatalog({ index, fetchFn, base, backend, data: user.data })).filter((i) => i.island === textIsland.id);
  if (!island) fail(`${user.id}: the search did not reach the text island`);
  const searchMs = performance.now() - t0;
  log(`  search ${searchMs.toFixed(0)} ms`);
  const each = new Map<string, number>();
  const outputs: Predictions[] = [];
  for (const lw of all) {
    outputs.push(await predictLearnware(lw, user.data.embedding!.values, user.data.rows, columns(), { texts: user.data.texts }));
    each.set(lw.id, accuracy(outputs.at(-1)!, user.labels));
  }
  const accs = [...each.values()];
  const market = mean(accs);
  const [bestId, best] = [...each].reduce((a, b) => (b[1] > a[1] ? b : a));
  const top1Id = island.singles[0].id;
  const top1 = each.get(top1Id)!;
  log(`  every learnware ${(performance.now() - t0 - searchMs).toFixed(0)} ms`);
  log(`  job selector over ${defaultLearnwares(island, 'job-selector').refs.length} learnwares, averaging over ${defaultLearnwares(island, 'average').refs.length}`);
  const job = await reuseAccuracy(user, island, 'job-selector');
  log(`  job selector ${(performance.now() - t0 - searchMs).toFixed(0)} ms`);
  const averaging = await reuseAccuracy(user, island, 'average');
  const recommended = recommendedReuseMethod({ recommended: island.recommended, hasLabels: false });
  const rec = recommended === 'single' ? { accuracy: top1, learnwares: [top1Id] } : await reuseAccuracy(user, island, recommended);
  // identification: does the top-1 cover both of the user's superclasses (its id names them)?
  const covers = (id: string) => user.superclasses.every((s) => id.includes(`-${s}-`) || id.startsWith(`brown-${s}-`));
  const coveringRanks = island.singles.flatMap((s, i) => (covers(s.id) ? [i + 1] : []));
  const gap = (x: number) => (x - market) / (best - market);
  const row = {
    user: user.id,
    rows: user.data.rows,
    languages: user.data.languages,
    searchMs: Math.round(searchMs),
    market,
    best,
    bestId,
    top1,
    top1Id,
    top1Covers: covers(top1Id),
    coveringInTop15: coveringRanks.filter((r) => r <= 15).length,
    jobSelector: job.accuracy,
    averaging: averaging.accuracy,
    averagingLearnwares: averaging.learnwares,
    recommended,
    recommendedAccuracy: rec.accuracy,
    searchRecommended: island.recommended,
    top1Score: island.singles[0].score,
    gap: { top1: gap(top1), jobSelector: gap(job.accuracy), averaging: gap(averaging.accuracy), recommended: gap(rec.accuracy) },
  };
  protocol.push(row);
  log(
    `${user.id}: market ${market.toFixed(3)}, best ${best.toFixed(3)} (${bestId}), top-1 ${top1.toFixed(3)} (${top1Id}${row.top1Covers ? '' : ', misses a superclass'}), job selector ${job.accuracy.toFixed(3)}, averaging ${averaging.accuracy.toFixed(3)}, recommended ${recommended} ${rec.accuracy.toFixed(3)}; covering learnwares among the top 15: ${row.coveringInTop15}`,
  );

  // ---- 2. labelled-data curve on this user: the evaluation's split and rows (reuse/evaluate.ts),
  // ensemble pruning over every text learnware and the from-scratch head; the other methods are
  // left out (the job selector over 50 specs trains for minutes)
  const aligned = alignOutputs(outputs);
  const task = commonTask(aligned);
  const targets = encodeTargets(user.labels, task.kind, task.classes);
  const x = user.data.embedding!.values;
  const d = user.data.embedding!.dim;
  const pruning = reuseMethod('ensemble-pruning');
  const hit = (p: Predictions, y: Float64Array) => {
    const C = p.classes!.length;
    let right = 0;
    for (let r = 0; r < p.rows; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (p.values[r * C + c] > p.values[r * C + best]) best = c;
      if (best === y[r]) right++;
    }
    return right / p.rows;
  };
  const sizes = SIZES.filter((_, i) => i === 0 || SIZES[i - 1] < Math.round(user.data.rows * 0.7));
  if (users.indexOf(entry) % CURVE_STRIDE !== 0) continue;
  for (const n of quick ? sizes.slice(0, 1) : sizes) {
    for (let seed = 0; seed < SEEDS; seed++) {
      const { train, test } = splitRows(user.data.rows, n, 0.3, seed);
      const xTrain = gatherRows(x, d, train);
      const xTest = gatherRows(x, d, test);
      const yTrain = Float64Array.from(train, (r) => targets[r]);
      const yTest = Float64Array.from(test, (r) => targets[r]);
      const outTrain = aligned.map((o) => selectRows(o, train));
      const outTest = aligned.map((o) => selectRows(o, test));
      const labels = { rows: Int32Array.from(train, (_, i) => i), targets: yTrain };
      const fitted = pruning.fit({ outputs: outTrain, rows: train.length, d, x: () => xTrain, specs: all.map((lw) => lw.spec), labels, task, seed });
      const members = fitted.members ?? aligned.map((_, i) => i);
      const pruned = pruning.predict(fitted.state, { outputs: members.map((i) => outTest[i]), weights: fitted.weights, rows: test.length, d, x: () => xTest });
      const scratch = applyLinearHead(fitLinearHead(xTrain, train.length, d, [], yTrain, task), xTest, test.length, d, []);
      curves.push({ user: user.id, n, labelled: train.length, seed, pruning: hit(pruned, yTest), scratch: hit(scratch, yTest), members: members.length });
    }
  }
  log(`  curve done ${(performance.now() - t0).toFixed(0)} ms`);
}

const protocolSummary = summariseProtocol(protocol);
// the results file keeps its shape: the means in `summary`, the gap shares beside them
const { gapRecovered: gaps, users: _users, ...summary } = protocolSummary;
log(describeSummary('mean', protocolSummary, { top1: '≥ 80 %', recommended: '≥ 90 %' }));
const curve = curveMeans(curves);
for (const c of curve) log(`labelled ${c.n} (used ${c.labelledMean.toFixed(0)}): ensemble pruning ${c.pruning.toFixed(3)}, from scratch ${c.scratch.toFixed(3)}`);

// ---- 3. throughput, spec times, page bytes ---------------------------------------------------

const { passages } = demoTextData(ROOT);
const corpus = passages.map((p) => p.text);
let t = performance.now();
embedTexts(vectors, corpus);
const embedSeconds = (performance.now() - t) / 1000;
const textsPerSecond = corpus.length / embedSeconds;
log(`embedding: ${corpus.length} passages in ${embedSeconds.toFixed(2)} s (${textsPerSecond.toFixed(0)} texts/s)`);
// 10,000 texts: the corpus's passages, then again from the start (duplicates change k-means little)
const tenK = Array.from({ length: SPEC_TEXTS }, (_, i) => corpus[i % corpus.length]);
const tenKData: TextDataset = { ...embedTextDataset(vectors, textDataset(tenK)), languages: ['en'] };
const specTimes: { backend: string; seconds: number }[] = [];
for (const name of ['ts', 'wasm', 'cpu'] as BackendName[]) {
  const b = await backendOf(name);
  t = performance.now();
  await textSpecType.build(b, tenKData, {});
  specTimes.push({ backend: name, seconds: (performance.now() - t) / 1000 });
  log(`text spec of ${SPEC_TEXTS} texts on ${name}: ${specTimes.at(-1)!.seconds.toFixed(2)} s`);
}

// the embeddings' squared-distance scale: γ = 0.1 means k = exp(−0.1 · d²)
const sq: number[] = [];
const e = tenKData.embedding!;
for (let k = 0; k < 2000; k++) {
  const i = (k * 7919) % corpus.length;
  const j = (k * 104729 + 13) % corpus.length;
  let s = 0;
  for (let f = 0; f < e.dim; f++) s += (e.values[i * e.dim + f] - e.values[j * e.dim + f]) ** 2;
  sq.push(s);
}
sq.sort((a, b) => a - b);
const medianSq = sq[sq.length >> 1];
log(`median squared distance between two passages' embeddings: ${medianSq.toFixed(3)} (γ·d² at γ = 0.1: ${(0.1 * medianSq).toFixed(3)})`);

let pageBytes: Record<string, unknown> | null = null;
if (!quick) {
  const out = mkdtempSync(join(tmpdir(), 'lwd-text-bench-dist-'));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    const files: Record<string, { bytes: number; gzip: number }> = {};
    const add = (rel: string) => {
      const bytes = readFileSync(join(out, rel));
      files[rel.replace(/-[A-Za-z0-9_-]{8}(\.[a-z]+)$/, '-*$1')] = { bytes: bytes.length, gzip: gzipSync(bytes).length };
    };
    for (const f of readdirSync(join(out, 'assets'))) if (/^(lid\.176|fastText\.common|common)-/.test(f)) add(join('assets', f));
    if (existsSync(join(out, 'embedders'))) for (const f of readdirSync(join(out, 'embedders'))) add(join('embedders', f));
    const total = Object.values(files).reduce((s, f) => s + f.bytes, 0);
    const gzip = Object.values(files).reduce((s, f) => s + f.gzip, 0);
    pageBytes = { files, total, gzip, distBytes: dirBytes(out) };
    log(`page bytes for text: ${total.toLocaleString('en')} (${gzip.toLocaleString('en')} gzip) in ${Object.keys(files).length} files`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((s, d) => s + (d.isDirectory() ? dirBytes(join(dir, d.name)) : statSync(join(dir, d.name)).size), 0);
}

const results = {
  date: new Date().toISOString(),
  machine: machineInfo(),
  backend: backend.name,
  quick,
  seeds: SEEDS,
  curveUsers,
  catalog: { island: textIsland.id, learnwares: all.length, users: protocol.length },
  reference20Newsgroups: { market: 0.507, best: 0.859, top1: 0.846, jobSelector: 0.845, averaging: 0.862 },
  summary,
  gapRecovered: gaps,
  protocol,
  curve,
  curves,
  embedding: { texts: corpus.length, seconds: embedSeconds, textsPerSecond },
  specTimes: { texts: SPEC_TEXTS, rows: specTimes },
  medianSquaredDistance: medianSq,
  pageBytes,
  seconds: (performance.now() - started) / 1000,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', quick ? 'text-quick.json' : 'text.json');
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
log(`wrote ${file} (${results.seconds.toFixed(0)} s)`);
