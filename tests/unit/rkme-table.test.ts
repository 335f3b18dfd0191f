import { describe, expect, it } from 'vitest';
import {
  buildTableRkme,
  CancelledError,
  effectiveK,
  InputError,
  Prng,
  serializeStatSpec,
  squaredMmd,
  squaredMmdToData,
  TsBackend,
  type ProgressEvent,
  type RkmeTableSpec,
} from '../../src/engine/index.js';
import { gaussianGram } from '../../src/engine/kernels/backend-ts.js';
import { descentDirection, fitBeta, zGradient } from '../../src/engine/spec/table/build.js';
import { cityRows, gaussianMixture, marketMatrix } from '../helpers/data.js';

const ts = new TsBackend();

/** Standard deviation of each market column over the whole table: one common scale for all cities. */
function pooledScale(): Float64Array {
  const m = marketMatrix();
  const scale = new Float64Array(m.cols);
  for (let f = 0; f < m.cols; f++) {
    const col = [];
    for (let r = 0; r < m.rows; r++) if (Number.isFinite(m.values[r * m.cols + f])) col.push(m.values[r * m.cols + f]);
    const mean = col.reduce((s, v) => s + v, 0) / col.length;
    scale[f] = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
  }
  return scale;
}

/** The default spec of the whole market table (scale 'std') and its MMD² to the data: built once, read by two tests. */
let marketSpec: Promise<{ built: Awaited<ReturnType<typeof buildTableRkme>>; mmd: Awaited<ReturnType<typeof squaredMmdToData>> }> | undefined;
function defaultMarketSpec() {
  marketSpec ??= (async () => {
    const m = marketMatrix();
    const built = await buildTableRkme(ts, m.values, m.rows, m.cols, { scale: 'std', featureNames: m.featureNames });
    return { built, mmd: await squaredMmdToData(ts, built.spec, m.values, m.rows, m.cols) };
  })();
  return marketSpec;
}

describe('RKME table spec on real data (txhousing)', () => {
  it('summarises the data far better than a random K-point subset', async () => {
    const m = marketMatrix();
    const {
      built: { spec },
      mmd: ours,
    } = await defaultMarketSpec();
    expect(spec.K).toBe(100);
    expect(spec.numPoints).toBe(m.rows);
    // random subset of K rows with uniform weights, under the same scale
    const prng = new Prng(99);
    const rows = prng.sampleWithoutReplacement(m.rows, spec.K);
    const z = new Float64Array(spec.K * m.cols);
    const means = columnMeans(m.values, m.rows, m.cols);
    rows.forEach((r, i) => {
      for (let f = 0; f < m.cols; f++) {
        const v = m.values[r * m.cols + f];
        z[i * m.cols + f] = Number.isFinite(v) ? v : means[f];
      }
    });
    const random: RkmeTableSpec = { ...spec, z, beta: new Float64Array(spec.K).fill(1 / spec.K) };
    const baseline = await squaredMmdToData(ts, random, m.values, m.rows, m.cols);
    expect(ours.value).toBeGreaterThan(0);
    expect(ours.value * 20).toBeLessThan(baseline.value);
  });

  it('puts two halves of one city closer than any two different cities', async () => {
    const cities = ['Abilene', 'Amarillo', 'Austin', 'El Paso', 'Lubbock', 'Waco'];
    const scale = pooledScale();
    const halves: RkmeTableSpec[][] = [];
    for (const city of cities) {
      const pair: RkmeTableSpec[] = [];
      for (const parity of [0, 1] as const) {
        const m = cityRows(city, parity);
        pair.push((await buildTableRkme(ts, m.values, m.rows, m.cols, { scale })).spec);
      }
      halves.push(pair);
    }
    for (let a = 0; a < cities.length; a++) {
      const same = squaredMmd(halves[a][0], halves[a][1]);
      for (let b = 0; b < cities.length; b++) {
        if (a === b) continue;
        const different = squaredMmd(halves[a][0], halves[b][1]);
        expect(same, `${cities[a]} halves vs ${cities[a]}/${cities[b]}`).toBeLessThan(different);
      }
    }
  });

  it('is never worse than the k-means + QP baseline (steps only ever lower the MMD)', async () => {
    const m = marketMatrix();
    const baseline = await buildTableRkme(ts, m.values, m.rows, m.cols, { scale: 'std', steps: 0, kmeansRows: 0 });
    const { built: ours, mmd: b } = await defaultMarketSpec();
    const history = ours.report.objectiveHistory;
    for (let i = 1; i < history.length; i++) expect(history[i]).toBeLessThan(history[i - 1]);
    const a = await squaredMmdToData(ts, baseline.spec, m.values, m.rows, m.cols);
    expect(b.value).toBeLessThanOrEqual(a.value);
  });
});

