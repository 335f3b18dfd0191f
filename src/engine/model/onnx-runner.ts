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
  /** shape of the first input as the model declares it: numbers are fixed sizes, strings symbolic ("N"); null when unknown */
  inputShape: readonly (number | string)[] | null;
  /** shape of the first output, likewise */
  outputShape: readonly (number | string)[] | null;
}

/** The fixed size of the last axis of a declared shape (features per row, outputs per row), or null when it is free or unknown. */
export function fixedWidth(shape: readonly (number | string)[] | null): number | null {
  const last = shape?.at(-1);
  return typeof last === 'number' && last > 0 ? last : null;
}

/**
 * onnxruntime's own error text ("failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Got invalid
 * dimensions for input: …") in a sentence a developer understands, or null when it is not one we know.
 */
export function plainOrtMessage(raw: string): string | null {
  const dims = /invalid dimensions for input: (\S+) for the following indices\s+index: (\d+) Got: (\d+) Expected: (\d+)/i.exec(raw);
  if (dims) {
    const [, , index, got, expected] = dims;
    return index === '1'
      ? `the model takes ${expected} feature${expected === '1' ? '' : 's'} per row but was given ${got}: choose the same feature columns the model was trained on`
      : `the model's input axis ${index} is fixed at ${expected} but was given ${got}`;
  }
  const rank = /Invalid rank for input: (\S+) Got: (\d+) Expected: (\d+)/i.exec(raw);
  if (rank) return `the model takes ${rank[3]}-dimensional input but was given ${rank[2]}-dimensional input (a table is fed as rows × features)`;
  const type = /Unexpected input data type\. Actual: \((\S+)\)\s*,\s*expected: \((\S+)\)/i.exec(raw);
  if (type)
    return `the model's input is ${type[2].replace(/^tensor\((.*)\)$/, '$1')} but this dock feeds ${type[1].replace(/^tensor\((.*)\)$/, '$1')}: export the model with a float32 input`;
  const gemm = /GEMM: Dimension mismatch, W: \{(\d+),(\d+)\} K: (\d+)/i.exec(raw);
  if (gemm) return `the model takes ${gemm[1]} feature${gemm[1] === '1' ? '' : 's'} per row but was given ${gemm[3]}: choose the same feature columns the model was trained on`;
  const node = /running (\w+) node\./i.exec(raw);
  if (node) return `a ${node[1]} step inside the model failed on these inputs (often a feature count or type the model does not take)`;
  if (/failed to call OrtRun|ERROR_CODE/i.test(raw)) return 'onnxruntime could not run the model on these inputs';
  return null;
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
    const shape = (meta: readonly ort.InferenceSession.ValueMetadata[] | undefined) => {
      const first = meta?.[0];
      return first && first.isTensor && first.shape.length > 0 ? [...first.shape] : null;
    };
    return {
      inputNames: this.session.inputNames,
      outputNames: this.session.outputNames,
      inputShape: shape(this.session.inputMetadata),
      outputShape: shape(this.session.outputMetadata),
    };
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
        // the sentence first; onnxruntime's own text is kept as a detail for whoever debugs the model
        const raw = (error as Error).message;
        const plain = plainOrtMessage(raw);
        throw new ModelError('MODEL_RUN', `the model failed on ${rows} rows: ${plain ?? raw}`, plain ? { raw } : {});
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
