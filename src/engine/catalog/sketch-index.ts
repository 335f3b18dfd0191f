/**
 * The sketch index of a large island (docs/catalog-format.md, "Sketch layout"): every learnware's
 * RKME is summarised by an int8 random-Fourier-feature sketch (spec/sketch.ts); the sketches are
 * clustered into inverted lists, each list one immutable file. A query downloads the head (the
 * frequencies and list centroids), then only the few lists nearest to its own sketch, then the
 * exact specs of the best candidates for re-ranking — a few MB for a million learnwares.
 *
 * head  'LWSK' | u32 version | u32 d | u32 pairs | u32 lists | u32 count | u32 seed | u32 0 |
 *       f64 gamma | f64 scale[d] | f32 omega[pairs·d] | centroids | per list: u32 count | u32 size | 32 B sha256
 *       centroids: version 2, per list f32 step | i8 code[2·pairs] (a quarter of version 1's
 *       f32 centroids[lists·2·pairs], which is still read)
 * list  'LWSL' | u32 version | u32 dims (2·pairs) | u32 count |
 *       per record: 16 B spec hash | 16 B card hash | f64 ⟨Φ,Φ⟩ under the island scale | f32 step |
 *       i8 code[dims]
 * Spec and card files are content-addressed by the first 128 bits of their SHA-256:
 * specs/<32 hex>.bin (a one-record spec shard) and cards/<32 hex>.json (the catalog entry).
 */
import { FormatError, InputError, throwIfCancelled } from '../core/errors.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import { Prng } from '../core/prng.js';
import { sha256Hex } from '../core/hash.js';
import type { ComputeBackend } from '../kernels/backend.js';
import { TsBackend } from '../kernels/backend-ts.js';
import { specType, type AnySpecType } from '../spec/registry.js';
import type { IslandView, SketchParams, StatSpec } from '../spec/spec-type.js';

export const SKETCH_HEAD_MAGIC = [0x4c, 0x57, 0x53, 0x4b]; // "LWSK"
export const SKETCH_LIST_MAGIC = [0x4c, 0x57, 0x53, 0x4c]; // "LWSL"
const VERSION = 1;
/** head version: 2 stores the list centroids as int8 codes with a step each */
const HEAD_VERSION = 2;
/** at d = 50, 64 pairs put a true top-10 learnware beyond sketch rank 160 in a family of ~3,900 at
 * times (rank 834 seen); 128 pairs kept the worst at 167 over 6 queries (docs/search.md) */
export const DEFAULT_SKETCH_PAIRS = 128;
const HASH_BYTES = 16;

export interface ListRef {
  count: number;
  size: number;
  sha256: string;
}

export interface SketchHead {
  params: SketchParams;
  seed: number;
  count: number;
  /** lists × dims centroids */
  centroids: Float32Array;
  lists: ListRef[];
}

export interface SketchRecord {
  /** 32 hex digits: the spec file is specs/<specHash>.bin */
  specHash: string;
  /** 32 hex digits: the card file is cards/<cardHash>.json */
  cardHash: string;
  /** ⟨Φ, Φ⟩ of the spec under the island scale, precomputed for the exact re-rank */
  selfInner: number;
  step: number;
  codes: Int8Array;
}

const RECORD_FIXED = 2 * HASH_BYTES + 8 + 4;

export function listPath(sha256: string): string {
  return `sketch/lists/${sha256}.bin`;
}
export const specPath = (hash: string) => `specs/${hash}.bin`;
export const cardPath = (hash: string) => `cards/${hash}.json`;

const headSize = (version: number, d: number, pairs: number, C: number) => 32 + 8 + 8 * d + 4 * pairs * d + (version === 1 ? 4 * C * 2 * pairs : C * (4 + 2 * pairs)) + C * 40;