describe('RKME table spec generation', () => {
  const n = 2000;
  const d = 4;
  const x = gaussianMixture(n, d, 5, 1);

  it('is deterministic given a seed', async () => {
    const a = await buildTableRkme(ts, x, n, d, { K: 30, seed: 7 });
    const b = await buildTableRkme(ts, x, n, d, { K: 30, seed: 7 });
    const c = await buildTableRkme(ts, x, n, d, { K: 30, seed: 8 });
    expect(serializeStatSpec(a.spec)).toBe(serializeStatSpec(b.spec));
    expect(serializeStatSpec(a.spec)).not.toBe(serializeStatSpec(c.spec));
    expect(a.spec.beta.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...a.spec.beta)).toBeGreaterThanOrEqual(0);
  });

  it('moves Z with the exact gradient: matches finite differences of βᵀKβ − 2βᵀc', async () => {
    const prng = new Prng(4);
    const K = 6;
    const z = new Float64Array(K * d).map(() => prng.nextNormal() * 2);
    const resident = await ts.upload(x, n, d);
    const gamma = 0.1;
    const state = await fitBeta(ts, z, K, d, resident, n, gamma);
    const f = (zz: Float64Array) => {
      const kzz = gaussianGram(zz, K, zz, K, d, gamma);
      const kzx = gaussianGram(zz, K, x, n, d, gamma);
      let quad = 0;
      let lin = 0;
      for (let i = 0; i < K; i++) {
        for (let j = 0; j < K; j++) quad += state.beta[i] * state.beta[j] * kzz[i * K + j];
        let c = 0;
        for (let l = 0; l < n; l++) c += kzx[i * n + l];
        lin += (state.beta[i] * c) / n;
      }
      return quad - 2 * lin;
    };
    const G = zGradient(z, state, K, d, gamma);
    const h = 1e-5;
    let maxError = 0;
    let maxG = 0;
    for (let j = 0; j < z.length; j++) {
      const plus = Float64Array.from(z);
      const minus = Float64Array.from(z);
      plus[j] += h;
      minus[j] -= h;
      const numeric = (f(plus) - f(minus)) / (2 * h);
      maxError = Math.max(maxError, Math.abs(numeric - G[j]));
      maxG = Math.max(maxG, Math.abs(G[j]));
    }
    expect(maxG).toBeGreaterThan(1e-4);
    expect(maxError / maxG).toBeLessThan(1e-6);
    // the preconditioned direction is −G scaled by a positive factor per point
    const direction = descentDirection(z, state, K, d);
    for (let i = 0; i < K; i++) {
      if (state.beta[i] === 0) continue;
      for (let k = 0; k < d; k++) {
        const j = i * d + k;
        expect(direction[j]).toBeCloseTo(-G[j] / (4 * gamma * state.beta[i] * state.c[i]), 9);
      }
    }
  });

  it('reports progress phases that respect the invariants', async () => {
    const events: ProgressEvent[] = [];
    await buildTableRkme(ts, x, n, d, { K: 20, onProgress: (e) => events.push(e) });
    const phases = events.filter((e) => e.status === 'start').map((e) => e.phase);
    expect(phases).toEqual(['impute', 'kmeans', 'beta', 'z-step']);
    for (const phase of phases) {
      const own = events.filter((e) => e.phase === phase);
      expect(own[0].status).toBe('start');
      expect(own.at(-1)!.status).toBe('done');
      const total = (own[0] as { total: number }).total;
      let last = -1;
      for (const e of own) {
        if (e.status !== 'progress') continue;
        expect(e.total).toBe(total);
        expect(e.done).toBeGreaterThanOrEqual(last);
        last = e.done;
      }
      expect(last).toBe(total);
    }
  });

  it('can be cancelled between iterations', async () => {
    const controller = new AbortController();
    const run = buildTableRkme(ts, x, n, d, {
      K: 50,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'kmeans' && e.status === 'progress') controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });

  it('applies the reference K caps', () => {
    expect(effectiveK(100, 1000, 10)).toBe(100);
    expect(effectiveK(100, 50, 10)).toBe(33); // K ≥ n → ⌊2n/3⌋
    expect(effectiveK(100, 1, 3)).toBe(1);
    expect(effectiveK(100, 10_000, 20_000)).toBe(65); // K·d > 1,310,720 → max(20, ⌊1,310,720/d⌋)
    expect(effectiveK(100, 10_000, 1_000_000)).toBe(20);
  });

  it('records the standardisation it used, and the scale makes the spec unit-free', async () => {
    const stretched = x.map((v, i) => (i % d === 0 ? v * 1e6 : v));
    const plain = await buildTableRkme(ts, x, n, d, { K: 20, scale: 'std' });
    const scaled = await buildTableRkme(ts, stretched, n, d, { K: 20, scale: 'std' });
    expect(scaled.spec.scaleSource).toBe('std');
    expect(scaled.spec.scale![0] / plain.spec.scale![0]).toBeCloseTo(1e6, 3);
    // same points up to the stretch of feature 0
    for (let i = 0; i < 20; i++) {
      expect(scaled.spec.z[i * d] / 1e6).toBeCloseTo(plain.spec.z[i * d], 6);
      expect(scaled.spec.z[i * d + 1]).toBeCloseTo(plain.spec.z[i * d + 1], 6);
    }
    const raw = await buildTableRkme(ts, stretched, n, d, { K: 20 });
    expect(raw.spec.scale).toBeNull();
    expect(raw.report.warnings.map((w) => w.code)).toContain('KERNEL_DEGENERATE');
  });
});

