/**
 * Binary spec shards: the statistical specs of one island packed as little-endian Float64 arrays,
 * so a search downloads one compact file per island instead of a JSON file per learnware
 * (docs/catalog-format.md). Layout:
 *   header  'LWDS' | u32 version (1) | u32 d | u32 count
 *   record  u32 K | u32 flags (bit 0: own scale present) | f64 gamma | f64 numPoints |
 *           f64 beta[K] | f64 z[K·d] | f64 scale[d] if flagged
 * Every field is 8-byte aligned; a record's byte offset is stored in the index for range reads.
 */
import { FormatError } from '../core/errors.js';
import { RKME_TABLE_TYPE, type RkmeTableSpec } from '../spec/types.js';

export const SHARD_MAGIC = [0x4c, 0x57, 0x44, 0x53]; // "LWDS"
const VERSION = 1;
const HEADER = 16;

export function encodeShard(specs: readonly RkmeTableSpec[], d: number): { bytes: Uint8Array; offsets: number[] } {
  let size = HEADER;
  const offsets: number[] = [];
  for (const s of specs) {
    if (s.d !== d) throw new FormatError('SHARD_DIMENSION', `spec has ${s.d} features, the shard ${d}`);
    offsets.push(size);
    size += 24 + 8 * (s.K + s.K * d + (s.scale ? d : 0));
  }
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  SHARD_MAGIC.forEach((b, i) => view.setUint8(i, b));
  view.setUint32(4, VERSION, true);
  view.setUint32(8, d, true);
  view.setUint32(12, specs.length, true);
  specs.forEach((s, i) => {
    let o = offsets[i];
    view.setUint32(o, s.K, true);
    view.setUint32(o + 4, s.scale ? 1 : 0, true);
    view.setFloat64(o + 8, s.gamma, true);
    view.setFloat64(o + 16, s.numPoints, true);
    o += 24;
    for (const arr of [s.beta, s.z, ...(s.scale ? [s.scale] : [])]) {
      for (const v of arr) {
        view.setFloat64(o, v, true);
        o += 8;
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
  if (view.getUint32(4, true) !== VERSION) fail(`unsupported version ${view.getUint32(4, true)}`);
  const d = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (d < 1 || d > 1_000_000) fail(`implausible dimension ${d}`);
  const specs: RkmeTableSpec[] = [];
  let o = HEADER;
  for (let r = 0; r < count; r++) {
    if (o + 24 > bytes.length) fail(`record ${r} is truncated`);
    const K = view.getUint32(o, true);
    const flags = view.getUint32(o + 4, true);
    const gamma = view.getFloat64(o + 8, true);
    const numPoints = view.getFloat64(o + 16, true);
    const hasScale = (flags & 1) === 1;
    const length = K + K * d + (hasScale ? d : 0);
    if (K < 1 || o + 24 + 8 * length > bytes.length) fail(`record ${r} is truncated`);
    if (!(gamma > 0) || !Number.isInteger(numPoints) || numPoints < 1) fail(`record ${r} has a bad gamma or point count`);
    const values = new Float64Array(length);
    for (let j = 0; j < length; j++) values[j] = view.getFloat64(o + 24 + 8 * j, true);
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
    o += 24 + 8 * length;
  }
  if (o !== bytes.length) fail('trailing bytes after the last record');
  return specs;
}
