/**
 * Where untrusted models run. A model is data, but onnxruntime runs it on the thread that called
 * it: a Loop of 2·10⁸ iterations blocks that thread (and every timer on it) for as long as it
 * likes, and a ConstantOfShape can ask for gigabytes. A ModelHost loads and runs models somewhere
 * that can be stopped: the CLI's host is a Node worker thread (src/cli/model-host.ts), the page's a
 * dedicated Web Worker (workers/model-host.ts); both are terminated when a run passes its time
 * limit or its job is cancelled, and both cap the WASM memory a run may take. The engine knows only
 * this interface, so it stays free of Node and DOM; the in-thread host (the default) is for trusted
 * models and tests: its time limit fires only between runs that yield.
 *
 * Every load, whichever the host, first passes the static look of onnx-inspect.ts.
 */
import { CancelledError, DockError, throwIfCancelled } from '../core/errors.js';
import { withTimeout } from '../core/timeout.js';
import type { ModelFeed } from './feed.js';
import { assertModelFootprint } from './onnx-inspect.js';
import { OnnxModel, type ModelIo, type ModelOutput, type RunnerOptions } from './onnx-runner.js';

/** The limits of one model run (docs/security.md). */
export const MODEL_LIMITS = {
  /** a probe run of the checker (48 rows) */
  checkTimeoutMs: 10_000,
  /** one batch (≤ 4,096 rows) of a reuse */
  runTimeoutMs: 30_000,
  /** WASM memory a model may use in an isolated host, and the largest tensor a file may fix */
  memoryBytes: 1024 * 2 ** 20,
} as const;

export interface RunLimits {
  /** give up (MODEL_TIMEOUT) after this long; default: the host's */
  timeoutMs?: number;
  /** stop the run (CANCELLED) when this fires */
  signal?: AbortSignal;
}

/** A loaded model: what OnnxModel offers, with limits per run. */
export interface HostedModel {
  readonly io: ModelIo;
  run(values: Float32Array, rows: number, features: number, limits?: RunLimits): Promise<ModelOutput>;
  runFeed(feed: ModelFeed, limits?: RunLimits): Promise<ModelOutput>;
  dispose(): Promise<void>;
}

export interface HostOptions extends RunnerOptions {
  /** default time limit of each run of this model */
  runTimeoutMs?: number;
}

export interface ModelHost {
  /** for messages: "worker thread", "web worker", "in-thread" */
  readonly name: string;
  /** true when a run that passes its limit or is cancelled is actually stopped (a worker terminated) */
  readonly isolated: boolean;
  load(bytes: Uint8Array, options?: HostOptions): Promise<HostedModel>;
}

export function timeoutError(ms: number, rows: number): DockError {
  return new DockError('MODEL_TIMEOUT', `the model took longer than ${ms / 1000} s on ${rows} rows and was stopped`, { limitMs: ms });
}

/** Runs on the calling thread: a blocking run cannot be stopped (trusted models, tests). */
export const inThreadHost: ModelHost = {
  name: 'in-thread',
  isolated: false,
  async load(bytes, options = {}) {
    const model = await OnnxModel.load(bytes, options);
    const defaultTimeout = options.runTimeoutMs ?? MODEL_LIMITS.runTimeoutMs;
    const runFeed = (feed: ModelFeed, limits: RunLimits = {}): Promise<ModelOutput> => {
      throwIfCancelled(limits.signal);
      const ms = limits.timeoutMs ?? defaultTimeout;
      const run = withTimeout(model.runFeed(feed), ms, () => timeoutError(ms, feed.dims[0]));
      const signal = limits.signal;
      if (!signal) return run;
      return new Promise<ModelOutput>((resolve, reject) => {
        const abort = () => reject(new CancelledError());
        signal.addEventListener('abort', abort, { once: true });
        run.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
      });
    };
    return {
      get io() {
        return model.io;
      },
      run: (values, rows, features, limits) => runFeed({ dtype: 'float32', data: values, dims: [rows, features] }, limits),
      runFeed,
      dispose: () => model.dispose(),
    };
  },
};

let current: ModelHost = inThreadHost;

/** Sets the host every untrusted model is loaded in from now on (the CLI and the workers do, at start). */
export function setModelHost(host: ModelHost): void {
  current = host;
}

export function modelHost(): ModelHost {
  return current;
}

/** Loads an untrusted model: the static footprint check, then the current host (or the one given). */
export async function loadModel(bytes: Uint8Array, options: HostOptions & { host?: ModelHost } = {}): Promise<HostedModel> {
  assertModelFootprint(bytes, MODEL_LIMITS.memoryBytes);
  return (options.host ?? current).load(bytes, options);
}
