import { describe, expect, it } from 'vitest';
import { InputError, parseTableSpec, Prng, squaredMmd, squaredMmdToData, TsBackend, type RkmeTableSpec } from '../../src/engine/index.js';

function randomSpec(prng: Prng, K: number, d: number, scale: Float64Array | null = null): RkmeTableSpec {
  const z = new Float64Array(K * d).map(() => prng.nextNormal());
  const beta = new Float64Array(K).map(() => prng.nextFloat());
  const total = beta.reduce((s, b) => s + b, 0);
  return {
    type: 'RKMETableSpecification',
    z,
    beta: beta.map((b) => b / total),
    K,
    d,
    gamma: 0.1,
    numPoints: 100,
    scale,
    scaleSource: scale ? 'given' : null,
    featureNames: null,
    provenance: null,
  };
}

/** Plain double loop over all pairs, independent of the engine's kernel code. */
function bruteMmdToData(spec: RkmeTableSpec, x: Float64Array, n: number): number {
  const { d, gamma } = spec;
  const k = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let s = 0;
    for (let f = 0; f < d; f++) s += (a[i * d + f] - b[j * d + f]) ** 2;
    return Math.exp(-gamma * s);
  };
  let zz = 0;
  let zx = 0;
  let xx = 0;
  for (let i = 0; i < spec.K; i++) for (let j = 0; j < spec.K; j++) zz += spec.beta[i] * spec.beta[j] * k(spec.z, i, spec.z, j);
  for (let i = 0; i < spec.K; i++) for (let l = 0; l < n; l++) zx += (spec.beta[i] * k(spec.z, i, x, l)) / n;
  for (let l = 0; l < n; l++) for (let m = 0; m < n; m++) xx += k(x, l, x, m) / (n * n);
  return zz - 2 * zx + xx;
}

describe('squared MMD', () => {
  it('is zero to itself, symmetric and positive between different specs', () => {
    const prng = new Prng(2);
    const a = randomSpec(prng, 7, 3);
    const b = randomSpec(prng, 5, 3);
    expect(Math.abs(squaredMmd(a, a))).toBeLessThan(1e-15);
    expect(squaredMmd(a, b)).toBeGreaterThan(0);
    expect(squaredMmd(a, b)).toBeCloseTo(squaredMmd(b, a), 14);
  });

  it('applies the feature scale: scaling data and scale together leaves the MMD unchanged', () => {
    const prng = new Prng(3);
    const a = randomSpec(prng, 6, 2);
    const b = randomSpec(prng, 6, 2);
    const s = new Float64Array([1000, 0.01]);
    const stretch = (spec: RkmeTableSpec): RkmeTableSpec => ({ ...spec, z: spec.z.map((v, i) => v * s[i % 2]), scale: s, scaleSource: 'given' });
    expect(squaredMmd(stretch(a), stretch(b))).toBeCloseTo(squaredMmd(a, b), 12);
  });

  it('refuses specs with different scales or gammas unless told how to compare', () => {
    const prng = new Prng(4);
    const a = randomSpec(prng, 3, 2, new Float64Array([1, 2]));
    const b = randomSpec(prng, 3, 2, new Float64Array([1, 3]));
    expect(() => squaredMmd(a, b)).toThrow(expect.objectContaining({ code: 'SCALE_MISMATCH' }));
    expect(squaredMmd(a, b, { scale: 'raw' })).toBeGreaterThan(0);
    expect(squaredMmd(a, b, { scale: a.scale! })).toBeGreaterThan(0);
    expect(() => squaredMmd(a, { ...b, scale: a.scale, gamma: 0.2 })).toThrow(expect.objectContaining({ code: 'GAMMA_MISMATCH' }));
    expect(() => squaredMmd(a, randomSpec(prng, 3, 4))).toThrow(InputError);
  });

  it('between a spec and raw data matches a brute-force double loop', async () => {
    const prng = new Prng(9);
    const spec = randomSpec(prng, 8, 3);
    const n = 300;
    const x = new Float64Array(n * 3).map(() => prng.nextNormal() * 1.5);
    const result = await squaredMmdToData(new TsBackend(), spec, x, n, 3);
    expect(result.dataTermExact).toBe(true);
    expect(result.value).toBeCloseTo(bruteMmdToData(spec, x, n), 12);
    // the sampled self-term estimate stays close to the exact value
    const estimated = await squaredMmdToData(new TsBackend(), spec, x, n, 3, { exactSelfTermRows: 150, seed: 1 });
    expect(estimated.dataTermExact).toBe(false);
    expect(estimated.withoutDataTerm).toBeCloseTo(result.withoutDataTerm, 12);
    expect(Math.abs(estimated.value - result.value)).toBeLessThan(0.02);
  });

  it('loads the reference test vector from JSON text too', () => {
    const a = parseTableSpec('{"z":[[0,0],[1,0]],"beta":[0.5,0.5],"gamma":0.1,"num_points":2,"type":"RKMETableSpecification"}');
    const b = parseTableSpec('{"z":[[0,1]],"beta":[1],"gamma":0.1,"num_points":1,"type":"RKMETableSpecification"}');
    expect(Math.abs(squaredMmd(a, b) - 0.228850537904)).toBeLessThan(1e-9);
  });
});
