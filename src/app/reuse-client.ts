/**
 * The app's handle on the reuse worker (created on first use: onnxruntime-web loads only when the
 * user gets to reuse). It parses nothing: `connect` gives it the port to the spec worker, which
 * hands over the user's rows and the search result (workers/handover.ts). Results are named by the
 * resultId each job returns. Progress callbacks are comlink proxies; buffers are transferred.
 */
import * as Comlink from 'comlink';
import type { ProgressCallback } from '../engine/index.js';
import { registerErrorTransfer } from '../../workers/errors.js';
import type { EvaluateRequest, EvaluationAnswer, ReuseOutcome, ReuseRequest, ReuseWorkerApi, RunnerInfo, RunnerRequest, TableSelection } from '../../workers/reuse.worker.js';

registerErrorTransfer();

export type { EvaluateRequest, EvaluationAnswer, ReuseOutcome, ReuseRequest, RunnerInfo, TableSelection };

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

  /** The port to the spec worker (transferred). */
  connect(port: MessagePort): Promise<void> {
    return this.api.connect(Comlink.transfer(port, [port]));
  }

  reuse(request: ReuseRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<ReuseOutcome> } {
    const jobId = `reuse-${this.nextJob++}`;
    return { jobId, result: this.api.reuse(jobId, request, Comlink.proxy(onProgress)) };
  }

  evaluate(request: EvaluateRequest, onProgress: ProgressCallback): { jobId: string; result: Promise<EvaluationAnswer> } {
    const jobId = `evaluate-${this.nextJob++}`;
    return { jobId, result: this.api.evaluate(jobId, request, Comlink.proxy(onProgress)) };
  }

  saveComposite(resultId: string, name?: string): Promise<Uint8Array> {
    return this.api.saveComposite(resultId, name);
  }

  predictionsCsv(resultId: string): Promise<string> {
    return this.api.predictionsCsv(resultId);
  }

  openComposite(bytes: Uint8Array) {
    return this.api.openComposite(Comlink.transfer(bytes, [bytes.buffer]));
  }

  predictComposite(compositeId: string, selection: TableSelection, onProgress: ProgressCallback): { jobId: string; result: Promise<ReuseOutcome> } {
    const jobId = `predict-${this.nextJob++}`;
    return { jobId, result: this.api.predictComposite(jobId, compositeId, selection, Comlink.proxy(onProgress)) };
  }

  cancel(jobId: string): Promise<boolean> {
    return this.api.cancel(jobId);
  }

  dispose(): void {
    this.worker.terminate();
  }
}
