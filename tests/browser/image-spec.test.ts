/**
 * Image features ψ and the image RKME in Chromium (docs/image.md §2–3): convFeatures on tfjs WebGPU,
 * WASM and CPU against the plain-TS reference, and a small spec built on each within the stated
 * tolerance of the spec built on plain TS.
 */
import { describe, expect, it } from 'vitest';
import { resolveBackend, TsBackend } from '../../src/engine/index.js';
import { TFJS_WASM_PATHS } from '../../workers/wasm-paths.js';
import { IMAGE_TOLERANCE, measureFeatures, measureSpec } from '../shared/image-agreement.js';

describe('image features and specs in Chromium', () => {
  it('plain TS is the reference', async () => {
    expect(await measureFeatures(new TsBackend())).toEqual({ grey: 0, rgb: 0, small: 0 });
  });

  it.each(['webgpu', 'wasm', 'cpu'] as const)('tfjs %s: ψ and the spec within the stated tolerance', async (name) => {
    const { backend } = await resolveBackend({ preference: [name], wasmPaths: TFJS_WASM_PATHS, allowSoftwareGpu: true });
    expect(backend.name).toBe(name);
    const errors = await measureFeatures(backend);
    const distance = await measureSpec(backend);
    for (const e of Object.values(errors)) expect(e).toBeLessThan(IMAGE_TOLERANCE.features);
    expect(distance).toBeLessThan(IMAGE_TOLERANCE.specDistance);
  });
});
