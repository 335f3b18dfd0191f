/**
 * Plain-TypeScript Float64 backend: the numerical reference for every other backend, and a
 * dependency-free fallback that runs anywhere.
 */
import { throwIfCancelled } from '../core/errors.js';
import type { ComputeBackend, KernelRowStats, NearestResult, ResidentMatrix } from './backend.js';
import { squaredDistance } from './distance.js';

class HostMatrix implements ResidentMatrix {
  constructor(
    readonly values: Float64Array,
    readonly rows: number,
    readonly cols: number,
  ) {}
  dispose(): void {}
}

/** Rows processed between cancellation checks. */
const CHECK_EVERY = 4096;

export class TsBackend implements ComputeBackend {
  readonly name = 'ts' as const;
  readonly precision = 'float64' as const;
  readonly device = 'plain TypeScript (Float64)';

  async upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix> {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    return new HostMatrix(values, rows, cols);
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number): Promise<NearestResult> {
    const { values: x, rows: n, cols: d } = points as HostMatrix;
    const index = new Int32Array(n);
    for (let l = 0; l < n; l++) {
      let best = Infinity;
      let bestIndex = 0;
      for (let i = 0; i < m; i++) {
        const s = squaredDistance(x, l, centers, i, d);
        if (s < best) {
          best = s;
          bestIndex = i;
        }
      }
      index[l] = bestIndex;
    }
    return { index };
  }

  async kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats> {
    const { values: x, rows: n, cols: d } = points as HostMatrix;
    const sums = new Float64Array(m);
    const weighted = withWeighted ? new Float64Array(m * d) : null;
    for (let l = 0; l < n; l++) {
      if (l % CHECK_EVERY === 0) throwIfCancelled(signal);
      const xo = l * d;
      for (let i = 0; i < m; i++) {
        const co = i * d;
        const kv = Math.exp(-gamma * squaredDistance(x, l, centers, i, d));
        sums[i] += kv;
        if (weighted) {
          for (let f = 0; f < d; f++) weighted[co + f] += kv * x[xo + f];
        }
      }
    }
    return { sums, weighted };
  }

  async gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    return gaussianGram(a, m, b, n, d, gamma);
  }

  dispose(): void {}
}

/** Synchronous Float64 Gaussian kernel matrix, m×n (used by small host-side computations too). */
export function gaussianGram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = Math.exp(-gamma * squaredDistance(a, i, b, j, d));
  }
  return out;
}
