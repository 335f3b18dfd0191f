/**
 * npm run bench:catalog — time to pack and check one learnware (n = 10k and 100k training rows,
 * d = 10, tfjs-wasm backend), and to build a catalog of 1,000 and 10,000 learnwares (every bundle
 * checked, shards and index written in memory), with the bytes per learnware in the index and the
 * shards. Then the CLI's `catalog build` of 10,000 learnwares written to a folder, three ways, each
 * timed from start to exit: `--threads 1`, `--threads 2`, and `--part 1/2` and `--part 2/2` (one
 * thread each) at once followed by `catalog merge` (the fan-out's whole wall time); the three
 * catalogs must be the same bytes. Writes bench/results/catalog.json and prints a table.
 * Options: --quick (1,000 only), --size N (learnwares of the CLI builds; default 10,000, 1,000
 * with --quick).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  buildCatalog,
  buildTableRkme,
  CATALOG_INDEX,
  checkBundle,
  exportDenseOnnx,
  packBundle,
  Prng,
  resolveBackend,
  type RkmeTableSpec,
  type SemanticSpec,
} from '../src/engine/index.js';
import { gaussianMixture } from '../tests/shared/synthetic.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { machineInfo } from './machine.js';
import { flag, option } from './options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'learnware-dock.js');
const quick = flag('quick');
const cliSize = Number(option('size') ?? (quick ? 1_000 : 10_000));
if (!Number.isInteger(cliSize) || cliSize < 2) throw new Error(`--size must be an integer ≥ 2, got ${option('size')}`);
const D = 10;
const FEATURES = Array.from({ length: D }, (_, i) => `f${i}`);
const MODEL = exportDenseOnnx({ layers: [{ inputs: D, outputs: 3, weights: new Float32Array(D * 3).map((_, i) => Math.sin(i)), bias: new Float32Array(3) }], output: 'softmax' });

function semantic(name: string): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Table'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Industry'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `Synthetic benchmark learnware ${name}.` },
    Input: { Dimension: D, Description: Object.fromEntries(FEATURES.map((f, i) => [String(i), f])) },
    Output: { Dimension: 3, Description: { '0': 'a', '1': 'b', '2': 'c' } },
  };
}

function pack(id: string, spec: RkmeTableSpec) {
  return packBundle({
    id,
    name: id,
    semantic: semantic(`bench ${id}`),
    model: MODEL,
    input: { name: 'input', features: FEATURES },
    output: { name: 'output', kind: 'probabilities', classes: ['a', 'b', 'c'], width: 3 },
    spec,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
}

const wasmPaths = NODE_WASM_PATHS;
const { backend } = await resolveBackend({ preference: ['wasm'], wasmPaths });
const rows: Record<string, unknown>[] = [];

for (const n of [10_000, 100_000]) {
  const x = gaussianMixture(n, D, 10, 3);
  let t = performance.now();
  const { spec } = await buildTableRkme(backend, x, n, D, { scale: 'std' });
  const specSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const { bundle } = await pack('single', spec);
  const packSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const result = await checkBundle(bundle);
  const checkSeconds = (performance.now() - t) / 1000;
  if (result.status !== 'USABLE') throw new Error(`bench bundle is ${result.status}`);
  rows.push({ task: 'pack + check one learnware', n, d: D, specSeconds, packSeconds, checkSeconds, bundleBytes: bundle.length });
  console.error(`n=${n}: spec ${specSeconds.toFixed(2)} s, pack ${packSeconds.toFixed(3)} s, check ${checkSeconds.toFixed(3)} s, ${bundle.length} bytes`);
}

/** `count` distinct learnwares: seeded random specs (K = 30) over one shared model. */
async function generateBundles(count: number): Promise<{ file: string; bytes: Uint8Array }[]> {
  const prng = new Prng(count);
  const bundles: { file: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const K = 30;
    const beta = new Float64Array(K).map(() => prng.nextFloat() + 0.1);
    const total = beta.reduce((s, v) => s + v, 0);
    const spec: RkmeTableSpec = {
      type: 'RKMETableSpecification',
      K,
      d: D,
      gamma: 0.1,
      numPoints: 1000 + i,
      z: new Float64Array(K * D).map(() => prng.nextNormal() * 2 + (i % 7)),
      beta: beta.map((b) => b / total),
      scale: new Float64Array(D).fill(1),
      scaleSource: 'std',
      featureNames: FEATURES,
      provenance: null,
    };
    bundles.push({ file: `${i}.zip`, bytes: (await pack(`lw-${String(i).padStart(6, '0')}`, spec)).bundle });
  }
  return bundles;
}