describe('RKME table spec edge cases', () => {
  it('imputes NaN and ±Inf by column means and rejects all-missing columns', async () => {
    const x = new Float64Array([1, NaN, 3, Infinity, 5, 6, -Infinity, 8]);
    const { spec, report } = await buildTableRkme(ts, x, 4, 2, { K: 2 });
    expect(report.imputedCells).toBe(3);
    expect(spec.z.every(Number.isFinite)).toBe(true);
    const bad = new Float64Array([1, NaN, 2, NaN, 3, Infinity]);
    await expect(buildTableRkme(ts, bad, 3, 2, { featureNames: ['a', 'b'] })).rejects.toThrow(/feature "b" has no finite value/);
  });

  it('handles one row exactly', async () => {
    const { spec } = await buildTableRkme(ts, new Float64Array([3, -1, 2]), 1, 3);
    expect(spec.K).toBe(1);
    expect(Array.from(spec.z)).toEqual([3, -1, 2]);
    expect(Array.from(spec.beta)).toEqual([1]);
  });

  it('caps K when it exceeds the rows and still fits the data', async () => {
    const x = gaussianMixture(30, 2, 3, 5);
    const { spec, report } = await buildTableRkme(ts, x, 30, 2, { K: 100 });
    expect(spec.K).toBe(20);
    expect(report.warnings.map((w) => w.code)).toContain('FEW_ROWS');
    const fit = await squaredMmdToData(ts, spec, x, 30, 2);
    expect(fit.value).toBeLessThan(0.01);
  });

  it.each([
    ['zero rows', () => buildTableRkme(ts, new Float64Array(0), 0, 2), 'NO_ROWS'],
    ['bad shape', () => buildTableRkme(ts, new Float64Array(5), 2, 2), 'BAD_SHAPE'],
    ['negative gamma', () => buildTableRkme(ts, new Float64Array(4), 2, 2, { gamma: -1 }), 'BAD_GAMMA'],
    ['K = 0', () => buildTableRkme(ts, new Float64Array(4), 2, 2, { K: 0 }), 'BAD_K'],
    ['seed out of range', () => buildTableRkme(ts, new Float64Array(4), 2, 2, { seed: -3 }), 'BAD_SEED'],
    ['scale of wrong length', () => buildTableRkme(ts, new Float64Array(4), 2, 2, { scale: new Float64Array(3) }), 'BAD_SCALE'],
  ])('rejects %s with a clear error', async (_name, run, code) => {
    await expect(run()).rejects.toThrow(expect.objectContaining({ code }));
    await expect(run()).rejects.toBeInstanceOf(InputError);
  });
});

function columnMeans(values: Float64Array, n: number, d: number): Float64Array {
  const means = new Float64Array(d);
  const counts = new Float64Array(d);
  for (let r = 0; r < n; r++)
    for (let f = 0; f < d; f++) {
      const v = values[r * d + f];
      if (Number.isFinite(v)) {
        means[f] += v;
        counts[f]++;
      }
    }
  return means.map((s, f) => s / counts[f]);
}
