/**
 * Building an image RKME (docs/image.md §3): ψ of the images (at most maxImages of them, a seeded
 * sample) on the compute backend, k-means in ψ space (spec/table/kmeans.ts), each reduced image the
 * pixel mean of its cluster, and β by the simplex QP under exp(−γ‖ψ(·) − ψ(·)‖²) between ψ(Z) and the
 * images' ψ — as the table RKME's β. ψ(Z) is computed in plain TypeScript from Z rounded to float32,
 * exactly as for a spec read from stat.json, so a built spec and its stat.json compare the same.
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import { PhaseReporter, type JobOptions } from '../../core/progress.js';
import type { ComputeBackend } from '../../kernels/backend.js';
import { gaussianGram } from '../../kernels/backend-ts.js';
import { SPEC_IMAGE_SIZE } from '../../data/image.js';
import { solveSimplexQp } from '../qp.js';
import { effectiveK, GENERATOR } from '../table/build.js';
import { kMeans } from '../table/kmeans.js';
import { IMAGE_FEATURE_DIM, IMAGE_GAMMA, IMAGE_NETWORK, pixelFeatures } from './features.js';
import { REFERENCE_DEFAULTS } from './stat-json.js';
import { IMAGE_SPEC_LIMITS, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';
import { makeView, reducedFeatures, setTableView, type TableView } from './view.js';

export interface ImageSpecOptions extends JobOptions {
  /** reduced images (default 50, as the reference) */
  K?: number;
  /** PRNG seed of the sample and of k-means (default 0) */
  seed?: number;
  /** images the spec is built from at most (default 5,000, as the reference; a seeded sample beyond) */
  maxImages?: number;
  /** γ of the kernel on ψ (default IMAGE_GAMMA; an island's for a user's spec) */
  gamma?: number;
  kmeansMaxIterations?: number;
  /** job id used in progress events */
  job?: string;
}

export interface ImageSpecReport {
  requestedK: number;
  K: number;
  warnings: { code: string; message: string }[];
  backend: string;
  ms: number;
}

export const DEFAULT_IMAGE_K = 50;
export const DEFAULT_MAX_IMAGES = 5_000;

/** The rows a spec of n images is built from: all (null), or a seeded sample of maxImages, in increasing order. */
export function chooseImages(n: number, maxImages: number, seed: number): Int32Array | null {
  if (!Number.isInteger(maxImages) || maxImages < 1) throw new InputError('BAD_COUNT', `maxImages must be a positive integer, got ${maxImages}`);
  if (n <= maxImages) return null;
  return new Prng(seed).sampleWithoutReplacement(n, maxImages).sort();
}

/**
 * The RKME of n images [n, C, 32, 32] in [0, 1] (already the chosen sample; `numPoints` = the
 * images the data set has, default n) and ψ of them (n × 256, to be reused as the data set's features).
 */
