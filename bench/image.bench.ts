/**
 * npm run bench:image — the reference's image protocol on the demo image catalog (docs/image.md §6):
 * the 50 Fashion-MNIST learnwares of public/catalog and the protocol's 100 users (300 test images
 * each, 6 classes in 0.3/0.3/0.1×4; scripts/demo-image-sources.ts draws the same users every run).
 *  1. Per user, accuracy of: the mean over every image learnware ("mean in market"), the oracle best
 *     learnware on that user, the search's top-1 single, the job selector and averaging on the
 *     learnwares the reuse registry chooses from the search, and the method the registry recommends
 *     without labels; the gap recovered (x − mean) / (best − mean). Every learnware is run once on the
 *     10,000 test images (a user's predictions are its rows of those); search and reuse run per user,
 *     the job selector (it trains for ~20–40 s a user here) on every JOB_STRIDE-th user only, and the
 *     summary gives every method on those users as well.
 *  2. Labelled-data curve: larger users (3,000 test images, as the reference's; group "curve"), the
 *     evaluation's split (reuse/evaluate.ts splitRows: 30 % tested) with n labelled images, n capped by
 *     what the user has; ensemble pruning over every image learnware against the from-scratch head on
 *     the user's ψ features.
 *  3. Spec time for 1,000 and 5,000 images per Node backend (ts, cpu, wasm), images per second of
 *     reuse (a learnware on 10,000 images) and of ψ, and the FLOP of one spec counted from the
 *     network's shapes (ψ of every image + k-means), against the reference's ≈ 3.5·10^15 per spec.
 * Writes bench/results/image.json (image-quick.json with --quick: 2 users, one curve user at n = 100, 1,000
 * images per spec only; image-protocol.json with --protocol: section 1 alone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  alignOutputs,
  applyLinearHead,
  commonTask,
  defaultLearnwares,
  encodeTargets,
  fetchBundles,
  fitLinearHead,
  gatherRows,
  imageFeatureNames,
  imageFeatures,
  loadCatalogIndex,
  loadLearnware,
  predictLearnware,
  recommendedReuseMethod,
  resolveBackend,
  reuseLearnwares,
  reuseMethod,
  searchCatalog,
  selectRows,
  specTypesFor,
  splitRows,
  type BackendName,
  type CatalogSearchIsland,
  type ImageDataset,
  type Learnware,
  type Predictions,
  type ReuseMethod,
} from '../src/engine/index.js';
import { RKME_IMAGE_TYPE } from '../src/engine/spec/image/types.js';
import { imageNetwork, IMAGE_FEATURE_DIM, IMAGE_GAMMA } from '../src/engine/spec/image/features.js';
import { SPEC_IMAGE_SIZE } from '../src/engine/data/image.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { directoryFetch } from '../tests/shared/identification.js';
import { demoImageData, IMAGE_K, partyDataset } from '../scripts/build-demo-image.js';
import { DEVELOPER_IMAGES, FASHION_CLASSES, imageUsers, type ImageParty } from '../scripts/demo-image-sources.js';
import { machineInfo } from './machine.js';
import { curveMeans, describeSummary, summariseProtocol } from './protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
/** --protocol: section 1 only (no curve, no spec times), written to image-protocol.json */
const protocolOnly = argv.includes('--protocol');
const SEEDS = 1;
const SIZES = [100, 200, 500, 1000, 2000, 4000];
const CURVE_USERS = protocolOnly ? 0 : quick ? 1 : 2;
/** the job selector (and the recommendation when it is the job selector) runs on every JOB_STRIDE-th user: it trains for ~30 s a user here */
const JOB_STRIDE = quick ? 1 : 10;
const CURVE_IMAGES = 3000;
const SPEC_SIZES = protocolOnly ? [] : quick ? [1000] : [1000, 5000];
/** the reference's FLOP per image spec (its ConvNet fitted per spec; docs/image.md §6) */
const REFERENCE_FLOP_PER_SPEC = 3.5e15;
const log = (line: string) => process.stdout.write(line + '\n');
const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const started = performance.now();

