/**
 * Binary shards of text specs (docs/catalog-format.md, text islands): the table shard of their
 * embedding RKMEs, preceded by what tables do not have — each spec's languages and embedder:
 *   'LWTX' | u32 version 1 | u32 n = JSON byte length | JSON {"records": [{"language": [...], "embedder": {...}}]}
 *   | zero padding to a multiple of 8 | the 'LWDS' table shard (spec/table/shard.ts)
 * Record offsets point into the table shard's records.
 */
import { FormatError } from '../../core/errors.js';
import { decodeShard as decodeTableShard, encodeShard as encodeTableShard, type ShardPrecision } from '../table/shard.js';
import { RKME_TEXT_TYPE, type RkmeTextSpec } from './types.js';
import { readEmbedder, readLanguages } from './stat-json.js';

export const TEXT_SHARD_MAGIC = [0x4c, 0x57, 0x54, 0x58]; // "LWTX"
/** the JSON part may not be larger than this (hostile shards) */
const MAX_JSON_BYTES = 16 * 2 ** 20;

export function encodeTextShard(specs: readonly RkmeTextSpec[], d: number, precision: ShardPrecision = 'f64'): { bytes: Uint8Array; offsets: number[] } {
  const json = new TextEncoder().encode(JSON.stringify({ records: specs.map((s) => ({ language: s.language, embedder: s.embedder })) }));
  const prefix = 12 + Math.ceil(json.length / 8) * 8;
  const table = encodeTableShard(
    specs.map((s) => s.rkme),
    d,
    precision,
  );
  const bytes = new Uint8Array(prefix + table.bytes.length);
  bytes.set(TEXT_SHARD_MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 1, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(table.bytes, prefix);
  return { bytes, offsets: table.offsets.map((o) => o + prefix) };
}

export function decodeTextShard(bytes: Uint8Array): RkmeTextSpec[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `text spec shard: ${message}`);
  };
  if (bytes.length < 12 || TEXT_SHARD_MAGIC.some((b, i) => bytes[i] !== b)) fail('not a text spec shard (bad magic bytes)');
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
  const specs = decodeTableShard(bytes.subarray(12 + Math.ceil(n / 8) * 8));
  if (!Array.isArray(records) || records.length !== specs.length) fail(`the record list does not match the ${specs.length} specs`);
  return specs.map((rkme, i) => {
    const r = (records as Record<string, unknown>[])[i];
    if (typeof r !== 'object' || r === null) fail(`record ${i} is not an object`);
    // checked as in a bundle's stat.json
    const embedder = readEmbedder(r.embedder);
    if (embedder.dim !== rkme.d) fail(`record ${i}: the embedder gives ${embedder.dim} dimensions, the spec has ${rkme.d}`);
    return { type: RKME_TEXT_TYPE, K: rkme.K, numPoints: rkme.numPoints, rkme, language: readLanguages(r.language), embedder };
  });
}
