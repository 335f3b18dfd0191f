/**
 * Binary spec shards: the statistical specs of one island packed as little-endian arrays, so a
 * search downloads one compact file per island instead of a JSON file per learnware
 * (docs/catalog-format.md). Layout:
 *   header  'LWDS' | u32 version | u32 d | u32 count
 *   record  u32 K | u32 flags (bit 0: own scale present; bit 1: Float32 values) | f64 gamma |
 *           f64 numPoints | beta[K] | z[K·d] | scale[d] if flagged
 * Version 1 (island shards) holds Float64 values only, every field 8-byte aligned. Version 2 adds
 * the Float32 flag: the one-record spec files of sketch islands, which a search downloads by the
 * hundred, are half the bytes (relative rounding 6e-8, far below any MMD difference that ranks).
 * A record's byte offset is stored in the index for range reads.
 */
import { FormatError } from '../../core/errors.js';
import { RKME_TABLE_TYPE, TABLE_SPEC_LIMITS, type RkmeTableSpec } from './types.js';

export const SHARD_MAGIC = [0x4c, 0x57, 0x44, 0x53]; // "LWDS"
const HEADER = 16;
const OWN_SCALE = 1;
const FLOAT32 = 2;

export type ShardPrecision = 'f64' | 'f32';

export function encodeShard(specs: readonly RkmeTableSpec[], d: number, precision: ShardPrecision = 'f64'): { bytes: Uint8Array; offsets: number[] } {
  const width = precision === 'f32' ? 4 : 8;
  let size = HEADER;
  const offsets: number[] = [];
  for (const s of specs) {
    if (s.d !== d) throw new FormatError('SHARD_DIMENSION', `spec has ${s.d} features, the shard ${d}`);
    offsets.push(size);
    size += 24 + width * (s.K + s.K * d + (s.scale ? d : 0));
  }
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  SHARD_MAGIC.forEach((b, i) => view.setUint8(i, b));
  view.setUint32(4, precision === 'f32' ? 2 : 1, true);
  view.setUint32(8, d, true);
  view.setUint32(12, specs.length, true);
  specs.forEach((s, i) => {
    let o = offsets[i];
    view.setUint32(o, s.K, true);
    view.setUint32(o + 4, (s.scale ? OWN_SCALE : 0) | (precision === 'f32' ? FLOAT32 : 0), true);
    view.setFloat64(o + 8, s.gamma, true);
    view.setFloat64(o + 16, s.numPoints, true);
    o += 24;
    for (const arr of [s.beta, s.z, ...(s.scale ? [s.scale] : [])]) {
      for (const v of arr) {
        if (width === 4) view.setFloat32(o, v, true);
        else view.setFloat64(o, v, true);
        o += width;
      }
    }
  });
  return { bytes: new Uint8Array(buffer), offsets };
}

/** Decodes every record of a shard; throws FormatError on any inconsistency (hostile input). */
export function decodeShard(bytes: Uint8Array): RkmeTableSpec[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `spec shard: ${message}`);
  };
  if (bytes.length < HEADER || SHARD_MAGIC.some((b, i) => bytes[i] !== b)) fail('not a spec shard (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== 1 && version !== 2) fail(`unsupported version ${version}`);
  const d = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (d < 1) fail(`implausible dimension ${d}`);
  if (d > TABLE_SPEC_LIMITS.d) throw new FormatError('SPEC_LIMIT', `spec shard: d = ${d}; at most d = ${TABLE_SPEC_LIMITS.d} is read`);
  const specs: RkmeTableSpec[] = [];
  let o = HEADER;
  for (let r = 0; r < count; r++) {
    if (o + 24 > bytes.length) fail(`record ${r} is truncated`);
    const K = view.getUint32(o, true);
    const flags = view.getUint32(o + 4, true);
    const gamma = view.getFloat64(o + 8, true);
    const numPoints = view.getFloat64(o + 16, true);
    if (flags & ~(OWN_SCALE | FLOAT32) || (flags & FLOAT32 && version < 2)) fail(`record ${r} has unknown flags ${flags}`);
    const hasScale = (flags & OWN_SCALE) !== 0;
    const width = flags & FLOAT32 ? 4 : 8;
    if (K > TABLE_SPEC_LIMITS.K) throw new FormatError('SPEC_LIMIT', `spec shard: record ${r} has K = ${K}; at most K = ${TABLE_SPEC_LIMITS.K} is read`);
    const length = K + K * d + (hasScale ? d : 0);
    if (K < 1 || o + 24 + width * length > bytes.length) fail(`record ${r} is truncated`);
    if (!(gamma > 0) || !Number.isInteger(numPoints) || numPoints < 1) fail(`record ${r} has a bad gamma or point count`);
    const values = new Float64Array(length);
    if (width === 4) for (let j = 0; j < length; j++) values[j] = view.getFloat32(o + 24 + 4 * j, true);
    else for (let j = 0; j < length; j++) values[j] = view.getFloat64(o + 24 + 8 * j, true);
    if (!values.every(Number.isFinite)) fail(`record ${r} has non-finite values`);
    specs.push({
      type: RKME_TABLE_TYPE,
      K,
      d,
      gamma,
      numPoints,
      beta: values.slice(0, K),
      z: values.slice(K, K + K * d),
      scale: hasScale ? values.slice(K + K * d) : null,
      scaleSource: hasScale ? 'given' : null,
      featureNames: null,
      provenance: null,
    });
    o += 24 + width * length;
  }
  if (o !== bytes.length) fail('trailing bytes after the last record');
  return specs;
}

