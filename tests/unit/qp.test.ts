import { describe, expect, it } from 'vitest';
import { Prng, solveSimplexQp } from '../../src/engine/index.js';
import { gaussianGram } from '../../src/engine/kernels/backend-ts.js';

/** A random QP as in the β solve: H = Gram of random points, c = mean kernel to random data. */
function randomProblem(prng: Prng, m: number, d: number, duplicates = 0): { H: Float64Array; c: Float64Array } {
  const z = new Float64Array(m * d);
  for (let i = 0; i < z.length; i++) z[i] = prng.nextNormal() * 2;
  for (let k = 0; k < duplicates; k++) {
    const i = prng.nextInt(m);
    const j = prng.nextInt(m);
    z.copyWithin(i * d, j * d, j * d + d);
  }
  const n = 50;
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = prng.nextNormal() * 2 + 0.5;
  const H = gaussianGram(z, m, z, m, d, 0.1);
  const kx = gaussianGram(z, m, x, n, d, 0.1);
  const c = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let l = 0; l < n; l++) c[i] += kx[i * n + l] / n;
  return { H, c };
}

function kktResiduals(H: Float64Array, c: Float64Array, beta: Float64Array) {
  const m = c.length;
  const g = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    g[i] = -c[i];
    for (let j = 0; j < m; j++) g[i] += H[i * m + j] * beta[j];
  }
  // λ = gradient on the support (all equal at a KKT point)
  const support = [...beta.keys()].filter((i) => beta[i] > 1e-12);
  const lambda = support.reduce((s, i) => s + g[i], 0) / support.length;
  let stationarity = 0;
  let dualFeasibility = 0;
  for (let i = 0; i < m; i++) {
    if (beta[i] > 1e-12) stationarity = Math.max(stationarity, Math.abs(g[i] - lambda));
    else dualFeasibility = Math.max(dualFeasibility, lambda - g[i]); // need g_i − λ ≥ 0
  }
  const sum = beta.reduce((s, b) => s + b, 0);
  const minBeta = Math.min(...beta);
  return { stationarity, dualFeasibility, sumError: Math.abs(sum - 1), minBeta };
}

/** Independent check: projected gradient with simplex projection, many iterations. */
function projectedGradient(H: Float64Array, c: Float64Array, iterations: number): Float64Array {
  const m = c.length;
  let x: Float64Array = new Float64Array(m).fill(1 / m);
  let L = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) L = Math.max(L, Math.abs(H[i * m + j]));
  const step = 1 / (L * m);
  for (let t = 0; t < iterations; t++) {
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let g = -c[i];
      for (let j = 0; j < m; j++) g += H[i * m + j] * x[j];
      y[i] = x[i] - step * g;
    }
    x = projectToSimplex(y);
  }
  return x;
}

function projectToSimplex(v: Float64Array): Float64Array {
  const u = Array.from(v).sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  for (let i = 0; i < u.length; i++) {
    cumulative += u[i];
    const t = (cumulative - 1) / (i + 1);
    if (u[i] - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

function objective(H: Float64Array, c: Float64Array, b: Float64Array): number {
  const m = c.length;
  let q = 0;
  let l = 0;
  for (let i = 0; i < m; i++) {
    l += c[i] * b[i];
    for (let j = 0; j < m; j++) q += b[i] * H[i * m + j] * b[j];
  }
  return 0.5 * q - l;
}

describe('simplex QP (active set)', () => {
  it('satisfies the KKT conditions on 60 random problems (m = 2..150)', () => {
    const prng = new Prng(11);
    for (let trial = 0; trial < 60; trial++) {
      const m = 2 + prng.nextInt(149);
      const { H, c } = randomProblem(prng, m, 1 + prng.nextInt(6), trial % 3 === 0 ? 3 : 0);
      const { beta, objective: obj } = solveSimplexQp(H, c);
      const r = kktResiduals(H, c, beta);
      expect(r.sumError).toBeLessThan(1e-12);
      expect(r.minBeta).toBeGreaterThanOrEqual(0);
      expect(r.stationarity).toBeLessThan(1e-8);
      expect(r.dualFeasibility).toBeLessThan(1e-8);
      expect(obj).toBeCloseTo(objective(H, c, beta), 12);
    }
  });

  it('is never beaten by a long projected-gradient run', () => {
    const prng = new Prng(5);
    for (let trial = 0; trial < 10; trial++) {
      const { H, c } = randomProblem(prng, 20, 3);
      const ours = solveSimplexQp(H, c).objective;
      const pg = objective(H, c, projectedGradient(H, c, 20_000));
      expect(ours).toBeLessThanOrEqual(pg + 1e-10);
    }
  });

  it('solves tiny problems with known answers', () => {
    // two identical-cost points with an identity H: the optimum splits evenly
    expect(Array.from(solveSimplexQp(new Float64Array([1, 0, 0, 1]), new Float64Array([0, 0])).beta)).toEqual([0.5, 0.5]);
    // a strong linear pull puts all weight on one vertex
    const { beta } = solveSimplexQp(new Float64Array([1, 0, 0, 1]), new Float64Array([5, 0]));
    expect(Array.from(beta)).toEqual([1, 0]);
    expect(Array.from(solveSimplexQp(new Float64Array([2]), new Float64Array([7])).beta)).toEqual([1]);
  });

  it('rejects malformed problems', () => {
    expect(() => solveSimplexQp(new Float64Array(3), new Float64Array(2))).toThrow(RangeError);
    expect(() => solveSimplexQp(new Float64Array([NaN]), new Float64Array([1]))).toThrow(RangeError);
  });
  it('starts from a nearby solution: the same optimum in fewer iterations; a start off the simplex is ignored', () => {
    const prng = new Prng(31);
    for (let trial = 0; trial < 10; trial++) {
      const { H, c } = randomProblem(prng, 100, 5);
      const cold = solveSimplexQp(H, c);
      // a nearby problem: c moved by 1 %, as a Z step moves the kernel means
      const moved = c.map((v) => v * (1 + 0.01 * (prng.nextFloat() - 0.5)));
      const fresh = solveSimplexQp(H, moved);
      const warm = solveSimplexQp(H, moved, { start: cold.beta });
      expect(Math.abs(warm.objective - fresh.objective)).toBeLessThan(1e-12 * Math.abs(fresh.objective) + 1e-15);
      expect(warm.iterations).toBeLessThan(fresh.iterations);
      const ignored = solveSimplexQp(H, moved, { start: cold.beta.map((b) => b * 2) });
      expect(ignored.iterations).toBe(fresh.iterations);
    }
  });
});
