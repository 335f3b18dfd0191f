/**
 * tfjs compute backend on 'webgpu', 'wasm' or 'cpu'. Data live on the device as Float32 blocks of
 * rows. Device work is restricted to matrix products and element-wise maps: row reductions
 * (sum, argMin) are expressed as products with a ones column or done on the host, because
 * tfjs-webgpu's reduction shaders are ~20× slower than a matmul of the same size on software
 * adapters, and tfjs-wasm multiplies untransposed operands ~10× faster (measured, see README).
 * Every result read back is small (m×(d+1) moments) or one block of distances, and is accumulated
 * on the host in Float64 (docs/design-notes.md §2). Reads are always asynchronous (`await t.data()`).
 * The only module, with resolve.ts, that imports @tensorflow/*.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfCancelled } from '../core/errors.js';
import {
  CONV_BATCH,
  convFeatureCount,
  convOutputSize,
  type BackendName,
  type ComputeBackend,
  type ConvNetwork,
  type ImageShape,
  type KernelRowStats,
  type NearestOptions,
  type NearestResult,
  type ResidentMatrix,
} from './backend.js';
import { addBlockSums, clusterSums } from './cluster-sums.js';

export type TfjsBackendName = Exclude<BackendName, 'ts'>;

interface Block {
  /** [B, d+1]: the rows with a trailing column of ones (kernel · xAug = [Σ k·x | Σ k]) */
  xAug: tf.Tensor2D;
  /** [d, B]: the rows transposed once at upload */
  xT: tf.Tensor2D;
  /** [1, B]: squared row norms */
  norms: tf.Tensor2D;
  /** squared row norms in Float64, for host-side distances */
  hostNorms: Float64Array;
  /** the block's rows as uploaded (a view), for the Float64 sums of a Lloyd step */
  values: Float64Array;
  rows: number;
}

class TfjsMatrix implements ResidentMatrix {
  constructor(
    readonly blocks: Block[],
    readonly rows: number,
    readonly cols: number,
  ) {}
  dispose(): void {
    for (const block of this.blocks) {
      block.xAug.dispose();
      block.xT.dispose();
      block.norms.dispose();
    }
    this.blocks.length = 0;
  }
}

export class TfjsBackend implements ComputeBackend {
  readonly precision = 'float32' as const;

  /**
   * @param name the tfjs backend, already registered and initialised by resolve.ts
   * @param blockRows rows per device block: bounds device memory to blockRows × max(m, d) floats
   */
  constructor(
    readonly name: TfjsBackendName,
    readonly device: string,
    private readonly blockRows: number,
  ) {}

  /** tfjs has one active backend per realm; make sure it is ours before issuing ops. */
  private async activate(): Promise<void> {
    if (tf.getBackend() !== this.name) {
      const ok = await tf.setBackend(this.name);
      if (!ok) throw new Error(`tfjs backend '${this.name}' is no longer available`);
    }
  }

  async upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix> {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    await this.activate();
    const blocks: Block[] = [];
    for (let start = 0; start < rows; start += this.blockRows) {
      const count = Math.min(this.blockRows, rows - start);
      const augmented = new Float32Array(count * (cols + 1));
      const hostNorms = new Float64Array(count);
      for (let l = 0; l < count; l++) {
        let norm = 0;
        for (let f = 0; f < cols; f++) {
          const v = values[(start + l) * cols + f];
          augmented[l * (cols + 1) + f] = v;
          norm += v * v;
        }
        augmented[l * (cols + 1) + cols] = 1;
        hostNorms[l] = norm;
      }
      const xAug = tf.tensor2d(augmented, [count, cols + 1]);
      const xT = tf.tidy(() => tf.transpose(tf.slice(xAug, [0, 0], [count, cols]))) as tf.Tensor2D;
      const norms = tf.tensor2d(Float32Array.from(hostNorms), [1, count]);
      blocks.push({ xAug, xT, norms, hostNorms, values: values.subarray(start * cols, (start + count) * cols), rows: count });
    }
    return new TfjsMatrix(blocks, rows, cols);
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number, options: NearestOptions = {}): Promise<NearestResult> {
    await this.activate();
    const matrix = points as TfjsMatrix;
    const d = matrix.cols;
    const index = new Int32Array(matrix.rows);
    const distances = options.distances ? new Float64Array(matrix.rows) : undefined;
    const totals = options.sums ? { sums: new Float64Array(m * d), counts: new Float64Array(m) } : undefined;
    const cNorms = new Float64Array(m);
    const cAugT = new Float32Array((d + 1) * m); // [d+1, m], last row 0 so the ones column drops out
    for (let i = 0; i < m; i++) {
      for (let f = 0; f < d; f++) {
        const v = centers[i * d + f];
        cAugT[f * m + i] = v;
        cNorms[i] += v * v;
      }
    }
    const cT = tf.tensor2d(cAugT, [d + 1, m]);
    try {
      let offset = 0;
      for (const block of matrix.blocks) {
        const cross = tf.matMul(block.xAug, cT); // [B, m] = x · cᵀ
        const values = await cross.data();
        cross.dispose();
        for (let l = 0; l < block.rows; l++) {
          let best = Infinity;
          let bestIndex = 0;
          const xn = block.hostNorms[l];
          for (let i = 0; i < m; i++) {
            const d2 = xn + cNorms[i] - 2 * values[l * m + i];
            if (d2 < best) {
              best = d2;
              bestIndex = i;
            }
          }
          index[offset + l] = bestIndex;
          if (distances) distances[offset + l] = Math.max(0, best);
        }
        if (totals) addBlockSums(totals, clusterSums(block.values, index.subarray(offset, offset + block.rows), m, d));
        offset += block.rows;
      }
    } finally {
      cT.dispose();
    }
    return { index, ...(distances ? { distances } : {}), ...totals };
  }

