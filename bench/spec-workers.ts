/**
 * The worker section of bench:spec (docs/parallel.md §5): the table spec of 100k × 50 (seeded
 * Gaussian mixture, scale std, K = 100), the image spec of 5,000 Fashion-MNIST test images (K = 50)
 * and the text spec of 20,000 Brown passages (GloVe embeddings, d = 100, K = 100), each on tfjs
 * WASM alone, on a pool of 1 lane and on a pool of 2 lanes, in Node (worker threads) and in
 * Chromium (Web Workers), all in one run. Every spec is compared with the one WASM alone built
 * in the same place: the pool must give the same bytes. Each time is the faster of two runs; lane
 * start-up is timed apart from the spec. Last, the machine's ceiling: the same WASM matrix-product
 * loop in one process, then in two at once (bench/wasm-ceiling.ts).
 * Writes bench/results/spec-workers.json (spec-workers-quick.json with --quick: 20k rows, 1,000
 * images, 5,000 texts).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildTableRkme,
  embedTextDataset,
  imageDataset,
  resolveBackend,
  serializeStatSpec,
  specTypesFor,
  textDataset,
  textSpecType,
  type ComputeBackend,
  type StatSpec,
  type TextDataset,
} from '../src/engine/index.js';
import { startNodePool } from '../src/cli/kernel-pool.js';
import { NODE_WASM_PATHS } from '../src/cli/node-backend.js';
import { demoTextData, loadDemoEmbedder } from '../scripts/build-demo-text.js';
import { CHROMIUM_ARGS } from '../tests/chromium.js';
import { fashionTest, SIDE } from '../tests/helpers/images.js';
import { gaussianMixture } from '../tests/shared/synthetic.js';
import type { BrowserSpecRun } from './browser-runner.js';
import { machineInfo } from './machine.js';
import { openRunnerPage } from './runner-page.js';

type Job = 'table' | 'image' | 'text';

interface WorkerRow {
  job: Job;
  size: string;
  where: 'node' | 'chromium';
  /** 0 = the backend alone on the calling thread */
  workers: number;
  seconds: number | null;
  startSeconds: number;
  /** the same stat.json as the backend alone, in the same place */
  identical: boolean | null;
  error?: string;
}

const SEED = 1;

export async function runWorkerBench(root: string, quick: boolean): Promise<void> {
  const tableRows = quick ? 20_000 : 100_000;
  const imageCount = quick ? 1_000 : 5_000;
  const textCount = quick ? 5_000 : 20_000;
  const D = 50;

  const fashion = fashionTest();
  const pixels = fashion.pixels.subarray(0, imageCount * SIDE * SIDE);
  const images = Array.from({ length: imageCount }, (_, i) => ({ width: SIDE, height: SIDE, channels: 1 as const, pixels: pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE) }));
  const imageData = imageDataset(
    images,
    images.map((_, i) => `${i}.png`),
  );
  const vectors = loadDemoEmbedder(root);
  const passages = demoTextData(root).passages.map((p) => p.text);
  const texts = Array.from({ length: textCount }, (_, i) => passages[i % passages.length]);
  const textData: TextDataset = { ...embedTextDataset(vectors, textDataset(texts)), languages: ['en'] };
  const table = gaussianMixture(tableRows, D, 20, SEED);

  const sizes: Record<Job, string> = { table: `${tableRows} × ${D}`, image: `${imageCount} images ${SIDE}×${SIDE}`, text: `${textCount} texts, d = ${textData.embedding!.dim}` };
  const builds: Record<Job, (b: ComputeBackend) => Promise<{ spec: StatSpec }>> = {
    table: (b) => buildTableRkme(b, table, tableRows, D, { scale: 'std' }),
    image: (b) => specTypesFor('image')[0].build(b, imageData, {}),
    text: (b) => textSpecType.build(b, textData, {}),
  };

  const rows: WorkerRow[] = [];
  const { backend: wasm } = await resolveBackend({ preference: ['wasm'], wasmPaths: NODE_WASM_PATHS });
  for (const job of ['table', 'image', 'text'] as Job[]) {
    let reference = '';
    for (const workers of [0, 1, 2]) {
      let t = performance.now();
      const backend = workers === 0 ? wasm : await startNodePool(workers, 'wasm', NODE_WASM_PATHS);
      const startSeconds = (performance.now() - t) / 1000;
      // the faster of two runs: the first pays for compiling the code on this thread or lane
      let seconds = Infinity;
      let spec: StatSpec | undefined;
      for (let run = 0; run < 2; run++) {
        t = performance.now();
        spec = (await builds[job](backend)).spec;
        seconds = Math.min(seconds, (performance.now() - t) / 1000);
      }
      if (workers > 0) backend.dispose();
      const json = serializeStatSpec(spec!);
      if (workers === 0) reference = json;
      rows.push({ job, size: sizes[job], where: 'node', workers, seconds, startSeconds, identical: json === reference });
      log(rows.at(-1)!);
    }
  }

  const browser = await runChromium(root, { tableRows, D, pixels, imageCount, textData }, sizes, rows);
  const ceiling = await machineCeiling(root);
  console.log(
    `ceiling: one WASM matmul loop ${ceiling.aloneMs.toFixed(0)} ms; two at once ${ceiling.togetherMs.map((m) => m.toFixed(0)).join(' and ')} ms: ${ceiling.speedup.toFixed(2)}× the work per second`,
  );
  const result = { benchmark: 'spec-workers', machine: machineInfo(), browser, backend: 'tfjs wasm (SIMD, one thread per lane)', ceiling, rows, speedups: speedups(rows) };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', quick ? 'spec-workers-quick.json' : 'spec-workers.json'), JSON.stringify(result, null, 2) + '\n');
  for (const s of result.speedups) console.log(`${s.where} ${s.job}: 2 workers ${s.twoVsAlone.toFixed(2)}× WASM alone, ${s.twoVsOne.toFixed(2)}× 1 worker`);
}

