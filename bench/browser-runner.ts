/**
 * Runs inside Chromium for the benchmarks: builds specs on the browser's backends (WebGPU, WASM)
 * from seeded synthetic data and hands the stat.json back to the Node driver, which evaluates
 * every spec the same way.
 */
import {
  buildTableRkme,
  imageDataset,
  specTypesFor,
  memoryFileCache,
  OnnxModel,
  parseStatSpec,
  resolveBackend,
  searchSketchIsland,
  serializeStatSpec,
  type BackendName,
  type ComputeBackend,
  type Island,
  type RkmeTableSpec,
  type EmbedderRef,
  type StatSpec,
  type TextDataset,
  textDataset,
  textSpecType,
  Prng,
} from '../src/engine/index.js';
import { imageNetwork } from '../src/engine/spec/image/index.js';
import { startPool } from '../workers/kernel-pool.js';
import { gaussianMixture } from '../tests/shared/synthetic.js';
import { TFJS_WASM_PATHS } from '../workers/wasm-paths.js';

export interface BrowserSpecRun {
  backend: BackendName;
  device: string;
  ms: number;
  json: string;
  error?: string;
}

const backends = new Map<BackendName, ComputeBackend>();

async function getBackend(name: BackendName): Promise<ComputeBackend> {
  let backend = backends.get(name);
  if (!backend) {
    backend = (
      await resolveBackend({
        preference: [name],
        allowSoftwareGpu: true,
        wasmPaths: TFJS_WASM_PATHS,
      })
    ).backend;
    backends.set(name, backend);
  }
  return backend;
}

