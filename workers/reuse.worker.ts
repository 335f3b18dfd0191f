/**
 * Reuse worker: runs the found learnwares on the user's rows with onnxruntime-web — WebGPU on a
 * hardware adapter, WASM otherwise (model/execution-provider.ts) — and combines them with a reuse
 * method (reuse/registry.ts). It parses no file: the spec worker hands it the selected columns of
 * the user's table and the search result by id over the page's MessageChannel (handover.ts).
 * A table that reached its island across feature spaces is read through the search's column
 * mapping (docs/heterogeneous.md §5), and the composite keeps it. Results are kept by id, so
 * saving or downloading names the result it means. Exposed with
 * comlink; jobs report progress and are cancellable by id.
 */
import * as Comlink from 'comlink';
// Engine modules imported one by one: this worker needs onnxruntime-web, not tfjs.
import { InputError } from '../src/engine/core/errors.js';
import type { ProgressCallback } from '../src/engine/core/progress.js';
import { bundleCache } from '../src/local/bundle-cache.js';
import { chooseExecutionProvider, runnerOptions, wasmThreadsFor, type ExecutionProvider } from '../src/engine/model/execution-provider.js';
import { setModelHost } from '../src/engine/model/host.js';
import { setOnnxWasmThreads, type RunnerOptions } from '../src/engine/model/onnx-runner.js';
import type { GpuLike } from '../src/engine/kernels/adapter.js';
import { compositeColumns, loadComposite, packComposite, predictComposite, type Composite, type CompositeSpec } from '../src/engine/reuse/composite.js';
import { describeEvaluation, type Evaluation } from '../src/engine/reuse/evaluate.js';
import { learnwareTask, loadLearnware, type Learnware } from '../src/engine/reuse/learnware.js';
import type { LearnwareRef } from '../src/engine/reuse/method.js';
import { predictionsCsv, type PredictionContext, type Predictions } from '../src/engine/reuse/predictions.js';
import { chooseLearnwares, prepareReuse, reuseMapping } from '../src/engine/reuse/prepare.js';
import { reuseMethod, type ReuseMethod } from '../src/engine/reuse/registry.js';
import { evaluateTable, labelledTargets, reuseLearnwares } from '../src/engine/reuse/reuse.js';
import { registerErrorTransfer } from './errors.js';
import { handoverFrom, type RowSelection, type TableHandover } from './handover.js';
import { HeldById } from './held.js';
import { Jobs } from './jobs.js';
import { webModelHost } from './model-host.js';
import { progressRelay } from './progress.js';
import { snippet } from './text-preview.js';
import { thumbnail, unpackImages, type Thumbnail } from './image-preview.js';
import { IMAGE_DATASET, type ImageDataset } from '../src/engine/data/image.js';
import type { HandedRows } from './handover.js';

registerErrorTransfer();
// every model runs in a Web Worker of its own, stopped at its time limit or on Cancel (docs/security.md)
setModelHost(webModelHost());

export type { ExecutionProvider, RowSelection };

export interface RunnerInfo {
  provider: ExecutionProvider;
  /** why WebGPU is not used, when it is not */
  reason?: string;
  crossOriginIsolated: boolean;
  /** WASM threads: several when the page is cross-origin isolated (SharedArrayBuffer), else 1 */
  wasmThreads: number;
}

export interface RunnerRequest {
  /** 'wasm' forces WASM; 'webgpu' accepts a software WebGPU adapter (tests, or a user who asks) */
  prefer?: ExecutionProvider;
}

/** The user's rows a job reads: a table the spec worker loaded, and the columns chosen. */
export interface TableSelection extends RowSelection {
  tableId: number;
}

export interface ReuseRequest extends TableSelection {
  /** the search (spec worker) whose result gives the learnwares: the method's default choice from it */
  searchId: string;
  method: ReuseMethod;
}

export interface EvaluateRequest extends TableSelection {
  searchId: string;
  /** labelled rows given to the methods that learn and to the from-scratch model */
  labelled: number;
  testFraction?: number;
  seed?: number;
}

/** an evaluation with the learnwares it ran and its reading in plain words (engine describeEvaluation) */
export interface EvaluationAnswer extends Evaluation {
  learnwares: string[];
  reading: string[];
  /** labelled rows left out of the comparison: their label is a class none of the learnwares predicts (a user's images of more classes than theirs) */
  leftOut?: { rows: number; classes: string[] };
}

