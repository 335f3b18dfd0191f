/**
 * Reuse worker: downloads the chosen learnwares' bundles (validated by SHA-256, cached by hash),
 * checks and loads their ONNX models with onnxruntime-web — the WebGPU execution provider when the
 * browser has an adapter, WASM otherwise — and runs every reuse method on the user's table, which
 * never leaves this worker. Exposed with comlink; jobs report progress and are cancellable by id.
 */
import * as Comlink from 'comlink';
// Engine modules imported one by one: this worker needs onnxruntime-web, not tfjs.
import { InputError } from '../src/engine/core/errors.js';
import type { ProgressCallback } from '../src/engine/core/progress.js';
import type { FileRef } from '../src/engine/catalog/catalog.js';
import { bundleCache } from '../src/local/bundle-cache.js';
import { setOnnxWasmThreads } from '../src/engine/model/onnx-runner.js';
import { isSoftwareAdapter, type GpuLike } from '../src/engine/kernels/adapter.js';
import { loadComposite, packComposite, predictComposite, type Composite, type CompositeSpec } from '../src/engine/reuse/composite.js';
import type { Evaluation } from '../src/engine/reuse/evaluate.js';
import { loadLearnware, type Learnware } from '../src/engine/reuse/learnware.js';
import { LABELLED_METHODS, defaultLearnwares, type ReuseMethod } from '../src/engine/reuse/registry.js';
import { fetchBundles } from '../src/engine/catalog/bundles.js';
import { predictionsCsv, type Predictions } from '../src/engine/reuse/predictions.js';
import { evaluateTable, labelledTargets, reuseLearnwares } from '../src/engine/reuse/reuse.js';
import type { CatalogSearchIsland } from '../src/engine/search/catalog-search.js';
import { userTable } from '../src/engine/reuse/user-table.js';
import { registerErrorTransfer } from './errors.js';
import { progressRelay } from './progress.js';
import { getTable, loadTableFile, type LoadedTable } from './tables.js';

registerErrorTransfer();

export type ExecutionProvider = 'webgpu' | 'wasm';

export interface RunnerInfo {
  provider: ExecutionProvider;
  /** why WebGPU is not used, when it is not */
  reason?: string;
  crossOriginIsolated: boolean;
  /** WASM threads: several when the page is cross-origin isolated (SharedArrayBuffer), else 1 */
  wasmThreads: number;
}

export interface TableSelection {
  /** columns that are not features (ids, text); the label column is left out of the features too */
  dropColumns: string[];
  labelColumn?: string;
  /** fill empty feature cells with the column mean (otherwise an empty cell is an error) */
  fillMissing: boolean;
}

export interface ReuseRequest extends TableSelection {
  /** catalog directory URL the bundle references are relative to */
  catalogUrl: string;
  /** the search result: the method's default learnwares are taken from it (engine defaultLearnwares) */
  island?: CatalogSearchIsland;
  /** or the learnwares to reuse, best first, with their catalog bundle references */
  learnwares?: { id: string; bundle: FileRef }[];
  weights?: number[];
  method: ReuseMethod;
}

export interface ReuseOutcome {
  kind: 'regression' | 'classification';
  classes: string[] | null;
  rows: number;
  /** regression: one value per row; classification: rows × classes probabilities */
  values: Float64Array;
  composite: CompositeSpec;
  /** job selector: rows routed to each component */
  routedCounts?: number[];
  labelledRows: number;
  filledCells: number;
  provider: ExecutionProvider;
}

export interface EvaluateRequest extends Omit<ReuseRequest, 'method'> {
  /** labelled rows given to the methods that learn and to the from-scratch model */
  labelled: number;
  testFraction?: number;
  seed?: number;
}

let runner: Promise<RunnerInfo> | null = null;
/** validated bundles by SHA-256, kept across jobs and (IndexedDB) across visits */
const bundleFiles = bundleCache(256 * 2 ** 20);
const learnwares = new Map<string, Promise<Learnware>>();
const jobs = new Map<string, AbortController>();
/** the last reuse, to be saved as a composite */
let last: { composite: CompositeSpec; bundles: Map<string, Uint8Array> } | null = null;
/** the last predictions, for predictionsCsv */
let lastPredictions: Predictions | null = null;
let composite: Composite | null = null;

