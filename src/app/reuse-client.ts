/**
 * The app's handle on the reuse worker (created on first use: onnxruntime-web loads only when the
 * user reuses a learnware). File buffers are transferred; progress callbacks are comlink proxies.
 */
import * as Comlink from 'comlink';
import type { Evaluation, ProgressCallback } from '../engine/index.js';
import { registerErrorTransfer } from '../../workers/errors.js';
import type { EvaluateRequest, ReuseOutcome, ReuseRequest, ReuseWorkerApi, RunnerInfo, RunnerRequest, TableSelection } from '../../workers/reuse.worker.js';
import type { LoadedTable } from '../../workers/spec.worker.js';

registerErrorTransfer();

export type { EvaluateRequest, ReuseOutcome, ReuseRequest, RunnerInfo, TableSelection };

export class ReuseClient {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<ReuseWorkerApi>;
  private nextJob = 1;

  constructor() {
    this.worker = new Worker(new URL('../../workers/reuse.worker.ts', import.meta.url), { type: 'module', name: 'reuse' });
    this.api = Comlink.wrap<ReuseWorkerApi>(this.worker);
  }

  init(request?: RunnerRequest): Promise<RunnerInfo> {
    return this.api.init(request);
  }

  /** The buffer is transferred: it is unusable by the caller afterwards. */
  loadTable(bytes: ArrayBuffer, fileName: string): Promise<LoadedTable> {
    return this.api.loadTable(Comlink.transfer(bytes, [bytes]), fileName);
  }

  reuse(tableId: number, request: ReuseRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<ReuseOutcome> } {
    const jobId = `reuse-${this.nextJob++}`;
    return { jobId, result: this.api.reuse(jobId, tableId, request, Comlink.proxy(onProgress)) };
  }

  evaluate(tableId: number, request: EvaluateRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<Evaluation & { learnwares: string[] }> } {
    const jobId = `evaluate-${this.nextJob++}`;
    return { jobId, result: this.api.evaluate(jobId, tableId, request, Comlink.proxy(onProgress)) };
  }

  saveComposite(name?: string): Promise<Uint8Array> {
    return this.api.saveComposite(name);
  }

  openComposite(bytes: Uint8Array) {
    return this.api.openComposite(Comlink.transfer(bytes, [bytes.buffer]));
  }

  predictComposite(tableId: number, selection: TableSelection, onProgress: ProgressCallback) {
    const jobId = `predict-${this.nextJob++}`;
    return { jobId, result: this.api.predictComposite(jobId, tableId, selection, Comlink.proxy(onProgress)) };
  }

  predictionsCsv(): Promise<string> {
    return this.api.predictionsCsv();
  }

  cancel(jobId: string): Promise<boolean> {
    return this.api.cancel(jobId);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
