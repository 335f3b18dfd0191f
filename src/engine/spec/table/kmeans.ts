/**
 * k-means with k-means++ seeding (Arthur & Vassilvitskii) from the engine's seeded PRNG.
 * Replaces the reference's uniform-with-replacement init (docs/algorithms.md §1.4), which can
 * pick duplicate rows and collapses empty clusters to the origin: here empty clusters keep their
 * previous centroid. Distances and the Float64 centroid sums run on the compute backend, block by
 * block (a pool spreads them over its lanes); the centroid means on the host.
 */
import { throwIfCancelled } from '../../core/errors.js';
import type { Prng } from '../../core/prng.js';
import type { PhaseReporter } from '../../core/progress.js';
import type { ComputeBackend, ResidentMatrix } from '../../kernels/backend.js';

export interface KMeansOptions {
  maxIterations: number;
  /** stop when the largest centroid move² is below tolerance × (mean per-feature variance) */
  tolerance: number;
  signal?: AbortSignal;
  progress?: PhaseReporter;
}

/**
 * @param x row-major n×d host copy of the points (same data as `resident`)
 * @returns K×d centroids
 */
export async function kMeans(backend: ComputeBackend, x: Float64Array, resident: ResidentMatrix, K: number, prng: Prng, options: KMeansOptions): Promise<Float64Array> {
  const n = resident.rows;
  const d = resident.cols;
  const centers = await kMeansPlusPlus(backend, x, resident, K, prng, options);
  const scale = meanVariance(x, n, d);
  for (let iteration = 0; iteration < options.maxIterations; iteration++) {
    throwIfCancelled(options.signal);
    const { sums, counts } = await backend.nearestCenters(resident, centers, K, { sums: true });
    let maxShift = 0;
    for (let i = 0; i < K; i++) {
      if (counts![i] === 0) continue; // empty cluster keeps its centroid
      let shift = 0;
      for (let f = 0; f < d; f++) {
        const next = sums![i * d + f] / counts![i];
        const delta = next - centers[i * d + f];
        shift += delta * delta;
        centers[i * d + f] = next;
      }
      maxShift = Math.max(maxShift, shift);
    }
    options.progress?.update(K + iteration + 1);
    if (maxShift <= options.tolerance * scale) break;
  }
  return centers;
}

/**
 * k-means++ seeding: K sequential picks, each weighted by the squared distance to the nearest
 * centre so far. The distances to each new centre come from the backend (spread over a pool's
 * lanes); the weighted pick is O(n) on the host.
 */
async function kMeansPlusPlus(backend: ComputeBackend, x: Float64Array, resident: ResidentMatrix, K: number, prng: Prng, options: KMeansOptions): Promise<Float64Array> {
  const n = resident.rows;
  const d = resident.cols;
  const centers = new Float64Array(K * d);
  const closest = new Float64Array(n).fill(Infinity);
  let pick = prng.nextInt(n);
  for (let i = 0; i < K; i++) {
    if (i > 0) {
      throwIfCancelled(options.signal);
      let total = 0;
      for (let l = 0; l < n; l++) total += closest[l];
      // All remaining points coincide with chosen centers: fall back to a uniform pick.
      pick = total > 0 ? prng.nextWeighted(closest, total) : prng.nextInt(n);
    }
    const center = x.subarray(pick * d, pick * d + d);
    centers.set(center, i * d);
    const { distances } = await backend.nearestCenters(resident, center, 1, { distances: true });
    for (let l = 0; l < n; l++) if (distances![l] < closest[l]) closest[l] = distances![l];
    options.progress?.update(i + 1);
  }
  return centers;
}

function meanVariance(x: Float64Array, n: number, d: number): number {
  let total = 0;
  for (let f = 0; f < d; f++) {
    let mean = 0;
    for (let l = 0; l < n; l++) mean += x[l * d + f];
    mean /= n;
    let v = 0;
    for (let l = 0; l < n; l++) {
      const t = x[l * d + f] - mean;
      v += t * t;
    }
    total += v / n;
  }
  return Math.max(total / d, 1e-300);
}
