/**
 * The CLI's compute pool on real worker threads (src/cli/kernel-pool.ts, docs/parallel.md): the
 * same spec as one thread, clear errors when a thread cannot start or stops, and `--threads`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendError, buildTableRkme, resolveBackend, serializeStatSpec } from '../../src/engine/index.js';
import { startNodePool } from '../../src/cli/kernel-pool.js';
import { NODE_WASM_PATHS } from '../../src/cli/node-backend.js';
import { cliInProcess } from '../helpers/cli-in-process.js';
import { gaussianMixture } from '../shared/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'lwd-threads-'));

describe('compute pool on worker threads', () => {
  it('builds the same spec on two threads as on this one', async () => {
    const n = 9000;
    const x = gaussianMixture(n, 6, 8, 4);
    const options = { K: 40, seed: 3, scale: 'std' as const };
    const { backend } = await resolveBackend({ preference: ['wasm'], wasmPaths: NODE_WASM_PATHS });
    const alone = await buildTableRkme(backend, x, n, 6, options);
    const pool = await startNodePool(2, 'wasm', NODE_WASM_PATHS);
    try {
      const pooled = await buildTableRkme(pool, x, n, 6, options);
      expect(serializeStatSpec(pooled.spec)).toBe(serializeStatSpec(alone.spec));
      expect(pooled.report.backend).toBe('wasm (2 workers, each SIMD, single thread)');
    } finally {
      pool.dispose();
    }
  });

  it('says why when a thread cannot start its backend', async () => {
    const started = startNodePool(2, 'webgpu', NODE_WASM_PATHS);
    await expect(started).rejects.toBeInstanceOf(BackendError);
    await expect(started).rejects.toMatchObject({ code: 'POOL_LANE', message: expect.stringMatching(/could not start its backend: .*WebGPU is not available/) });
  });

  it('fails a call in flight, instead of waiting forever, when its threads stop', async () => {
    const n = 60_000;
    const pool = await startNodePool(2, 'wasm', NODE_WASM_PATHS);
    const resident = await pool.upload(gaussianMixture(n, 20, 8, 5), n, 20);
    const call = pool.kernelRowStats(gaussianMixture(300, 20, 8, 6), 300, resident, 0.1, true);
    pool.dispose();
    await expect(call).rejects.toMatchObject({ code: 'POOL_LANE', message: expect.stringMatching(/compute thread stopped/) });
  });

  it('spec --threads 2 writes the bytes --threads 1 writes, and refuses a bad count', async () => {
    const n = 17_000; // 9 blocks: enough for two threads (src/cli/node-backend.ts BLOCKS_PER_THREAD)
    const x = gaussianMixture(n, 4, 6, 9);
    const lines = ['a,b,c,d'];
    for (let r = 0; r < n; r++) lines.push(Array.from(x.subarray(r * 4, r * 4 + 4), (v) => v.toFixed(5)).join(','));
    const csv = join(dir, 'mixture.csv');
    writeFileSync(csv, lines.join('\n'));
    const one = await cliInProcess('spec', csv, '--scale', 'std', '--k', '30', '--threads', '1', '--out', join(dir, 'one.json'), '--quiet');
    const two = await cliInProcess('spec', csv, '--scale', 'std', '--k', '30', '--threads', '2', '--out', join(dir, 'two.json'), '--quiet');
    expect(one.stdout).toMatch(/backend=wasm threads=1 /);
    expect(two.stdout).toMatch(/backend=wasm threads=2 /);
    expect(readFileSync(join(dir, 'two.json'), 'utf8')).toBe(readFileSync(join(dir, 'one.json'), 'utf8'));

    for (const bad of ['0', '2.5', 'many', '17']) {
      const refused = await cliInProcess('spec', csv, '--threads', bad, '--quiet');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/--threads must be an integer in 1\.\.16/);
    }
  });
});