async function runSpecBench(config: { backend: BackendName; n: number; d: number; seed: number; timeoutMs: number }): Promise<BrowserSpecRun> {
  const backend = await getBackend(config.backend);
  const x = gaussianMixture(config.n, config.d, 20, config.seed);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeoutMs);
  const started = performance.now();
  try {
    const { spec } = await buildTableRkme(backend, x, config.n, config.d, { scale: 'std', signal: controller.signal });
    return { backend: backend.name, device: backend.device, ms: performance.now() - started, json: serializeStatSpec(spec) };
  } catch (error) {
    return { backend: backend.name, device: backend.device, ms: performance.now() - started, json: '', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The image spec (docs/image.md §3) of `n` grey `side`×`side` images (base64 bytes, row-major) on
 * one backend, timed from the pixels to the spec; the stat.json goes back for the driver to compare
 * with the spec Node builds (bench/image-chromium.bench.ts).
 */
async function runImageSpecBench(config: { backend: BackendName; pixels: string; n: number; side: number; K: number; timeoutMs: number }): Promise<BrowserSpecRun> {
  const backend = await getBackend(config.backend);
  const bytes = Uint8Array.from(atob(config.pixels), (c) => c.charCodeAt(0));
  const size = config.side * config.side;
  const images = Array.from({ length: config.n }, (_, i) => ({ width: config.side, height: config.side, channels: 1 as const, pixels: bytes.subarray(i * size, (i + 1) * size) }));
  const data = imageDataset(
    images,
    images.map((_, i) => `${i}.png`),
  );
  const [imageType] = specTypesFor('image');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), config.timeoutMs);
  const started = performance.now();
  try {
    const { spec } = await imageType.build(backend, data, { K: config.K, signal: controller.signal } as object);
    return { backend: backend.name, device: backend.device, ms: performance.now() - started, json: serializeStatSpec(spec) };
  } catch (error) {
    return { backend: backend.name, device: backend.device, ms: performance.now() - started, json: '', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** One spec of bench/spec-workers.ts in this page: WASM alone (workers 0) or on a pool of lanes in Web Workers. */
async function runPoolSpecBench(config: {
  job: 'table' | 'image' | 'text';
  workers: number;
  /** table: rows × d of gaussianMixture(rows, d, 20, seed); image: n grey side×side images (base64); text: rows × dim embeddings (base64 Float64) */
  rows: number;
  d: number;
  seed: number;
  data?: string;
  embedder?: EmbedderRef;
}): Promise<BrowserSpecRun & { startMs: number }> {
  let started = performance.now();
  const backend = config.workers === 0 ? await getBackend('wasm') : await startPool('wasm', config.workers);
  const startMs = performance.now() - started;
  try {
    const bytes = config.data ? Uint8Array.from(atob(config.data), (c) => c.charCodeAt(0)) : new Uint8Array(0);
    let build: () => Promise<{ spec: StatSpec }>;
    if (config.job === 'table') {
      const x = gaussianMixture(config.rows, config.d, 20, config.seed);
      build = () => buildTableRkme(backend, x, config.rows, config.d, { scale: 'std' });
    } else if (config.job === 'image') {
      const size = config.d * config.d;
      const images = Array.from({ length: config.rows }, (_, i) => ({ width: config.d, height: config.d, channels: 1 as const, pixels: bytes.subarray(i * size, (i + 1) * size) }));
      const data = imageDataset(
        images,
        images.map((_, i) => `${i}.png`),
      );
      build = () => specTypesFor('image')[0].build(backend, data, {});
    } else {
      const values = new Float64Array(bytes.buffer, 0, config.rows * config.d);
      const data: TextDataset = {
        ...textDataset(Array.from({ length: config.rows }, () => '')),
        embedding: { values, dim: config.d, embedder: config.embedder!, emptyRows: 0 },
        languages: ['en'],
      };
      build = () => textSpecType.build(backend, data, {});
    }
    // the faster of two runs: the first pays for compiling the code in the page and the lanes
    let ms = Infinity;
    let spec: StatSpec | undefined;
    for (let run = 0; run < 2; run++) {
      started = performance.now();
      spec = (await build()).spec;
      ms = Math.min(ms, performance.now() - started);
    }
    return { backend: backend.name, device: backend.device, ms, startMs, json: serializeStatSpec(spec!) };
  } catch (error) {
    return { backend: backend.name, device: backend.device, ms: performance.now() - started, startMs, json: '', error: (error as Error).message };
  } finally {
    if (config.workers > 0) backend.dispose();
  }
}

/**
 * One backend operation timed in this page (bench/webgpu-ops.bench.ts): a warm-up call, then
 * `repeats` timed calls, each awaited to its data read; a digest of the result for the driver to
 * compare across backends.
 */
async function runOpBench(config: { backend: BackendName; op: 'nearestCenters' | 'kernelRowStats' | 'convFeatures' | 'gram'; repeats: number }) {
  const backend = await getBackend(config.backend);
  const points = gaussianMixture(config.op === 'kernelRowStats' ? 100_000 : 20_000, 50, 20, 1);
  const centers = gaussianMixture(100, 50, 20, 2);
  const rows = points.length / 50;
  const prng = new Prng(3);
  const images = Float32Array.from({ length: 512 * 32 * 32 }, () => prng.nextFloat());
  const resident = config.op === 'nearestCenters' || config.op === 'kernelRowStats' ? await backend.upload(points, rows, 50) : null;
  const once = async (): Promise<ArrayLike<number>> => {
    if (config.op === 'nearestCenters') return (await backend.nearestCenters(resident!, centers, 100)).index;
    if (config.op === 'kernelRowStats') return (await backend.kernelRowStats(centers, 100, resident!, 0.01, true)).sums;
    if (config.op === 'convFeatures') return backend.convFeatures(images, 512, { channels: 1, height: 32, width: 32 }, imageNetwork(1));
    return backend.gram(centers, 100, centers, 100, 50, 0.01);
  };
  try {
    let t = performance.now();
    await once();
    const warmupMs = performance.now() - t;
    const times: number[] = [];
    let last: ArrayLike<number> = [];
    for (let r = 0; r < config.repeats; r++) {
      t = performance.now();
      last = await once();
      times.push(performance.now() - t);
    }
    return { device: backend.device, warmupMs, times, digest: Array.from(last).slice(0, 2000) };
  } finally {
    resident?.dispose();
  }
}

Object.assign(globalThis, { runSpecBench, runImageSpecBench, runPoolSpecBench, runOpBench, benchReady: true });

/** Sketch search of a generated island (bench/search.bench.ts): one cold and one warm query. */
async function runSketchSearchBench(base: string, island: Island, userJson: string) {
  const user = parseStatSpec(userJson) as RkmeTableSpec;
  const cache = memoryFileCache();
  let t = performance.now();
  const cold = await searchSketchIsland(fetch.bind(globalThis), base, island, user, { cache, top: 10 });
  const coldMs = performance.now() - t;
  t = performance.now();
  await searchSketchIsland(fetch.bind(globalThis), base, island, user, { cache, top: 10 });
  const warmMs = performance.now() - t;
  const heapBytes = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  return { coldMs, warmMs, ids: cold.singles.map((s) => cold.cards[s.index]!.id), heapBytes };
}

Object.assign(globalThis, { runSketchSearchBench });

/**
 * Inference throughput of one ONNX model on an onnxruntime-web execution provider
 * (bench/reuse.bench.ts): load, one warm-up run, then timed runs of `rows` rows until `minMs` have
 * passed (at least `minRuns`, at most `maxRuns`). A provider that cannot be created or run is
 * reported as `error`, not thrown. Returns the first `sample` output values, so the driver can check
 * the provider computes what onnxruntime in Node does.
 */
async function runReuseThroughputBench(config: {
  model: string;
  input: string;
  rows: number;
  d: number;
  executionProvider: 'wasm' | 'webgpu';
  minMs: number;
  minRuns: number;
  maxRuns: number;
  sample: number;
}) {
  const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const inputBytes = decode(config.input);
  const input = new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4);
  let adapter: string | undefined;
  if (config.executionProvider === 'webgpu') {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    const found = gpu ? await gpu.requestAdapter() : null;
    adapter = found ? [found.info?.vendor, found.info?.architecture, found.info?.description].filter(Boolean).join(' / ') || 'unknown adapter' : 'no adapter';
  }
  let model: OnnxModel | undefined;
  try {
    let t = performance.now();
    model = await OnnxModel.load(decode(config.model), { executionProviders: [config.executionProvider] });
    const loadMs = performance.now() - t;
    t = performance.now();
    const first = await model.run(input, config.rows, config.d);
    const firstRunMs = performance.now() - t;
    let runs = 0;
    t = performance.now();
    while (runs < config.maxRuns && (runs < config.minRuns || performance.now() - t < config.minMs)) {
      await model.run(input, config.rows, config.d);
      runs++;
    }
    const ms = performance.now() - t;
    return { loadMs, firstRunMs, runs, ms, rowsPerSecond: (runs * config.rows) / (ms / 1000), sample: Array.from(first.values.subarray(0, config.sample)), adapter };
  } catch (error) {
    return { error: (error as Error).message, adapter };
  } finally {
    await model?.dispose().catch(() => undefined);
  }
}

Object.assign(globalThis, { runReuseThroughputBench });
