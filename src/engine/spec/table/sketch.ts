/**
 * Random-Fourier-feature sketches of table RKMEs (docs/catalog-format.md, "Sketch index").
 * For the Gaussian kernel k(x, y) = exp(−γ‖x − y‖²) and ω ~ N(0, 2γI),
 * E[cos(ω·(x − y))] = k(x, y); with the paired features
 *   φ(x) = (cos ω_1·x, …, cos ω_m·x, sin ω_1·x, …, sin ω_m·x) / √m
 * ⟨φ(x), φ(y)⟩ = (1/m) Σ_j cos(ω_j·(x − y)) estimates k(x, y), so the sketch s = Σ_i β_i φ(z_i / scale)
 * approximates the kernel mean embedding and ‖s_u − s_L‖² approximates MMD²(u, L).
 * The frequencies come from the seeded xoshiro128** generator (docs/prng.md) and are stored in the
 * sketch index as Float32, so the catalog builder and every browser use bit-identical ω whatever
 * their Math.log/Math.cos.
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import type { SketchParams } from '../spec-type.js';
import type { RkmeTableSpec } from './types.js';

export type { SketchParams };

/** The sketch parameters of an island: ω drawn from `seed` (docs/prng.md). */
export function islandSketchParams(d: number, gamma: number, scale: Float64Array, pairs: number, seed: number): SketchParams {
  return { d, pairs, gamma, scale, omega: sketchFrequencies(seed, pairs, d, gamma) };
}

/** Frequencies ω_j = √(2γ) · g_j, g_j ~ N(0, I_d), drawn in order j = 0…m−1, feature 0…d−1. */
export function sketchFrequencies(seed: number, pairs: number, d: number, gamma: number): Float32Array {
  if (!(gamma > 0)) throw new InputError('BAD_GAMMA', `gamma must be positive, got ${gamma}`);
  const prng = new Prng(seed);
  const omega = new Float32Array(pairs * d);
  const s = Math.sqrt(2 * gamma);
  for (let i = 0; i < omega.length; i++) omega[i] = s * prng.nextNormal();
  return omega;
}

/** The sketch of one spec (length 2·pairs), in Float64. */
export function sketchSpec(spec: RkmeTableSpec, params: SketchParams, out = new Float64Array(2 * params.pairs)): Float64Array {
  const { d, pairs, scale } = params;
  if (spec.d !== d) throw new InputError('DIMENSION_MISMATCH', `spec has ${spec.d} features, the sketch index ${d}`);
  if (spec.gamma !== params.gamma) throw new InputError('GAMMA_MISMATCH', `spec uses gamma ${spec.gamma}, the sketch index ${params.gamma}`);
  out.fill(0);
  const w = frequencies64(params);
  const point = new Float64Array(d);
  for (let i = 0; i < spec.K; i++) {
    const beta = spec.beta[i];
    if (beta === 0) continue;
    for (let f = 0; f < d; f++) point[f] = spec.z[i * d + f] / scale[f];
    for (let j = 0; j < pairs; j++) {
      let dot = 0;
      const row = j * d;
      for (let f = 0; f < d; f++) dot += w[row + f] * point[f];
      // sin and cos of dot together: quadrant q, remainder r ∈ [−π/4, π/4] (Cody–Waite), Taylor
      // series to r¹³/r¹⁴ (error < 1e-15 there); 4–5× faster than Math.sin + Math.cos.
      const q = Math.round(dot * TWO_OVER_PI);
      const r = dot - q * PI_2_HI - q * PI_2_LO;
      const r2 = r * r;
      const sinR = r * (1 + r2 * (S3 + r2 * (S5 + r2 * (S7 + r2 * (S9 + r2 * (S11 + r2 * S13))))));
      const cosR = 1 + r2 * (C2 + r2 * (C4 + r2 * (C6 + r2 * (C8 + r2 * (C10 + r2 * (C12 + r2 * C14))))));
      const quadrant = q & 3;
      const sin = quadrant === 0 ? sinR : quadrant === 1 ? cosR : quadrant === 2 ? -sinR : -cosR;
      const cos = quadrant === 0 ? cosR : quadrant === 1 ? -sinR : quadrant === 2 ? -cosR : sinR;
      out[j] += beta * cos;
      out[pairs + j] += beta * sin;
    }
  }
  const norm = 1 / Math.sqrt(pairs);
  for (let j = 0; j < out.length; j++) out[j] *= norm;
  return out;
}

const TWO_OVER_PI = 2 / Math.PI;
const PI_2_HI = 1.5707963267341256; // π/2 split so q·PI_2_HI is exact for |q| < 2²⁰
const PI_2_LO = 6.077100506506192e-11;
const [S3, S5, S7, S9, S11, S13] = [-1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800, 1 / 6227020800];
const [C2, C4, C6, C8, C10, C12, C14] = [-1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800, 1 / 479001600, -1 / 87178291200];

const widened = new WeakMap<Float32Array, Float64Array>();

/** ω as Float64 (same values), cached per parameter set: the inner loop runs faster on doubles. */
function frequencies64(params: SketchParams): Float64Array {
  let w = widened.get(params.omega);
  if (!w) {
    w = Float64Array.from(params.omega);
    widened.set(params.omega, w);
  }
  return w;
}
