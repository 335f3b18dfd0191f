/**
 * A compute backend spread over a pool of lanes: workers (browser Web Workers, Node worker
 * threads) that each hold a backend of their own and serve row blocks kept resident there. Heavy
 * operations split by row blocks of a fixed size (docs/parallel.md): block b lives on lane
 * b mod N, and every reduction adds the blocks' partial results in block order, so the result does
 * not depend on the number of lanes. Blocks have the lanes' backend block size, so on tfjs a pool
 * gives the same bits as the backend itself on one thread. Transport-free: the caller starts the
 * lanes (workers/kernel-lane.worker.ts, src/cli/kernel-pool.ts) and passes their endpoints.
 */
import { throwIfCancelled } from '../core/errors.js';
import {
  CONV_BATCH,
  convFeatureCount,
  LANE_BLOCK_ROWS,
  type BackendName,
  type ComputeBackend,
  type ConvNetwork,
  type ImageShape,
  type KernelRowStats,
  type NearestResult,
  type ResidentMatrix,
} from './backend.js';

/** What a lane tells about its backend. */
export interface LaneBackendInfo {
  name: BackendName;
  precision: 'float32' | 'float64';
  device: string;
  /** rows per device block of the lane's backend: the pool's block size */
  blockRows: number;
}

/** The calls one lane serves; blocks are named by keys the pool chooses. */
export interface KernelLane {
  info(): Promise<LaneBackendInfo>;
  upload(key: number, values: Float64Array, rows: number, cols: number): Promise<void>;
  release(key: number): Promise<void>;
  nearestCenters(key: number, centers: Float64Array, m: number): Promise<Int32Array>;
  kernelRowStats(key: number, centers: Float64Array, m: number, gamma: number, withWeighted: boolean): Promise<KernelRowStats>;
  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array>;
  convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork): Promise<Float64Array>;
}

/** The blocks a data set splits into for a pool: table rows by LANE_BLOCK_ROWS, images by CONV_BATCH. */
export function poolBlocks(rows: number, kind: 'rows' | 'images'): number {
  return Math.ceil(rows / (kind === 'images' ? CONV_BATCH : LANE_BLOCK_ROWS));
}

const LANE_METHODS = ['info', 'upload', 'release', 'nearestCenters', 'kernelRowStats', 'gram', 'convFeatures'] as const;

/**
 * A remote lane whose calls fail with `death` (the worker's error or exit) instead of waiting
 * forever on a worker that is gone; `busy(true/false)` brackets the calls in flight.
 */
export function guardedLane(remote: KernelLane, death: Promise<never>, busy?: (inFlight: boolean) => void): KernelLane {
  let inFlight = 0;
  const lane = {} as Record<(typeof LANE_METHODS)[number], (...args: unknown[]) => Promise<unknown>>;
  for (const method of LANE_METHODS) {
    lane[method] = async (...args) => {
      if (inFlight++ === 0) busy?.(true);
      try {
        // called as a method, never through .apply: a comlink proxy would take 'apply' for a remote property
        return await Promise.race([(remote[method] as (...a: unknown[]) => Promise<unknown>)(...args), death]);
      } finally {
        if (--inFlight === 0) busy?.(false);
      }
    };
  }
  return lane as unknown as KernelLane;
}

/** The lane side: serves KernelLane calls from a backend (exposed by the worker over its transport). */
export class LaneServer implements KernelLane {
  private readonly blocks = new Map<number, ResidentMatrix>();

  constructor(
    private readonly backend: ComputeBackend,
    private readonly blockRows: number,
  ) {}

  async info(): Promise<LaneBackendInfo> {
    return { name: this.backend.name, precision: this.backend.precision, device: this.backend.device, blockRows: this.blockRows };
  }

  async upload(key: number, values: Float64Array, rows: number, cols: number): Promise<void> {
    if (rows > this.blockRows) throw new RangeError(`a lane block holds at most ${this.blockRows} rows, got ${rows}`);
    this.blocks.get(key)?.dispose();
    this.blocks.set(key, await this.backend.upload(values, rows, cols));
  }

  async release(key: number): Promise<void> {
    this.blocks.get(key)?.dispose();
    this.blocks.delete(key);
  }

  async nearestCenters(key: number, centers: Float64Array, m: number): Promise<Int32Array> {
    return (await this.backend.nearestCenters(this.block(key), centers, m)).index;
  }

  kernelRowStats(key: number, centers: Float64Array, m: number, gamma: number, withWeighted: boolean): Promise<KernelRowStats> {
    return this.backend.kernelRowStats(centers, m, this.block(key), gamma, withWeighted);
  }

  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    return this.backend.gram(a, m, b, n, d, gamma);
  }

  convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork): Promise<Float64Array> {
    return this.backend.convFeatures(images, n, shape, network);
  }

  private block(key: number): ResidentMatrix {
    const block = this.blocks.get(key);
    if (!block) throw new RangeError(`lane holds no block ${key}`);
    return block;
  }
}

class PooledMatrix implements ResidentMatrix {
  disposed = false;
  constructor(
    readonly pool: PoolBackend,
    /** block keys in row order; block b is on lane b mod N */
    readonly keys: number[],
    readonly rows: number,
    readonly cols: number,
    private readonly releaseBlocks: (matrix: PooledMatrix) => void,
  ) {}
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.releaseBlocks(this);
  }
}

export class PoolBackend implements ComputeBackend {
  readonly name: BackendName;
  readonly precision: 'float32' | 'float64';
  readonly device: string;
  private nextKey = 1;