const catalogDir = join(ROOT, 'public', 'catalog');
if (!existsSync(join(ROOT, 'public', 'catalog-image-holdout', 'index.json'))) {
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
const fetchFn = directoryFetch(catalogDir);
const base = 'file:///catalog/';
const index = await loadCatalogIndex(fetchFn, base);
const imageIsland = index.islands.find((i) => i.type === RKME_IMAGE_TYPE) ?? fail('the demo catalog has no image island: rebuild it (npm run catalog:demo)');
const imageEntries = index.entries.filter((e) => e.island === imageIsland.id);
const learnwares = new Map<string, Learnware>();
for (const entry of imageEntries) {
  const [bytes] = await fetchBundles(fetchFn, base, [entry.bundle]);
  learnwares.set(entry.id, await loadLearnware(bytes));
}
const all = [...learnwares.values()];
log(`image island ${imageIsland.id}: ${all.length} learnwares`);

function fail(message: string): never {
  throw new Error(message);
}

const { data } = demoImageData();
const columns = imageFeatureNames(1);

// ---- every learnware once on the 10,000 test images --------------------------------------------

const testAll: ImageParty = { id: 'test', seedName: '', classes: [], counts: [], indices: Int32Array.from({ length: data.test.rows }, (_, i) => i) };
const testData = partyDataset(data.test, testAll);
let t = performance.now();
const psiAll = await imageFeatures(backend, testData);
const psiSeconds = (performance.now() - t) / 1000;
log(`ψ of ${data.test.rows} images on ${backend.name}: ${psiSeconds.toFixed(1)} s (${(data.test.rows / psiSeconds).toFixed(0)} images/s)`);
const testOutputs = new Map<string, Predictions>();
t = performance.now();
for (const lw of all) testOutputs.set(lw.id, await predictLearnware(lw, psiAll.values, data.test.rows, columns, { images: testData }));
const predictSeconds = (performance.now() - t) / 1000;
const reuseImagesPerSecond = (all.length * data.test.rows) / predictSeconds;
log(`${all.length} learnwares × ${data.test.rows} images: ${predictSeconds.toFixed(1)} s (${reuseImagesPerSecond.toFixed(0)} images/s through a model)`);

/** A user's images with their ψ rows (gathered from the test set's). */
function userData(user: ImageParty): { data: ImageDataset; labels: string[] } {
  const ds = partyDataset(data.test, user);
  const values = gatherRows(psiAll.values, IMAGE_FEATURE_DIM, Array.from(user.indices));
  return { data: { ...ds, features: { values, dim: IMAGE_FEATURE_DIM, network: psiAll.network } }, labels: ds.labels as string[] };
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

async function reuseAccuracy(user: { data: ImageDataset; labels: string[] }, island: CatalogSearchIsland, method: ReuseMethod): Promise<{ accuracy: number; learnwares: string[] }> {
  const choice = defaultLearnwares(island, method);
  const chosen = choice.refs.map((r) => learnwares.get(r.id)!);
  const { predictions } = await reuseLearnwares({
    method,
    learnwares: chosen,
    weights: choice.weights,
    values: user.data.features!.values,
    rows: user.data.rows,
    columns,
    images: user.data,
  });
  return { accuracy: accuracy(predictions, user.labels), learnwares: chosen.map((l) => l.id) };
}

// ---- 1. the protocol -------------------------------------------------------------------------

const { users: allUsers } = demoImageData();
const users = quick ? allUsers.slice(0, 2) : allUsers;
const protocol: Record<string, unknown>[] = [];
const timing = { searchMs: [] as number[], jobSelectorMs: [] as number[], averagingMs: [] as number[] };
for (const party of users) {
  const user = userData(party);
  const t0 = performance.now();
  const [island] = (await searchCatalog({ index, fetchFn, base, backend, data: user.data })).filter((i) => i.island === imageIsland.id);
  if (!island) fail(`${party.id}: the search did not reach the image island`);
  timing.searchMs.push(performance.now() - t0);
  const rows = Array.from(party.indices);
  const each = new Map<string, number>();
  for (const lw of all) each.set(lw.id, accuracy(selectRows(testOutputs.get(lw.id)!, rows), user.labels));
  const market = mean([...each.values()]);
  const [bestId, best] = [...each].reduce((a, b) => (b[1] > a[1] ? b : a));
  const top1Id = island.singles[0].id;
  const top1 = each.get(top1Id)!;
  const withJob = users.indexOf(party) % JOB_STRIDE === 0;
  let t1 = performance.now();
  const job = withJob ? await reuseAccuracy(user, island, 'job-selector') : null;
  if (withJob) timing.jobSelectorMs.push(performance.now() - t1);
  t1 = performance.now();
  const averaging = await reuseAccuracy(user, island, 'average');
  timing.averagingMs.push(performance.now() - t1);
  const recommended = recommendedReuseMethod({ recommended: island.recommended, hasLabels: false });
  const rec =
    recommended === 'single'
      ? { accuracy: top1, learnwares: [top1Id] }
      : recommended === 'average'
        ? averaging
        : recommended === 'job-selector'
          ? job
          : await reuseAccuracy(user, island, recommended);
  // identification: how many of the user's 6 classes the top-1 learnware knows
  const userClasses = party.classes.map((c) => FASHION_CLASSES[c] as string);
  const known = (id: string) => learnwares.get(id)!.manifest.model.output.classes!.filter((c) => userClasses.includes(c)).length;
  const gap = (x: number) => (x - market) / (best - market);
  const row = {
    user: party.id,
    classes: userClasses,
    rows: user.data.rows,
    searchMs: Math.round(timing.searchMs.at(-1)!),
    market,
    best,
    bestId,
    top1,
    top1Id,
    top1KnownClasses: known(top1Id),
    bestKnownClasses: known(bestId),
    jobSelector: job?.accuracy ?? null,
    jobSelectorLearnwares: job?.learnwares ?? null,
    averaging: averaging.accuracy,
    averagingLearnwares: averaging.learnwares,
    recommended,
    recommendedAccuracy: rec?.accuracy ?? null,
    searchRecommended: island.recommended,
    top1Score: island.singles[0].score,
    gap: { top1: gap(top1), jobSelector: job ? gap(job.accuracy) : null, averaging: gap(averaging.accuracy), recommended: rec ? gap(rec.accuracy) : null },
  };
  protocol.push(row);
  log(
    `${party.id}: market ${market.toFixed(3)}, best ${best.toFixed(3)} (${bestId}), top-1 ${top1.toFixed(3)} (${top1Id}, knows ${row.top1KnownClasses}/6), job selector ${job ? job.accuracy.toFixed(3) : '–'}, averaging ${averaging.accuracy.toFixed(3)} (${averaging.learnwares.length}), recommended ${recommended} ${rec ? rec.accuracy.toFixed(3) : '–'}; search ${row.searchMs} ms, job selector ${withJob ? timing.jobSelectorMs.at(-1)!.toFixed(0) : '–'} ms, averaging ${timing.averagingMs.at(-1)!.toFixed(0)} ms`,
  );
}

// every user: market, best, top-1, averaging; the job-selector users: all methods on the same users
const summaryAll = summariseProtocol(protocol);
const jobUsers = protocol.filter((r) => r.jobSelector !== null && r.recommendedAccuracy !== null);
const summaryJob = summariseProtocol(jobUsers);
log(describeSummary('every user', summaryAll));
log(describeSummary(`every ${JOB_STRIDE}th user, with the job selector`, summaryJob));

// ---- 2. labelled-data curve on larger users ------------------------------------------------------

const curves: { user: string; n: number; labelled: number; seed: number; pruning: number; scratch: number; members: number; pruningMs: number; scratchMs: number }[] = [];
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
for (const party of imageUsers(data.test, { count: CURVE_USERS, images: CURVE_IMAGES, group: 'curve' })) {
  const user = userData(party);
  const rows = Array.from(party.indices);
  const aligned = alignOutputs(all.map((lw) => selectRows(testOutputs.get(lw.id)!, rows)));
  const task = commonTask(aligned);
  const targets = encodeTargets(user.labels, task.kind, task.classes);
  const x = user.data.features!.values;
  const d = IMAGE_FEATURE_DIM;
  const sizes = SIZES.filter((_, i) => i === 0 || SIZES[i - 1] < Math.round(user.data.rows * 0.7));
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
      let t2 = performance.now();
      const fitted = pruning.fit({ outputs: outTrain, rows: train.length, d, x: () => xTrain, specs: all.map((lw) => lw.spec), labels, task, seed });
      const members = fitted.members ?? aligned.map((_, i) => i);
      const pruned = pruning.predict(fitted.state, { outputs: members.map((i) => outTest[i]), weights: fitted.weights, rows: test.length, d, x: () => xTest });
      const pruningMs = performance.now() - t2;
      t2 = performance.now();
      const scratch = applyLinearHead(fitLinearHead(xTrain, train.length, d, [], yTrain, task), xTest, test.length, d, []);
      const scratchMs = performance.now() - t2;
      curves.push({ user: party.id, n, labelled: train.length, seed, pruning: hit(pruned, yTest), scratch: hit(scratch, yTest), members: members.length, pruningMs, scratchMs });
      log(`${party.id} n=${n} (${train.length} labelled): pruning ${curves.at(-1)!.pruning.toFixed(3)} (${members.length} members), from scratch ${curves.at(-1)!.scratch.toFixed(3)}`);
    }
  }
}
const curve = curveMeans(curves);
for (const c of curve) log(`labelled ${c.n} (used ${c.labelledMean.toFixed(0)}): ensemble pruning ${c.pruning.toFixed(3)}, from scratch ${c.scratch.toFixed(3)}`);

