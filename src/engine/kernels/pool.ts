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
  type NearestOptions,
  type NearestResult,
  type ResidentMatrix,
} from './backend.js';
import { addBlockSums } from './cluster-sums.js';

/** What a lane tells about its backend. */
export interface LaneBackendInfo {
  name: BackendName;
  precision: 'float32' | 'float64';
  device: string;
  /** rows per device block of the lane's backend: the pool's block size */
  blockRows: number;
}

/** One block of rows to keep on a lane; the lane owns `values` (a transport may transfer its buffer). */
export interface LaneBlock {
  key: number;
  values: Float64Array;
  rows: number;
}

/**
 * The calls one lane serves, each on several of its blocks at once (one message per call, not per
 * block); results come back per block, in the order of the keys.
 */
export interface KernelLane {
  info(): Promise<LaneBackendInfo>;
  upload(blocks: LaneBlock[], cols: number): Promise<void>;
  release(keys: number[]): Promise<void>;
  nearestCenters(keys: number[], centers: Float64Array, m: number, options?: NearestOptions): Promise<NearestResult[]>;
  kernelRowStats(keys: number[], centers: Float64Array, m: number, gamma: number, withWeighted: boolean): Promise<KernelRowStats[]>;
  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array>;
  /** the lane owns each batch's images */
  convFeatures(batches: { images: Float32Array; n: number }[], shape: ImageShape, network: ConvNetwork): Promise<Float64Array[]>;
}

/** The blocks a data set splits into for a pool: table rows by LANE_BLOCK_ROWS, images by CONV_BATCH. */
export function poolBlocks(rows: number, kind: 'rows' | 'images'): number {
  return Math.ceil(rows / (kind === 'images' ? CONV_BATCH : LANE_BLOCK_ROWS));
}

/** Blocks per lane call: few messages, and a cancelled job still stops within ~8 blocks per lane. */
const BLOCKS_PER_CALL = 8;

const LANE_METHODS = ['info', 'upload', 'release', 'nearestCenters', 'kernelRowStats', 'gram', 'convFeatures'] as const;

export interface LaneTransport {
  /** brackets the calls in flight (true at the first, false after the last) */
  busy?: (inFlight: boolean) => void;
  /** marks buffers a call may move instead of copy (comlink's transfer) */
  transfer?: <T>(value: T, buffers: ArrayBuffer[]) => T;
}

/**
 * A remote lane whose calls fail with `death` (the worker's error or exit) instead of waiting
 * forever on a worker that is gone; uploads and images move to the lane instead of being copied.
 */
