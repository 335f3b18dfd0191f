/**
 * tfjs compute backend on 'webgpu', 'wasm' or 'cpu'. Data live on the device as Float32 blocks of
 * rows; every operation reads back only small per-block results (sums, K×d moments, argmins),
 * which are accumulated on the host in Float64 (design-notes §2). Reads are always asynchronous
 * (`await t.data()`): a synchronous read stalls WebGPU.
 * The only module, with resolve.ts, that imports @tensorflow/*.
 */
import * as tf from '@tensorflow/tfjs-core';
import { throwIfCancelled } from '../core/errors.js';
import type { BackendName, ComputeBackend, KernelRowStats, NearestResult, ResidentMatrix } from './backend.js';

export type TfjsBackendName = Exclude<BackendName, 'ts'>;

interface Block {
  x: tf.Tensor2D;
  /** the block transposed once at upload: tfjs-wasm multiplies untransposed operands ~10× faster */
  xT: tf.Tensor2D;
  /** squared row norms, shape [rows] */
  norms: tf.Tensor1D;
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
      block.x.dispose();
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

  upload(values: Float64Array, rows: number, cols: number): ResidentMatrix {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    if (tf.getBackend() !== this.name) throw new Error(`upload on '${this.name}' while tfjs backend is '${tf.getBackend()}'`);
    const blocks: Block[] = [];
    for (let start = 0; start < rows; start += this.blockRows) {
      const count = Math.min(this.blockRows, rows - start);
      const x = tf.tensor2d(Float32Array.from(values.subarray(start * cols, (start + count) * cols)), [count, cols]);
      const xT = tf.transpose(x) as tf.Tensor2D;
      const norms = tf.tidy(() => tf.sum(tf.square(x), 1)) as tf.Tensor1D;
      blocks.push({ x, xT, norms, rows: count });
    }
    return new TfjsMatrix(blocks, rows, cols);
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number): Promise<NearestResult> {
    await this.activate();
    const matrix = points as TfjsMatrix;
    const index = new Int32Array(matrix.rows);
    const dist2 = new Float64Array(matrix.rows);
    const cT = tf.tidy(() => tf.transpose(tf.tensor2d(Float32Array.from(centers), [m, matrix.cols])));
    const cNorms = tf.tidy(() => tf.expandDims(tf.sum(tf.square(cT), 0), 0));
    try {
      let offset = 0;
      for (const block of matrix.blocks) {
        const [argmin, mins] = tf.tidy(() => {
          const cross = tf.matMul(block.x, cT); // [B, m]
          const d2 = tf.add(tf.sub(tf.expandDims(block.norms, 1), tf.mul(cross, 2)), cNorms);
          return [tf.argMin(d2, 1), tf.min(d2, 1)];
        });
        const [iv, dv] = await Promise.all([argmin.data(), mins.data()]);
        argmin.dispose();
        mins.dispose();
        for (let l = 0; l < block.rows; l++) {
          index[offset + l] = iv[l];
          dist2[offset + l] = Math.max(0, dv[l]);
        }
        offset += block.rows;
      }
    } finally {
      cT.dispose();
      cNorms.dispose();
    }
    return { index, dist2 };
  }

  async kernelRowStats(
    centers: Float64Array,
    m: number,
    points: ResidentMatrix,
    gamma: number,
    withWeighted: boolean,
    signal?: AbortSignal,
  ): Promise<KernelRowStats> {
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
        const outputs = tf.tidy(() => {
          const cross = tf.matMul(c, block.xT); // [m, B]
          const d2 = tf.relu(tf.add(tf.sub(cNorms, tf.mul(cross, 2)), tf.expandDims(block.norms, 0)));
          const kernel = tf.exp(tf.mul(d2, -gamma));
          const rowSums = tf.sum(kernel, 1);
          return withWeighted ? [rowSums, tf.matMul(kernel, block.x)] : [rowSums];
        });
        const values = await Promise.all(outputs.map((t) => t.data()));
        for (const t of outputs) t.dispose();
        const blockSums = values[0];
        for (let i = 0; i < m; i++) sums[i] += blockSums[i];
        if (weighted) {
          const blockWeighted = values[1];
          for (let j = 0; j < weighted.length; j++) weighted[j] += blockWeighted[j];
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
    const kernel = tf.tidy(() => {
      const at = tf.tensor2d(Float32Array.from(a), [m, d]);
      const bt = tf.tensor2d(Float32Array.from(b), [n, d]);
      const d2 = tf.relu(
        tf.add(
          tf.sub(tf.expandDims(tf.sum(tf.square(at), 1), 1), tf.mul(tf.matMul(at, tf.transpose(bt)), 2)),
          tf.expandDims(tf.sum(tf.square(bt), 1), 0),
        ),
      );
      return tf.exp(tf.mul(d2, -gamma));
    });
    try {
      return Float64Array.from(await kernel.data());
    } finally {
      kernel.dispose();
    }
  }

  dispose(): void {}
}
