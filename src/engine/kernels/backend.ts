/**
 * The compute-backend interface: the few dense operations the RKME engine spends its time in.
 * All matrices are row-major; host-side arrays are Float64Array. Implementations:
 *   backend-ts.ts   plain TypeScript, Float64 everywhere (the reference the others are tested against)
 *   backend-tfjs.ts tfjs on 'webgpu', 'wasm' or 'cpu' (Float32 on device, block results summed in Float64)
 * Imports nothing but core.
 */

export type BackendName = 'webgpu' | 'wasm' | 'cpu' | 'ts';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'cpu', 'ts'];

/** A matrix kept resident on the backend (uploaded once, used by many calls). */
export interface ResidentMatrix {
  readonly rows: number;
  readonly cols: number;
  dispose(): void;
}

export interface NearestResult {
  /** index of the nearest center, per point */
  index: Int32Array;
}

export interface KernelRowStats {
  /** sums[i] = Σ_l k(c_i, x_l), length m */
  sums: Float64Array;
  /** weighted[i, :] = Σ_l k(c_i, x_l) · x_l, m×d (only when asked for) */
  weighted: Float64Array | null;
}

export interface ComputeBackend {
  readonly name: BackendName;
  /** Arithmetic precision on the device; host accumulation is always Float64. */
  readonly precision: 'float32' | 'float64';
  /** Human-readable device description (adapter info for WebGPU). */
  readonly device: string;

  /** Copies a row-major matrix to the device (activating this backend first). */
  upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix>;

  /** For every row of `points`, the index of its nearest row of `centers` (m×d). */
  nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number): Promise<NearestResult>;

  /**
   * Row reductions of the Gaussian kernel matrix k(c_i, x_l) = exp(−γ‖c_i − x_l‖²) between
   * `centers` (m×d) and `points`, without materialising the m×n matrix.
   */
  kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats>;

  /** Dense Gaussian kernel matrix between a (m×d) and b (n×d): m×n. */
  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array>;

  dispose(): void;
}
