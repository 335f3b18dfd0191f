/**
 * Generation of the RKME table specification (docs/algorithms.md §1.2–1.6), on any compute
 * backend. Differences from the reference, each fixing a documented bug or weakness (§8.2–8.3):
 *  - k-means++ seeding from a seeded PRNG; empty clusters keep their centroid (§1.4).
 *  - Z steps use the exact gradient of MMD² (the reference halves the Z–Z term, §1.6). The step is
 *    preconditioned per point by 1/(4γβ_i c_i), which makes it scale-free (η = 1 moves z_i to the
 *    kernel-weighted data mean, corrected by the repulsion from the other reduced points), and a
 *    step is only accepted when the MMD after the β re-solve is lower (backtracking halves η).
 *    The reference's fixed step 0.1 in raw units barely moves Z on most data.
 *  - Optional per-feature kernel scale (docs/design-notes.md §1), recorded in the spec.
 *  - k-means runs on a seeded row sample when n is large; the gradient steps and β use all rows.
 * All optimisation happens in a centred, scaled working space; Z is returned in raw units.
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import { PhaseReporter, type JobOptions } from '../../core/progress.js';
import type { ComputeBackend, ResidentMatrix } from '../../kernels/backend.js';
import { gaussianGram } from '../../kernels/backend-ts.js';
import { squaredDistance } from '../../kernels/distance.js';
import { imputeColumnMeans } from '../../data/impute.js';
import { kMeans } from './kmeans.js';
import { solveSimplexQp } from '../qp.js';
import { RKME_TABLE_TYPE, TABLE_SPEC_LIMITS, type RkmeTableSpec, type ScaleSource } from './types.js';

export const GENERATOR = 'learnware-dock 0.1.0';

/** Reference cap on K·d (config `max_reduced_set_size`). */
export const MAX_REDUCED_SET_SIZE = 1_310_720;
/** The γ a spec may be built with: outside it every kernel value is 0 or 1 (or overflows). */
export const MIN_GAMMA = 1e-30;
export const MAX_GAMMA = 1e30;
/** Largest magnitude of a table value: squared distances of larger ones overflow. */
export const MAX_VALUE = 1e100;

/** Largest K we accept: the β QP is dense in K (types.ts TABLE_SPEC_LIMITS). */
export const MAX_K = TABLE_SPEC_LIMITS.K;

export interface TableSpecOptions extends JobOptions {
  /** RBF bandwidth γ (default 0.1, as the reference) */
  gamma?: number;
  /** reduced set size K (default 100), capped as the reference does */
  K?: number;
  /** gradient steps on Z (default 3, as the reference) */
  steps?: number;
  /** initial step length η of each preconditioned step (default 1) */
  stepSize?: number;
  /** PRNG seed (default 0) */
  seed?: number;
  /**
   * Per-feature kernel scale: 'none' (raw units, reference-compatible; default), 'std' (each
   * feature's standard deviation in this data), or an explicit vector (e.g. an island's scale).
   */
  scale?: 'none' | 'std' | Float64Array;
  /** rows used by k-means (default max(20·K, 20,000)); 0 = all rows */
  kmeansRows?: number;
  kmeansMaxIterations?: number;
  featureNames?: readonly string[];
  /** job id used in progress events */
  job?: string;
}

export interface TableSpecReport {
  requestedK: number;
  K: number;
  /** MMD² − ‖μ_X‖² after k-means+QP, then after each accepted step (= 2 × QP objective) */
  objectiveHistory: number[];
  /** NaN/±Inf cells replaced by their column mean */
  imputedCells: number;
  warnings: { code: string; message: string }[];
  backend: string;
  ms: number;
}

/** Applies the reference's K caps (docs/algorithms.md §1.2): K·d ≤ 1,310,720, then K < n. */
export function effectiveK(requested: number, n: number, d: number): number {
  let K = requested;
  if (K * d > MAX_REDUCED_SET_SIZE) K = Math.max(20, Math.floor(MAX_REDUCED_SET_SIZE / d));
  if (K >= n) K = Math.max(1, Math.floor((2 * n) / 3));
  return K;
}

/**
 * Builds the RKME of the row-major n×d matrix `values` (NaN/±Inf allowed; imputed).
 */
