/**
 * The spec worker's compute pool: lanes in nested Web Workers (kernel-lane.worker.ts) behind one
 * PoolBackend (docs/parallel.md). A lane that fails, or does not start in time, fails the pool's
 * start or its calls with a clear error; the spec worker then stays on its own backend.
 */
import * as Comlink from 'comlink';
import {
  BackendError,
  guardedLane,
  PoolBackend,
  poolBlocks,
  resolveBackend,
  type BackendName,
  type BackendSettings,
  type ComputeBackend,
  type KernelLane,
  type ResolvedBackend,
} from '../src/engine/index.js';
import { withTimeout } from '../src/engine/core/timeout.js';
import type { KernelLaneApi } from './kernel-lane.worker.js';

/** Lanes beyond this add memory (each holds a backend and its share of the rows) more than speed. */
export const MAX_LANES = 8;
const START_TIMEOUT_MS = 30_000;

/** Lanes for a backend on this device: CPU backends use every core, the GPU is one device. */
export function laneCount(backend: BackendName, requested?: number): number {
  if (backend === 'webgpu') return 1;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(MAX_LANES, requested ?? cores));
}

export async function startPool(backend: BackendName, lanes: number): Promise<PoolBackend> {
  const workers: Worker[] = [];
  const close = () => workers.forEach((worker) => worker.terminate());
  try {
    const remotes = await Promise.all(
      Array.from({ length: lanes }, async () => {
        const worker = new Worker(new URL('./kernel-lane.worker.ts', import.meta.url), { type: 'module', name: 'kernel-lane' });
        workers.push(worker);
        const death = new Promise<never>((_, reject) =>
          worker.addEventListener('error', (event) => reject(new BackendError('POOL_LANE', `a compute worker failed: ${event.message || 'it could not be loaded'}`))),
        );
        death.catch(() => undefined); // rejected only for calls that race it
        const started = Comlink.wrap<KernelLaneApi>(worker).start(backend) as unknown as Promise<KernelLane>;
        const lane = await withTimeout(
          Promise.race([started, death]),
          START_TIMEOUT_MS,
          () => new BackendError('POOL_LANE', `a compute worker did not start within ${START_TIMEOUT_MS / 1000} s`),
        );
        return guardedLane(lane, death, { transfer: Comlink.transfer });
      }),
    );
    return await PoolBackend.start(remotes, close);
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The best backend (resolveBackend) and, started on the first job large enough to share (at
 * least 4 blocks per lane: a lane's start costs about what 4 blocks take), a pool of lanes of the
 * same kind, kept for later jobs. When the pool cannot start, jobs run on the backend alone and
 * `poolError` says why. Small pages and small data never start a lane.
 */
export class PooledBackends {
  readonly base: Promise<ResolvedBackend>;
  private pool: Promise<ComputeBackend> | null = null;
  poolError?: string;

  constructor(
    settings: BackendSettings,
    private readonly requestedLanes?: number,
  ) {
    this.base = resolveBackend(settings);
  }

  /** Lanes a large job would use (1: none). */
  async lanes(): Promise<number> {
    return laneCount((await this.base).backend.name, this.requestedLanes);
  }

  /** The backend for a job on `rows` rows or images. */
  async forJob(rows: number, kind: 'rows' | 'images'): Promise<ComputeBackend> {
    const { backend } = await this.base;
    const lanes = await this.lanes();
    if (lanes < 2 || poolBlocks(rows, kind) < 4 * 2) return backend;
    this.pool ??= startPool(backend.name, lanes).catch((error: unknown) => {
      this.poolError = error instanceof Error ? error.message : String(error);
      return backend;
    });
    return this.pool;
  }
}
