/**
 * The app's handle on the spec worker: creates it once, wraps it with comlink, transfers file
 * buffers instead of copying them, and passes progress callbacks as comlink proxies. The spec
 * worker owns the user's parsed table and search results (it hands them to the reuse worker).
 */
import * as Comlink from 'comlink';
import type { ColumnSuggestion, NamedFile, ProgressCallback } from '../engine/index.js';
import { registerErrorTransfer } from '../../workers/errors.js';
import type {
  BackendInfo,
  BackendRequest,
  CatalogFilter,
  CatalogListing,
  CatalogSummary,
  FeatureSelection,
  LearnwareDetail,
  MappingProposal,
  LoadedData,
  LoadedImages,
  LoadedTable,
  LoadedTexts,
  SearchAnswer,
  SearchRequest,
  SpecOptions,
  SpecResult,
  SpecWorkerApi,
} from '../../workers/spec.worker.js';

registerErrorTransfer();

export class SpecClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<SpecWorkerApi>;
  private nextJob = 1;

  constructor() {
    this.worker = new Worker(new URL('../../workers/spec.worker.ts', import.meta.url), { type: 'module', name: 'spec' });
    this.api = Comlink.wrap<SpecWorkerApi>(this.worker);
  }

  init(request?: BackendRequest): Promise<BackendInfo> {
    return this.api.init(request);
  }

  /** The buffer is transferred: it is unusable by the caller afterwards. */
  loadData(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
    return this.api.loadData(Comlink.transfer(bytes, [bytes]), fileName);
  }

  /** A dropped folder's files, or several dropped files ({path, bytes}, the buffers transferred): its images, else its .txt files. */
  loadFolder(files: NamedFile[], folder: string): Promise<LoadedTexts | LoadedImages> {
    return this.api.loadFolder(
      Comlink.transfer(
        files,
        files.map((f) => f.bytes.buffer as ArrayBuffer),
      ),
      folder,
    );
  }

  /** A loaded table's text column (and label column) as the journey's texts. */
  textsOfColumn(tableId: number, column: string, labelColumn?: string): Promise<LoadedTexts> {
    return this.api.textsOfColumn(tableId, column, labelColumn);
  }

  encodeColumn(tableId: number, column: string, kind: 'one-hot' | 'ordinal'): Promise<LoadedTable> {
    return this.api.encodeColumn(tableId, column, kind);
  }

  /** Starts a spec job; returns its id (for cancel) and the result promise. */
  buildSpec(tableId: number, options: SpecOptions, onProgress: ProgressCallback): { jobId: string; result: Promise<SpecResult> } {
    const jobId = `spec-${this.nextJob++}`;
    return { jobId, result: this.api.buildSpec(jobId, tableId, options, Comlink.proxy(onProgress)) };
  }

  /** The answer's searchId names the result for the reuse worker (it gets it over the handover port). */
  searchCatalog(tableId: number, options: SearchRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<SearchAnswer> } {
    const jobId = `search-${this.nextJob++}`;
    return { jobId, result: this.api.searchCatalog(jobId, tableId, options, Comlink.proxy(onProgress)) };
  }

  /** The proposed column mappings of the table's feature columns for the nearest islands (index and members only: no search). */
  proposeMappings(tableId: number, selection: FeatureSelection): Promise<MappingProposal[]> {
    return this.api.proposeMappings(tableId, selection);
  }

  /** Gives the spec worker its end of the handover channel to the reuse worker (transferred). */
  connectReuse(port: MessagePort): Promise<void> {
    return this.api.connectReuse(Comlink.transfer(port, [port]));
  }

  /** The default feature columns and likely label of a table's columns against the loaded catalog. */
  suggestColumns(columns: { name: string; kind: string }[]): Promise<ColumnSuggestion | null> {
    return this.api.suggestColumns(columns);
  }

  loadCatalog(url: string): Promise<CatalogSummary> {
    return this.api.loadCatalog(url);
  }

  browseCatalog(filter: CatalogFilter): Promise<CatalogListing[]> {
    return this.api.browseCatalog(filter);
  }

  learnwareDetail(id: string): Promise<LearnwareDetail> {
    return this.api.learnwareDetail(id);
  }

  cancel(jobId: string): Promise<boolean> {
    return this.api.cancel(jobId);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
