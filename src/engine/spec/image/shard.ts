/**
 * Binary shards of image specs (docs/catalog-format.md, image islands):
 *   'LWIM' | u32 version 1 | u32 n = JSON byte length | JSON {"records": [{K, channels, network, gamma, numPoints, provenance}]}
 *   | zero padding to a multiple of 8 | each spec's Z as uint8 (round(255 · z), K × C × 32 × 32 bytes, in record order)
 *   | zero padding to a multiple of 8 | the 'LWDS' table shard of the specs' ψ views (spec/table/shard.ts)
 * Z is stored as 8-bit pixels (a quarter of the bytes of float32), enough for the match picture and
 * the checker's probes; searching reads the ψ views, which the table shard holds in full. Record
 * offsets point into the table shard's records.
 */
import { FormatError } from '../../core/errors.js';
import { SPEC_IMAGE_SIZE } from '../../data/image.js';
import { decodeShard as decodeTableShard, encodeShard as encodeTableShard, type ShardPrecision } from '../table/shard.js';
import { IMAGE_FEATURE_DIM } from './features.js';
import { REFERENCE_DEFAULTS } from './stat-json.js';
import { IMAGE_SPEC_LIMITS, REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';
import { makeView, setTableView, tableView } from './view.js';

export const IMAGE_SHARD_MAGIC = [0x4c, 0x57, 0x49, 0x4d]; // "LWIM"
/** the JSON part may not be larger than this (hostile shards) */
const MAX_JSON_BYTES = 16 * 2 ** 20;
const PLANE = SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE;
const pad8 = (n: number) => Math.ceil(n / 8) * 8;

interface ShardRecord {
  K: number;
  channels: 1 | 3;
  network: string;
  gamma: number;
  numPoints: number;
  provenance: RkmeImageSpec['provenance'];
}

export function encodeImageShard(specs: readonly RkmeImageSpec[], precision: ShardPrecision = 'f64'): { bytes: Uint8Array; offsets: number[] } {
  const records: ShardRecord[] = specs.map((s) => ({ K: s.K, channels: s.channels, network: s.network, gamma: s.gamma, numPoints: s.numPoints, provenance: s.provenance }));
  const json = new TextEncoder().encode(JSON.stringify({ records }));
  const zStart = 12 + pad8(json.length);
  const zBytes = specs.reduce((sum, s) => sum + s.K * s.channels * PLANE, 0);
  const tableStart = zStart + pad8(zBytes);
  const table = encodeTableShard(
    specs.map((s) => tableView(s)),
    IMAGE_FEATURE_DIM,
    precision,
  );
  const bytes = new Uint8Array(tableStart + table.bytes.length);
  bytes.set(IMAGE_SHARD_MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 1, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let o = zStart;
  for (const s of specs) for (const v of s.z) bytes[o++] = Math.round(255 * Math.min(1, Math.max(0, v)));
  bytes.set(table.bytes, tableStart);
  return { bytes, offsets: table.offsets.map((offset) => offset + tableStart) };
}

export function decodeImageShard(bytes: Uint8Array): RkmeImageSpec[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `image spec shard: ${message}`);
  };
  if (bytes.length < 12 || IMAGE_SHARD_MAGIC.some((b, i) => bytes[i] !== b)) fail('not an image spec shard (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== 1) fail(`unsupported version ${view.getUint32(4, true)}`);
  const n = view.getUint32(8, true);
  if (n > MAX_JSON_BYTES || 12 + n > bytes.length) fail('the record list is truncated or too large');
  let records: unknown;
  try {
    records = (JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + n))) as { records?: unknown }).records;
  } catch {
    fail('the record list is not valid JSON');
  }
  if (!Array.isArray(records)) fail('the record list is not a list');
  const list = (records as unknown[]).map((r, i) => readRecord(r, i, fail));
  const zStart = 12 + pad8(n);
  let zBytes = 0;
  for (const r of list) zBytes += r.K * r.channels * PLANE;
  const tableStart = zStart + pad8(zBytes);
  if (tableStart > bytes.length) fail('the reduced images are truncated');
  const tables = decodeTableShard(bytes.subarray(tableStart));
  if (tables.length !== list.length) fail(`the record list does not match the ${tables.length} specs`);
  let o = zStart;
  return list.map((r, i) => {
    const table = tables[i];
    if (table.K !== r.K || table.d !== IMAGE_FEATURE_DIM || table.gamma !== r.gamma || table.numPoints !== r.numPoints || table.scale) fail(`record ${i} does not match its ψ view`);
    const size = r.K * r.channels * PLANE;
    const z = new Float64Array(size);
    for (let j = 0; j < size; j++) z[j] = bytes[o + j] / 255;
    o += size;
    const spec: RkmeImageSpec = {
      type: RKME_IMAGE_TYPE,
      K: r.K,
      numPoints: r.numPoints,
      channels: r.channels,
      z,
      beta: table.beta,
      gamma: r.gamma,
      network: r.network,
      pixels: r.network === REFERENCE_NETWORK ? 'standardised' : '0-1',
      reference: { ...REFERENCE_DEFAULTS, modelConfig: { ...REFERENCE_DEFAULTS.modelConfig } },
      provenance: r.provenance,
    };
    setTableView(spec, makeView(spec, table.z));
    return spec;
  });
}

function readRecord(value: unknown, i: number, fail: (message: string) => never): ShardRecord {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r)) fail(`record ${i} is not an object`);
  const { K, channels, network, gamma, numPoints, provenance } = r;
  if (typeof K !== 'number' || !Number.isInteger(K) || K < 1) fail(`record ${i} has a bad K`);
  if (K > IMAGE_SPEC_LIMITS.K) throw new FormatError('SPEC_LIMIT', `image spec shard: record ${i} has K = ${K}; at most K = ${IMAGE_SPEC_LIMITS.K} are read`);
  if (channels !== 1 && channels !== 3) fail(`record ${i} has ${JSON.stringify(channels)} channels (1 or 3)`);
  if (typeof network !== 'string' || (network !== REFERENCE_NETWORK && !/^[A-Za-z0-9._-]{1,64}@[0-9]{1,6}$/.test(network))) fail(`record ${i} has a bad network`);
  if (typeof gamma !== 'number' || !(gamma > 0) || !Number.isFinite(gamma)) fail(`record ${i} has a bad gamma`);
  if (typeof numPoints !== 'number' || !Number.isInteger(numPoints) || numPoints < 1) fail(`record ${i} has a bad point count`);
  if (provenance !== null && provenance !== undefined && (typeof provenance !== 'object' || Array.isArray(provenance))) fail(`record ${i} has a bad provenance`);
  return { K, channels, network, gamma, numPoints, provenance: (provenance ?? null) as ShardRecord['provenance'] };
}