export interface RunnerRequest {
  /** 'wasm' forces WASM; 'webgpu' accepts a software WebGPU adapter (tests, or a user who asks) */
  prefer?: ExecutionProvider;
}

/** WebGPU when the browser has a hardware adapter (a software one is slower than WASM), else WASM. */
async function pickProvider(request: RunnerRequest): Promise<RunnerInfo> {
  const isolated = self.crossOriginIsolated === true;
  const wasmThreads = isolated ? Math.min(4, Math.max(2, Math.floor((navigator.hardwareConcurrency ?? 2) / 2))) : 1;
  setOnnxWasmThreads(wasmThreads);
  return { ...(await choose(request)), crossOriginIsolated: isolated, wasmThreads };
}

async function choose(request: RunnerRequest): Promise<{ provider: ExecutionProvider; reason?: string }> {
  if (request.prefer === 'wasm') return { provider: 'wasm', reason: 'WASM was asked for' };
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  if (!gpu) return { provider: 'wasm', reason: 'this browser has no WebGPU' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { provider: 'wasm', reason: 'no WebGPU adapter' };
    if (isSoftwareAdapter(adapter) && request.prefer !== 'webgpu') return { provider: 'wasm', reason: 'the WebGPU adapter is a software renderer, slower than WASM' };
    return { provider: 'webgpu' };
  } catch (error) {
    return { provider: 'wasm', reason: `WebGPU failed: ${(error as Error).message}` };
  }
}

async function provider(): Promise<ExecutionProvider> {
  runner ??= pickProvider({});
  return (await runner).provider;
}

