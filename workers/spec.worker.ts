/**
 * Spec worker: parses tables and builds RKME specs off the main thread, on the best compute
 * backend the browser offers (WebGPU → WASM → CPU → plain TS). Exposed with comlink; input
 * buffers are transferred, progress is throttled, jobs are cancellable by id.
 */
import * as Comlink from 'comlink';
import {
  tableDataset,
  buildTableRkme,
  describeBundle,
  fetchBundles,
  resolveUrl,
  semanticSearch,
  type BundleDescription,
  type CatalogEntry,
  InputError,
  loadCatalogIndex,
  memoryFileCache,
  serializeStatSpec,
  toFeatureMatrix,
  type BackendAttempt,
  type CatalogIndex,
  type CatalogSearchIsland,
  type BackendName,
  type ProgressCallback,
  type ComputeBackend,
  type TableSpecOptions,
  userTable,
  reuseOffer,
  type ReuseOffer,
  catalogCoverage,
  describeCoverage,
  suggestColumns,
  type ColumnSuggestion,
  type IslandCoverage,
  searchCatalog as searchCatalogIslands,
  specTypesFor,
  embeddingDimensions,
  type NamedFile,
  type SpecBuildReport,
  type TextDataset,
  type TextSpecOptions,
} from '../src/engine/index.js';
import { registerErrorTransfer } from './errors.js';
import { PooledBackends } from './kernel-pool.js';
import { progressRelay } from './progress.js';
import { TFJS_WASM_PATHS } from './wasm-paths.js';
import {
  droppedColumns,
  encodeTableColumn,
  getTable,
  getImages,
  getTexts,
  isImages,
  isTexts,
  loadDataFile,
  loadTextFolder,
  textsOfColumn,
  updateTexts,
  type LoadedData,
  type LoadedImages,
  type LoadedTable,
  type LoadedTexts,
} from './tables.js';
import { embedAndIdentify } from './texts.js';
import { imageMatches, withFeatures, type ImageMatch } from './images.js';
import { packImages, reducedThumbnail, type PackedImages, type Thumbnail } from './image-preview.js';
import { imageFeatureNames } from '../src/engine/spec/image/features.js';
import type { RkmeImageSpec } from '../src/engine/spec/image/types.js';
import type { ImageSpecOptions } from '../src/engine/spec/image/build.js';
import { offerHandover, transferRows, type HeldSearch } from './handover.js';
import { HeldById } from './held.js';
import { Jobs } from './jobs.js';
import { bundleCache } from '../src/local/bundle-cache.js';
import { proposeMappings, searchThroughMappings, type EditedMapping, type MappingProposal } from './mapping.js';

registerErrorTransfer();

export interface BackendInfo {
  name: BackendName;
  device: string;
  precision: 'float32' | 'float64';
  attempts: BackendAttempt[];
  crossOriginIsolated: boolean;
  /** workers the heavy operations are spread over (1: this worker alone) */
  workers: number;
  /** why the pool of workers could not start, when it could not (the spec worker computes alone) */
  poolError?: string;
}

export type { ColumnInfo, LoadedData, LoadedImages, LoadedTable, LoadedTexts } from './tables.js';
export type { TextPreview } from './texts.js';
export type { ImagePreview, Thumbnail } from './image-preview.js';
export type { ImageMatch } from './images.js';
export type { EditedMapping, MappingProposal } from './mapping.js';

export interface CatalogSummary {
  url: string;
  islands: { id: string; d: number; features: string[]; count: number }[];
  entries: { id: string; name: string; data: string; task: string; scenario: string[] }[];
  /** what each island covers, from its entries (engine catalog/coverage.ts): the first screen, the default columns, "nothing matches" */
  coverage: (IslandCoverage & { text: string })[];
}

/** One learnware as the catalog page lists it. */
export interface CatalogListing {
  id: string;
  name: string;
  description: string;
  data: string;
  task: string;
  library: string;
  scenario: string[];
  license: string;
  features: string[];
  output: { kind: string; classes: string[] | null };
  numPoints: number;
  relevance: number;
}

export interface CatalogFilter {
  text?: string;
  data?: string;
  task?: string;
  scenario?: string;
  license?: string;
}

