/**
 * Inner products and squared MMD between table RKMEs, and between an RKME and raw data
 * (docs/algorithms.md §1.7). Fixes over the reference:
 *  - specs fitted under a feature scale are compared under that scale; specs with different
 *    scales or different γ are refused (the reference silently mixes γ between terms);
 *  - the self inner products can be cached by the caller (search precomputes them).
 * Values are computed in Float64 on the host: K is small (≤ a few hundred).
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import type { ComputeBackend } from '../../kernels/backend.js';
import { gaussianGram } from '../../kernels/backend-ts.js';
import { imputeColumnMeans } from '../../data/impute.js';
import type { RkmeTableSpec } from './types.js';

export interface CompareOptions {
  /**
   * Kernel scale for the comparison: a vector overrides both specs' own scales ('raw' = none);
   * default: the specs' common scale (they must agree).
   */
  scale?: Float64Array | 'raw';
}

/** The scale under which two specs are compared; throws when they disagree. */
export function comparisonScale(a: RkmeTableSpec, b: RkmeTableSpec, options: CompareOptions = {}): Float64Array | null {
  if (a.d !== b.d) throw new InputError('DIMENSION_MISMATCH', `specs have ${a.d} and ${b.d} features`);
  if (a.gamma !== b.gamma) {
    throw new InputError('GAMMA_MISMATCH', `specs use different kernel bandwidths (gamma ${a.gamma} and ${b.gamma}); their MMD is not defined`);
  }
  if (options.scale === 'raw') return null;
  if (options.scale) {
    if (options.scale.length !== a.d) throw new InputError('BAD_SCALE', `scale has ${options.scale.length} values for ${a.d} features`);
    return options.scale;
  }
  if (!sameScale(a.scale, b.scale)) {
    throw new InputError('SCALE_MISMATCH', 'specs were fitted under different feature scales; compare them under one common scale (e.g. the island scale, or raw units)');
  }
  return a.scale;
}

function sameScale(a: Float64Array | null, b: Float64Array | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Points divided by the scale (a copy), or the points themselves for raw units. */
export function scaledPoints(z: Float64Array, rows: number, d: number, scale: Float64Array | null): Float64Array {
  if (!scale) return z;
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) for (let f = 0; f < d; f++) out[i * d + f] = z[i * d + f] / scale[f];
  return out;
}

/** ⟨Φa, Φb⟩ = Σ_ij βa_i βb_j k(za_i, zb_j) */
export function innerProduct(a: RkmeTableSpec, b: RkmeTableSpec, options: CompareOptions = {}): number {
  const scale = comparisonScale(a, b, options);
  return weightedKernelSum(scaledPoints(a.z, a.K, a.d, scale), a.beta, a.K, scaledPoints(b.z, b.K, b.d, scale), b.beta, b.K, a.d, a.gamma);
}

/** Squared MMD ‖Φa − Φb‖² (no square root, as the reference's `dist`). */
export function squaredMmd(a: RkmeTableSpec, b: RkmeTableSpec, options: CompareOptions = {}): number {
  const scale = comparisonScale(a, b, options);
  const za = scaledPoints(a.z, a.K, a.d, scale);
  const zb = scaledPoints(b.z, b.K, b.d, scale);
  const aa = weightedKernelSum(za, a.beta, a.K, za, a.beta, a.K, a.d, a.gamma);
  const ab = weightedKernelSum(za, a.beta, a.K, zb, b.beta, b.K, a.d, a.gamma);
  const bb = weightedKernelSum(zb, b.beta, b.K, zb, b.beta, b.K, a.d, a.gamma);
  return aa - 2 * ab + bb;
}

export function weightedKernelSum(za: Float64Array, wa: Float64Array, m: number, zb: Float64Array, wb: Float64Array, n: number, d: number, gamma: number): number {
  const gram = gaussianGram(za, m, zb, n, d, gamma);
  let total = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += gram[i * n + j] * wb[j];
    total += wa[i] * row;
  }
  return total;
}

export interface MmdToDataOptions {
  /** compare under this scale instead of the spec's own ('raw' = none) */
  scale?: Float64Array | 'raw';
  /**
   * The data self-term (1/n²)ΣΣk(x_l, x_m) costs n²·d: above this many rows it is estimated from
   * a seeded sample of this many rows (default 20,000; the result says whether it was exact).
   */
  exactSelfTermRows?: number;
  seed?: number;
  /**
   * The data self-term of these same rows from an earlier call (`dataTerm`, `dataTermExact` of its
   * result): skips its n²·d computation when one data set is compared with many specs.
   */
  knownDataTerm?: { value: number; exact: boolean };
  signal?: AbortSignal;
}

