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

export interface NearestOptions {
  /** also return each point's squared distance to its nearest centre */
  distances?: boolean;
  /** also return, per centre, the sum and the count of the points nearest to it (a Lloyd step) */
  sums?: boolean;
}

export interface NearestResult {
  /** index of the nearest center, per point */
  index: Int32Array;
  /** ‖x_l − c_index[l]‖² ≥ 0, per point (when asked for) */
  distances?: Float64Array;
  /** m×d: Σ of the points nearest to each centre, in Float64 from the uploaded values (when asked for) */
  sums?: Float64Array;
  /** m: how many points are nearest to each centre (with sums) */
  counts?: Float64Array;
}

export interface KernelRowStats {
  /** sums[i] = Σ_l k(c_i, x_l), length m */
  sums: Float64Array;
  /** weighted[i, :] = Σ_l k(c_i, x_l) · x_l, m×d (only when asked for) */
  weighted: Float64Array | null;
}

/** One 3×3 convolution layer of a feature network: weights [out, in, 3, 3] (C-order), one bias per output channel. */
export interface ConvLayer {
  inChannels: number;
  outChannels: number;
  weights: Float32Array;
  bias: Float32Array;
}

/**
 * A fixed convolutional feature network (docs/image.md §2): each layer is conv 3×3 stride 1 zero
 * padding 1 → ReLU → average pool 2×2 stride 2; then an average pool finalPool×finalPool stride
 * finalPool, and the result flattened in C order (channel, y, x).
 */
export interface ConvNetwork {
  layers: readonly ConvLayer[];
  finalPool: number;
}

export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

/**
 * Rows per block of a CPU backend, and of every lane of a pool (kernels/pool.ts): one size for
 * both, so a pool of any number of lanes computes the blocks one thread would, bit for bit.
 */
export const LANE_BLOCK_ROWS = 2048;

/** Images per device batch of convFeatures (bounds device memory to ~256 × 16 × H × W floats). */
export const CONV_BATCH = 256;

/** Features per image of a network on images of a shape (throws RangeError when the sizes do not divide). */
export function convFeatureCount(shape: ImageShape, network: ConvNetwork): number {
  const { height, width } = convOutputSize(shape, network);
  const last = network.layers.length ? network.layers[network.layers.length - 1].outChannels : shape.channels;
  return last * height * width;
}

/** The spatial size of a network's output on images of a shape, after checking the network fits them. */
export function convOutputSize(shape: ImageShape, network: ConvNetwork): { height: number; width: number } {
  let channels = shape.channels;
  let height = shape.height;
  let width = shape.width;
  for (const [i, layer] of network.layers.entries()) {
    if (layer.inChannels !== channels) throw new RangeError(`layer ${i} takes ${layer.inChannels} channels, gets ${channels}`);
    if (layer.weights.length !== layer.outChannels * layer.inChannels * 9 || layer.bias.length !== layer.outChannels)
      throw new RangeError(`layer ${i} has weights or biases of the wrong length`);
    if (height % 2 || width % 2) throw new RangeError(`layer ${i} pools a ${height}×${width} map by 2`);
    channels = layer.outChannels;
    height /= 2;
    width /= 2;
  }
  const p = network.finalPool;
  if (!Number.isInteger(p) || p < 1 || height % p || width % p) throw new RangeError(`the final pool ${p} does not divide the ${height}×${width} map`);
  return { height: height / p, width: width / p };
}

export interface ComputeBackend {
  readonly name: BackendName;
  /** Arithmetic precision on the device; host accumulation is always Float64. */
  readonly precision: 'float32' | 'float64';
  /** Human-readable device description (adapter info for WebGPU). */
  readonly device: string;

  /**
   * Copies a row-major matrix to the device (activating this backend first). The backend may keep
   * a view of `values` (for host-side sums): do not change them while the matrix lives.
   */
  upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix>;

  /**
   * For every row of `points`, the index of its nearest row of `centers` (m×d); with options, the
   * distances to it and the per-centre sums of a Lloyd step. Sums are added block by block of
   * LANE_BLOCK_ROWS rows in block order on every backend, so a pool gives the same sums.
   */
  nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number, options?: NearestOptions): Promise<NearestResult>;

  /**
   * Row reductions of the Gaussian kernel matrix k(c_i, x_l) = exp(−γ‖c_i − x_l‖²) between
   * `centers` (m×d) and `points`, without materialising the m×n matrix.
   */
  kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats>;

  /** Dense Gaussian kernel matrix between a (m×d) and b (n×d): m×n. */
  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array>;

  /**
   * Features of n images ([n, C, H, W] row-major) through a fixed conv network (ConvNetwork):
   * n × F, F = last channels · (H / 2^L / finalPool) · (W / 2^L / finalPool), in C order.
   */
  convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Promise<Float64Array>;

  dispose(): void;
}