export interface LearnwareDetail extends BundleDescription {
  listing: CatalogListing;
  /** bundle URL (absolute), for the download link */
  bundleUrl: string;
  /** feature descriptions by feature name (from the semantic spec), when given */
  featureDescriptions: Record<string, string>;
}

/** Which columns are features: the chosen ones (what the page sends), or all but the dropped ones. */
export interface FeatureSelection {
  features?: string[];
  dropColumns?: string[];
}

export type SpecOptions = Pick<TableSpecOptions, 'gamma' | 'K' | 'seed' | 'steps'> &
  FeatureSelection & {
    scale?: 'none' | 'std';
  };

export interface SpecResult {
  /** stat.json text */
  json: string;
  n: number;
  d: number;
  K: number;
  requestedK: number;
  featureNames: string[];
  backend: BackendName;
  /** what the spec was computed on, e.g. 'wasm (2 workers, each SIMD, single thread)' */
  device: string;
  ms: number;
  imputedCells: number;
  warnings: { code: string; message: string }[];
  /** MMD² − ‖μ_X‖² after initialisation and after each step */
  objectiveHistory: number[];
  /** texts: their languages (docs/text.md §3), the embedder, and the texts it knew no word of */
  text?: { languages: string[]; embedder: string; dim: number; emptyRows: number };
  /** images: the feature network the reduced images are compared by (docs/image.md §2–§3), the images' channels, the spec's reduced images (thumbnails) */
  image?: { network: string; channels: 1 | 3; dim: number; reduced: Thumbnail[]; weights: number[] };
}

/** a search: the feature columns and the semantic requirements ('' or absent = any) */
export interface SearchRequest extends FeatureSelection {
  text?: string;
  task?: string;
  scenario?: string;
  /** islands whose mapping the user edited: each searched with exactly these pairs (workers/mapping.ts) */
  mappings?: EditedMapping[];
}

let pooled: PooledBackends | null = null;
let catalog: { url: string; index: CatalogIndex } | null = null;
/** validated catalog files (shards, sketch lists, specs, cards) by SHA-256, kept across searches */
const catalogFiles = memoryFileCache(128 * 2 ** 20);
/** validated bundles (the detail page reads them), shared with the reuse worker through IndexedDB */
const bundleFiles = bundleCache(64 * 2 ** 20);
const jobs = new Jobs();
/** searches by id: the reuse worker asks for them over the handover port (the page sends only the id) */
const searches = new HeldById<HeldSearch>('search', 8);

/**
 * A search as the page gets it: the results to show, the id the reuse worker takes, and what can
 * be reused — the reuse method registry's methods and recommended one, as plain data (answered here,
 * where the search is, so onnxruntime loads only when the user reuses); null when nothing can be.
 */
export interface SearchAnswer {
  searchId: string;
  islands: CatalogSearchIsland[];
  reuse: ReuseOffer | null;
  /** image islands (by id): the user's images and the top learnwares' reduced images, for the picture of the match */
  images?: Record<string, ImageMatch>;
}

export interface BackendRequest {
  /** backends to try, in order (default webgpu, wasm, cpu, ts) */
  preference?: BackendName[];
  /** accept a software WebGPU adapter (tests, or a user who asks for WebGPU explicitly) */
  allowSoftwareGpu?: boolean;
  /** workers for a CPU backend (default: navigator.hardwareConcurrency, at most MAX_LANES) */
  workers?: number;
}

function backends(request: BackendRequest = {}): PooledBackends {
  pooled ??= new PooledBackends({ preference: request.preference, allowSoftwareGpu: request.allowSoftwareGpu, wasmPaths: TFJS_WASM_PATHS }, request.workers);
  return pooled;
}

/** The backend for a job on `rows` rows or images: the pool of workers once the data is large enough to share (docs/parallel.md §4). */
function backendFor(rows: number, kind: 'rows' | 'images' = 'rows'): Promise<ComputeBackend> {
  return backends().forJob(rows, kind);
}

