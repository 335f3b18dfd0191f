/**
 * Kernel herding from a table RKME (docs/algorithms.md §1.8): draws pseudo-rows whose
 * empirical kernel mean tracks the spec's. Candidate pool: 100·T points z_i + ε with i ~ β and
 * ε ~ N(0, 0.25²) in the spec's working units (scaled units when the spec has a scale, raw units
 * otherwise, as the reference). Fixes: β is never mutated (the reference clamps it in place), the
 * randomness is seeded, and the running kernel sums are updated incrementally (O(T·pool·d)).
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import { squaredDistance } from '../../kernels/distance.js';
import type { RkmeTableSpec } from './types.js';

export interface HerdingOptions {
  seed?: number;
  /** candidates per requested sample (default 100, as the reference) */
  poolFactor?: number;
  /** noise standard deviation in working units (default 0.25) */
  noise?: number;
}

/** Returns T pseudo-rows, row-major T×d, in raw feature units. */
export function herdSamples(spec: RkmeTableSpec, T: number, options: HerdingOptions = {}): Float64Array {
  if (!Number.isInteger(T) || T < 1 || T > 100_000) throw new InputError('BAD_COUNT', `sample count must be an integer in [1, 100000], got ${T}`);
  const { K, d, gamma } = spec;
  const scale = spec.scale;
  const prng = new Prng(options.seed ?? 0);
  const noise = options.noise ?? 0.25;
  const weights = Float64Array.from(spec.beta, (b) => Math.max(b, 0));
  let total = 0;
  for (const w of weights) total += w;
  if (!(total > 0)) throw new InputError('BAD_SPEC', 'spec has no positive weight to sample from');
  for (let i = 0; i < K; i++) weights[i] /= total;

  const z = new Float64Array(K * d);
  for (let i = 0; i < K; i++) for (let f = 0; f < d; f++) z[i * d + f] = spec.z[i * d + f] / (scale ? scale[f] : 1);

  const poolSize = (options.poolFactor ?? 100) * T;
  const pool = new Float64Array(poolSize * d);
  for (let p = 0; p < poolSize; p++) {
    const i = prng.nextWeighted(weights, 1);
    for (let f = 0; f < d; f++) pool[p * d + f] = z[i * d + f] + noise * prng.nextNormal();
  }
  // embedding evaluated at each candidate: f(c) = Σ_i β⁺_i k(z_i, c)
  const embedding = new Float64Array(poolSize);
  for (let p = 0; p < poolSize; p++) {
    let s = 0;
    for (let i = 0; i < K; i++) {
      if (weights[i] === 0) continue;
      s += weights[i] * kernel(pool, p, z, i, d, gamma);
    }
    embedding[p] = s;
  }
  const chosenSum = new Float64Array(poolSize); // Σ_{s ∈ S} k(s, c)
  const out = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let p = 0; p < poolSize; p++) {
      const score = (t + 1) * embedding[p] - chosenSum[p];
      if (score > bestScore) {
        bestScore = score;
        best = p;
      }
    }
    for (let f = 0; f < d; f++) out[t * d + f] = pool[best * d + f] * (scale ? scale[f] : 1);
    for (let p = 0; p < poolSize; p++) chosenSum[p] += kernel(pool, p, pool, best, d, gamma);
  }
  return out;
}

function kernel(a: Float64Array, i: number, b: Float64Array, j: number, d: number, gamma: number): number {
  return Math.exp(-gamma * squaredDistance(a, i, b, j, d));
}
