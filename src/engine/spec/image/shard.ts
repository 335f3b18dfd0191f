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
import { decodeFramedShard, encodeFramedShard, encodeShard as encodeTableShard, type ShardPrecision } from '../table/shard.js';
import { IMAGE_FEATURE_DIM } from './features.js';
import { REFERENCE_DEFAULTS } from './stat-json.js';
import { IMAGE_SPEC_LIMITS, REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';
import { makeView, setTableView, tableView } from './view.js';

export const IMAGE_SHARD_MAGIC = [0x4c, 0x57, 0x49, 0x4d]; // "LWIM"
const PLANE = SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE;

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
  const z = new Uint8Array(specs.reduce((sum, s) => sum + s.K * s.channels * PLANE, 0));
  let o = 0;
  for (const s of specs) for (const v of s.z) z[o++] = Math.round(255 * Math.min(1, Math.max(0, v)));
  const table = encodeTableShard(
    specs.map((s) => tableView(s)),
    IMAGE_FEATURE_DIM,
    precision,
  );
  return encodeFramedShard(IMAGE_SHARD_MAGIC, records, table, z);
}

export function decodeImageShard(bytes: Uint8Array): RkmeImageSpec[] {
  const fail = (message: string): never => {
    throw new FormatError('BAD_SHARD', `image spec shard: ${message}`);
  };
  let list: ShardRecord[] = [];
  const { extra: z, table: tables } = decodeFramedShard(bytes, IMAGE_SHARD_MAGIC, 'image spec', (records) => {
    list = records.map((r, i) => readRecord(r, i, fail));
    return list.reduce((sum, r) => sum + r.K * r.channels * PLANE, 0);
  });
  let o = 0;
  return list.map((r, i) => {
    const table = tables[i];
    if (table.K !== r.K || table.d !== IMAGE_FEATURE_DIM || table.gamma !== r.gamma || table.numPoints !== r.numPoints || table.scale) fail(`record ${i} does not match its ψ view`);
    const size = r.K * r.channels * PLANE;
    const pixels = new Float64Array(size);
    for (let j = 0; j < size; j++) pixels[j] = z[o + j] / 255;
    o += size;
    const spec: RkmeImageSpec = {
      type: RKME_IMAGE_TYPE,
      K: r.K,
      numPoints: r.numPoints,
      channels: r.channels,
      z: pixels,
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
