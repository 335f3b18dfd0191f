/**
 * The page's model host (engine model/host.ts): each untrusted model loads and runs in its own
 * dedicated Web Worker (model.worker.ts), which is terminated when a run passes its time limit
 * (MODEL_TIMEOUT) or its job is cancelled (CANCELLED): a model that never ends cannot hold the
 * worker that owns it, so Cancel and the time limit work. A stopped model's worker is started
 * again (the model reloaded) on its next run, so a caller's cache of loaded models survives a
 * Cancel. Used by the workers that check and run bundles (reuse, publish); nested dedicated
 * workers need no page support.
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

export function webModelHost(options: WebHostOptions = {}): ModelHost {
  const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
  return {
    name: 'web worker',
    isolated: true,
    async load(bytes: Uint8Array, hostOptions: HostOptions = {}): Promise<HostedModel> {
      const source = bytes.slice();
      // one live worker at a time; a stopped one (time limit, cancel) is replaced on the next run, so
      // a model cached by its caller stays usable after a Cancel
      let worker: Worker | null = null;
      let api: Comlink.Remote<ModelWorkerApi> | null = null;
      let disposed = false;
      const stopped = () => {
        worker = null;
        api = null;
      };
      const start = async (): Promise<{ worker: Worker; api: Comlink.Remote<ModelWorkerApi>; io: ModelIo }> => {
        const w = new Worker(new URL('./model.worker.ts', import.meta.url), { type: 'module', name: 'model' });
        const remote = Comlink.wrap<ModelWorkerApi>(w);
        const copy = source.slice();
        try {
          const loaded = await guarded(
            w,
            () => remote.load(Comlink.transfer(copy, [copy.buffer]), { executionProviders: hostOptions.executionProviders, wasmThreads: options.wasmThreads }),
            loadTimeoutMs,
            () => new ModelError('MODEL_TIMEOUT', `the model did not load within ${loadTimeoutMs / 1000} s and was stopped`),
            undefined,
            () => undefined,
          );
          worker = w;
          api = remote;
          return { worker: w, api: remote, io: loaded };
        } catch (error) {
          w.terminate();
          throw error;
        }
      };
      const { io } = await start();
      const defaultTimeout = hostOptions.runTimeoutMs ?? MODEL_LIMITS.runTimeoutMs;
      let queue: Promise<unknown> = Promise.resolve();
      const runFeed = (feed: ModelFeed, limits: RunLimits = {}): Promise<ModelOutput> => {
        const expected = feed.dims.reduce((a, b) => a * b, 1);
        if (feed.data.length !== expected) return Promise.reject(new DockError('BAD_SHAPE', `input has ${feed.data.length} values, expected ${feed.dims.join('×')}`));
        const ms = limits.timeoutMs ?? defaultTimeout;
        const next = queue.then(async () => {
          if (disposed) throw new ModelError('MODEL_HOST', 'the model was disposed');
          if (limits.signal?.aborted) throw new CancelledError();
          const live = worker && api ? { worker, api } : await start();
          const data = feed.data.slice();
          const sent = { dtype: feed.dtype, data, dims: [...feed.dims] } as ModelFeed;
          return guarded(
            live.worker,
            () => live.api.run(Comlink.transfer(sent, [data.buffer])),
            ms,
            () => timeoutError(ms, feed.dims[0]),
            limits.signal,
            stopped,
          );
        });
        queue = next.catch(() => undefined);
        return next;
      };
      return {
        io,
        run: (values, rows, features, limits) => runFeed({ dtype: 'float32', data: values, dims: [rows, features] }, limits),
        runFeed,
        async dispose() {
          if (disposed) return;
          disposed = true;
          await queue;
          const [w, remote] = [worker, api];
          stopped();
          if (!w || !remote) return;
          await Promise.race([remote.dispose().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
          w.terminate();
        },
      };
    },
  };
}
