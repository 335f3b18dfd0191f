/**
 * Plain-TypeScript Float64 backend: the numerical reference for every other backend, and a
 * dependency-free fallback that runs anywhere.
 */
import { throwIfCancelled } from '../core/errors.js';
import {
  convFeatureCount,
  LANE_BLOCK_ROWS,
  type ComputeBackend,
  type ConvNetwork,
  type ImageShape,
  type KernelRowStats,
  type NearestOptions,
  type NearestResult,
  type ResidentMatrix,
} from './backend.js';
import { addBlockSums, clusterSums } from './cluster-sums.js';
import { squaredDistance } from './distance.js';

class HostMatrix implements ResidentMatrix {
  constructor(
    readonly values: Float64Array,
    readonly rows: number,
    readonly cols: number,
  ) {}
  dispose(): void {}
}

export class TsBackend implements ComputeBackend {
  readonly name = 'ts' as const;
  readonly precision = 'float64' as const;
  readonly device = 'plain TypeScript (Float64)';

  async upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix> {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    return new HostMatrix(values, rows, cols);
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number, options: NearestOptions = {}): Promise<NearestResult> {
    const { values: x, rows: n, cols: d } = points as HostMatrix;
    const index = new Int32Array(n);
    const distances = options.distances ? new Float64Array(n) : undefined;
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
      if (distances) distances[l] = best;
    }
    if (!options.sums) return { index, ...(distances ? { distances } : {}) };
    const totals = { sums: new Float64Array(m * d), counts: new Float64Array(m) };
    for (let start = 0; start < n; start += LANE_BLOCK_ROWS) {
      const end = Math.min(n, start + LANE_BLOCK_ROWS);
      addBlockSums(totals, clusterSums(x.subarray(start * d, end * d), index.subarray(start, end), m, d));
    }
    return { index, ...(distances ? { distances } : {}), ...totals };
  }

  async kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats> {
    const { values: x, rows: n, cols: d } = points as HostMatrix;
    const sums = new Float64Array(m);
    const weighted = withWeighted ? new Float64Array(m * d) : null;
    // block by block, each block's sums added to the total in order: what a pool of lanes adds (kernels/pool.ts)
    const blockSums = new Float64Array(m);
    const blockWeighted = withWeighted ? new Float64Array(m * d) : null;
    for (let start = 0; start < n; start += LANE_BLOCK_ROWS) {
      throwIfCancelled(signal);
      blockSums.fill(0);
      blockWeighted?.fill(0);
      const end = Math.min(n, start + LANE_BLOCK_ROWS);
      for (let l = start; l < end; l++) {
        const xo = l * d;
        for (let i = 0; i < m; i++) {
          const co = i * d;
          const kv = Math.exp(-gamma * squaredDistance(x, l, centers, i, d));
          blockSums[i] += kv;
          if (blockWeighted) {
            for (let f = 0; f < d; f++) blockWeighted[co + f] += kv * x[xo + f];
          }
        }
      }
      for (let i = 0; i < m; i++) sums[i] += blockSums[i];
      if (weighted) for (let j = 0; j < weighted.length; j++) weighted[j] += blockWeighted![j];
    }
    return { sums, weighted };
  }

  async gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    return gaussianGram(a, m, b, n, d, gamma);
  }

  async convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Promise<Float64Array> {
    return convFeaturesSync(images, n, shape, network, signal);
  }

  dispose(): void {}
}

/** Images between cancellation checks of convFeaturesSync. */
const IMAGES_PER_CHECK = 32;

/**
 * The reference of ComputeBackend.convFeatures in plain Float64 loops (docs/image.md §2):
 * per layer conv 3×3 zero padding 1 → ReLU → average pool 2×2, then the final average pool.
 */
export function convFeaturesSync(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Float64Array {
  const F = convFeatureCount(shape, network);
  const { channels: C, height: H, width: W } = shape;
  if (!Number.isInteger(n) || n < 0 || images.length !== n * C * H * W) throw new RangeError(`images have ${images.length} values, expected ${n}×${C}×${H}×${W}`);
  const out = new Float64Array(n * F);
  const layers = network.layers.map((l) => ({ ...l, w: Float64Array.from(l.weights), b: Float64Array.from(l.bias) }));
  for (let image = 0; image < n; image++) {
    if (image % IMAGES_PER_CHECK === 0) throwIfCancelled(signal);
    let map: Float64Array = Float64Array.from(images.subarray(image * C * H * W, (image + 1) * C * H * W));
    let c = C;
    let h = H;
    let w = W;
    for (const layer of layers) {
      const conv = conv3x3(map, c, h, w, layer.w, layer.b, layer.outChannels);
      for (let j = 0; j < conv.length; j++) if (conv[j] < 0) conv[j] = 0;
      c = layer.outChannels;
      map = averagePool(conv, c, h, w, 2);
      h /= 2;
      w /= 2;
    }
    const pooled = network.finalPool > 1 ? averagePool(map, c, h, w, network.finalPool) : map;
    out.set(pooled, image * F);
  }
  return out;
}

/**
 * 3×3 convolution, stride 1, zero padding 1: [inC, h, w] → [outC, h, w]. Each output pixel's 3×3×inC
 * patch is gathered once (zeros outside the image), then dotted with every filter (contiguous loops).
 */
function conv3x3(input: Float64Array, inC: number, h: number, w: number, weights: Float64Array, bias: Float64Array, outC: number): Float64Array {
  const plane = h * w;
  const k = 9 * inC;
  const out = new Float64Array(outC * plane);
  const patch = new Float64Array(k);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // patch in the weights' order: (i, ky, kx)
      for (let i = 0; i < inC; i++) {
        for (let ky = 0; ky < 3; ky++) {
          const yy = y + ky - 1;
          for (let kx = 0; kx < 3; kx++) {
            const xx = x + kx - 1;
            patch[(i * 3 + ky) * 3 + kx] = yy >= 0 && yy < h && xx >= 0 && xx < w ? input[i * plane + yy * w + xx] : 0;
          }
        }
      }
      const p = y * w + x;
      for (let o = 0; o < outC; o++) {
        const wo = o * k;
        let sum = bias[o];
        for (let j = 0; j < k; j++) sum += weights[wo + j] * patch[j];
        out[o * plane + p] = sum;
      }
    }
  }
  return out;
}

/** Average pooling p×p, stride p: [c, h, w] → [c, h/p, w/p]. */
function averagePool(input: Float64Array, c: number, h: number, w: number, p: number): Float64Array {
  const oh = h / p;
  const ow = w / p;
  const out = new Float64Array(c * oh * ow);
  const norm = 1 / (p * p);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let s = 0;
        for (let dy = 0; dy < p; dy++) for (let dx = 0; dx < p; dx++) s += input[ch * h * w + (y * p + dy) * w + x * p + dx];
        out[(ch * oh + y) * ow + x] = s * norm;
      }
    }
  }
  return out;
}

/** Synchronous Float64 Gaussian kernel matrix, m×n (used by small host-side computations too). */
export function gaussianGram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = Math.exp(-gamma * squaredDistance(a, i, b, j, d));
  }
  return out;
}