export function encodeHead(head: SketchHead): Uint8Array {
  const { d, pairs, gamma, scale, omega } = head.params;
  const dims = 2 * pairs;
  const C = head.lists.length;
  const bytes = new Uint8Array(headSize(HEAD_VERSION, d, pairs, C));
  const view = new DataView(bytes.buffer);
  SKETCH_HEAD_MAGIC.forEach((b, i) => (bytes[i] = b));
  [HEAD_VERSION, d, pairs, C, head.count, head.seed, 0].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  let o = 32;
  view.setFloat64(o, gamma, true);
  o += 8;
  for (const s of scale) {
    view.setFloat64(o, s, true);
    o += 8;
  }
  for (const w of omega) {
    view.setFloat32(o, w, true);
    o += 4;
  }
  const code = new Int8Array(dims);
  for (let c = 0; c < C; c++) {
    view.setFloat32(o, quantizeSketch(head.centroids.subarray(c * dims, (c + 1) * dims), code), true);
    bytes.set(new Uint8Array(code.buffer), o + 4);
    o += 4 + dims;
  }
  for (const list of head.lists) {
    view.setUint32(o, list.count, true);
    view.setUint32(o + 4, list.size, true);
    bytes.set(hexBytes(list.sha256), o + 8);
    o += 40;
  }
  return bytes;
}

/** Decodes a head from the network; throws FormatError on any inconsistency. */
export function decodeHead(bytes: Uint8Array): SketchHead {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SKETCH', `sketch index head: ${message}`);
  };
  if (bytes.length < 40 || SKETCH_HEAD_MAGIC.some((b, i) => bytes[i] !== b)) fail('bad magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, d, pairs, C, count, seed] = [0, 1, 2, 3, 4, 5].map((i) => view.getUint32(4 + 4 * i, true));
  if (version !== 1 && version !== HEAD_VERSION) fail(`unsupported version ${version}`);
  if (d < 1 || d > 100_000 || pairs < 1 || pairs > 4096 || C < 1 || C > 1 << 20) fail('implausible sizes');
  const dims = 2 * pairs;
  const size = headSize(version, d, pairs, C);
  if (bytes.length !== size) fail(`${bytes.length} bytes where the header implies ${size}`);
  let o = 32;
  const gamma = view.getFloat64(o, true);
  o += 8;
  const scale = new Float64Array(d);
  for (let f = 0; f < d; f++, o += 8) scale[f] = view.getFloat64(o, true);
  const omega = new Float32Array(pairs * d);
  for (let i = 0; i < omega.length; i++, o += 4) omega[i] = view.getFloat32(o, true);
  const centroids = new Float32Array(C * dims);
  if (version === 1) for (let i = 0; i < centroids.length; i++, o += 4) centroids[i] = view.getFloat32(o, true);
  else {
    for (let c = 0; c < C; c++, o += 4 + dims) {
      const step = view.getFloat32(o, true);
      if (!(step >= 0)) fail(`list ${c} has a bad centroid step`);
      for (let j = 0; j < dims; j++) centroids[c * dims + j] = step * view.getInt8(o + 4 + j);
    }
  }
  if (!(gamma > 0) || !scale.every((s) => s > 0 && Number.isFinite(s)) || !omega.every(Number.isFinite) || !centroids.every(Number.isFinite))
    fail('non-finite or non-positive parameters');
  const lists: ListRef[] = [];
  let total = 0;
  for (let c = 0; c < C; c++, o += 40) {
    const list = { count: view.getUint32(o, true), size: view.getUint32(o + 4, true), sha256: hex(bytes.subarray(o + 8, o + 40)) };
    if (list.size !== 16 + list.count * (RECORD_FIXED + dims)) fail(`list ${c} has an inconsistent size`);
    total += list.count;
    lists.push(list);
  }
  if (total !== count) fail(`lists hold ${total} records, the header says ${count}`);
  return { params: { d, pairs, gamma, scale, omega }, seed, count, centroids, lists };
}