/** Labels of classes none of the learnwares predicts are left out (null) of a comparison of classifiers, and counted. */
function knownLabels(labels: readonly (number | string | null)[], lws: readonly Learnware[]): { labels: (number | string | null)[]; leftOut?: EvaluationAnswer['leftOut'] } {
  const { kind, classes } = learnwareTask(lws);
  if (kind !== 'classification' || !classes) return { labels: [...labels] };
  const known = new Set(classes);
  const unknown = new Set<string>();
  let rows = 0;
  const kept = labels.map((v) => {
    if (v === null || typeof v !== 'string' || known.has(v)) return v;
    unknown.add(v);
    rows++;
    return null;
  });
  return rows > 0 ? { labels: kept, leftOut: { rows, classes: [...unknown].sort() } } : { labels: kept };
}

export interface ReuseOutcome {
  /** names this result for saveComposite and predictionsCsv */
  resultId: string;
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
  /** the user's columns shown next to the predictions (the features read, then the label when there is one): names, and the first rows' cells */
  context: { columns: string[]; label: string | null; preview: (number | string | null)[][]; texts: boolean; images?: boolean; thumbnails?: Thumbnail[] };
}

/** A result as kept: enough to write its predictions (with the user's columns) and save it as a composite. */
interface HeldResult {
  predictions: Predictions;
  composite: CompositeSpec;
  bundles: ReadonlyMap<string, Uint8Array>;
  context: PredictionContext;
  label: string | null;
  /** texts: what the page shows next to a prediction (the source, a snippet of the text, the label), instead of the CSV's context */
  shown?: { columns: string[]; preview: (number | string | null)[][]; thumbnails?: Thumbnail[] };
}

/** rows of the context previewed in the outcome (the page shows the first 20) */
const PREVIEW_ROWS = 20;

type Handed = { values: Float64Array; rows: number; columns: string[]; labels: (number | string | null)[] | null; texts?: string[]; sources?: string[]; images?: HandedRows['images'] };

/** The handed images as the engine's image data set (views on the one transferred buffer, their features ψ the rows). */
function imagesOf(table: Handed): ImageDataset | undefined {
  const packed = table.images;
  if (!packed) return undefined;
  return {
    kind: IMAGE_DATASET,
    rows: table.rows,
    images: unpackImages(packed),
    channels: packed.channels,
    sources: table.sources ?? [],
    features: { values: table.values, dim: table.columns.length, network: packed.network },
  };
}

/** characters of a text shown next to its prediction */
const SNIPPET_CHARS = 120;

/**
 * The user's columns a result is written with: the features as read, then the actual label. Texts
 * are written with their source (line, file) and label, not the embeddings; the page shows a snippet of each.
 */
function contextOf(table: Handed, labelColumn?: string): PredictionContext {
  const label = labelColumn && table.labels ? [{ name: labelColumn, values: table.labels }] : [];
  if (table.texts) return { columns: [{ name: 'source', values: table.sources ?? table.texts.map((_, r) => `text ${r + 1}`) }, ...label] };
  if (table.images) return { columns: [{ name: 'source', values: table.sources ?? Array.from({ length: table.rows }, (_, r) => `image ${r + 1}`) }, ...label] };
  const d = table.columns.length;
  const columns: PredictionContext['columns'] = table.columns.map((name, f) => ({ name, values: Float64Array.from({ length: table.rows }, (_, r) => table.values[r * d + f]) }));
  columns.push(...label);
  return { columns };
}

/** Texts: the preview's columns (source, snippet, label) for the first rows. */
function shownTexts(table: Handed, labelColumn?: string): HeldResult['shown'] {
  if (table.images) return shownImages(table, labelColumn);
  if (!table.texts) return undefined;
  const label = labelColumn && table.labels ? table.labels : null;
  const preview = Array.from({ length: Math.min(PREVIEW_ROWS, table.rows) }, (_, r) => {
    const cut = snippet(table.texts![r], SNIPPET_CHARS);
    return [table.sources?.[r] ?? `text ${r + 1}`, cut.more ? `${cut.text}…` : cut.text, ...(label ? [label[r]] : [])];
  });
  return { columns: ['source', 'text', ...(label ? [labelColumn!] : [])], preview };
}

/** Images: the preview's columns (source, label) for the first rows, each with its thumbnail (drawn from the pixels here). */
function shownImages(table: Handed, labelColumn?: string): HeldResult['shown'] {
  const images = imagesOf(table)!;
  const label = labelColumn && table.labels ? table.labels : null;
  const count = Math.min(PREVIEW_ROWS, table.rows);
  const preview = Array.from({ length: count }, (_, r) => [table.sources?.[r] ?? `image ${r + 1}`, ...(label ? [label[r]] : [])]);
  return { columns: ['source', ...(label ? [labelColumn!] : [])], preview, thumbnails: images.images.slice(0, count).map((image) => thumbnail(image, 48)) };
}