/** Loaded texts with their embeddings and languages (computed on the first job that needs them, then kept). */
async function readyTexts(id: number, options: { signal?: AbortSignal; onProgress?: ProgressCallback }): Promise<TextDataset> {
  const texts = getTexts(id);
  if (texts.embedding && texts.languages) return texts;
  const ready = await embedAndIdentify(texts, options);
  updateTexts(id, ready);
  return ready;
}

const api = {
  /** Picks the backend (once per worker); later calls report the same choice. */
  async init(request?: BackendRequest): Promise<BackendInfo> {
    const chosen = backends(request);
    const { backend: b, attempts } = await chosen.base;
    return {
      name: b.name,
      device: b.device,
      precision: b.precision,
      attempts,
      crossOriginIsolated: self.crossOriginIsolated === true,
      workers: await chosen.lanes(),
      poolError: chosen.poolError,
    };
  },

  /** Reads a file with the loader that claims it (tables: CSV, TSV, Parquet; buffer transferred in) and keeps it for the jobs; returns its schema. */
  loadData(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
    return loadDataFile(bytes, fileName);
  },

  /** Reads a dropped folder's files, or several dropped files (the page read them: {path, bytes}): images or .txt files; sub-folders are labels. */
  loadFolder(files: NamedFile[], folder: string): LoadedTexts | LoadedImages {
    return loadTextFolder(files, folder);
  },

  /** A loaded table's text column (and label column) as the journey's texts (docs/text.md §1). */
  textsOfColumn(tableId: number, column: string, labelColumn?: string): LoadedTexts {
    return textsOfColumn(tableId, column, labelColumn);
  },

  /** Encodes a categorical text column of the loaded table as numbers (one-hot or ordinal); returns the table's new schema and encodings. */
  encodeColumn(tableId: number, column: string, kind: 'one-hot' | 'ordinal'): LoadedTable {
    return encodeTableColumn(tableId, column, kind);
  },

  /** Builds the table spec of a loaded CSV. */
  async buildSpec(jobId: string, tableId: number, options: SpecOptions, onProgress?: ProgressCallback): Promise<SpecResult> {
    if (isTexts(tableId)) return textSpec(jobId, tableId, options, onProgress);
    if (isImages(tableId)) return imageSpec(jobId, tableId, options, onProgress);
    const matrix = toFeatureMatrix(getTable(tableId), { dropColumns: droppedColumns(tableId, options) });
    return jobs.run(jobId, async (signal) => {
      const progress = progressRelay(onProgress);
      const b = await backendFor(matrix.rows);
      const { spec, report } = await buildTableRkme(b, matrix.values, matrix.rows, matrix.cols, {
        gamma: options.gamma,
        K: options.K,
        seed: options.seed,
        steps: options.steps,
        scale: options.scale ?? 'none',
        featureNames: matrix.featureNames,
        job: jobId,
        signal,
        onProgress: progress.callback,
      });
      await progress.flush();
      return {
        json: serializeStatSpec(spec),
        n: spec.numPoints,
        d: spec.d,
        K: spec.K,
        requestedK: report.requestedK,
        featureNames: matrix.featureNames,
        backend: b.name,
        device: b.device,
        ms: report.ms,
        imputedCells: report.imputedCells,
        warnings: report.warnings,
        objectiveHistory: report.objectiveHistory,
      };
    });
  },

  /** Fetches and validates a catalog index (absolute URL of the catalog directory). Catalog files
   * are immutable and content-addressed, so validated ones stay cached across catalogs and searches. */
  async loadCatalog(url: string): Promise<CatalogSummary> {
    const index = await loadCatalogIndex((u, init) => fetch(u, init), url);
    catalog = { url, index };
    return {
      url,
      islands: index.islands.map((i) => ({ id: i.id, d: i.d, features: i.features, count: i.count })),
      entries: index.entries.map((e) => ({ id: e.id, name: e.name, data: e.semantic.Data.Values[0], task: e.semantic.Task.Values[0], scenario: e.semantic.Scenario.Values })),
      coverage: catalogCoverage(index).map((c) => ({ ...c, text: describeCoverage(c) })),
    };
  },

  /**
   * Searches the loaded catalog for a loaded table: semantic text filter, then statistical ranking
   * in every island the table's selected columns reach through a column mapping — the one the
   * user edited for an island, else the engine's (docs/heterogeneous.md §3). The rows stay in this worker.
   */
  async searchCatalog(jobId: string, tableId: number, options: SearchRequest, onProgress?: ProgressCallback): Promise<SearchAnswer> {
    if (!catalog) throw new InputError('NO_CATALOG', 'load a catalog first');
    const searched = catalog;
    if (isTexts(tableId)) return searchTexts(jobId, tableId, searched, options, onProgress);
    if (isImages(tableId)) return searchImages(jobId, tableId, searched, options, onProgress);
    const matrix = toFeatureMatrix(getTable(tableId), { dropColumns: droppedColumns(tableId, options) });
    return jobs.run(jobId, async (signal) => {
      const progress = progressRelay(onProgress);
      const islands = await searchThroughMappings(
        {
          index: searched.index,
          fetchFn: (u, init) => fetch(u, init),
          base: searched.url,
          backend: await backendFor(matrix.rows),
          data: tableDataset(matrix),
          query: { text: options.text, Task: options.task ? [options.task] : undefined, Scenario: options.scenario ? [options.scenario] : undefined },
          top: 10,
          cache: catalogFiles,
        },
        options.mappings ?? [],
        { signal, onProgress: progress.callback },
      );
      await progress.flush();
      return { searchId: searches.add({ catalogUrl: searched.url, islands, tableId }), islands, reuse: reuseOffer(islands) };
    });
  },

  /**
   * The proposed column mappings of the table's feature columns for the nearest islands (best
   * coverage first), with unit maps estimated against each island's members: what the page's
   * "Column mapping" panels show before a search (docs/heterogeneous.md §1–§2). [] without a catalog.
   */
  async proposeMappings(tableId: number, selection: FeatureSelection): Promise<MappingProposal[]> {
    if (!catalog || isTexts(tableId)) return [];
    const matrix = toFeatureMatrix(getTable(tableId), { dropColumns: droppedColumns(tableId, selection) });
    if (matrix.cols === 0) return [];
    return proposeMappings(catalog.index, tableDataset(matrix), (u, init) => fetch(u, init), catalog.url, catalogFiles);
  },

  /**
   * Takes one end of the page's MessageChannel; the reuse worker holds the other. Over it this
   * worker hands over the selected columns of a loaded table and search results by id: the user's
   * file is parsed here only (workers/handover.ts).
   */
  connectReuse(port: MessagePort): void {
    offerHandover(port, {
      rows: async (tableId, selection) => {
        if (isTexts(tableId)) {
          // texts: the embeddings are the rows the methods see, the texts feed the models (docs/text.md §5)
          const texts = await readyTexts(tableId, {});
          const embedding = texts.embedding!;
          return transferRows({
            values: embedding.values.slice(),
            rows: texts.rows,
            columns: embeddingDimensions(embedding.embedder),
            labels: selection.labelColumn && texts.labels ? texts.labels : null,
            filledCells: 0,
            texts: texts.texts,
            sources: texts.sources,
          });
        }
        if (isImages(tableId)) {
          // images: their features ψ are the rows the methods see, the pixels feed the models (docs/image.md §5); both transferred
          const data = await withFeatures(await backendFor(getImages(tableId).rows, 'images'), getImages(tableId));
          const features = data.features!;
          const images: PackedImages = packImages(data.images);
          return Comlink.transfer(
            {
              values: features.values.slice(),
              rows: data.rows,
              columns: imageFeatureNames(data.channels, features.network),
              labels: selection.labelColumn && data.labels ? data.labels : null,
              filledCells: 0,
              sources: data.sources,
              images: { ...images, channels: data.channels, network: features.network },
            },
            [images.pixels.buffer],
          );
        }
        const { matrix, labels, filledCells } = userTable(getTable(tableId), selection);
        return transferRows({ values: matrix.values, rows: matrix.rows, columns: matrix.featureNames, labels, filledCells });
      },
      search: (searchId) => searches.get(searchId),
    });
  },

  /** The catalog's learnwares passing the filters, best text matches first (index entries only:
   * sketch-layout islands are reached through search). */
  browseCatalog(filter: CatalogFilter): CatalogListing[] {
    if (!catalog) throw new InputError('NO_CATALOG', 'load a catalog first');
    const { index } = catalog;
    const one = (v?: string) => (v ? [v] : undefined);
    const hits = semanticSearch(index.entries, { text: filter.text, Data: one(filter.data), Task: one(filter.task), Scenario: one(filter.scenario), License: one(filter.license) });
    return hits.map((h) => listing(index.entries[h.index], index, h.relevance));
  },

  /** A learnware's bundle, downloaded (validated by SHA-256, cached) and described without running it. */
  async learnwareDetail(id: string): Promise<LearnwareDetail> {
    if (!catalog) throw new InputError('NO_CATALOG', 'load a catalog first');
    const entry = catalog.index.entries.find((e) => e.id === id);
    if (!entry) throw new InputError('UNKNOWN_LEARNWARE', `no learnware "${id}" in this catalog`);
    const bundleUrl = resolveUrl(catalog.url, entry.bundle.file);
    const [bytes] = await fetchBundles((u, init) => fetch(u, init), catalog.url, [entry.bundle], { cache: bundleFiles });
    const description = await describeBundle(bytes);
    const features = description.manifest.model.input.features;
    const given = description.manifest.semantic.Input?.Description ?? {};
    const featureDescriptions = Object.fromEntries(features.flatMap((f, i) => (given[String(i)] ? [[f, given[String(i)]]] : [])));
    return { ...description, listing: listing(entry, catalog.index, 0), bundleUrl, featureDescriptions };
  },

  /**
   * The default columns of a table against the loaded catalog (engine suggestColumns): the features
   * of the island it holds, and the column its learnwares predict (the likely label); null without a catalog.
   */
  suggestColumns(columns: { name: string; kind: string }[]): ColumnSuggestion | null {
    return catalog ? suggestColumns(catalogCoverage(catalog.index), columns) : null;
  },

  /** Cancels a running job; it rejects with CancelledError. */
  cancel(jobId: string): boolean {
    return jobs.cancel(jobId);
  },
};