// ---- 3. spec times, FLOP -------------------------------------------------------------------------

const [imageSpecType] = specTypesFor('image');
const specTimes: { backend: string; images: number; seconds: number; K: number }[] = [];
for (const images of SPEC_SIZES) {
  // the first n training images (all 10 classes)
  const party: ImageParty = { id: 'spec', seedName: '', classes: [], counts: [], indices: Int32Array.from({ length: images }, (_, i) => i) };
  const ds = partyDataset(data.train, party);
  for (const name of ['wasm', 'cpu', 'ts'] as BackendName[]) {
    const b = await backendOf(name);
    t = performance.now();
    const { report } = await imageSpecType.build(b, ds, { K: IMAGE_K } as object);
    specTimes.push({ backend: name, images, seconds: (performance.now() - t) / 1000, K: (report as { K?: number }).K ?? IMAGE_K });
    log(`image spec of ${images} images on ${name}: ${specTimes.at(-1)!.seconds.toFixed(2)} s`);
  }
}

/** ψ's FLOP per image (multiply-adds × 2; ReLU and pooling counted as one each) on C×32×32. */
function psiFlopPerImage(channels: 1 | 3): number {
  let flop = 0;
  let side = SPEC_IMAGE_SIZE;
  for (const layer of imageNetwork(channels).layers) {
    flop += 2 * layer.outChannels * layer.inChannels * 9 * side * side + 2 * layer.outChannels * side * side;
    side /= 2;
  }
  return flop;
}
/** k-means on ψ (the reference's and ours: assignment distances, n·K·d multiply-adds per iteration), at most 100 iterations */
const kmeansFlop = (n: number) => 100 * 2 * n * IMAGE_K * IMAGE_FEATURE_DIM;
const flop = [...new Set([DEVELOPER_IMAGES, ...SPEC_SIZES])].map((n) => ({
  images: n,
  psi: n * psiFlopPerImage(1),
  kmeans: kmeansFlop(n),
  total: n * psiFlopPerImage(1) + kmeansFlop(n),
}));
for (const f of flop)
  log(
    `FLOP of a spec of ${f.images} grey images: ψ ${f.psi.toExponential(2)} + k-means ≤ ${f.kmeans.toExponential(2)} = ${f.total.toExponential(2)} (reference ≈ ${REFERENCE_FLOP_PER_SPEC.toExponential(1)}: ${(REFERENCE_FLOP_PER_SPEC / f.total).toExponential(1)}×)`,
  );