let runner: Promise<RunnerInfo> | null = null;
let spec: Comlink.Remote<TableHandover> | null = null;
/** validated bundles by SHA-256, kept across jobs and (IndexedDB) across visits */
const bundleFiles = bundleCache(256 * 2 ** 20);
/** checked and loaded learnwares by execution provider and SHA-256 (a cache of models, not of results) */
const learnwares = new Map<string, Promise<Learnware>>();
const jobs = new Jobs();
const results = new HeldById<HeldResult>('result', 16);
const composites = new HeldById<Composite>('composite', 4, async (c) => {
  for (const lw of c.learnwares) await lw.model.dispose();
});

async function pickRunner(request: RunnerRequest): Promise<RunnerInfo> {
  const isolated = self.crossOriginIsolated === true;
  const wasmThreads = wasmThreadsFor(isolated, navigator.hardwareConcurrency);
  setOnnxWasmThreads(wasmThreads);
  setModelHost(webModelHost({ wasmThreads }));
  const gpu = (navigator as Navigator & { gpu?: GpuLike }).gpu;
  return { ...(await chooseExecutionProvider({ prefer: request.prefer, gpu })), crossOriginIsolated: isolated, wasmThreads };
}

async function provider(): Promise<ExecutionProvider> {
  runner ??= pickRunner({});
  return (await runner).provider;
}

function handover(): Comlink.Remote<TableHandover> {
  if (!spec) throw new InputError('NO_TABLE', 'the page has not connected this worker to the spec worker, which holds your table');
  return spec;
}

/** The selected columns of the user's table, from the spec worker (a fresh matrix, transferred). */
function rowsOf(selection: TableSelection) {
  return handover().rows(selection.tableId, { features: selection.features, labelColumn: selection.labelColumn, fillMissing: selection.fillMissing });
}

/** A learnware's bundle checked (USABLE only) and loaded once per provider. */
function loadOnce(bytes: Uint8Array, ref: LearnwareRef, options: RunnerOptions): Promise<Learnware> {
  const key = `${options.executionProviders?.join('+')}:${ref.bundle.sha256}`;
  let loaded = learnwares.get(key);
  if (!loaded) {
    loaded = loadLearnware(bytes, options);
    loaded.catch(() => learnwares.delete(key));
    learnwares.set(key, loaded);
  }
  return loaded;
}

/** The learnwares a search gives a method, fetched, checked and loaded, with their island's column mapping (engine prepareReuse). */
async function prepare(searchId: string, method: ReuseMethod | 'evaluate', signal: AbortSignal) {
  const search = await handover().search(searchId);
  const choice = chooseLearnwares({ islands: search.islands }, method);
  const mapping = reuseMapping(search.islands);
  return prepareReuse({ fetchFn: (u, init) => fetch(u, init), catalogUrl: search.catalogUrl, choice, provider: await provider(), cache: bundleFiles, signal, load: loadOnce, mapping });
}

/** Keeps a result and makes its outcome for the page (a copy of the values, transferred). */
function outcome(held: HeldResult, extra: { routedCounts?: number[]; labelledRows: number; filledCells: number; provider: ExecutionProvider }): ReuseOutcome {
  const { kind, classes, rows, values } = held.predictions;
  const preview = held.shown?.preview ?? Array.from({ length: Math.min(PREVIEW_ROWS, rows) }, (_, r) => held.context.columns.map((c) => c.values[r]));
  const thumbnails = held.shown?.thumbnails;
  const context = {
    columns: held.shown?.columns ?? held.context.columns.map((c) => c.name),
    label: held.label,
    preview,
    texts: held.shown !== undefined && !thumbnails,
    ...(thumbnails ? { images: true, thumbnails } : {}),
  };
  const out: ReuseOutcome = { resultId: results.add(held), kind, classes, rows, values: values.slice(), composite: held.composite, context, ...extra };
  return Comlink.transfer(out, [out.values.buffer]);
}