/** The text RKME of loaded texts (specTypesFor('text'): the table RKME of their embeddings, raw units). */
async function textSpec(jobId: string, id: number, options: SpecOptions, onProgress?: ProgressCallback): Promise<SpecResult> {
  return jobs.run(jobId, async (signal) => {
    const progress = progressRelay(onProgress);
    const texts = await readyTexts(id, { signal, onProgress: progress.callback });
    const b = await backendFor(texts.rows);
    const [type] = specTypesFor(texts.kind);
    const settings: TextSpecOptions = { gamma: options.gamma, K: options.K, seed: options.seed, steps: options.steps };
    const { spec, report } = await type.build(b, texts, { ...settings, signal, onProgress: progress.callback });
    await progress.flush();
    const embedding = texts.embedding!;
    const r = report as SpecBuildReport & { objectiveHistory?: number[] };
    return {
      json: serializeStatSpec(spec),
      n: spec.numPoints,
      d: embedding.dim,
      K: spec.K,
      requestedK: r.requestedK,
      featureNames: [],
      backend: b.name,
      device: b.device,
      ms: r.ms,
      imputedCells: 0,
      warnings: r.warnings,
      objectiveHistory: r.objectiveHistory ?? [],
      text: { languages: texts.languages ?? [], embedder: `${embedding.embedder.id} (version ${embedding.embedder.version})`, dim: embedding.dim, emptyRows: embedding.emptyRows },
    };
  });
}

