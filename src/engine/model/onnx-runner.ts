/**
 * Runs ONNX models with onnxruntime-web (WASM in Node; the caller picks WebGPU or WASM in the
 * browser). One promise queue per session: onnxruntime-web refuses concurrent run() calls on a
 * session. Inputs are one tensor (ModelFeed: Float32 rows × features for tables, int64 token ids
 * later); outputs come back as Float32 with their shape.
 * The only engine module that imports onnxruntime-web.
 */
import * as ort from 'onnxruntime-web';
import { InputError, ModelError } from '../core/errors.js';
import type { ModelFeed } from './feed.js';

// defined with the other error classes (so it survives the worker boundary); re-exported for importers
export { ModelError } from '../core/errors.js';

export interface ModelIo {
  inputNames: readonly string[];
  outputNames: readonly string[];
}

export interface ModelOutput {
  values: Float32Array;
  dims: number[];
}

export interface RunnerOptions {
  executionProviders?: ('webgpu' | 'wasm')[];
}

let configured = false;
let wasmThreads = 1;

/**
 * WASM threads for the models loaded from now on (before the first load). Threads need
 * SharedArrayBuffer, i.e. a cross-origin-isolated page; the default, one thread, works everywhere.
 */
export function setOnnxWasmThreads(threads: number): void {
  if (configured) return;
  wasmThreads = Math.max(1, Math.floor(threads));
}

function configure(): void {
  if (configured) return;
  ort.env.wasm.numThreads = wasmThreads;
  ort.env.logLevel = 'error';
  configured = true;
}

export class OnnxModel {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly session: ort.InferenceSession) {}

  /** Loads a model from bytes; a file that is not a valid ONNX model is a ModelError. */
  static async load(bytes: Uint8Array, options: RunnerOptions = {}): Promise<OnnxModel> {
    configure();
    try {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: options.executionProviders ?? ['wasm'] });
      return new OnnxModel(session);
    } catch (error) {
      throw new ModelError('MODEL_LOAD', `the model cannot be loaded: ${(error as Error).message}`);
    }
  }

  get io(): ModelIo {
    return { inputNames: this.session.inputNames, outputNames: this.session.outputNames };
  }

  /** Runs rows×features through the first input; returns the first output. */
  run(values: Float32Array, rows: number, features: number): Promise<ModelOutput> {
    return this.runFeed({ dtype: 'float32', data: values, dims: [rows, features] });
  }

  /** Runs one tensor through the first input; returns the first output. Calls are serialised. */
  runFeed(feed: ModelFeed): Promise<ModelOutput> {
    const expected = feed.dims.reduce((a, b) => a * b, 1);
    if (feed.data.length !== expected) throw new InputError('BAD_SHAPE', `input has ${feed.data.length} values, expected ${feed.dims.join('×')}`);
    const rows = feed.dims[0];
    const next = this.queue.then(async () => {
      const tensor = feed.dtype === 'float32' ? new ort.Tensor('float32', feed.data, feed.dims) : new ort.Tensor('int64', feed.data, feed.dims);
      const feeds = { [this.session.inputNames[0]]: tensor };
      let results: ort.InferenceSession.OnnxValueMapType;
      try {
        results = await this.session.run(feeds);
      } catch (error) {
        throw new ModelError('MODEL_RUN', `the model failed on ${rows} rows: ${(error as Error).message}`);
      }
      const output = results[this.session.outputNames[0]];
      if (output.type !== 'float32') throw new ModelError('MODEL_OUTPUT', `the model's output is ${output.type}, expected float32`);
      return { values: output.data as Float32Array, dims: [...output.dims] };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.session.release();
  }
}
