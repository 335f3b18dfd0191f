/**
 * The CLI's model host: untrusted models load and run in a Node worker thread (model-worker.mjs),
 * one per host for all its models (starting one means loading onnxruntime again: 0.3–2 s), with
 * its WebAssembly memory capped and its JavaScript heap bounded (resourceLimits). A run that passes
 * its time limit, or whose job is cancelled, terminates the thread: the verdict (MODEL_TIMEOUT,
 * CANCELLED) comes on time whatever the model does; the next call starts a new thread and reloads
 * the models still in use. Calls take turns, so a time limit measures the call's own work. The
 * thread is unreferenced: it never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
// engine modules one by one, not the barrel: a check thread (check-worker.ts) starts in a third of the time
import { CancelledError, DockError, InputError, ModelError } from '../engine/core/errors.js';
import type { ModelFeed } from '../engine/model/feed.js';
import { MODEL_LIMITS, timeoutError, type HostedModel, type HostOptions, type ModelHost, type RunLimits } from '../engine/model/host.js';
import { formatBytes } from '../engine/model/onnx-inspect.js';
import { plainOrtMessage, type ModelIo, type ModelOutput } from '../engine/model/onnx-runner.js';

export interface NodeHostOptions {
  /** WASM memory cap per model (default MODEL_LIMITS.memoryBytes) */
  memoryBytes?: number;
  /** time to load a model (default 30 s) */
  loadTimeoutMs?: number;
  /** no run of any model may take longer than this, whatever its caller asks (the CLI's LEARNWARE_DOCK_RUN_TIMEOUT_S) */
  maxTimeoutMs?: number;
}

interface Reply {
  id: number;
  ok: boolean;
  code?: string | null;
  message?: string;
  io?: ModelIo;
  type?: string;
  values?: Float32Array | null;
  dims?: number[];
  memoryBytes?: number;
}

const WORKER_URL = new URL('./model-worker.mjs', import.meta.url);

/** One worker thread and its pending requests; dead after terminate() or an exit. */
class Thread {
  readonly worker: Worker;
  private next = 0;
  private pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  dead = false;