async function runChromium(
  root: string,
  data: { tableRows: number; D: number; pixels: Uint8Array; imageCount: number; textData: TextDataset },
  sizes: Record<Job, string>,
  rows: WorkerRow[],
): Promise<Record<string, unknown>> {
  const { page, browser, close } = await openRunnerPage(root, 4392);
  try {
    const embedding = data.textData.embedding!;
    const payload: Record<Job, Record<string, unknown>> = {
      table: { rows: data.tableRows, d: data.D },
      image: { rows: data.imageCount, d: SIDE, data: Buffer.from(data.pixels).toString('base64') },
      text: {
        rows: data.textData.rows,
        d: embedding.dim,
        data: Buffer.from(embedding.values.buffer, embedding.values.byteOffset, embedding.values.byteLength).toString('base64'),
        embedder: embedding.embedder,
      },
    };
    for (const job of ['table', 'image', 'text'] as Job[]) {
      let reference = '';
      for (const workers of [0, 1, 2]) {
        const run = (await page.evaluate((config) => (globalThis as unknown as { runPoolSpecBench: (c: unknown) => Promise<unknown> }).runPoolSpecBench(config), {
          job,
          workers,
          seed: SEED,
          ...payload[job],
        })) as BrowserSpecRun & { startMs: number };
        if (workers === 0) reference = run.json;
        rows.push({
          job,
          size: sizes[job],
          where: 'chromium',
          workers,
          seconds: run.error ? null : run.ms / 1000,
          startSeconds: run.startMs / 1000,
          identical: run.error ? null : run.json === reference,
          error: run.error,
        });
        log(rows.at(-1)!);
      }
    }
    return { chromium: browser.version(), flags: CHROMIUM_ARGS, hardwareConcurrency: await page.evaluate(() => navigator.hardwareConcurrency) };
  } finally {
    await close();
  }
}

/**
 * What two cores give tfjs WASM's matrix products here, pool or no pool: the same loop
 * (bench/wasm-ceiling.ts) in one process, then in two processes at once.
 */
async function machineCeiling(root: string) {
  const loop = () =>
    new Promise<number>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', join(root, 'bench', 'wasm-ceiling.ts')], { cwd: root }, (error, stdout) =>
        error ? reject(error) : resolve((JSON.parse(stdout.trim().split('\n').at(-1)!) as { ms: number }).ms),
      ),
    );
  const aloneMs = await loop();
  const togetherMs = await Promise.all([loop(), loop()]);
  return { aloneMs, togetherMs, speedup: (2 * aloneMs) / Math.max(...togetherMs) };
}

function speedups(rows: WorkerRow[]) {
  const out: { where: string; job: Job; twoVsAlone: number; twoVsOne: number }[] = [];
  for (const where of ['node', 'chromium'] as const) {
    for (const job of ['table', 'image', 'text'] as Job[]) {
      const at = (w: number) => rows.find((r) => r.where === where && r.job === job && r.workers === w)?.seconds ?? NaN;
      out.push({ where, job, twoVsAlone: at(0) / at(2), twoVsOne: at(1) / at(2) });
    }
  }
  return out;
}

function log(row: WorkerRow): void {
  process.stderr.write(
    `${row.where} ${row.job} (${row.size}) ${row.workers === 0 ? 'alone' : `${row.workers} worker${row.workers > 1 ? 's' : ''}`}: ` +
      `${row.seconds?.toFixed(2) ?? '-'} s (+${row.startSeconds.toFixed(2)} s start)${row.identical === false ? ' DIFFERENT SPEC' : ''}${row.error ? ` ${row.error}` : ''}\n`,
  );
}
