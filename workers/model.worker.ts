/**
 * Model worker: one untrusted ONNX model, loaded and run with onnxruntime-web in a dedicated Web
 * Worker that its owner (model-host.ts) terminates when a run passes its time limit or its job is
 * cancelled. Before onnxruntime loads, the WebAssembly memory it creates is capped
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

let model: OnnxModel | null = null;

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
  async load(bytes: Uint8Array, options: RunnerOptions & { wasmThreads?: number }): Promise<ModelIo> {
    const { OnnxModel, setOnnxWasmThreads } = await runner;
    if (options.wasmThreads) setOnnxWasmThreads(options.wasmThreads);
    try {
      model = await OnnxModel.load(bytes, { executionProviders: options.executionProviders });
    } catch (error) {
      throw memoryError(error, null);
    }
    return model.io;
  },
  async run(feed: ModelFeed): Promise<ModelOutput> {
    if (!model) throw new ModelError('MODEL_HOST', 'no model is loaded in this worker');
    try {
      const output = await model.runFeed(feed);
      return Comlink.transfer(output, [output.values.buffer as ArrayBuffer]);
    } catch (error) {
      throw memoryError(error, feed.dims[0]);
    }
  },
  async dispose(): Promise<void> {
    await model?.dispose();
    model = null;
  },
};

export type ModelWorkerApi = typeof api;

Comlink.expose(api);