/** A learnware's bundle, downloaded once, checked (USABLE only) and loaded; WASM if WebGPU cannot run it. */
function learnware(bytes: Uint8Array, sha256: string, ep: ExecutionProvider): Promise<Learnware> {
  const key = `${ep}:${sha256}`;
  let loaded = learnwares.get(key);
  if (!loaded) {
    loaded = loadLearnware(bytes, { executionProviders: ep === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
    loaded.catch(() => learnwares.delete(key));
    learnwares.set(key, loaded);
  }
  return loaded;
}

/** The loaded table's features (and labels), as the request selects them. */
const selectedTable = (tableId: number, selection: TableSelection) => userTable(getTable(tableId), selection);

async function withJob<T>(jobId: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  jobs.set(jobId, controller);
  try {
    return await run(controller.signal);
  } finally {
    jobs.delete(jobId);
  }
}

async function loadChosen(request: EvaluateRequest | ReuseRequest, signal: AbortSignal): Promise<{ lws: Learnware[]; bytes: Uint8Array[]; weights?: number[] }> {
  const method = 'method' in request ? request.method : 'evaluate';
  const choice = request.learnwares ? { refs: request.learnwares, weights: request.weights } : request.island ? defaultLearnwares(request.island, method) : null;
  if (!choice || choice.refs.length === 0) throw new InputError('NO_LEARNWARES', 'choose at least one learnware to reuse');
  const bytes = await fetchBundles(
    (u, init) => fetch(u, init),
    request.catalogUrl,
    choice.refs.map((l) => l.bundle),
    { cache: bundleFiles, signal },
  );
  const ep = await provider();
  const lws: Learnware[] = [];
  for (let i = 0; i < bytes.length; i++) lws.push(await learnware(bytes[i], choice.refs[i].bundle.sha256, ep));
  return { lws, bytes, weights: choice.weights };
}

const api = {
  /** Picks the execution provider once per worker. */
  init(request: RunnerRequest = {}): Promise<RunnerInfo> {
    runner ??= pickProvider(request);
    return runner;
  },

  /** Parses a CSV, TSV or Parquet file (buffer transferred in) for the jobs below. */
  loadTable(bytes: ArrayBuffer, fileName: string): Promise<LoadedTable> {
    return loadTableFile(bytes, fileName);
  },

  /** Predicts the table with the chosen learnwares and method; keeps the result for saveComposite. */
  async reuse(jobId: string, tableId: number, request: ReuseRequest, onProgress?: ProgressCallback): Promise<ReuseOutcome> {
    return withJob(jobId, async (signal) => {
      const progress = progressRelay(onProgress);
      const { matrix, labels, filledCells } = selectedTable(tableId, request);
      const { lws, bytes, weights } = await loadChosen(request, signal);
      const labelled = labels ? labelledTargets(labels, lws) : undefined;
      const result = await reuseLearnwares(
        { method: request.method, learnwares: lws, weights, values: matrix.values, rows: matrix.rows, columns: matrix.featureNames, labels: labelled },
        { signal, onProgress: progress.callback },
      );
      await progress.flush();
      last = { composite: result.composite, bundles: new Map(lws.map((lw, i) => [lw.sha256, bytes[i]])) };
      lastPredictions = result.predictions;
      const routedCounts = result.routed ? lws.map((_, k) => result.routed!.filter((r) => r === k).length) : undefined;
      // a copy crosses to the page (transferred); the worker keeps the original for predictionsCsv
      const { kind, classes, rows, values } = result.predictions;
      const outcome: ReuseOutcome = {
        kind,
        classes,
        rows,
        values: values.slice(),
        composite: result.composite,
        routedCounts,
        labelledRows: LABELLED_METHODS.includes(request.method) ? (labelled?.rows.length ?? 0) : 0,
        filledCells,
        provider: await provider(),
      };
      return Comlink.transfer(outcome, [outcome.values.buffer]);
    });
  },

  /** Every reuse method and a from-scratch model on a held-out part of the labelled rows. */
  async evaluate(jobId: string, tableId: number, request: EvaluateRequest, onProgress?: ProgressCallback): Promise<Evaluation & { learnwares: string[] }> {
    return withJob(jobId, async (signal) => {
      if (!request.labelColumn) throw new InputError('NO_LABELS', 'choose the label column: evaluation compares predictions with your labels');
      const progress = progressRelay(onProgress);
      const { matrix, labels } = selectedTable(tableId, request);
      const { lws, weights } = await loadChosen(request, signal);
      const evaluation = await evaluateTable(
        {
          learnwares: lws,
          weights,
          values: matrix.values,
          rows: matrix.rows,
          columns: matrix.featureNames,
          labels: labels!,
          labelled: request.labelled,
          testFraction: request.testFraction,
          seed: request.seed,
        },
        { signal, onProgress: progress.callback },
      );
      await progress.flush();
      return { ...evaluation, learnwares: lws.map((lw) => lw.id) };
    });
  },

  /** The last reuse as a composite learnware bundle (zip bytes, transferred out). */
  saveComposite(name?: string): Uint8Array {
    if (!last) throw new InputError('NOTHING_TO_SAVE', 'reuse learnwares first, then save the result');
    const spec = name ? { ...last.composite, name } : last.composite;
    const zip = packComposite(spec, last.bundles);
    return Comlink.transfer(zip, [zip.buffer]);
  },

  /** Loads a saved composite (every component re-checked); replaces the one loaded before. */
  async openComposite(bytes: Uint8Array): Promise<CompositeSpec> {
    if (composite) for (const lw of composite.learnwares) await lw.model.dispose();
    composite = null;
    const ep = await provider();
    composite = await loadComposite(bytes, { executionProviders: ep === 'webgpu' ? ['webgpu', 'wasm'] : ['wasm'] });
    return composite.spec;
  },

  /** Predicts the loaded table with the opened composite. */
  async predictComposite(jobId: string, tableId: number, selection: TableSelection, onProgress?: ProgressCallback): Promise<Omit<ReuseOutcome, 'routedCounts'>> {
    return withJob(jobId, async (signal) => {
      if (!composite) throw new InputError('NO_COMPOSITE', 'open a saved model first');
      const progress = progressRelay(onProgress);
      const { matrix, filledCells } = selectedTable(tableId, selection);
      const p = await predictComposite(composite, matrix.values, matrix.rows, matrix.featureNames, { signal, onProgress: progress.callback });
      await progress.flush();
      lastPredictions = p;
      const outcome = { kind: p.kind, classes: p.classes, rows: p.rows, values: p.values.slice(), composite: composite.spec, labelledRows: 0, filledCells, provider: await provider() };
      return Comlink.transfer(outcome, [outcome.values.buffer]);
    });
  },

  /** The last predictions as CSV (row, prediction, class probabilities). */
  predictionsCsv(): string {
    if (!lastPredictions) throw new InputError('NOTHING_TO_SAVE', 'predict first');
    return predictionsCsv(lastPredictions);
  },

  cancel(jobId: string): boolean {
    const controller = jobs.get(jobId);
    controller?.abort();
    return controller !== undefined;
  },
};

export type ReuseWorkerApi = typeof api;

Comlink.expose(api);
