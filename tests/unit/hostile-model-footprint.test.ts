/**
 * Hostile-input suite: the static look at a model before it runs (model/onnx-inspect.ts), tensors
 * whose size the file fixes (issue 17, defect 2). Limits per verdict: 30 s and 1.5 GB (each case
 * here takes well under a second: nothing is allocated).
 */
import { describe, expect, it, vi } from 'vitest';
import { checkBundle, modelFootprint, MODEL_LIMITS } from '../../src/engine/index.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';
import { constantOfShapeBomb, loopHangModel } from '../helpers/hostile-models.js';

vi.setConfig({ testTimeout: 30_000 });

describe('model footprint', () => {
  it('sees a ConstantOfShape fed by an initializer or a Constant node, in bytes', () => {
    for (const from of ['initializer', 'constant'] as const) {
      const footprint = modelFootprint(constantOfShapeBomb(30_000, 30_000, from));
      expect(footprint.largestConstantBytes).toBe(30_000 * 30_000 * 4);
      expect(footprint.largestConstantNode).toContain('ConstantOfShape');
    }
    expect(modelFootprint(constantOfShapeBomb(10, 20)).largestConstantBytes).toBe(800);
  });

  it('finds nothing in a dense model or a Loop, and does not fail on bytes that are not ONNX', () => {
    expect(modelFootprint(denseModel()).largestConstantBytes).toBe(0);
    expect(modelFootprint(loopHangModel(10)).largestConstantBytes).toBe(0);
    expect(modelFootprint(new TextEncoder().encode('<!doctype html>')).largestConstantBytes).toBe(0);
    expect(modelFootprint(new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0x0f])).largestConstantBytes).toBe(0);
  });

  it('the checker refuses a 3.6 GB ConstantOfShape (MODEL_MEMORY) before onnxruntime allocates it, on any host', async () => {
    const { bundle } = await makeBundle({ model: constantOfShapeBomb(30_000, 30_000) });
    expect(bundle.length).toBeLessThan(8_000);
    const result = await checkBundle(bundle);
    expect(result.status).toBe('NONUSABLE');
    expect(result.reasons.map((r) => r.code)).toEqual(['MODEL_MEMORY']);
    expect(result.reasons[0].message).toMatch(/3\.4 GiB tensor .*at most 1\.0 GiB/);
    expect(MODEL_LIMITS.memoryBytes).toBe(2 ** 30);
  });
});
