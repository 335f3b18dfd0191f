/**
 * The compute pool in Chromium (docs/parallel.md): the spec worker spreads a large WASM spec over
 * nested Web Workers (a small one stays on its own) and writes the stat.json one worker writes;
 * image features on a pool of lanes are the backend's own, batch by batch; a cancelled pooled job
 * stops.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SpecClient } from '../../src/app/spec-client.js';
import { CancelledError, Prng, resolveBackend } from '../../src/engine/index.js';
import { pixelFeatures } from '../../src/engine/spec/image/index.js';
import { startPool } from '../../workers/kernel-pool.js';
import { TFJS_WASM_PATHS } from '../../workers/wasm-paths.js';
import { gaussianMixture } from '../shared/synthetic.js';

function csvOf(values: Float64Array, rows: number, cols: number): ArrayBuffer {
  const lines = [Array.from({ length: cols }, (_, f) => `f${f}`).join(',')];
  for (let r = 0; r < rows; r++) lines.push(Array.from(values.subarray(r * cols, (r + 1) * cols)).join(','));
  return new TextEncoder().encode(lines.join('\n')).buffer as ArrayBuffer;
}

describe('compute pool in the browser', () => {
  const alone = new SpecClient();
  const pooled = new SpecClient();
  afterAll(() => {
    alone.dispose();
    pooled.dispose();
  });

  it('builds a table spec on two workers that is the one worker’s, byte for byte', async () => {
    const one = await alone.init({ preference: ['wasm'], workers: 1 });
    const two = await pooled.init({ preference: ['wasm'], workers: 2 });
    expect(one).toMatchObject({ name: 'wasm', workers: 1 });
    expect(two).toMatchObject({ name: 'wasm', workers: 2, device: 'wasm (SIMD, single thread)' });

    const options = { K: 40, seed: 2, scale: 'std' as const };
    const small = gaussianMixture(3000, 6, 5, 22); // two blocks: not worth a worker's start
    const s = await pooled.loadData(csvOf(small, 3000, 6), 'small.csv');
    expect((await pooled.buildSpec(s.tableId, options, () => {}).result).device).toBe('wasm (SIMD, single thread)');

    const rows = 17_000; // nine blocks: large enough to share
    const data = gaussianMixture(rows, 6, 5, 21);
    const a = await alone.loadData(csvOf(data, rows, 6), 'mixture.csv');
    const b = await pooled.loadData(csvOf(data, rows, 6), 'mixture.csv');
    const specAlone = await alone.buildSpec(a.tableId, options, () => {}).result;
    const specPooled = await pooled.buildSpec(b.tableId, options, () => {}).result;
    expect(specAlone.device).toBe('wasm (SIMD, single thread)');
    expect(specPooled.device).toBe('wasm (2 workers, each SIMD, single thread)');
    expect(specPooled.json).toBe(specAlone.json);
    expect((await pooled.init()).poolError).toBeUndefined();
  });

  it('stops a pooled job that is cancelled', async () => {
    const rows = 20_000;
    const table = await pooled.loadData(csvOf(gaussianMixture(rows, 8, 6, 3), rows, 8), 'large.csv');
    let jobId = '';
    const job = pooled.buildSpec(table.tableId, { K: 200 }, (e) => {
      if (e.status === 'progress') pooled.cancel(jobId);
    });
    jobId = job.jobId;
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('computes image features on two lanes, the same bits as WASM alone', async () => {
    const { backend } = await resolveBackend({ preference: ['wasm'], wasmPaths: TFJS_WASM_PATHS });
    const n = 300; // two batches
    const prng = new Prng(4);
    const pixels = Float32Array.from({ length: n * 3 * 32 * 32 }, () => prng.nextFloat());
    const pool = await startPool('wasm', 2);
    try {
      expect(Array.from(await pixelFeatures(pool, pixels, n, 3))).toEqual(Array.from(await pixelFeatures(backend, pixels, n, 3)));
    } finally {
      pool.dispose();
    }
  });
});
