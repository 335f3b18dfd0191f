import { describe, expect, it } from 'vitest';
import { buildTableRkme, herdSamples, Prng, squaredMmdToData, TsBackend, type RkmeTableSpec } from '../../src/engine/index.js';
import { gaussianMixture } from '../helpers/data.js';

const ts = new TsBackend();

describe('kernel herding', () => {
  it('herded samples match the spec better than i.i.d. draws from the same candidate pool', async () => {
    const n = 1500;
    const d = 3;
    const x = gaussianMixture(n, d, 4, 21);
    const { spec } = await buildTableRkme(ts, x, n, d, { K: 40 });
    const T = 60;
    const herded = herdSamples(spec, T, { seed: 1 });
    expect(herded.length).toBe(T * d);
    // i.i.d.: z_i + N(0, 0.25²) with i ~ β, the herding candidate distribution
    const prng = new Prng(1);
    const iid = new Float64Array(T * d);
    for (let t = 0; t < T; t++) {
      const i = prng.nextWeighted(spec.beta, 1);
      for (let f = 0; f < d; f++) iid[t * d + f] = spec.z[i * d + f] + 0.25 * prng.nextNormal();
    }
    const herdedFit = await squaredMmdToData(ts, spec, herded, T, d);
    const iidFit = await squaredMmdToData(ts, spec, iid, T, d);
    expect(herdedFit.value).toBeLessThan(iidFit.value / 2);
    // more samples, better match
    const more = herdSamples(spec, 4 * T, { seed: 1 });
    expect((await squaredMmdToData(ts, spec, more, 4 * T, d)).value).toBeLessThan(herdedFit.value);
  });

  it('is deterministic per seed and does not mutate beta (the reference clamps it in place)', () => {
    const spec: RkmeTableSpec = {
      type: 'RKMETableSpecification',
      z: new Float64Array([0, 0, 5, 5, 9, 9]),
      beta: new Float64Array([0.7, 0.5, -0.2]),
      K: 3,
      d: 2,
      gamma: 0.1,
      numPoints: 10,
      scale: null,
      scaleSource: null,
      featureNames: null,
      provenance: null,
    };
    const a = herdSamples(spec, 10, { seed: 3 });
    expect(Array.from(herdSamples(spec, 10, { seed: 3 }))).toEqual(Array.from(a));
    expect(Array.from(herdSamples(spec, 10, { seed: 4 }))).not.toEqual(Array.from(a));
    expect(Array.from(spec.beta)).toEqual([0.7, 0.5, -0.2]);
    // nothing is drawn near the negatively weighted point
    for (let t = 0; t < 10; t++) expect(Math.hypot(a[t * 2] - 9, a[t * 2 + 1] - 9)).toBeGreaterThan(2);
  });

  it('works in scaled units for scaled specs', async () => {
    const n = 800;
    const x = gaussianMixture(n, 2, 3, 8).map((v, i) => (i % 2 === 0 ? v * 1e4 : v));
    const { spec } = await buildTableRkme(ts, x, n, 2, { K: 30, scale: 'std' });
    const samples = herdSamples(spec, 50, { seed: 2 });
    const fit = await squaredMmdToData(ts, spec, samples, 50, 2);
    expect(fit.value).toBeLessThan(0.05);
    // spread of the first feature is in raw units (~1e4), not in scaled units
    const first = Array.from({ length: 50 }, (_, t) => samples[t * 2]);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(1e3);
  });

  it('rejects a bad count', () => {
    const spec = { beta: new Float64Array([1]) } as RkmeTableSpec;
    expect(() => herdSamples(spec, 0)).toThrow(/sample count/);
  });
});