export async function buildImageRkme(
  backend: ComputeBackend,
  pixels: Float32Array,
  n: number,
  channels: 1 | 3,
  options: ImageSpecOptions & { numPoints?: number } = {},
): Promise<{ spec: RkmeImageSpec; report: ImageSpecReport; features: Float64Array }> {
  const started = Date.now();
  const requestedK = options.K ?? DEFAULT_IMAGE_K;
  const seed = options.seed ?? 0;
  const gamma = options.gamma ?? IMAGE_GAMMA;
  const job = options.job ?? 'spec';
  const { onProgress, signal } = options;
  const per = channels * SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE;
  if (!Number.isInteger(n) || n < 1) throw new InputError('NO_ROWS', `need at least one image, got ${n}`);
  if (pixels.length !== n * per) throw new InputError('BAD_SHAPE', `pixels have ${pixels.length} values, expected ${n}×${channels}×${SPEC_IMAGE_SIZE}×${SPEC_IMAGE_SIZE}`);
  if (!Number.isInteger(requestedK) || requestedK < 1 || requestedK > IMAGE_SPEC_LIMITS.K)
    throw new InputError('BAD_K', `K must be an integer in [1, ${IMAGE_SPEC_LIMITS.K}], got ${requestedK}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InputError('BAD_SEED', `seed must be an integer in [0, 4294967295], got ${seed}`);
  if (!(gamma >= 1e-30 && gamma <= 1e30)) throw new InputError('BAD_GAMMA', `gamma must be a positive number, got ${gamma}`);
  const numPoints = options.numPoints ?? n;
  const d = IMAGE_FEATURE_DIM;

  const features = await pixelFeatures(backend, pixels, n, channels, { onProgress, signal, job });
  // centred copy on the device (the kernel does not change; Float32 distances stay accurate)
  const mean = new Float64Array(d);
  for (let l = 0; l < n; l++) for (let f = 0; f < d; f++) mean[f] += features[l * d + f] / n;
  const work = new Float64Array(n * d);
  for (let j = 0; j < work.length; j++) work[j] = features[j] - mean[j % d];

  let K = effectiveK(requestedK, n, d);
  const prng = new Prng(seed);
  const warnings: ImageSpecReport['warnings'] = [];
  const resident = await backend.upload(work, n, d);
  let z: Float64Array;
  let beta: Float64Array;
  let psiZ: Float64Array;
  try {
    const maxIterations = options.kmeansMaxIterations ?? 30;
    const kmeansPhase = new PhaseReporter(onProgress, job, 'kmeans', K + maxIterations, 'iterations');
    const centers = await kMeans(backend, work, resident, K, prng, { maxIterations, tolerance: 1e-6, signal, progress: kmeansPhase });
    const { index } = await backend.nearestCenters(resident, centers, K);
    kmeansPhase.finish();

    // each reduced image: the pixel mean of its cluster (clusters left empty are dropped)
    const counts = new Float64Array(K);
    const sums = new Float64Array(K * per);
    for (let l = 0; l < n; l++) {
      const i = index[l];
      counts[i]++;
      for (let j = 0; j < per; j++) sums[i * per + j] += pixels[l * per + j];
    }
    const kept = [...counts.keys()].filter((i) => counts[i] > 0);
    if (kept.length < K) warnings.push({ code: 'EMPTY_CLUSTERS', message: `${K - kept.length} of ${K} clusters were empty: the spec has ${kept.length} reduced images` });
    K = kept.length;
    z = new Float64Array(K * per);
    kept.forEach((i, r) => {
      for (let j = 0; j < per; j++) z[r * per + j] = Math.min(1, Math.max(0, sums[i * per + j] / counts[i]));
    });

    const betaPhase = new PhaseReporter(onProgress, job, 'beta', 1, 'steps');
    psiZ = reducedFeatures(Float32Array.from(z), K, channels);
    const psiZWork = new Float64Array(K * d);
    for (let j = 0; j < psiZWork.length; j++) psiZWork[j] = psiZ[j] - mean[j % d];
    const stats = await backend.kernelRowStats(psiZWork, K, resident, gamma, false, signal);
    const c = stats.sums.map((s) => s / n);
    beta = solveSimplexQp(gaussianGram(psiZWork, K, psiZWork, K, d, gamma), c).beta;
    betaPhase.finish();
  } finally {
    resident.dispose();
  }
  if (K * 3 > n) {
    warnings.push({
      code: 'FEW_ROWS',
      message: `only ${n.toLocaleString('en')} images for ${K.toLocaleString('en')} reduced images: each is the mean of ~${(n / K).toFixed(1)} images and close to one of them; share such a spec with care`,
    });
  }
  const spec: RkmeImageSpec = {
    type: RKME_IMAGE_TYPE,
    K,
    numPoints,
    channels,
    z,
    beta,
    gamma,
    network: IMAGE_NETWORK,
    pixels: '0-1',
    reference: { ...REFERENCE_DEFAULTS, modelConfig: { ...REFERENCE_DEFAULTS.modelConfig } },
    provenance: { generator: GENERATOR, seed, backend: backend.name, steps: 0, requestedK, kmeansRows: n },
  };
  const view: TableView = makeView(spec, psiZ);
  setTableView(spec, view);
  return { spec, report: { requestedK, K, warnings, backend: backend.device, ms: Date.now() - started }, features };
}