export async function buildTableRkme(
  backend: ComputeBackend,
  values: Float64Array,
  n: number,
  d: number,
  options: TableSpecOptions = {},
): Promise<{ spec: RkmeTableSpec; report: TableSpecReport }> {
  const started = Date.now();
  const gamma = options.gamma ?? 0.1;
  const requestedK = options.K ?? 100;
  const steps = options.steps ?? 3;
  const stepSize = options.stepSize ?? 1;
  const seed = options.seed ?? 0;
  const job = options.job ?? 'spec';
  const { onProgress, signal } = options;
  validate(values, n, d, gamma, requestedK, steps, stepSize, seed, options.featureNames);

  const phase = (name: string, total: number, unit: 'rows' | 'iterations' | 'steps') => new PhaseReporter(onProgress, job, name, total, unit);

  const impute = phase('impute', n, 'rows');
  const featureNames = options.featureNames ? [...options.featureNames] : null;
  const { values: x, means, imputed } = imputeColumnMeans(values, n, d, featureNames);
  const { scale, scaleSource } = resolveScale(options.scale ?? 'none', x, means, n, d);
  // Working space: centred (keeps Float32 devices accurate) and divided by the scale.
  const work = new Float64Array(n * d);
  for (let l = 0; l < n; l++) {
    for (let f = 0; f < d; f++) work[l * d + f] = (x[l * d + f] - means[f]) / (scale ? scale[f] : 1);
  }
  impute.finish();

  const K = effectiveK(requestedK, n, d);
  const prng = new Prng(seed);
  const warnings: TableSpecReport['warnings'] = [];
  const resident = await backend.upload(work, n, d);
  const residents: ResidentMatrix[] = [resident];
  try {
    // k-means initialisation, on a seeded row sample for large n
    const kmeansRows = options.kmeansRows === 0 ? n : Math.min(n, options.kmeansRows ?? Math.max(20 * K, 20_000));
    const maxIterations = options.kmeansMaxIterations ?? 30;
    const kmeansPhase = phase('kmeans', K + maxIterations, 'iterations');
    let sample = work;
    let sampleResident = resident;
    if (kmeansRows < n) {
      const rows = prng.sampleWithoutReplacement(n, kmeansRows);
      sample = new Float64Array(kmeansRows * d);
      rows.forEach((row, i) => sample.set(work.subarray(row * d, row * d + d), i * d));
      sampleResident = await backend.upload(sample, kmeansRows, d);
      residents.push(sampleResident);
    }
    let z = await kMeans(backend, sample, sampleResident, K, prng, { maxIterations, tolerance: 1e-6, signal, progress: kmeansPhase });
    kmeansPhase.finish();

    const betaPhase = phase('beta', 1, 'steps');
    let state = await fitBeta(backend, z, K, d, resident, n, gamma, signal);
    betaPhase.finish();
    const objectiveHistory = [2 * state.objective];

    const stepPhase = phase('z-step', steps, 'steps');
    for (let step = 0; step < steps; step++) {
      const direction = descentDirection(z, state, K, d);
      let eta = stepSize;
      let accepted = false;
      for (let attempt = 0; attempt < 5 && !accepted; attempt++, eta /= 2) {
        const trial = new Float64Array(z.length);
        for (let j = 0; j < z.length; j++) trial[j] = z[j] + eta * direction[j];
        const next = await fitBeta(backend, trial, K, d, resident, n, gamma, signal, state.beta);
        if (next.objective < state.objective) {
          z = trial;
          state = next;
          accepted = true;
        }
      }
      stepPhase.update(step + 1);
      if (!accepted) break; // no step lowers the MMD: Z is at a stationary point
      objectiveHistory.push(2 * state.objective);
    }
    stepPhase.finish();

    const zRaw = new Float64Array(K * d);
    for (let i = 0; i < K; i++) {
      for (let f = 0; f < d; f++) zRaw[i * d + f] = z[i * d + f] * (scale ? scale[f] : 1) + means[f];
    }
    if (K * 3 > n) {
      warnings.push({
        code: 'FEW_ROWS',
        message: `only ${n.toLocaleString('en')} rows for ${K.toLocaleString('en')} reduced points: each point summarises ~${(n / K).toFixed(1)} rows and is close to raw data; share such a spec with care`,
      });
    }
    const kernelLevel = medianPairKernel(work, n, d, gamma, prng);
    if (kernelLevel < 1e-4) {
      warnings.push({
        code: 'KERNEL_DEGENERATE',
        message: `the kernel between two typical rows is ~${kernelLevel.toExponential(1)}: features are on scales far above 1/sqrt(gamma), so distances carry little information; use scale 'std' or a smaller gamma`,
      });
    }
    const spec: RkmeTableSpec = {
      type: RKME_TABLE_TYPE,
      z: zRaw,
      beta: state.beta,
      K,
      d,
      gamma,
      numPoints: n,
      scale,
      scaleSource,
      featureNames,
      provenance: { generator: GENERATOR, seed, backend: backend.name, steps, requestedK, kmeansRows },
    };
    return {
      spec,
      report: { requestedK, K, objectiveHistory, imputedCells: imputed, warnings, backend: backend.device, ms: Date.now() - started },
    };
  } finally {
    for (const r of residents) r.dispose();
  }
}

