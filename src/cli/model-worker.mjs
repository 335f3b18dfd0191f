// The Node model host's worker thread (src/cli/model-host.ts): loads the untrusted ONNX models of
// one host in onnxruntime-web (one thread for all, so onnxruntime starts once) and runs them on
// request. Plain JavaScript, so it starts without the TypeScript
// loader. Before onnxruntime loads, the WebAssembly memory it creates is capped at
// workerData.memoryBytes: a run that needs more fails to grow its memory instead of taking the
// machine's. The parent terminates this thread when a run passes its time limit or is cancelled.
import { parentPort, workerData } from 'node:worker_threads';

const PAGE = 65536;
const cap = Math.max(1, Math.floor(workerData.memoryBytes / PAGE));
const NativeMemory = WebAssembly.Memory;
let memory = null;
WebAssembly.Memory = new Proxy(NativeMemory, {
  construct(target, [descriptor, ...rest]) {
    const capped = { ...descriptor, maximum: Math.min(descriptor.maximum ?? cap, cap) };
    if (capped.initial > capped.maximum) capped.initial = capped.maximum;
    memory = Reflect.construct(target, [capped, ...rest]);
    return memory;
  },
});

const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

const sessions = new Map();
const memoryBytes = () => (memory ? memory.buffer.byteLength : 0);

function fail(id, error) {
  const message = error instanceof Error ? error.message : String(error);
  // onnxruntime reports a failed allocation in several words; with the memory at its cap it is ours
  const outOfMemory = /bad_alloc|out of memory|memory access out of bounds|Cannot enlarge memory|allocat/i.test(message) || memoryBytes() > workerData.memoryBytes * 0.9;
  parentPort.postMessage({ id, ok: false, code: outOfMemory ? 'MODEL_MEMORY' : null, message, memoryBytes: memoryBytes() });
}

parentPort.on('message', async ({ id, type, model, bytes, feed, executionProviders }) => {
  try {
    if (type === 'load') {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: executionProviders ?? ['wasm'], logSeverityLevel: 3 });
      sessions.set(model, session);
      const shape = (meta) => {
        const first = meta?.[0];
        return first && first.isTensor && first.shape.length > 0 ? [...first.shape] : null;
      };
      const io = { inputNames: [...session.inputNames], outputNames: [...session.outputNames], inputShape: shape(session.inputMetadata), outputShape: shape(session.outputMetadata) };
      parentPort.postMessage({ id, ok: true, io });
    } else if (type === 'run') {
      const session = sessions.get(model);
      if (!session) throw new Error('no such model is loaded in this worker');
      const tensor = new ort.Tensor(feed.dtype, feed.data, feed.dims);
      const results = await session.run({ [session.inputNames[0]]: tensor });
      const output = results[session.outputNames[0]];
      const values = output.type === 'float32' ? Float32Array.from(output.data) : null;
      parentPort.postMessage({ id, ok: true, type: output.type, values, dims: [...output.dims], memoryBytes: memoryBytes() }, values ? [values.buffer] : []);
    } else if (type === 'dispose') {
      await sessions.get(model)?.release();
      sessions.delete(model);
      parentPort.postMessage({ id, ok: true });
    }
  } catch (error) {
    fail(id, error);
  }
});