const results = {
  date: new Date().toISOString(),
  machine: machineInfo(),
  backend: backend.name,
  quick,
  protocolOnly,
  gamma: IMAGE_GAMMA,
  seeds: SEEDS,
  catalog: { island: imageIsland.id, learnwares: all.length, users: protocol.length, curveUsers: CURVE_USERS, curveImages: CURVE_IMAGES },
  referenceCifar10: { market: 0.346, best: 0.688, top1: 0.534, jobSelector: 0.534, averaging: 0.676 },
  jobStride: JOB_STRIDE,
  summary: summaryAll,
  summaryWithJobSelector: summaryJob,
  timing: { searchMs: mean(timing.searchMs), jobSelectorMs: mean(timing.jobSelectorMs), averagingMs: mean(timing.averagingMs), predictAllSeconds: predictSeconds },
  protocol,
  curve,
  curves,
  throughput: { psiImagesPerSecond: data.test.rows / psiSeconds, reuseImagesPerSecond, learnwares: all.length, images: data.test.rows },
  specTimes,
  flop: { perImagePsi: psiFlopPerImage(1), specs: flop, referencePerSpec: REFERENCE_FLOP_PER_SPEC },
  seconds: (performance.now() - started) / 1000,
};
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const file = join(ROOT, 'bench', 'results', quick ? 'image-quick.json' : protocolOnly ? 'image-protocol.json' : 'image.json');
writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
log(`wrote ${file} (${results.seconds.toFixed(0)} s)`);