/** the JSON record list of a framed shard may not be larger than this (hostile shards) */
const MAX_FRAME_JSON_BYTES = 16 * 2 ** 20;
const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/**
 * The framing the text and image shards share around a table shard:
 *   magic (4 bytes) | u32 version 1 | u32 n = JSON byte length | JSON {"records": [...]}
 *   | zero padding to a multiple of 8 | `extra` bytes | zero padding to a multiple of 8 | the 'LWDS' table shard
 * Offsets are those of the table shard's records, moved to where they sit in the whole.
 */
export function encodeFramedShard(
  magic: readonly number[],
  records: readonly unknown[],
  table: { bytes: Uint8Array; offsets: number[] },
  extra: Uint8Array = new Uint8Array(0),
): { bytes: Uint8Array; offsets: number[] } {
  const json = new TextEncoder().encode(JSON.stringify({ records }));
  const extraStart = 12 + pad8(json.length);
  const tableStart = extraStart + pad8(extra.length);
  const bytes = new Uint8Array(tableStart + table.bytes.length);
  bytes.set(magic, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 1, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(extra, extraStart);
  bytes.set(table.bytes, tableStart);
  return { bytes, offsets: table.offsets.map((o) => o + tableStart) };
}

/**
 * Reads the framing of encodeFramedShard: the record list (checked to be a list, not yet its
 * entries) and the bytes after it; `extraLength(records)` says how many of those precede the
 * table shard. Every failure is a BAD_SHARD error naming the shard's kind (`what`).
 */
export function decodeFramedShard(
  bytes: Uint8Array,
  magic: readonly number[],
  what: string,
  extraLength: (records: unknown[]) => number = () => 0,
): { records: unknown[]; extra: Uint8Array; table: RkmeTableSpec[] } {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `${what} shard: ${message}`);
  };
  if (bytes.length < 12 || magic.some((b, i) => bytes[i] !== b)) fail(`not ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} shard (bad magic bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== 1) fail(`unsupported version ${view.getUint32(4, true)}`);
  const n = view.getUint32(8, true);
  if (n > MAX_FRAME_JSON_BYTES || 12 + n > bytes.length) fail('the record list is truncated or too large');
  let records: unknown;
  try {
    records = (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + n))) as { records?: unknown }).records;
  } catch {
    fail('the record list is not valid JSON');
  }
  if (!Array.isArray(records)) fail('the record list is not a list');
  const list = records as unknown[];
  const extraStart = 12 + pad8(n);
  const length = extraLength(list);
  const tableStart = extraStart + pad8(length);
  if (tableStart > bytes.length) fail('the shard is truncated');
  const table = decodeShard(bytes.subarray(tableStart));
  if (table.length !== list.length) fail(`the record list does not match the ${table.length} specs`);
  return { records: list, extra: bytes.subarray(extraStart, extraStart + length), table };
}
