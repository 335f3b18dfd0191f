/**
 * A picture of a search match: the reduced points of the user's spec and of a few learnwares'
 * specs, divided by the island's common scale (the space every comparison happens in), projected
 * on the first two principal axes of their β-weighted cloud. Each spec carries the same total mass
 * (its β, clipped at 0 and normalised to sum 1), so a learnware with many reduced points does not
 * outweigh the user. The axes come from power iteration with deflation on the d×d weighted
 * covariance, from a fixed seeded start and with a fixed sign convention: the same input always
 * gives the same picture. Coordinates are centred on the weighted mean of the cloud.
 * Imports only the engine's core and spec types; host Float64, cheap (d² per point).
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import type { MatchPicture, PicturePoint } from '../spec-type.js';
import type { RkmeTableSpec } from './types.js';

export type { MatchPicture, PicturePoint };

const ITERATIONS = 500;
const TOLERANCE = 1e-12;

export function matchPicture(user: RkmeTableSpec, learnwares: readonly { id: string; spec: RkmeTableSpec }[], scale: Float64Array): MatchPicture {
  const d = user.d;
  if (scale.length !== d) throw new InputError('BAD_SCALE', `scale has ${scale.length} values for ${d} features`);
  for (const { id, spec } of learnwares) {
    if (spec.d !== d) throw new InputError('DIMENSION_MISMATCH', `learnware ${id} has ${spec.d} features, the user's data ${d}`);
  }
  const clouds = [user, ...learnwares.map((l) => l.spec)].map((spec) => scaledCloud(spec, scale));

  // weighted mean and covariance of the pooled cloud (each spec has total mass 1)
  const mean = new Float64Array(d);
  let mass = 0;
  for (const c of clouds) {
    for (let i = 0; i < c.K; i++) {
      const m = c.mass[i];
      if (m === 0) continue;
      mass += m;
      for (let f = 0; f < d; f++) mean[f] += m * c.points[i * d + f];
    }
  }
  if (mass > 0) for (let f = 0; f < d; f++) mean[f] /= mass;
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const c of clouds) {
    for (let i = 0; i < c.K; i++) {
      const m = c.mass[i];
      if (m === 0) continue;
      for (let f = 0; f < d; f++) centred[f] = c.points[i * d + f] - mean[f];
      for (let a = 0; a < d; a++) {
        const ma = m * centred[a];
        for (let b = a; b < d; b++) cov[a * d + b] += ma * centred[b];
      }
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = mass > 0 ? cov[a * d + b] / mass : 0;
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  let trace = 0;
  for (let f = 0; f < d; f++) trace += cov[f * d + f];

  const directions: Float64Array[] = [];
  const explained: number[] = [];
  const prng = new Prng(0x5eed);
  for (let axis = 0; axis < 2; axis++) {
    if (axis >= d) {
      directions.push(new Float64Array(d));
      explained.push(0);
      continue;
    }
    const { vector, value } = topEigen(cov, d, prng, directions);
    directions.push(vector);
    explained.push(trace > 0 ? Math.max(0, value) / trace : 0);
    // deflate: C ← C − λ v vᵀ
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] -= value * vector[a] * vector[b];
  }

  const project = (c: Cloud): PicturePoint[] =>
    Array.from({ length: c.K }, (_, i) => {
      let x = 0;
      let y = 0;
      for (let f = 0; f < d; f++) {
        const v = c.points[i * d + f] - mean[f];
        x += v * directions[0][f];
        y += v * directions[1][f];
      }
      return { x, y, w: c.beta[i] };
    });
  return {
    axes: { explained, directions: directions.map((v) => Array.from(v)) },
    user: project(clouds[0]),
    learnwares: learnwares.map((l, i) => ({ id: l.id, points: project(clouds[i + 1]) })),
  };
}

interface Cloud {
  K: number;
  points: Float64Array;
  beta: Float64Array;
  /** β clipped at 0 and normalised to sum 1 (all zero when no β is positive) */
  mass: Float64Array;
}

function scaledCloud(spec: RkmeTableSpec, scale: Float64Array): Cloud {
  const { K, d } = spec;
  const points = new Float64Array(K * d);
  for (let i = 0; i < K; i++) for (let f = 0; f < d; f++) points[i * d + f] = spec.z[i * d + f] / scale[f];
  const mass = Float64Array.from(spec.beta, (b) => (b > 0 ? b : 0));
  const total = mass.reduce((s, b) => s + b, 0);
  for (let i = 0; i < K; i++) mass[i] = total > 0 ? mass[i] / total : 0;
  return { K, points, beta: spec.beta, mass };
}

/**
 * Leading eigenpair of a symmetric positive semi-definite matrix by power iteration from a seeded
 * random start (never orthogonal to the leading eigenvector in practice), kept orthogonal to the
 * axes found before (already deflated away). The sign is fixed so the
 * largest-magnitude component is positive. A zero matrix gives a zero vector and λ = 0.
 */
function topEigen(matrix: Float64Array, d: number, prng: Prng, orthogonalTo: readonly Float64Array[]): { vector: Float64Array; value: number } {
  let v = Float64Array.from({ length: d }, () => prng.nextFloat() - 0.5);
  orthogonalise(v, orthogonalTo);
  if (!normalise(v)) return { vector: new Float64Array(d), value: 0 };
  let value = 0;
  const next = new Float64Array(d);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += matrix[a * d + b] * v[b];
      next[a] = s;
    }
    // deflation leaves round-off along the earlier axes: keep the iterate orthogonal to them
    orthogonalise(next, orthogonalTo);
    const norm = Math.hypot(...next);
    if (!(norm > 1e-300)) return { vector: new Float64Array(d), value: 0 };
    let change = 0;
    for (let a = 0; a < d; a++) {
      const x = next[a] / norm;
      change = Math.max(change, Math.abs(x - v[a]));
      v[a] = x;
    }
    value = norm;
    if (change < TOLERANCE) break;
  }
  // Rayleigh quotient (exact for the returned vector)
  value = 0;
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let b = 0; b < d; b++) s += matrix[a * d + b] * v[b];
    value += v[a] * s;
  }
  if (!(value > 0)) return { vector: new Float64Array(d), value: 0 };
  let largest = 0;
  for (let a = 1; a < d; a++) if (Math.abs(v[a]) > Math.abs(v[largest]) + 1e-12) largest = a;
  if (v[largest] < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

function orthogonalise(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const u of basis) {
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i] * u[i];
    for (let i = 0; i < v.length; i++) v[i] -= dot * u[i];
  }
}

function normalise(v: Float64Array): boolean {
  const norm = Math.hypot(...v);
  if (!(norm > 0)) return false;
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return true;
}
