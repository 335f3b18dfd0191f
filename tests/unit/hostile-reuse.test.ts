/**
 * Hostile-input suite: reuse results a publisher's numbers and names could make silently wrong
 * (issue 17, defects 4 and 11). Limits per verdict: 30 s and 1.5 GB (each case here is pure
 * arithmetic on a few rows: milliseconds).
 */
import { describe, expect, it, vi } from 'vitest';
import { averageOutputs, loadComposite, predictionsCsv, writeZip, type Predictions } from '../../src/engine/index.js';
import { normalisedWeights } from '../../src/engine/reuse/methods/average.js';

// the suite's limit per verdict (memory: the zip bomb case measures its own; nothing here holds more than ~100 MB)
vi.setConfig({ testTimeout: 30_000 });

const regression = (values: number[]): Predictions => ({ kind: 'regression', classes: null, rows: values.length, values: Float64Array.from(values) }) as Predictions;

describe('hostile weights', () => {
  it('weights of 1e308 keep their proportions (their sum overflowed and every prediction was 0)', () => {
    expect(normalisedWeights(2, [1e308, 1e308])).toEqual([0.5, 0.5]);
    expect(normalisedWeights(3, [1e308, 0, 1e308 / 3])).toEqual([0.75, 0, 0.25]);
    const mean = averageOutputs([regression([2, 4]), regression([4, 8])], [1e308, 1e308]);
    expect(Array.from(mean.values)).toEqual([3, 6]);
  });

  it.each([[[Infinity, 1]], [[NaN, 1]], [[-1, 2]], [[0, 0]]])('weights %j are BAD_WEIGHTS', (weights) => {
    expect(() => normalisedWeights(2, weights)).toThrow(expect.objectContaining({ code: 'BAD_WEIGHTS' }));
  });
});

describe('hostile class names in the predictions CSV (the CLI reuse/predict and the page write it)', () => {
  it('formula-looking names are neutralised and quoted per RFC 4180 in the prediction column and the header', () => {
    const p: Predictions = { kind: 'classification', classes: ["=cmd|' /C calc'!A0", '@sum(1)'], rows: 2, values: Float64Array.from([0.9, 0.1, 0.2, 0.8]) } as Predictions;
    const lines = predictionsCsv(p).trimEnd().split('\n');
    expect(lines[0]).toBe(`row,prediction,p(=cmd|' /C calc'!A0),p(@sum(1))`);
    expect(lines[1].split(',').slice(0, 2)).toEqual(['1', `'=cmd|' /C calc'!A0`]);
    expect(lines[2].split(',').slice(0, 2)).toEqual(['2', `'@sum(1)`]);
  });
});

describe('hostile composites', () => {
  it('a composite.json nested 100,000 levels deep is TOO_DEEP', async () => {
    const deep = `{"format":"x","extra":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const zip = writeZip([['composite.json', new TextEncoder().encode(deep)]]);
    await expect(loadComposite(zip)).rejects.toMatchObject({ code: 'TOO_DEEP' });
  });
});