export function guardedLane(remote: KernelLane, death: Promise<never>, transport: LaneTransport = {}): KernelLane {
  let inFlight = 0;
  const owned: Partial<Record<(typeof LANE_METHODS)[number], (first: never) => ArrayBuffer[]>> = {
    upload: (blocks: LaneBlock[]) => blocks.map((b) => b.values.buffer as ArrayBuffer),
    convFeatures: (batches: { images: Float32Array }[]) => batches.map((b) => b.images.buffer as ArrayBuffer),
  };
  const lane = {} as Record<(typeof LANE_METHODS)[number], (...args: unknown[]) => Promise<unknown>>;
  for (const method of LANE_METHODS) {
    lane[method] = async (...args) => {
      const buffers = owned[method];
      if (buffers && transport.transfer) args[0] = transport.transfer(args[0], buffers(args[0] as never));
      if (inFlight++ === 0) transport.busy?.(true);
      try {
        // called as a method, never through .apply: a comlink proxy would take 'apply' for a remote property
        return await Promise.race([(remote[method] as (...a: unknown[]) => Promise<unknown>)(...args), death]);
      } finally {
        if (--inFlight === 0) transport.busy?.(false);
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

  async upload(blocks: LaneBlock[], cols: number): Promise<void> {
    for (const { key, values, rows } of blocks) {
      if (rows > this.blockRows) throw new RangeError(`a lane block holds at most ${this.blockRows} rows, got ${rows}`);
      this.blocks.get(key)?.dispose();
      this.blocks.set(key, await this.backend.upload(values, rows, cols));
    }
  }

  async release(keys: number[]): Promise<void> {
    for (const key of keys) {
      this.blocks.get(key)?.dispose();
      this.blocks.delete(key);
    }
  }

  async nearestCenters(keys: number[], centers: Float64Array, m: number, options?: NearestOptions): Promise<NearestResult[]> {
    const results: NearestResult[] = [];
    for (const key of keys) results.push(await this.backend.nearestCenters(this.block(key), centers, m, options));
    return results;
  }

  async kernelRowStats(keys: number[], centers: Float64Array, m: number, gamma: number, withWeighted: boolean): Promise<KernelRowStats[]> {
    const results: KernelRowStats[] = [];
    for (const key of keys) results.push(await this.backend.kernelRowStats(centers, m, this.block(key), gamma, withWeighted));
    return results;
  }

  gram(a: Float64Array, m: number, b: Float64Array, n: number, d: number, gamma: number): Promise<Float64Array> {
    return this.backend.gram(a, m, b, n, d, gamma);
  }

  async convFeatures(batches: { images: Float32Array; n: number }[], shape: ImageShape, network: ConvNetwork): Promise<Float64Array[]> {
    const results: Float64Array[] = [];
    for (const { images, n } of batches) results.push(await this.backend.convFeatures(images, n, shape, network));
    return results;
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

  /** The blocks of lane l (b mod N = l), in calls of at most BLOCKS_PER_CALL. */
  private *laneCalls(count: number, l: number): Generator<number[]> {
    const mine: number[] = [];
    for (let b = l; b < count; b += this.lanes.length) mine.push(b);
    for (let i = 0; i < mine.length; i += BLOCKS_PER_CALL) yield mine.slice(i, i + BLOCKS_PER_CALL);
  }

  /**
   * Runs `work` on every block: each lane's blocks in calls of a few blocks, one call after
   * another, the lanes side by side; checks for cancellation between calls. Results come back in
   * block order.
   */
  private async eachBlock<T>(count: number, work: (blocks: number[], lane: KernelLane) => Promise<T[]>, signal?: AbortSignal): Promise<T[]> {
    const results = new Array<T>(count);
    await Promise.all(
      this.lanes.map(async (lane, l) => {
        for (const blocks of this.laneCalls(count, l)) {
          throwIfCancelled(signal);
          const answers = await work(blocks, lane);
          blocks.forEach((b, i) => (results[b] = answers[i]));
        }
      }),
    );
    return results;
  }

  async upload(values: Float64Array, rows: number, cols: number): Promise<ResidentMatrix> {
    if (values.length !== rows * cols) throw new RangeError(`matrix has ${values.length} values, expected ${rows}×${cols}`);
    const count = Math.ceil(rows / this.blockRows);
    const keys = Array.from({ length: count }, () => this.nextKey++);
    const matrix = new PooledMatrix(this, keys, rows, cols, (m) => this.releaseBlocks(m));
    try {
      await this.eachBlock(count, async (blocks, lane) => {
        const owned = blocks.map((b) => {
          const start = b * this.blockRows;
          const end = Math.min(rows, start + this.blockRows);
          return { key: keys[b], values: values.slice(start * cols, end * cols), rows: end - start };
        });
        await lane.upload(owned, cols);
        return blocks;
      });
    } catch (error) {
      matrix.dispose();
      throw error;
    }
    return matrix;
  }

  private releaseBlocks(matrix: PooledMatrix): void {
    // fire and forget: a lane that has stopped holds nothing any more
    this.lanes.forEach((lane, l) => {
      const keys = matrix.keys.filter((_, b) => b % this.lanes.length === l);
      if (keys.length) void lane.release(keys).catch(() => undefined);
    });
  }

  async nearestCenters(points: ResidentMatrix, centers: Float64Array, m: number, options: NearestOptions = {}): Promise<NearestResult> {
    const matrix = this.own(points);
    const compact = centers.slice(0, m * matrix.cols); // a view would carry its whole buffer to every lane
    const parts = await this.eachBlock(matrix.keys.length, (blocks, lane) =>
      lane.nearestCenters(
        blocks.map((b) => matrix.keys[b]),
        compact,
        m,
        options,
      ),
    );
    const index = new Int32Array(matrix.rows);
    const distances = options.distances ? new Float64Array(matrix.rows) : undefined;
    const totals = options.sums ? { sums: new Float64Array(m * matrix.cols), counts: new Float64Array(m) } : undefined;
    parts.forEach((part, b) => {
      index.set(part.index, b * this.blockRows);
      distances?.set(part.distances!, b * this.blockRows);
      if (totals) addBlockSums(totals, { sums: part.sums!, counts: part.counts! });
    });
    return { index, ...(distances ? { distances } : {}), ...totals };
  }

  async kernelRowStats(centers: Float64Array, m: number, points: ResidentMatrix, gamma: number, withWeighted: boolean, signal?: AbortSignal): Promise<KernelRowStats> {
    const matrix = this.own(points);
    const compact = centers.slice(0, m * matrix.cols);
    const parts = await this.eachBlock(
      matrix.keys.length,
      (blocks, lane) =>
        lane.kernelRowStats(
          blocks.map((b) => matrix.keys[b]),
          compact,
          m,
          gamma,
          withWeighted,
        ),
      signal,
    );
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
    return this.lanes[0].gram(a.slice(0, m * d), m, b.slice(0, n * d), n, d, gamma);
  }

  async convFeatures(images: Float32Array, n: number, shape: ImageShape, network: ConvNetwork, signal?: AbortSignal): Promise<Float64Array> {
    const F = convFeatureCount(shape, network);
    const size = shape.channels * shape.height * shape.width;
    if (!Number.isInteger(n) || n < 0 || images.length !== n * size)
      throw new RangeError(`images have ${images.length} values, expected ${n}×${shape.channels}×${shape.height}×${shape.width}`);
    // batches of CONV_BATCH images, as the backend itself cuts them: the same features bit for bit
    const parts = await this.eachBlock(
      Math.ceil(n / CONV_BATCH),
      (blocks, lane) =>
        lane.convFeatures(
          blocks.map((b) => {
            const start = b * CONV_BATCH;
            const rows = Math.min(CONV_BATCH, n - start);
            return { images: images.slice(start * size, (start + rows) * size), n: rows };
          }),
          shape,
          network,
        ),
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