export function encodeList(records: readonly SketchRecord[], dims: number): Uint8Array {
  const recordSize = RECORD_FIXED + dims;
  const bytes = new Uint8Array(16 + records.length * recordSize);
  const view = new DataView(bytes.buffer);
  SKETCH_LIST_MAGIC.forEach((b, i) => (bytes[i] = b));
  view.setUint32(4, VERSION, true);
  view.setUint32(8, dims, true);
  view.setUint32(12, records.length, true);
  records.forEach((r, i) => {
    const o = 16 + i * recordSize;
    bytes.set(hexBytes(r.specHash), o);
    bytes.set(hexBytes(r.cardHash), o + HASH_BYTES);
    view.setFloat64(o + 2 * HASH_BYTES, r.selfInner, true);
    view.setFloat32(o + 2 * HASH_BYTES + 8, r.step, true);
    bytes.set(new Uint8Array(r.codes.buffer, r.codes.byteOffset, dims), o + RECORD_FIXED);
  });
  return bytes;
}

export function decodeList(bytes: Uint8Array, dims: number): SketchRecord[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SKETCH', `sketch list: ${message}`);
  };
  if (bytes.length < 16 || SKETCH_LIST_MAGIC.some((b, i) => bytes[i] !== b)) fail('bad magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== VERSION || view.getUint32(8, true) !== dims) fail('version or width differs from the head');
  const count = view.getUint32(12, true);
  const recordSize = RECORD_FIXED + dims;
  if (bytes.length !== 16 + count * recordSize) fail('truncated or trailing bytes');
  const records: SketchRecord[] = [];
  for (let i = 0; i < count; i++) {
    const o = 16 + i * recordSize;
    const selfInner = view.getFloat64(o + 2 * HASH_BYTES, true);
    const step = view.getFloat32(o + 2 * HASH_BYTES + 8, true);
    if (!(step >= 0) || !Number.isFinite(step) || !(selfInner > 0) || selfInner > 1 + 1e-9) fail(`record ${i} has a bad step or self inner product`);
    records.push({
      specHash: hex(bytes.subarray(o, o + HASH_BYTES)),
      cardHash: hex(bytes.subarray(o + HASH_BYTES, o + 2 * HASH_BYTES)),
      selfInner,
      step,
      codes: new Int8Array(bytes.buffer, bytes.byteOffset + o + RECORD_FIXED, dims),
    });
  }
  return records;
}

export interface SketchBuildInput {
  /** the island (its spec type has a sketch) and its member count */
  island: IslandView & { count: number };
  /** learnware i: its spec and its card (catalog entry JSON bytes) */
  member(i: number): Promise<{ spec: StatSpec; card: Uint8Array }> | { spec: StatSpec; card: Uint8Array };
  /** receives every file to write, paths relative to the catalog root */
  emit(path: string, bytes: Uint8Array): Promise<void> | void;
}

export interface SketchBuildOptions extends JobOptions {
  pairs?: number;
  /** number of inverted lists (default ≈ √count, at most 4,096) */
  lists?: number;
  seed?: number;
  /** used for the list assignment of every sketch (default: plain TypeScript) */
  backend?: ComputeBackend;
}

export const DEFAULT_SKETCH_SEED = 0x5eed;

/** The sketches and file hashes of an island's members, position i = member i. */
export interface SketchedMembers {
  count: number;
  dims: number;
  codes: Int8Array;
  steps: Float32Array;
  selfInner: Float64Array;
  /** per member: 16 B spec hash, 16 B card hash */
  hashes: Uint8Array;
}

export function allocateSketches(count: number, dims: number): SketchedMembers {
  return { count, dims, codes: new Int8Array(count * dims), steps: new Float32Array(count), selfInner: new Float64Array(count), hashes: new Uint8Array(count * 2 * HASH_BYTES) };
}

/**
 * Sketches member i into `into` and returns its spec file (a one-record shard) and card file with
 * their paths. Independent per member, so large builds can run it in parallel workers.
 */
