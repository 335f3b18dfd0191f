/**
 * The page's model host (engine model/host.ts): untrusted models load and run in a dedicated Web
 * Worker (model.worker.ts), one per host, which is terminated when a run passes its time limit
 * (MODEL_TIMEOUT) or its job is cancelled (CANCELLED): a model that never ends cannot hold the
 * worker that owns it, so Cancel and the time limit work. After a stop, a new worker is started on
 * the next run and each model still in use is loaded into it again, so a caller's cache of loaded
 * models survives a Cancel. One worker for all models compiles onnxruntime's WASM once (a worker
 * per model took 20–60 s to open a three-model composite on this machine). Runs take turns.
 * Used by the workers that check and run bundles (reuse, publish); nested dedicated workers need
 * no page support.
 */
import * as Comlink from 'comlink';
import { CancelledError, DockError, ModelError } from '../src/engine/core/errors.js';
import type { ModelFeed } from '../src/engine/model/feed.js';
import { MODEL_LIMITS, timeoutError, type HostedModel, type HostOptions, type ModelHost, type RunLimits } from '../src/engine/model/host.js';
import type { ModelIo, ModelOutput } from '../src/engine/model/onnx-runner.js';
import { registerErrorTransfer } from './errors.js';
import type { ModelWorkerApi } from './model.worker.js';

registerErrorTransfer();

export interface WebHostOptions {
  /** WASM threads of every model worker (the page's cross-origin isolation decides; default 1) */
  wasmThreads?: number;
  /** time to load a model (default 30 s) */
  loadTimeoutMs?: number;
}

/** Runs `call` with the worker terminated (and `stop()` thrown) on time-out or abort. */
function guarded<T>(worker: Worker, call: () => Promise<T>, timeoutMs: number, onTimeout: () => Error, signal: AbortSignal | undefined, onStop: () => void): Promise<T> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const stop = (error: Error) => {
      worker.terminate();
      onStop();
      reject(error);
    };
    const timer = setTimeout(() => stop(onTimeout()), timeoutMs);
    const abort = () => stop(new CancelledError());
    signal?.addEventListener('abort', abort, { once: true });
    call()
      .then(resolve, reject)
      .finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      });
  });
}

/** The host's worker: started on demand, replaced after a stop; `generation` tells models when to reload. */
interface Process {
  worker: Worker;
  api: Comlink.Remote<ModelWorkerApi>;
  generation: number;
}

export function webModelHost(options: WebHostOptions = {}): ModelHost {
  const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
  let process: Process | null = null;
  let generation = 0;
  // one call at a time in the worker: a time limit measures the call's own work
  let queue: Promise<unknown> = Promise.resolve();
  const stop = () => {
    process?.worker.terminate();
    process = null;
  };
  const live = (): Process => {
    if (!process) {
      const worker = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' });
      process = { worker, api: Comlink.wrap<ModelWorkerApi>(worker), generation: ++generation };
    }
    return process;
  };
  const turn = <T>(call: () => Promise<T>): Promise<T> => {
    const next = queue.then(call);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    name: 'web worker',
    isolated: true,
    async load(bytes: Uint8Array, hostOptions: HostOptions = {}): Promise<HostedModel> {
      const source = bytes.slice();
      let loaded: { generation: number; id: number } | null = null;
      let disposed = false;
      /** The model's id in the live worker, loading it there first when it is not (a new or restarted worker). */
      let io: ModelIo | null = null;
      const ensure = async (): Promise<{ p: Process; id: number }> => {
        const p = live();
        if (loaded && loaded.generation === p.generation) return { p, id: loaded.id };
        const copy = source.slice();
        const result = await guarded(
          p.worker,
          () => p.api.load(Comlink.transfer(copy, [copy.buffer]), { executionProviders: hostOptions.executionProviders, wasmThreads: options.wasmThreads }),
          loadTimeoutMs,
          () => new ModelError('MODEL_TIMEOUT', `the model did not load within ${loadTimeoutMs / 1000} s and was stopped`),
          undefined,
          stop,
        );
        loaded = { generation: p.generation, id: result.id };
        io = result.io;
        return { p, id: result.id };
      };
      await turn(ensure);
      const defaultTimeout = hostOptions.runTimeoutMs ?? MODEL_LIMITS.runTimeoutMs;
      const runFeed = (feed: ModelFeed, limits: RunLimits = {}): Promise<ModelOutput> => {
        const expected = feed.dims.reduce((a, b) => a * b, 1);
        if (feed.data.length !== expected) return Promise.reject(new DockError('BAD_SHAPE', `input has ${feed.data.length} values, expected ${feed.dims.join('×')}`));
        const ms = limits.timeoutMs ?? defaultTimeout;
        return turn(async () => {
          if (disposed) throw new ModelError('MODEL_HOST', 'the model was disposed');
          if (limits.signal?.aborted) throw new CancelledError();
          const { p, id } = await ensure();
          const data = feed.data.slice();
          const sent = { dtype: feed.dtype, data, dims: [...feed.dims] } as ModelFeed;
          return guarded(
            p.worker,
            () => p.api.run(id, Comlink.transfer(sent, [data.buffer])),
            ms,
            () => timeoutError(ms, feed.dims[0]),
            limits.signal,
            stop,
          ).catch((error: unknown) => {
            // a worker whose memory a model exhausted is not kept for the others
            if (error instanceof ModelError && error.code === 'MODEL_MEMORY') stop();
            throw error;
          });
        });
      };
      return {
        io: io!,
        run: (values, rows, features, limits) => runFeed({ dtype: 'float32', data: values, dims: [rows, features] }, limits),
        runFeed,
        async dispose() {
          if (disposed) return;
          disposed = true;
          await turn(async () => {
            const p = process;
            if (!p || !loaded || loaded.generation !== p.generation) return;
            await Promise.race([p.api.dispose(loaded.id).catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
          });
        },
      };
    },
  };
}