export interface BetaState {
  beta: Float64Array;
  /** ½βᵀKzzβ − cᵀβ */
  objective: number;
  Kzz: Float64Array;
  /** c_i = (1/n) Σ_l k(z_i, x_l) */
  c: Float64Array;
  /** m_i = (1/n) Σ_l k(z_i, x_l) x_l, K×d */
  moments: Float64Array;
}

/** One pass over the data (kernel row statistics at Z) and the β QP. */
export async function fitBeta(
  backend: ComputeBackend,
  z: Float64Array,
  K: number,
  d: number,
  resident: ResidentMatrix,
  n: number,
  gamma: number,
  signal?: AbortSignal,
  /** the β of a nearby Z (the step's start): the QP starts from its support */
  previousBeta?: Float64Array,
): Promise<BetaState> {
  const stats = await backend.kernelRowStats(z, K, resident, gamma, true, signal);
  const c = stats.sums.map((s) => s / n);
  const moments = stats.weighted!.map((s) => s / n);
  const Kzz = gaussianGram(z, K, z, K, d, gamma);
  let solved: ReturnType<typeof solveSimplexQp>;
  try {
    solved = solveSimplexQp(Kzz, c, { start: previousBeta });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new InputError('BAD_SPEC', `the kernel between the data and the reduced points is not finite (${error.message}): check for huge values or an extreme gamma`);
  }
  const { beta, objective } = solved;
  return { beta, objective, Kzz, c, moments };
}

/**
 * Exact gradient of f(Z) = βᵀKzzβ − 2βᵀc (= MMD² − ‖μ_X‖² at fixed β) with respect to Z:
 * G_i = −2γβ_i(2·t1_i + t2_i), t1_i = Σ_j β_j k(z_i,z_j)(z_i − z_j), t2_i = −2(c_i z_i − m_i)
 * (docs/algorithms.md §1.6; the reference uses 1·t1). K×d, working space.
 */
export function zGradient(z: Float64Array, state: BetaState, K: number, d: number, gamma: number): Float64Array {
  const t1 = repulsion(z, state, K, d);
  const { beta, c, moments } = state;
  const G = new Float64Array(K * d);
  for (let i = 0; i < K; i++) {
    for (let f = 0; f < d; f++) {
      const t2 = -2 * (c[i] * z[i * d + f] - moments[i * d + f]);
      G[i * d + f] = -2 * gamma * beta[i] * (2 * t1[i * d + f] + t2);
    }
  }
  return G;
}

/**
 * Preconditioned descent direction: −G_i scaled by 1/(4γβ_i c_i), i.e.
 * Δ_i = (t1_i + m_i) / c_i − z_i. β_i cancels, so points with zero weight move towards the data
 * too (they do not change f at fixed β, and may regain weight in the next β solve).
 */
export function descentDirection(z: Float64Array, state: BetaState, K: number, d: number): Float64Array {
  const t1 = repulsion(z, state, K, d);
  const { c, moments } = state;
  const direction = new Float64Array(K * d);
  for (let i = 0; i < K; i++) {
    if (!(c[i] > 1e-250)) continue; // no data within reach of z_i: no information to move it
    for (let f = 0; f < d; f++) direction[i * d + f] = (t1[i * d + f] + moments[i * d + f]) / c[i] - z[i * d + f];
  }
  return direction;
}

/** t1_i = Σ_j β_j k(z_i, z_j)(z_i − z_j), K×d */
function repulsion(z: Float64Array, state: BetaState, K: number, d: number): Float64Array {
  const { beta, Kzz } = state;
  const t1 = new Float64Array(K * d);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) {
      const w = beta[j] * Kzz[i * K + j];
      if (w === 0) continue;
      for (let f = 0; f < d; f++) t1[i * d + f] += w * (z[i * d + f] - z[j * d + f]);
    }
  }
  return t1;
}