/** Searches the catalog's text islands (they are keyed by the embedder; docs/text.md §5) with the texts' embeddings and languages. */
async function searchTexts(jobId: string, id: number, searched: { url: string; index: CatalogIndex }, options: SearchRequest, onProgress?: ProgressCallback): Promise<SearchAnswer> {
  return jobs.run(jobId, async (signal) => {
    const progress = progressRelay(onProgress);
    const texts = await readyTexts(id, { signal, onProgress: progress.callback });
    const islands = await searchCatalogIslands(
      {
        index: searched.index,
        fetchFn: (u, init) => fetch(u, init),
        base: searched.url,
        backend: await backendFor(texts.rows),
        data: texts,
        query: { text: options.text, Task: options.task ? [options.task] : undefined, Scenario: options.scenario ? [options.scenario] : undefined },
        top: 10,
        cache: catalogFiles,
      },
      { signal, onProgress: progress.callback },
    );
    await progress.flush();
    return { searchId: searches.add({ catalogUrl: searched.url, islands, tableId: id }), islands, reuse: reuseOffer(islands) };
  });
}

/** The image RKME of loaded images (specTypesFor('image'): reduced images compared by the feature network ψ, docs/image.md §3). */
async function imageSpec(jobId: string, id: number, options: SpecOptions, onProgress?: ProgressCallback): Promise<SpecResult> {
  return jobs.run(jobId, async (signal) => {
    const progress = progressRelay(onProgress);
    const data = getImages(id);
    const b = await backendFor(data.rows, 'images');
    const [type] = specTypesFor(data.kind);
    if (!type) throw new InputError('NO_SPEC_TYPE', 'this build has no image specification type');
    const settings: ImageSpecOptions = { K: options.K, seed: options.seed };
    const { spec, report } = await type.build(b, data, { ...settings, signal, onProgress: progress.callback });
    await progress.flush();
    const image = spec as RkmeImageSpec;
    const order = [...image.beta.keys()].sort((x, y) => image.beta[y] - image.beta[x]).slice(0, 16);
    const total = image.beta.reduce((s, v) => s + Math.max(0, v), 0) || 1;
    return {
      json: serializeStatSpec(spec),
      n: spec.numPoints,
      d: 256,
      K: spec.K,
      requestedK: report.requestedK,
      featureNames: [],
      backend: b.name,
      device: b.device,
      ms: report.ms,
      imputedCells: 0,
      warnings: report.warnings,
      objectiveHistory: [],
      image: {
        network: image.network,
        channels: image.channels,
        dim: 256,
        reduced: order.map((i) => reducedThumbnail(image.z, image.channels, i)),
        weights: order.map((i) => Math.max(0, image.beta[i]) / total),
      },
    };
  });
}