for (const count of quick ? [1_000] : [1_000, 10_000]) {
  let t = performance.now();
  const bundles = await generateBundles(count);
  const generateSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const { index, files, rejected } = await buildCatalog(bundles);
  const buildSeconds = (performance.now() - t) / 1000;
  const indexBytes = files.get(CATALOG_INDEX)!.length;
  const shardBytes = index.islands.reduce((s, i) => s + (i.shard?.size ?? 0), 0);
  const bundleBytes = bundles.reduce((s, b) => s + b.bytes.length, 0);
  rows.push({
    task: 'catalog build (check every bundle)',
    learnwares: count,
    rejected: rejected.length,
    generateSeconds,
    buildSeconds,
    perLearnwareMs: (buildSeconds * 1000) / count,
    indexBytesPerLearnware: indexBytes / count,
    shardBytesPerLearnware: shardBytes / count,
    bundleBytesPerLearnware: bundleBytes / count,
  });
  console.error(
    `catalog of ${count}: build ${buildSeconds.toFixed(1)} s (${((buildSeconds * 1000) / count).toFixed(1)} ms each), index ${(indexBytes / count).toFixed(0)} B/learnware, shards ${(shardBytes / count).toFixed(0)} B/learnware`,
  );
}

/** Runs the CLI to its exit (the creation time fixed, so the three ways' catalogs can be compared) and returns its wall seconds. */
async function cli(...args: string[]): Promise<number> {
  const t = performance.now();
  await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600' }, maxBuffer: 64 * 2 ** 20 });
  return (performance.now() - t) / 1000;
}

// the CLI build of a folder: one thread, two threads, two parts at once and their merge
{
  const dir = mkdtempSync(join(tmpdir(), 'lwd-bench-catalog-'));
  try {
    const folder = join(dir, 'bundles');
    mkdirSync(folder);
    // zero-padded names: the folder's name order is the generation order
    for (const [i, b] of (await generateBundles(cliSize)).entries()) writeFileSync(join(folder, `${String(i).padStart(6, '0')}.zip`), b.bytes);
    const load = loadavg()[0];
    const oneThread = await cli('catalog', 'build', folder, '--out', join(dir, 'one'), '--threads', '1');
    const twoThreads = await cli('catalog', 'build', folder, '--out', join(dir, 'two'), '--threads', '2');
    const t = performance.now();
    const partSeconds = await Promise.all([1, 2].map((i) => cli('catalog', 'build', folder, '--part', `${i}/2`, '--out', join(dir, `part-${i}`), '--threads', '1')));
    const mergeSeconds = await cli('catalog', 'merge', join(dir, 'part-1'), join(dir, 'part-2'), '--out', join(dir, 'merged'));
    const fanOut = (performance.now() - t) / 1000;
    const index = (name: string) => readFileSync(join(dir, name, CATALOG_INDEX));
    // the index names every other file by its SHA-256: equal indexes, equal catalogs
    for (const other of ['two', 'merged']) if (!index(other).equals(index('one'))) throw new Error(`the ${other} catalog differs from the one-thread catalog`);
    rows.push({
      task: 'CLI catalog build of a folder (wall time, start to exit)',
      learnwares: cliSize,
      loadAverageAtStart: load,
      oneThreadSeconds: oneThread,
      twoThreadsSeconds: twoThreads,
      twoPartsAndMergeSeconds: fanOut,
      partSeconds,
      mergeSeconds,
      speedupTwoThreads: oneThread / twoThreads,
      speedupTwoParts: oneThread / fanOut,
    });
    console.error(
      `CLI build of ${cliSize}: 1 thread ${oneThread.toFixed(1)} s, 2 threads ${twoThreads.toFixed(1)} s (×${(oneThread / twoThreads).toFixed(2)}), ` +
        `2 parts at once + merge ${fanOut.toFixed(1)} s (parts ${partSeconds.map((s) => s.toFixed(1)).join(', ')} s, merge ${mergeSeconds.toFixed(1)} s; ×${(oneThread / fanOut).toFixed(2)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'catalog.json'), JSON.stringify({ benchmark: 'catalog', machine: machineInfo(), backend: backend.name, rows }, null, 2) + '\n');
console.table(rows);