  async kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats> {
    await this.activate();
    const matrix = points as TfjsMatrix;
    const d = matrix.cols;
    const sums = new Float64Array(m);
    const weighted = withWeighted ? new Float64Array(m * d) : null;
    const c = tf.tensor2d(Float32Array.from(centers), [m, d]);
    const cNorms = tf.tidy(() => tf.expandDims(tf.sum(tf.square(c), 1), 1)); // [m, 1]
    try {
      for (const block of matrix.blocks) {
        throwIfCancelled(signal);
        const moments = tf.tidy(() => {
          const cross = tf.matMul(c, block.xT); // [m, B]
          const d2 = tf.relu(tf.add(tf.sub(cNorms, tf.mul(cross, 2)), block.norms));
          const kernel = tf.exp(tf.mul(d2, -gamma));
          return tf.matMul(kernel, block.xAug); // [m, d+1] = [Σ k·x | Σ k]
        });
        const values = await moments.data();
        moments.dispose();
        for (let i = 0; i < m; i++) {
          sums[i] += values[i * (d + 1) + d];
          if (weighted) for (let f = 0; f < d; f++) weighted[i * d + f] += values[i * (d + 1) + f];
        }
      }
    } finally {
      c.dispose();
      cNorms.dispose();
    }
    return { sums, weighted };
  }

  async gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    await this.activate();
    const aNorms = new Float32Array(m);
    const bNorms = new Float32Array(n);
    for (let i = 0; i < m; i++) for (let f = 0; f < d; f++) aNorms[i] += a[i * d + f] ** 2;
    for (let j = 0; j < n; j++) for (let f = 0; f < d; f++) bNorms[j] += b[j * d + f] ** 2;
    const bT = new Float32Array(d * n);
    for (let j = 0; j < n; j++) for (let f = 0; f < d; f++) bT[f * n + j] = b[j * d + f];
    const kernel = tf.tidy(() => {
      const cross = tf.matMul(tf.tensor2d(Float32Array.from(a), [m, d]), tf.tensor2d(bT, [d, n]));
      const d2 = tf.relu(tf.add(tf.sub(tf.tensor2d(aNorms, [m, 1]), tf.mul(cross, 2)), tf.tensor2d(bNorms, [1, n])));
      return tf.exp(tf.mul(d2, -gamma));
    });
    try {
      return Float64Array.from(await kernel.data());
    } finally {
      kernel.dispose();
    }
  }

  async convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Promise<Float64Array> {
    const F = convFeatureCount(shape, network);
    const { height: oh, width: ow } = convOutputSize(shape, network);
    const { channels: C, height: H, width: W } = shape;
    if (!Number.isInteger(n) || n < 0 || images.length !== n * C * H * W) throw new RangeError(`images have ${images.length} values, expected ${n}×${C}×${H}×${W}`);
    await this.activate();
    const out = new Float64Array(n * F);
    const oc = F / (oh * ow);
    // filters [3, 3, in, out] and biases, uploaded once per call
    const filters = network.layers.map((layer) => {
      const f = new Float32Array(9 * layer.inChannels * layer.outChannels);
      for (let o = 0; o < layer.outChannels; o++)
        for (let i = 0; i < layer.inChannels; i++) for (let k = 0; k < 9; k++) f[(k * layer.inChannels + i) * layer.outChannels + o] = layer.weights[(o * layer.inChannels + i) * 9 + k];
      return { filter: tf.tensor4d(f, [3, 3, layer.inChannels, layer.outChannels]), bias: tf.tensor1d(layer.bias) };
    });
    try {
      for (let start = 0; start < n; start += CONV_BATCH) {
        throwIfCancelled(signal);
        const count = Math.min(CONV_BATCH, n - start);
        // NCHW on the host → NHWC on the device
        const nhwc = new Float32Array(count * H * W * C);
        for (let b = 0; b < count; b++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) nhwc[(b * H * W + p) * C + c] = images[((start + b) * C + c) * H * W + p];
        const features = tf.tidy(() => {
          let x: tf.Tensor4D = tf.tensor4d(nhwc, [count, H, W, C]);
          for (const { filter, bias } of filters) x = tf.avgPool(tf.relu(tf.add(tf.conv2d(x, filter, 1, 'same'), bias)) as tf.Tensor4D, 2, 2, 'valid') as tf.Tensor4D;
          return network.finalPool > 1 ? tf.avgPool(x, network.finalPool, network.finalPool, 'valid') : x;
        });
        const values = await features.data();
        features.dispose();
        // NHWC → C order (channel, y, x) per image
        for (let b = 0; b < count; b++) for (let p = 0; p < oh * ow; p++) for (let c = 0; c < oc; c++) out[(start + b) * F + c * oh * ow + p] = values[(b * oh * ow + p) * oc + c];
      }
    } finally {
      for (const { filter, bias } of filters) {
        filter.dispose();
        bias.dispose();
      }
    }
    return out;
  }

  dispose(): void {}
}
