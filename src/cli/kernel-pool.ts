/**
 * The CLI's compute pool: N worker threads (kernel-lane-worker.mjs), each with its own backend,
 * behind one PoolBackend (engine kernels/pool.ts). A lane that fails to start, or dies, fails the
 * calls waiting on it with a clear error instead of leaving them pending.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { BackendError, guardedLane, PoolBackend, type BackendName, type KernelLane } from '../engine/index.js';

const WORKER_URL = new URL('./kernel-lane-worker.mjs', import.meta.url);
/** a lane's start: the TypeScript loader and the wasm backend (~1 s idle; generous for a loaded machine) */
const START_TIMEOUT_MS = 60_000;
/** more lanes than this buy nothing for the spec sizes the CLI builds */
export const MAX_THREADS = 16;

export function defaultThreads(): number {
  return Math.min(MAX_THREADS, availableParallelism());
}

/** Starts `threads` lanes on `backend` (wasm, cpu or ts; the tfjs wasm binaries at `wasmPaths`) and returns their pool. */
export async function startNodePool(threads: number, backend: BackendName, wasmPaths: string): Promise<PoolBackend> {
  const workers: Worker[] = [];
  const close = () => {
    for (const worker of workers) void worker.terminate();
  };
  try {
    const lanes = await Promise.all(
      Array.from({ length: threads }, () => {
        const worker = new Worker(WORKER_URL, { workerData: { backend, wasmPaths } });
        workers.push(worker);
        return startLane(worker);
      }),
    );
    return await PoolBackend.start(lanes, close);
  } catch (error) {
    close();
    throw error;
  }
}

async function startLane(worker: Worker): Promise<KernelLane> {
  let died: (error: Error) => void = () => undefined;
  const death = new Promise<never>((_, reject) => (died = reject));
  death.catch(() => undefined); // rejected only for calls that race it
  worker.on('error', (error) => died(new BackendError('POOL_LANE', `a compute thread failed: ${error.message}`)));
  worker.on('exit', (code) => died(new BackendError('POOL_LANE', `a compute thread stopped (exit code ${code})`)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BackendError('POOL_LANE', `a compute thread did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const first = (message: { lane?: string; message?: string }) => {
      clearTimeout(timer);
      worker.off('message', first);
      if (message.lane === 'ready') resolve();
      else reject(new BackendError('POOL_LANE', `a compute thread could not start its backend: ${message.message ?? 'no reason given'}`));
    };
    worker.on('message', first);
    death.catch(reject);
  });
  // idle lanes never keep the process alive; a call in flight does (a pending promise alone would not)
  worker.unref();
  return guardedLane(Comlink.wrap<KernelLane>(nodeEndpoint(worker)), death, { busy: (busy) => (busy ? worker.ref() : worker.unref()), transfer: Comlink.transfer });
}