export async function sketchMember(
  island: IslandView,
  spec: StatSpec,
  card: Uint8Array,
  params: SketchParams,
  into: SketchedMembers,
  i: number,
): Promise<{ spec: { path: string; bytes: Uint8Array }; card: { path: string; bytes: Uint8Array } }> {
  const dims = into.dims;
  const type = sketchingType(island);
  const specBytes = specFileBytes(island, spec);
  // sketch and ⟨Φ,Φ⟩ of the spec as stored (Float32), so the exact re-rank is consistent with them
  const [stored] = type.decodeShard(specBytes);
  const sketch = type.sketch.sketch(stored, params);
  into.steps[i] = quantizeSketch(sketch, into.codes.subarray(i * dims, (i + 1) * dims));
  into.selfInner[i] = type.innerProduct(stored, stored, island.settings);
  const specHash = (await sha256Hex(specBytes)).slice(0, 2 * HASH_BYTES);
  const cardHash = (await sha256Hex(card)).slice(0, 2 * HASH_BYTES);
  into.hashes.set(hexBytes(specHash), i * 2 * HASH_BYTES);
  into.hashes.set(hexBytes(cardHash), i * 2 * HASH_BYTES + HASH_BYTES);
  return { spec: { path: specPath(specHash), bytes: specBytes }, card: { path: cardPath(cardHash), bytes: card } };
}

/** A sketch island's spec file: a one-record Float32 spec shard. */
export function specFileBytes(island: IslandView, spec: StatSpec): Uint8Array {
  return specType(island.type).encodeShard([spec], island, 'f32').bytes;
}

/** The island's spec type, which must support the sketch layout. */
export function sketchingType(island: IslandView): AnySpecType & Required<Pick<AnySpecType, 'sketch'>> {
  const type = specType(island.type);
  if (!type.sketch) throw new InputError('NO_SKETCH_LAYOUT', `spec type ${type.label} has no sketch layout (island ${island.id})`);
  return type as AnySpecType & Required<Pick<AnySpecType, 'sketch'>>;
}

/** The sketch parameters of an island: its spec type's, with ω drawn from `seed` (docs/prng.md). */
export function islandSketchParams(island: IslandView, pairs = DEFAULT_SKETCH_PAIRS, seed = DEFAULT_SKETCH_SEED): SketchParams {
  return sketchingType(island).sketch.params(island, pairs, seed);
}

/** Sketches every member, clusters the sketches, writes spec, card and list files; returns the head bytes. */
export async function buildSketchIndex(input: SketchBuildInput, options: SketchBuildOptions = {}): Promise<Uint8Array> {
  const { count } = input.island;
  if (count < 1) throw new InputError('EMPTY_ISLAND', 'a sketch index needs at least one learnware');
  const params = islandSketchParams(input.island, options.pairs, options.seed);
  const members = allocateSketches(count, 2 * params.pairs);
  const sketching = new PhaseReporter(options.onProgress, 'sketch-index', 'sketch', count, 'learnwares');
  for (let i = 0; i < count; i++) {
    if (i % 256 === 0) {
      throwIfCancelled(options.signal);
      sketching.update(i);
    }
    const { spec, card } = await input.member(i);
    const files = await sketchMember(input.island, spec, card, params, members, i);
    await input.emit(files.spec.path, files.spec.bytes);
    await input.emit(files.card.path, files.card.bytes);
  }
  sketching.finish();
  return assembleSketchIndex(members, params, input.emit, options);
}

/** Clusters sketched members into inverted lists, emits the list files and returns the head. */
export async function assembleSketchIndex(members: SketchedMembers, params: SketchParams, emit: SketchBuildInput['emit'], options: SketchBuildOptions = {}): Promise<Uint8Array> {
  const { count, dims, codes, steps, selfInner, hashes } = members;
  const seed = options.seed ?? DEFAULT_SKETCH_SEED;
  const C = Math.max(1, Math.min(count, options.lists ?? Math.min(4096, Math.round(Math.sqrt(count)))));
  const clustering = new PhaseReporter(options.onProgress, 'sketch-index', 'cluster', 1, 'steps');
  const { centroids, assignment } = await clusterSketches(codes, steps, count, dims, C, seed, options.backend ?? new TsBackend(), options.signal);
  const byList: number[][] = Array.from({ length: C }, () => []);
  assignment.forEach((c, i) => byList[c].push(i));
  const lists: ListRef[] = [];
  for (let c = 0; c < C; c++) {
    const records = byList[c].map((i) => ({
      specHash: hex(hashes.subarray(i * 2 * HASH_BYTES, i * 2 * HASH_BYTES + HASH_BYTES)),
      cardHash: hex(hashes.subarray(i * 2 * HASH_BYTES + HASH_BYTES, (i + 1) * 2 * HASH_BYTES)),
      selfInner: selfInner[i],
      step: steps[i],
      codes: codes.subarray(i * dims, (i + 1) * dims),
    }));
    const bytes = encodeList(records, dims);
    const sha256 = await sha256Hex(bytes);
    await emit(listPath(sha256), bytes);
    lists.push({ count: records.length, size: bytes.length, sha256 });
  }
  clustering.finish();
  return encodeHead({ params, seed, count, centroids, lists });
}