function resolveScale(
  option: 'none' | 'std' | Float64Array,
  x: Float64Array,
  means: Float64Array,
  n: number,
  d: number,
): { scale: Float64Array | null; scaleSource: ScaleSource | null } {
  if (option === 'none') return { scale: null, scaleSource: null };
  if (option === 'std') {
    const scale = new Float64Array(d);
    const sq = new Float64Array(d);
    // row by row: one sequential pass over the matrix (a column at a time strides through it d times)
    for (let l = 0; l < n; l++) {
      const o = l * d;
      for (let f = 0; f < d; f++) {
        const t = x[o + f] - means[f];
        sq[f] += t * t;
      }
    }
    for (let f = 0; f < d; f++) {
      const std = Math.sqrt(sq[f] / n);
      // A constant column carries no distance information; any positive scale leaves it inert.
      scale[f] = std > 0 && Number.isFinite(std) ? std : 1;
    }
    return { scale, scaleSource: 'std' };
  }
  if (option instanceof Float64Array) {
    if (option.length !== d) throw new InputError('BAD_SCALE', `scale has ${option.length} values, the data has ${d} features`);
    for (let f = 0; f < d; f++) {
      if (!(option[f] > 0) || !Number.isFinite(option[f])) throw new InputError('BAD_SCALE', `scale[${f}] must be a positive finite number, got ${option[f]}`);
    }
    return { scale: Float64Array.from(option), scaleSource: 'given' };
  }
  throw new InputError('BAD_SCALE', `scale must be 'none', 'std' or a Float64Array, got ${String(option)}`);
}

function validate(
  values: Float64Array,
  n: number,
  d: number,
  gamma: number,
  K: number,
  steps: number,
  stepSize: number,
  seed: number,
  featureNames: readonly string[] | undefined,
): void {
  if (!Number.isInteger(n) || n < 1) throw new InputError('NO_ROWS', `need at least one row, got ${n}`);
  if (!Number.isInteger(d) || d < 1) throw new InputError('NO_FEATURES', `need at least one feature, got ${d}`);
  if (values.length !== n * d) throw new InputError('BAD_SHAPE', `data has ${values.length} values, expected ${n}×${d}`);
  if (!(gamma >= MIN_GAMMA && gamma <= MAX_GAMMA)) throw new InputError('BAD_GAMMA', `gamma must be a number in [${MIN_GAMMA}, ${MAX_GAMMA}], got ${gamma}`);
  for (let i = 0; i < values.length; i++) {
    // NaN and ±Infinity are missing values (imputed); beyond ±1e100 squared distances overflow to Infinity and the kernel to NaN
    if (Number.isFinite(values[i]) && Math.abs(values[i]) > MAX_VALUE) {
      throw new InputError(
        'VALUE_TOO_LARGE',
        `row ${Math.floor(i / d) + 1}, feature ${(i % d) + 1}${featureNames ? ` (${featureNames[i % d]})` : ''} is ${values[i]}; values must lie within ±${MAX_VALUE}`,
        {
          row: Math.floor(i / d),
          feature: i % d,
        },
      );
    }
  }
  if (!Number.isInteger(K) || K < 1 || K > MAX_K) throw new InputError('BAD_K', `K must be an integer in [1, ${MAX_K}], got ${K}`);
  if (!Number.isInteger(steps) || steps < 0 || steps > 1000) throw new InputError('BAD_STEPS', `steps must be an integer in [0, 1000], got ${steps}`);
  if (!(stepSize > 0) || !Number.isFinite(stepSize)) throw new InputError('BAD_STEP_SIZE', `step size must be positive, got ${stepSize}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError('BAD_SEED', `seed must be an integer in [0, 4294967295], got ${seed}`);
  if (featureNames && featureNames.length !== d) throw new InputError('BAD_SHAPE', `${featureNames.length} feature names for ${d} features`);
}

/** Median of k(x_a, x_b) over up to 501 random row pairs (working space). */
function medianPairKernel(work: Float64Array, n: number, d: number, gamma: number, prng: Prng): number {
  if (n < 2) return 1;
  const values: number[] = [];
  for (let t = 0; t < 501; t++) {
    const a = prng.nextInt(n);
    let b = prng.nextInt(n - 1);
    if (b >= a) b++;
    values.push(Math.exp(-gamma * squaredDistance(work, a, work, b, d)));
  }
  values.sort((p, q) => p - q);
  return values[250];
}
