import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/engine/index.js';

describe('Prng (xoshiro128** seeded by splitmix32)', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('produces uniform floats and standard normals with the right moments', () => {
    const prng = new Prng(7);
    const N = 200_000;
    let sum = 0;
    let sumSq = 0;
    let nSum = 0;
    let nSq = 0;
    for (let i = 0; i < N; i++) {
      const u = prng.nextFloat();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      sumSq += u * u;
      const g = prng.nextNormal();
      nSum += g;
      nSq += g * g;
    }
    expect(sum / N).toBeCloseTo(0.5, 2);
    expect(sumSq / N - (sum / N) ** 2).toBeCloseTo(1 / 12, 2);
    expect(nSum / N).toBeCloseTo(0, 2);
    expect(nSq / N).toBeCloseTo(1, 1);
  });

  it('nextInt is unbiased over a small range (chi-square)', () => {
    const prng = new Prng(3);
    const counts = new Array(7).fill(0);
    const N = 70_000;
    for (let i = 0; i < N; i++) counts[prng.nextInt(7)]++;
    const chi2 = counts.reduce((s, c) => s + (c - N / 7) ** 2 / (N / 7), 0);
    expect(chi2).toBeLessThan(22.5); // p = 0.001 for 6 degrees of freedom
  });

  it('samples without replacement and by weight', () => {
    const prng = new Prng(1);
    const sample = prng.sampleWithoutReplacement(100, 60);
    expect(new Set(sample).size).toBe(60);
    expect(Math.max(...sample)).toBeLessThan(100);
    const weights = [0, 1, 3, 0];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[prng.nextWeighted(weights, 4)]++;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[2] / counts[1]).toBeCloseTo(3, 0);
  });

  it('rejects invalid seeds', () => {
    expect(() => new Prng(-1)).toThrow(RangeError);
    expect(() => new Prng(1.5)).toThrow(RangeError);
    expect(() => new Prng(2 ** 32)).toThrow(RangeError);
  });
});