/** Searches the catalog's image islands (keyed by the feature network and the channels, docs/image.md §3) with the images; the answer carries what the picture of the match shows. */
async function searchImages(jobId: string, id: number, searched: { url: string; index: CatalogIndex }, options: SearchRequest, onProgress?: ProgressCallback): Promise<SearchAnswer> {
  return jobs.run(jobId, async (signal) => {
    const progress = progressRelay(onProgress);
    const data = getImages(id);
    const fetchFn = (u: string, init?: { signal?: AbortSignal }) => fetch(u, init);
    const islands = await searchCatalogIslands(
      {
        index: searched.index,
        fetchFn,
        base: searched.url,
        backend: await backendFor(data.rows, 'images'),
        data,
        query: { text: options.text, Task: options.task ? [options.task] : undefined, Scenario: options.scenario ? [options.scenario] : undefined },
        top: 10,
        cache: catalogFiles,
      },
      { signal, onProgress: progress.callback },
    );
    await progress.flush();
    const images = await imageMatches(searched.index, islands, data, { fetchFn, base: searched.url, cache: catalogFiles, signal });
    return { searchId: searches.add({ catalogUrl: searched.url, islands, tableId: id }), islands, reuse: reuseOffer(islands), images };
  });
}

function listing(entry: CatalogEntry, index: CatalogIndex, relevance: number): CatalogListing {
  const sem = entry.semantic;
  return {
    id: entry.id,
    name: entry.name,
    description: sem.Description?.Values ?? '',
    data: sem.Data.Values[0] ?? '',
    task: sem.Task.Values[0] ?? '',
    library: sem.Library.Values[0] ?? '',
    scenario: sem.Scenario.Values,
    license: sem.License.Values[0] ?? '',
    features: index.islands.find((i) => i.id === entry.island)?.features ?? [],
    output: { kind: entry.output.kind, classes: entry.output.classes },
    numPoints: entry.numPoints,
    relevance,
  };
}

export type SpecWorkerApi = typeof api;

Comlink.expose(api);
