/**
 * The compute pool (src/engine/kernels/pool.ts) over lanes served in this thread: its results do
 * not depend on the number of lanes, and on tfjs they are the backend's own bits (docs/parallel.md).
 * tests/integration/threads.test.ts runs the same pool on real worker threads.
 */
import { describe, expect, it } from 'vitest';
import {
  buildTableRkme,
  CancelledError,
  LANE_BLOCK_ROWS,
  LaneServer,
  PoolBackend,
  Prng,
  resolveBackend,
  serializeStatSpec,
  TsBackend,
  type ComputeBackend,
  type KernelLane,
} from '../../src/engine/index.js';
import { buildImageRkme, pixelFeatures } from '../../src/engine/spec/image/index.js';
import { NODE_WASM_PATHS } from '../../src/cli/node-backend.js';
import { gaussianMixture } from '../shared/synthetic.js';

const wasm = async () => (await resolveBackend({ preference: ['wasm'], wasmPaths: NODE_WASM_PATHS })).backend;

function poolOf(backend: ComputeBackend, lanes: number): Promise<PoolBackend> {
  return PoolBackend.start(
    Array.from({ length: lanes }, () => new LaneServer(backend, LANE_BLOCK_ROWS)),
    () => undefined,
  );
}

/** a matrix spanning several blocks, the last one partial */
const N = 3 * LANE_BLOCK_ROWS + 517;
const D = 7;
const M = 23;
const points = gaussianMixture(N, D, 5, 11);
const centers = gaussianMixture(M, D, 5, 12);

async function rowOps(backend: ComputeBackend) {
  const resident = await backend.upload(points, N, D);
  try {
    const nearest = await backend.nearestCenters(resident, centers, M, { distances: true, sums: true });
    const stats = await backend.kernelRowStats(centers, M, resident, 0.05, true);
    return {
      nearest: Array.from(nearest.index),
      distances: Array.from(nearest.distances!),
      clusterSums: Array.from(nearest.sums!),
      counts: Array.from(nearest.counts!),
      sums: Array.from(stats.sums),
      weighted: Array.from(stats.weighted!),
    };
  } finally {
    resident.dispose();
  }
}

describe('compute pool', () => {
  it('gives the tfjs backend’s own bits with any number of lanes (nearest centres and their sums, kernel row sums)', async () => {
    const backend = await wasm();
    const alone = await rowOps(backend);
    for (const lanes of [1, 2, 3]) expect(await rowOps(await poolOf(backend, lanes))).toEqual(alone);
  });

  it('gives the plain-TS backend’s own Float64 results with 1, 2 and 5 lanes', async () => {
    const backend = new TsBackend();
    const alone = await rowOps(backend);
    for (const lanes of [1, 2, 5]) expect(await rowOps(await poolOf(backend, lanes))).toEqual(alone);
    expect(alone.counts.reduce((a, b) => a + b)).toBe(N);
  });

  it('builds the same table spec on 3 lanes as the backend alone', async () => {
    const backend = await wasm();
    const n = 9000;
    const x = gaussianMixture(n, 6, 8, 4);
    const options = { K: 40, seed: 3, scale: 'std' as const };
    const alone = await buildTableRkme(backend, x, n, 6, options);
    const pooled = await buildTableRkme(await poolOf(backend, 3), x, n, 6, options);
    expect(serializeStatSpec(pooled.spec)).toBe(serializeStatSpec(alone.spec));
    expect(pooled.report.backend).toMatch(/^wasm \(3 workers, each SIMD, single thread\)$/);
  });

  it('computes image features and an image spec batch by batch, the same as the backend alone', async () => {
    const backend = await wasm();
    const n = 600; // three convolution batches, the last one partial
    const prng = new Prng(8);
    const pixels = Float32Array.from({ length: n * 32 * 32 }, () => prng.nextFloat());
    const alone = await pixelFeatures(backend, pixels, n, 1);
    const pool = await poolOf(backend, 2);
    expect(Array.from(await pixelFeatures(pool, pixels, n, 1))).toEqual(Array.from(alone));
    const options = { K: 10, seed: 2 };
    const specAlone = await buildImageRkme(backend, pixels, n, 1, options);
    const specPooled = await buildImageRkme(pool, pixels, n, 1, options);
    expect(Array.from(specPooled.spec.beta)).toEqual(Array.from(specAlone.spec.beta));
  });

  it('stops between calls when the job is cancelled', async () => {
    const backend = await wasm();
    const rows = 20 * LANE_BLOCK_ROWS; // one lane: three calls of 8, 8 and 4 blocks
    const big = gaussianMixture(rows, D, 5, 13);
    let served = 0;
    const server = new LaneServer(backend, LANE_BLOCK_ROWS);
    const counting: KernelLane = Object.assign(Object.create(server) as KernelLane, {
      kernelRowStats: (...args: Parameters<KernelLane['kernelRowStats']>) => {
        served++;
        if (served === 2) controller.abort();
        return server.kernelRowStats(...args);
      },
    });
    const controller = new AbortController();
    const pool = await PoolBackend.start([counting], () => undefined);
    const resident = await pool.upload(big, rows, D);
    await expect(pool.kernelRowStats(centers, M, resident, 0.05, false, controller.signal)).rejects.toBeInstanceOf(CancelledError);
    expect(served).toBe(2); // of three calls
  });

  it('refuses lanes on different backends, matrices of another pool and disposed ones', async () => {
    const backend = await wasm();
    let closed = false;
    const mixed = [new LaneServer(backend, LANE_BLOCK_ROWS), new LaneServer(new TsBackend(), LANE_BLOCK_ROWS)];
    await expect(PoolBackend.start(mixed, () => (closed = true))).rejects.toThrow(/different backends/);
    expect(closed).toBe(true);
    await expect(PoolBackend.start([], () => undefined)).rejects.toThrow(/at least one lane/);

    const a = await poolOf(backend, 2);
    const b = await poolOf(backend, 2);
    const resident = await a.upload(points, N, D);
    await expect(b.nearestCenters(resident, centers, M)).rejects.toThrow(/not uploaded to this pool/);
    resident.dispose();
    await expect(a.nearestCenters(resident, centers, M)).rejects.toThrow(/disposed/);
    await expect(new LaneServer(backend, 4).upload([{ key: 1, values: points.slice(0, 5 * D), rows: 5 }], D)).rejects.toThrow(/at most 4 rows/);
  });
});
