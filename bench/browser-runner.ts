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
} from '../src/engine/index.js';
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

Object.assign(globalThis, { runSpecBench, runImageSpecBench, benchReady: true });

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