  constructor(private readonly memoryBytes: number) {
    this.worker = new Worker(WORKER_URL, { workerData: { memoryBytes }, resourceLimits: { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 } });
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply);
    });
    this.worker.on('error', (error: Error & { code?: string }) => this.die(this.deathError(error)));
    this.worker.on('exit', () => this.die(new ModelError('MODEL_HOST', 'the model worker stopped')));
    // never keeps the process alive by itself (unref after the listeners, which ref): a call's time-limit timer does, while it waits
    this.worker.unref();
  }

  private deathError(error: Error & { code?: string }): DockError {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
      return new ModelError('MODEL_MEMORY', `the model run took more memory than a model may (${formatBytes(this.memoryBytes)}) and was stopped`);
    return new ModelError('MODEL_HOST', `the model worker failed: ${error.message}`);
  }

  private die(error: Error): void {
    this.dead = true;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /** one request; rejects with `stop()` and terminates the thread on time-out or abort */
  call(message: Record<string, unknown>, transfer: ArrayBuffer[], timeoutMs: number, onTimeout: () => Error, signal?: AbortSignal): Promise<Reply> {
    if (this.dead) return Promise.reject(new ModelError('MODEL_HOST', 'the model worker has stopped'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const id = ++this.next;
    return new Promise<Reply>((resolve, reject) => {
      const stop = (error: Error) => {
        this.die(error);
        void this.worker.terminate();
      };
      const timer = setTimeout(() => stop(onTimeout()), timeoutMs);
      const abort = () => stop(new CancelledError());
      signal?.addEventListener('abort', abort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      };
      this.pending.set(id, {
        resolve: (r) => (settle(), resolve(r)),
        reject: (e) => (settle(), reject(e)),
      });
      this.worker.postMessage({ id, ...message }, transfer);
    });
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

function replyError(reply: Reply, rows: number | null, memoryBytes: number): DockError {
  const raw = reply.message ?? 'unknown error';
  if (reply.code === 'MODEL_MEMORY')
    return new ModelError('MODEL_MEMORY', `the model ran out of the memory a model run may use (${formatBytes(memoryBytes)})${rows === null ? ' while loading' : ` on ${rows} rows`}`, {
      raw,
    });
  if (rows === null) return new ModelError('MODEL_LOAD', `the model cannot be loaded: ${raw}`);
  const plain = plainOrtMessage(raw);
  return new ModelError('MODEL_RUN', `the model failed on ${rows} rows: ${plain ?? raw}`, plain ? { raw } : {});
}

export function nodeModelHost(options: NodeHostOptions = {}): ModelHost {
  const memoryBytes = options.memoryBytes ?? MODEL_LIMITS.memoryBytes;
  const cap = (ms: number) => Math.min(ms, options.maxTimeoutMs ?? Infinity);
  // a load includes starting the worker and onnxruntime (0.3–2 s on a busy machine): maxTimeoutMs caps runs only
  const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
  let thread: Thread | null = null;
  let nextModel = 0;
  const live = (): Thread => {
    if (!thread || thread.dead) thread = new Thread(memoryBytes);
    return thread;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const turn = <T>(call: () => Promise<T>): Promise<T> => {
    const next = queue.then(call);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    name: 'worker thread',
    isolated: true,
    async load(bytes: Uint8Array, hostOptions: HostOptions = {}): Promise<HostedModel> {
      // a copy even for a Node Buffer (whose slice() is a view): transferring a view's buffer to the thread would empty the caller's file bytes
      const source = new Uint8Array(bytes);
      let loaded: { thread: Thread; model: number } | null = null;
      let io: ModelIo | null = null;
      /** The model in the live thread, loaded there first when it is not (a new or restarted thread). */
      const ensure = async (): Promise<{ thread: Thread; model: number }> => {
        const t = live();
        if (loaded && loaded.thread === t) return loaded;
        const copy = source.slice();
        const model = ++nextModel;
        const reply = await t.call(
          { type: 'load', model, bytes: copy, executionProviders: hostOptions.executionProviders },
          [copy.buffer],
          loadTimeoutMs,
          () => new ModelError('MODEL_TIMEOUT', `the model did not load within ${loadTimeoutMs / 1000} s and was stopped`),
        );
        if (!reply.ok) {
          // after a failed allocation onnxruntime's heap is not trusted again
          if (reply.code === 'MODEL_MEMORY') t.terminate();
          throw replyError(reply, null, memoryBytes);
        }
        io = reply.io!;
        loaded = { thread: t, model };
        return loaded;
      };
      await turn(ensure);
      const defaultTimeout = hostOptions.runTimeoutMs ?? MODEL_LIMITS.runTimeoutMs;
      let disposed = false;
      const runFeed = (feed: ModelFeed, limits: RunLimits = {}): Promise<ModelOutput> => {
        const expected = feed.dims.reduce((a, b) => a * b, 1);
        if (feed.data.length !== expected) return Promise.reject(new DockError('BAD_SHAPE', `input has ${feed.data.length} values, expected ${feed.dims.join('×')}`));
        const rows = feed.dims[0];
        const ms = cap(limits.timeoutMs ?? defaultTimeout);
        return turn(async () => {
          if (disposed) throw new ModelError('MODEL_HOST', 'the model was disposed');
          if (limits.signal?.aborted) throw new CancelledError();
          const { thread: t, model } = await ensure();
          const data = feed.data.slice();
          const reply = await t.call({ type: 'run', model, feed: { dtype: feed.dtype, data, dims: feed.dims } }, [data.buffer], ms, () => timeoutError(ms, rows), limits.signal);
          if (!reply.ok) {
            if (reply.code === 'MODEL_MEMORY') t.terminate();
            throw replyError(reply, rows, memoryBytes);
          }
          if (reply.type !== 'float32' || !reply.values) throw new ModelError('MODEL_OUTPUT', `the model's output is ${reply.type}, expected float32`);
          return { values: reply.values, dims: reply.dims! };
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
            const mine = loaded;
            if (!mine || mine.thread.dead) return;
            const reply = await mine.thread
              .call({ type: 'dispose', model: mine.model }, [], 5_000, () => new ModelError('MODEL_HOST', 'the model worker did not release the model'))
              .catch(() => null);
            if (!reply?.ok) mine.thread.terminate();
          });
        },
      };
    },
  };
}

/**
 * LEARNWARE_DOCK_RUN_TIMEOUT_S: a lower time limit (seconds) for every model run, e.g. for a catalog
 * build of untrusted bundles. Read by the main thread and by every check thread (check-worker.ts).
 */
export function runTimeoutFromEnvironment(): number | undefined {
  const raw = process.env.LEARNWARE_DOCK_RUN_TIMEOUT_S;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InputError('USAGE', `LEARNWARE_DOCK_RUN_TIMEOUT_S must be a positive number of seconds, got "${raw}"`);
  return seconds * 1000;
}