  /**
   * @param lanes the started lanes, all on the same kind of backend (PoolBackend.start checks)
   * @param close stops the lanes' workers
   */
  private constructor(
    private readonly lanes: readonly KernelLane[],
    info: LaneBackendInfo,
    private readonly blockRows: number,
    private readonly close: () => void,
  ) {
    this.name = info.name;
    this.precision = info.precision;
    // 'wasm (SIMD, single thread)' → 'wasm (2 workers, each SIMD, single thread)'
    const detail = info.device.slice(info.device.startsWith(info.name) ? info.name.length : 0).replace(/^\s*:?\s*\((.*)\)$|^\s*:?\s*/, '$1');
    this.device = `${info.name} (${lanes.length} worker${lanes.length === 1 ? '' : 's'}${detail ? `, each ${detail}` : ''})`;
  }

  /** A pool over started lanes; they must run the same backend with the same block size. */
  static async start(lanes: readonly KernelLane[], close: () => void): Promise<PoolBackend> {
    if (lanes.length === 0) throw new RangeError('a pool needs at least one lane');
    const infos = await Promise.all(lanes.map((lane) => lane.info()));
    const first = infos[0];
    for (const info of infos) {
      if (info.name !== first.name || info.blockRows !== first.blockRows) {
        close();
        throw new Error(`the pool's lanes run different backends (${first.name}/${first.blockRows} rows and ${info.name}/${info.blockRows} rows)`);
      }
    }
    return new PoolBackend(lanes, first, first.blockRows, close);
  }

  get workers(): number {
    return this.lanes.length;
  }

  private lane(block: number): KernelLane {
    return this.lanes[block % this.lanes.length];
  }

  /**
   * Runs `work` on every block, the blocks of one lane one after another and the lanes side by
   * side; checks for cancellation between blocks. Results come back in block order.
   */
  private async eachBlock<T>(count: number, work: (block: number, lane: KernelLane) => Promise<T>, signal?: AbortSignal): Promise<T[]> {
    const results = new Array<T>(count);
    await Promise.all(
      this.lanes.map(async (lane, l) => {
        for (let b = l; b < count; b += this.lanes.length) {
          throwIfCancelled(signal);
          results[b] = await work(b, lane);
        }
      }),
    );
    return results;
  }

  async upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix> {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    const count = Math.ceil(rows / this.blockRows);
    const keys = Array.from({ length: count }, () => this.nextKey++);
    const sizes = keys.map((_, b) => Math.min(this.blockRows, rows - b * this.blockRows));
    const matrix = new PooledMatrix(this, keys, rows, cols, (m) => this.releaseBlocks(m));
    try {
      await this.eachBlock(count, (b, lane) => lane.upload(keys[b], values.slice(b * this.blockRows * cols, (b * this.blockRows + sizes[b]) * cols), sizes[b], cols));
    } catch (error) {
      matrix.dispose();
      throw error;
    }
    return matrix;
  }

  private releaseBlocks(matrix: PooledMatrix): void {
    // fire and forget: a lane that has stopped holds nothing any more
    matrix.keys.forEach(
      (key, b) =>
        void this.lane(b)
          .release(key)
          .catch(() => undefined),
    );
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number): Promise<NearestResult> {
    const matrix = this.own(points);
    const parts = await this.eachBlock(matrix.keys.length, (b, lane) => lane.nearestCenters(matrix.keys[b], centers, m));
    const index = new Int32Array(matrix.rows);
    parts.forEach((part, b) => index.set(part, b * this.blockRows));
    return { index };
  }

  async kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats> {
    const matrix = this.own(points);
    const parts = await this.eachBlock(matrix.keys.length, (b, lane) => lane.kernelRowStats(matrix.keys[b], centers, m, gamma, withWeighted), signal);
    // block order, whatever the number of lanes: the same sums as one thread
    const sums = new Float64Array(m);
    const weighted = withWeighted ? new Float64Array(m * matrix.cols) : null;
    for (const part of parts) {
      for (let i = 0; i < m; i++) sums[i] += part.sums[i];
      if (weighted) for (let j = 0; j < weighted.length; j++) weighted[j] += part.weighted![j];
    }
    return { sums, weighted };
  }

  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    // small matrices only (reduced sets): one lane
    return this.lanes[0].gram(a, m, b, n, d, gamma);
  }

  async convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Promise<Float64Array> {
    const F = convFeatureCount(shape, network);
    const size = shape.channels * shape.height * shape.width;
    if (!Number.isInteger(n) || n < 0 || images.length !== n * size)
      throw new RangeError(`images have ${images.length} values, expected ${n}×${shape.channels}×${shape.height}×${shape.width}`);
    // batches of CONV_BATCH images, as the backend itself cuts them: the same features bit for bit
    const count = Math.ceil(n / CONV_BATCH);
    const parts = await this.eachBlock(
      count,
      (b, lane) => {
        const start = b * CONV_BATCH;
        const rows = Math.min(CONV_BATCH, n - start);
        return lane.convFeatures(images.slice(start * size, (start + rows) * size), rows, shape, network);
      },
      signal,
    );
    const out = new Float64Array(n * F);
    parts.forEach((part, b) => out.set(part, b * CONV_BATCH * F));
    return out;
  }

  private own(points: ResidentMatrix): PooledMatrix {
    if (!(points instanceof PooledMatrix) || points.pool !== this || points.disposed) throw new RangeError('the matrix was not uploaded to this pool, or has been disposed');
    return points;
  }

  dispose(): void {
    this.close();
  }
}