const api = {
  /** Picks the execution provider once per worker. */
  init(request: RunnerRequest = {}): Promise<RunnerInfo> {
    runner ??= pickRunner(request);
    return runner;
  },

  /** Takes the page's port to the spec worker (handover.ts). */
  connect(port: MessagePort): void {
    spec = handoverFrom(port);
  },

  /** Predicts the table with the search's learnwares and the method; the result is kept by its resultId. */
  async reuse(jobId: string, request: ReuseRequest, onProgress?: ProgressCallback): Promise<ReuseOutcome> {
    return jobs.run(jobId, async (signal) => {
      const method = reuseMethod(request.method);
      const progress = progressRelay(onProgress);
      const table = await rowsOf(request);
      const { learnwares: lws, bundles, weights, mapping } = await prepare(request.searchId, request.method, signal);
      // only the methods that learn read the labels (a label the learnwares do not predict is their error, not the others')
      const labelled = table.labels && method.needsLabels ? labelledTargets(table.labels, lws) : undefined;
      const result = await reuseLearnwares(
        {
          method: request.method,
          learnwares: lws,
          weights,
          values: table.values,
          rows: table.rows,
          columns: table.columns,
          labels: labelled,
          mapping,
          texts: table.texts,
          images: imagesOf(table),
        },
        { signal, onProgress: progress.callback },
      );
      await progress.flush();
      const routedCounts = result.routed ? lws.map((_, k) => result.routed!.filter((r) => r === k).length) : undefined;
      return outcome(
        {
          predictions: result.predictions,
          composite: result.composite,
          bundles,
          context: contextOf(table, request.labelColumn),
          label: request.labelColumn && table.labels ? request.labelColumn : null,
          shown: shownTexts(table, request.labelColumn),
        },
        { routedCounts, labelledRows: method.needsLabels ? (labelled?.rows.length ?? 0) : 0, filledCells: table.filledCells, provider: await provider() },
      );
    });
  },

  /** Every reuse method and a from-scratch model on a held-out part of the labelled rows. */
  async evaluate(jobId: string, request: EvaluateRequest, onProgress?: ProgressCallback): Promise<EvaluationAnswer> {
    return jobs.run(jobId, async (signal) => {
      if (!request.labelColumn) throw new InputError('NO_LABELS', 'choose the label column: evaluation compares predictions with your labels');
      const progress = progressRelay(onProgress);
      const table = await rowsOf(request);
      const { learnwares: lws, weights, mapping } = await prepare(request.searchId, 'evaluate', signal);
      const { labels, leftOut } = knownLabels(table.labels!, lws);
      const evaluation = await evaluateTable(
        {
          learnwares: lws,
          weights,
          values: table.values,
          rows: table.rows,
          columns: table.columns,
          labels,
          labelled: request.labelled,
          testFraction: request.testFraction,
          seed: request.seed,
          mapping,
          texts: table.texts,
          images: imagesOf(table),
        },
        { signal, onProgress: progress.callback },
      );
      await progress.flush();
      return {
        ...evaluation,
        learnwares: lws.map((lw) => lw.id),
        reading: describeEvaluation(evaluation, undefined, table.images ? 'images' : table.texts ? 'texts' : 'rows').sentences,
        ...(leftOut ? { leftOut } : {}),
      };
    });
  },

  /** A kept result as a composite learnware bundle (zip bytes, transferred out), optionally renamed. */
  saveComposite(resultId: string, name?: string): Uint8Array {
    const held = results.get(resultId);
    const zip = packComposite(name ? { ...held.composite, name } : held.composite, held.bundles);
    return Comlink.transfer(zip, [zip.buffer]);
  },

  /** A kept result's predictions as CSV (row, the user's columns and actual label, prediction, class probabilities). */
  predictionsCsv(resultId: string): string {
    const held = results.get(resultId);
    return predictionsCsv(held.predictions, held.context);
  },

  /**
   * Loads a saved composite (every component re-checked); kept by its compositeId. `columns`: the
   * columns it reads from a table (its mapping's user columns; a table with its `features` by name works too).
   */
  async openComposite(bytes: Uint8Array): Promise<{ compositeId: string; spec: CompositeSpec; columns: string[] }> {
    const composite = await loadComposite(bytes, runnerOptions(await provider()));
    return { compositeId: composites.add(composite), spec: composite.spec, columns: compositeColumns(composite.spec) };
  },

  /** Predicts the table with an opened composite; the result is kept like a reuse's. */
  async predictComposite(jobId: string, compositeId: string, selection: TableSelection, onProgress?: ProgressCallback): Promise<ReuseOutcome> {
    return jobs.run(jobId, async (signal) => {
      const composite = composites.get(compositeId);
      const progress = progressRelay(onProgress);
      // a composite made through a mapping reads its mapping's columns, which the selection may not name;
      // a table without them (the island's own columns, say) is read as selected
      const wanted = [...new Set([...selection.features, ...compositeColumns(composite.spec)])];
      const table = composite.spec.mapping ? await rowsOf({ ...selection, features: wanted }).catch(() => rowsOf(selection)) : await rowsOf(selection);
      const predictions = await predictComposite(composite, table.values, table.rows, table.columns, {
        signal,
        onProgress: progress.callback,
        texts: table.texts,
        images: imagesOf(table),
      });
      await progress.flush();
      const label = selection.labelColumn && table.labels ? selection.labelColumn : null;
      return outcome(
        { predictions, composite: composite.spec, bundles: composite.bundles, context: contextOf(table, selection.labelColumn), label, shown: shownTexts(table, selection.labelColumn) },
        { labelledRows: 0, filledCells: table.filledCells, provider: await provider() },
      );
    });
  },

  cancel(jobId: string): boolean {
    return jobs.cancel(jobId);
  },
};

export type ReuseWorkerApi = typeof api;

Comlink.expose(api);
