/**
 * Model worker: the untrusted ONNX models of one host (model-host.ts), loaded and run with
 * onnxruntime-web in a dedicated Web Worker that the host terminates when a run passes its time
 * limit or its job is cancelled (the host then reloads the models it still needs in a new one).
 * One worker for all of them: onnxruntime's WASM is compiled once, not once per model. Before onnxruntime loads, the WebAssembly memory it creates is capped
 * (MODEL_LIMITS.memoryBytes): a run that asks for more fails (MODEL_MEMORY) instead of taking the
 * tab's memory. Exposed with comlink.
 */
import * as Comlink from 'comlink';
import { ModelError } from '../src/engine/core/errors.js';
import type { ModelFeed } from '../src/engine/model/feed.js';
import { MODEL_LIMITS } from '../src/engine/model/host.js';
import type { ModelIo, ModelOutput, OnnxModel, RunnerOptions } from '../src/engine/model/onnx-runner.js';
import { formatBytes } from '../src/engine/model/onnx-inspect.js';
import { registerErrorTransfer } from './errors.js';

registerErrorTransfer();

const PAGE = 65536;
let memory: WebAssembly.Memory | null = null;

/** Caps every WebAssembly.Memory created from now on at `bytes` (onnxruntime creates its own in JavaScript). */
function capWasmMemory(bytes: number): void {
  const cap = Math.max(1, Math.floor(bytes / PAGE));
  const Native = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(Native, {
    construct(target, [descriptor, ...rest]: [WebAssembly.MemoryDescriptor, ...unknown[]]) {
      const capped = { ...descriptor, maximum: Math.min(descriptor.maximum ?? cap, cap) };
      if (capped.initial > capped.maximum) capped.initial = capped.maximum;
      memory = Reflect.construct(target, [capped, ...rest]) as WebAssembly.Memory;
      return memory;
    },
  });
}

capWasmMemory(MODEL_LIMITS.memoryBytes);
// imported after the cap, so onnxruntime's memory is created through it
const runner = import('../src/engine/model/onnx-runner.js');

const models = new Map<number, OnnxModel>();
let nextId = 1;

function memoryError(error: unknown, rows: number | null): unknown {
  // OnnxModel puts onnxruntime's own words (std::bad_alloc) in details.raw when it found a plainer sentence
  const raw = (error as { details?: { raw?: unknown } }).details?.raw;
  const message = `${error instanceof Error ? error.message : String(error)} ${typeof raw === 'string' ? raw : ''}`;
  const size = memory?.buffer.byteLength ?? 0;
  if (/bad_alloc|out of memory|Cannot enlarge memory|allocat/i.test(message) || size > MODEL_LIMITS.memoryBytes * 0.9)
    return new ModelError(
      'MODEL_MEMORY',
      `the model ran out of the memory a model run may use (${formatBytes(MODEL_LIMITS.memoryBytes)})${rows === null ? ' while loading' : ` on ${rows} rows`}`,
      {
        raw: message,
        wasmMemoryBytes: size,
      },
    );
  return error;
}

const api = {
  /** Loads a model; returns its id in this worker. */
  async load(bytes: Uint8Array, options: RunnerOptions & { wasmThreads?: number }): Promise<{ id: number; io: ModelIo }> {
    const { OnnxModel, setOnnxWasmThreads } = await runner;
    if (options.wasmThreads) setOnnxWasmThreads(options.wasmThreads);
    try {
      const model = await OnnxModel.load(bytes, { executionProviders: options.executionProviders });
      const id = nextId++;
      models.set(id, model);
      return { id, io: model.io };
    } catch (error) {
      throw memoryError(error, null);
    }
  },
  async run(id: number, feed: ModelFeed): Promise<ModelOutput> {
    const model = models.get(id);
    if (!model) throw new ModelError('MODEL_HOST', 'no such model is loaded in this worker');
    try {
      const output = await model.runFeed(feed);
      return Comlink.transfer(output, [output.values.buffer as ArrayBuffer]);
    } catch (error) {
      throw memoryError(error, feed.dims[0]);
    }
  },
  async dispose(id: number): Promise<void> {
    await models.get(id)?.dispose();
    models.delete(id);
  },
};

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