/**
 * Symmetric int8 quantisation with one scale per vector: q_j = round(s_j / step), step = max|s_j| / 127.
 * Returns the step (0 for a zero vector).
 */
export function quantizeSketch(sketch: ArrayLike<number>, out: Int8Array): number {
  let max = 0;
  for (let j = 0; j < sketch.length; j++) max = Math.max(max, Math.abs(sketch[j]));
  const step = max / 127;
  for (let j = 0; j < sketch.length; j++) out[j] = step > 0 ? Math.round(sketch[j] / step) : 0;
  return Math.fround(step);
}

function dequantize(codes: Int8Array, steps: Float32Array, i: number, dims: number, out: Float64Array, offset = 0): void {
  for (let j = 0; j < dims; j++) out[offset + j] = codes[i * dims + j] * steps[i];
}

/**
 * Lloyd's k-means on the dequantised sketches: centroids seeded from a PRNG sample and refined on
 * a sample of at most 64 points per list, then every sketch assigned to its nearest centroid.
 * Empty lists are allowed (they cost one head entry).
 */
async function clusterSketches(codes: Int8Array, steps: Float32Array, n: number, dims: number, C: number, seed: number, backend: ComputeBackend, signal?: AbortSignal) {
  const prng = new Prng((seed ^ 0x9e3779b9) >>> 0);
  const sampleSize = Math.min(n, 64 * C);
  const sample = sampleSize === n ? Int32Array.from({ length: n }, (_, i) => i) : prng.sampleWithoutReplacement(n, sampleSize);
  const points = new Float64Array(sampleSize * dims);
  sample.forEach((i, r) => dequantize(codes, steps, i, dims, points, r * dims));
  const centers = new Float64Array(C * dims);
  prng.sampleWithoutReplacement(sampleSize, C).forEach((r, c) => centers.set(points.subarray(r * dims, (r + 1) * dims), c * dims));
  const resident = await backend.upload(points, sampleSize, dims);
  try {
    for (let iteration = 0; iteration < 10; iteration++) {
      throwIfCancelled(signal);
      const { index } = await backend.nearestCenters(resident, centers, C);
      const sums = new Float64Array(C * dims);
      const counts = new Int32Array(C);
      index.forEach((c, r) => {
        counts[c]++;
        for (let j = 0; j < dims; j++) sums[c * dims + j] += points[r * dims + j];
      });
      for (let c = 0; c < C; c++) if (counts[c] > 0) for (let j = 0; j < dims; j++) centers[c * dims + j] = sums[c * dims + j] / counts[c];
    }
  } finally {
    resident.dispose();
  }
  const assignment = new Int32Array(n);
  const chunk = 65536;
  const block = new Float64Array(Math.min(n, chunk) * dims);
  for (let start = 0; start < n; start += chunk) {
    throwIfCancelled(signal);
    const rows = Math.min(chunk, n - start);
    for (let r = 0; r < rows; r++) dequantize(codes, steps, start + r, dims, block, r * dims);
    const matrix = await backend.upload(block.subarray(0, rows * dims), rows, dims);
    try {
      assignment.set((await backend.nearestCenters(matrix, centers, C)).index, start);
    } finally {
      matrix.dispose();
    }
  }
  return { centroids: Float32Array.from(centers), assignment };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function hexBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
