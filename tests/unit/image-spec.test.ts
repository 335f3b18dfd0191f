/**
 * Image features ψ and the image RKME (docs/image.md §2–3): the convFeatures op on every Node
 * backend against the plain-TS reference, and the spec type.
 */
import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/engine/kernels/resolve.js';
import { TsBackend, convFeaturesSync } from '../../src/engine/kernels/backend-ts.js';
import { convFeatureCount } from '../../src/engine/kernels/backend.js';
import { IMAGE_FEATURE_DIM, imageNetwork } from '../../src/engine/spec/image/features.js';
import { NODE_WASM_PATHS } from '../../src/cli/node-backend.js';
import { IMAGE_TOLERANCE, measureFeatures } from '../shared/image-agreement.js';

describe('convFeatures', () => {
  it('is conv 3×3 (cross-correlation, zero padding 1) → ReLU → average pool 2×2, then the final pool, in C order', () => {
    // one 1×4×4 image, two output channels: the identity filter, and "the pixel above" (row y − 1) minus 10
    const image = Float32Array.from({ length: 16 }, (_, j) => j + 1);
    const identity = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const above = [0, 1, 0, 0, 0, 0, 0, 0, 0];
    const network = { layers: [{ inChannels: 1, outChannels: 2, weights: Float32Array.from([...identity, ...above]), bias: Float32Array.from([0, -10]) }], finalPool: 1 };
    const out = convFeaturesSync(image, 1, { channels: 1, height: 4, width: 4 }, network);
    // channel 0: 2×2 means of the image; channel 1: relu(row above − 10), pooled (row −1 is zero padding)
    const rows = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ];
    const shifted = [[0, 0, 0, 0], rows[0], rows[1], rows[2]].map((r) => r.map((v) => Math.max(0, v - 10)));
    const pool = (m: number[][]) => [0, 2].flatMap((y) => [0, 2].map((x) => (m[y][x] + m[y][x + 1] + m[y + 1][x] + m[y + 1][x + 1]) / 4));
    expect(Array.from(out)).toEqual([...pool(rows), ...pool(shifted)]);
    expect(convFeatureCount({ channels: 1, height: 32, width: 32 }, imageNetwork(1))).toBe(IMAGE_FEATURE_DIM);
    expect(() => convFeatureCount({ channels: 1, height: 30, width: 30 }, imageNetwork(1))).toThrow(RangeError);
    expect(() => convFeatureCount({ channels: 3, height: 32, width: 32 }, imageNetwork(1))).toThrow(/takes 1 channels/);
  });

  it('the network is fixed: seeded He-uniform weights, small biases, the same numbers every time', () => {
    const grey = imageNetwork(1);
    expect(grey.layers.map((l) => [l.inChannels, l.outChannels])).toEqual([
      [1, 16],
      [16, 32],
      [32, 64],
    ]);
    expect(imageNetwork(3).layers[0].inChannels).toBe(3);
    const bound = Math.sqrt(6 / 9);
    expect(Math.max(...grey.layers[0].weights.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...grey.layers[0].weights.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Math.max(...grey.layers[2].bias.map(Math.abs))).toBeLessThanOrEqual(0.01);
    // a digest of the weights: any change to the network changes every spec's features (bump the version then)
    let digest = 0;
    for (const l of grey.layers) for (const w of l.weights) digest = (digest * 31 + Math.round(w * 1e6)) % 1_000_000_007;
    expect(digest).toMatchInlineSnapshot(`-18191178`);
  });

  it('ts returns the reference; tfjs cpu and wasm agree within the stated tolerance', async () => {
    const ts = await measureFeatures(new TsBackend());
    expect(ts).toEqual({ grey: 0, rgb: 0, small: 0 });
    for (const name of ['cpu', 'wasm'] as const) {
      const { backend } = await resolveBackend({ preference: [name], wasmPaths: NODE_WASM_PATHS });
      const errors = await measureFeatures(backend);
      console.log(name, JSON.stringify(errors));
      for (const e of Object.values(errors)) expect(e).toBeLessThan(IMAGE_TOLERANCE.features);
    }
  });

  it('cancels between batches', async () => {
    const controller = new AbortController();
    controller.abort();
    const { backend } = await resolveBackend({ preference: ['cpu'] });
    await expect(backend.convFeatures(new Float32Array(1024), 1, { channels: 1, height: 32, width: 32 }, imageNetwork(1), controller.signal)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(() => convFeaturesSync(new Float32Array(1024), 1, { channels: 1, height: 32, width: 32 }, imageNetwork(1), controller.signal)).toThrow(/cancelled/);
  });
});
