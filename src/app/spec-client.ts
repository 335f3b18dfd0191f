/**
 * The app's handle on the spec worker: creates it once, wraps it with comlink, transfers file
 * buffers instead of copying them, and passes progress callbacks as comlink proxies.
 */
import * as Comlink from 'comlink';
import type { CatalogSearchIsland, ProgressCallback } from '../engine/index.js';
import { registerErrorTransfer } from '../../workers/errors.js';
import type { BackendInfo, BackendRequest, CatalogFilter, CatalogListing, CatalogSummary, LearnwareDetail, LoadedTable, SearchRequest, SpecOptions, SpecResult, SpecWorkerApi } from '../../workers/spec.worker.js';

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
  loadTable(bytes: ArrayBuffer, fileName: string): Promise<LoadedTable> {
    return this.api.loadTable(Comlink.transfer(bytes, [bytes]), fileName);
  }

  /** Starts a spec job; returns its id (for cancel) and the result promise. */
  buildSpec(tableId: number, options: SpecOptions, onProgress: ProgressCallback): { jobId: string; result: Promise<SpecResult> } {
    const jobId = `spec-${this.nextJob++}`;
    return { jobId, result: this.api.buildSpec(jobId, tableId, options, Comlink.proxy(onProgress)) };
  }

  searchCatalog(tableId: number, options: SearchRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<CatalogSearchIsland[]> } {
    const jobId = `search-${this.nextJob++}`;
    return { jobId, result: this.api.searchCatalog(jobId, tableId, options, Comlink.proxy(onProgress)) };
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
