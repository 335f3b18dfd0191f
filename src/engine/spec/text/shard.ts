/**
 * Binary shards of text specs (docs/catalog-format.md, text islands): the table shard of their
 * embedding RKMEs, preceded by what tables do not have — each spec's languages and embedder:
 *   'LWTX' | u32 version 1 | u32 n = JSON byte length | JSON {"records": [{"language": [...], "embedder": {...}}]}
 *   | zero padding to a multiple of 8 | the 'LWDS' table shard (spec/table/shard.ts)
 * Record offsets point into the table shard's records.
 */
import { FormatError } from '../../core/errors.js';
import { decodeFramedShard, encodeFramedShard, encodeShard as encodeTableShard, type ShardPrecision } from '../table/shard.js';
import { RKME_TEXT_TYPE, type RkmeTextSpec } from './types.js';
import { readEmbedder, readLanguages } from './stat-json.js';

export const TEXT_SHARD_MAGIC = [0x4c, 0x57, 0x54, 0x58]; // "LWTX"

export function encodeTextShard(specs: readonly RkmeTextSpec[], d: number, precision: ShardPrecision = 'f64'): { bytes: Uint8Array; offsets: number[] } {
  const records = specs.map((s) => ({ language: s.language, embedder: s.embedder }));
  return encodeFramedShard(
    TEXT_SHARD_MAGIC,
    records,
    encodeTableShard(
      specs.map((s) => s.rkme),
      d,
      precision,
    ),
  );
}

export function decodeTextShard(bytes: Uint8Array): RkmeTextSpec[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `text spec shard: ${message}`);
  };
  const { records, table } = decodeFramedShard(bytes, TEXT_SHARD_MAGIC, 'text spec');
  return table.map((rkme, i) => {
    const r = records[i] as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) fail(`record ${i} is not an object`);
    // checked as in a bundle's stat.json
    const embedder = readEmbedder(r.embedder);
    if (embedder.dim !== rkme.d) fail(`record ${i}: the embedder gives ${embedder.dim} dimensions, the spec has ${rkme.d}`);
    return { type: RKME_TEXT_TYPE, K: rkme.K, numPoints: rkme.numPoints, rkme, language: readLanguages(r.language), embedder };
  });
}