export interface MmdToDataResult {
  /** squared MMD between the spec and the empirical distribution of the rows */
  value: number;
  /** ⟨Φ,Φ⟩ − (2/n)Σ_i β_i Σ_l k(z_i, x_l): exact; differences between specs of one data set are exact */
  withoutDataTerm: number;
  dataTerm: number;
  dataTermExact: boolean;
}

/**
 * Squared MMD between a spec and raw rows (NaN/±Inf imputed by column means, as for generation).
 */
export async function squaredMmdToData(
  backend: ComputeBackend,
  spec: RkmeTableSpec,
  values: Float64Array,
  n: number,
  d: number,
  options: MmdToDataOptions = {},
): Promise<MmdToDataResult> {
  if (d !== spec.d) throw new InputError('DIMENSION_MISMATCH', `data has ${d} features, the spec ${spec.d}`);
  if (values.length !== n * d || n < 1) throw new InputError('BAD_SHAPE', `data has ${values.length} values, expected ${n}×${d} with n ≥ 1`);
  const scale = options.scale === 'raw' ? null : (options.scale ?? spec.scale);
  const { values: x, means } = imputeColumnMeans(values, n, d);
  // Centre both sides by the data mean: the kernel is shift-invariant and Float32 devices stay accurate.
  const work = new Float64Array(n * d);
  for (let l = 0; l < n; l++) for (let f = 0; f < d; f++) work[l * d + f] = (x[l * d + f] - means[f]) / (scale ? scale[f] : 1);
  const z = new Float64Array(spec.K * d);
  for (let i = 0; i < spec.K; i++) for (let f = 0; f < d; f++) z[i * d + f] = (spec.z[i * d + f] - means[f]) / (scale ? scale[f] : 1);

  const gamma = spec.gamma;
  const selfSpec = weightedKernelSum(z, spec.beta, spec.K, z, spec.beta, spec.K, d, gamma);
  const resident = await backend.upload(work, n, d);
  try {
    const cross = await backend.kernelRowStats(z, spec.K, resident, gamma, false, options.signal);
    let crossTerm = 0;
    for (let i = 0; i < spec.K; i++) crossTerm += spec.beta[i] * cross.sums[i];
    crossTerm /= n;
    const limit = options.exactSelfTermRows ?? 20_000;
    let exact = n <= limit;
    let dataTerm: number;
    if (options.knownDataTerm) {
      dataTerm = options.knownDataTerm.value;
      exact = options.knownDataTerm.exact;
    } else if (exact) {
      dataTerm = (await kernelTotal(backend, work, n, d, resident, gamma, options.signal)) / (n * n);
    } else {
      // U-statistic of the off-diagonal mean on a sample, plus the known diagonal (k(x,x) = 1).
      const rows = new Prng(options.seed ?? 0).sampleWithoutReplacement(n, limit);
      const sample = new Float64Array(limit * d);
      rows.forEach((row, i) => sample.set(work.subarray(row * d, row * d + d), i * d));
      const sampleResident = await backend.upload(sample, limit, d);
      try {
        const total = await kernelTotal(backend, sample, limit, d, sampleResident, gamma, options.signal);
        const offDiagonalMean = (total - limit) / (limit * (limit - 1));
        dataTerm = 1 / n + (1 - 1 / n) * offDiagonalMean;
      } finally {
        sampleResident.dispose();
      }
    }
    const withoutDataTerm = selfSpec - 2 * crossTerm;
    return { value: withoutDataTerm + dataTerm, withoutDataTerm, dataTerm, dataTermExact: exact };
  } finally {
    resident.dispose();
  }
}

/** Σ_l Σ_m k(x_l, x_m), by row blocks used as centers. */
async function kernelTotal(
  backend: ComputeBackend,
  x: Float64Array,
  n: number,
  d: number,
  resident: import('../../kernels/backend.js').ResidentMatrix,
  gamma: number,
  signal?: AbortSignal,
): Promise<number> {
  const block = 512;
  let total = 0;
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    const stats = await backend.kernelRowStats(x.subarray(start * d, (start + rows) * d), rows, resident, gamma, false, signal);
    for (let i = 0; i < rows; i++) total += stats.sums[i];
  }
  return total;
}
