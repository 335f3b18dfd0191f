/**
 * The table RKME as a spec-type plug-in (spec/spec-type.ts): the only module outside this folder's
 * internals that knows what a table spec holds. Islands of table specs are keyed by their feature
 * names and compared under one common per-feature scale and γ (docs/design-notes.md §1).
 */
import type { JobOptions } from '../../core/progress.js';
import { Prng } from '../../core/prng.js';
import type { ComputeBackend } from '../../kernels/backend.js';
import type { TableDataset } from '../../data/dataset.js';
import type { IslandSchema, IslandSettings, IslandView, ModelInputSchema, SpecProblem, SpecType } from '../spec-type.js';
import { buildTableRkme, MAX_K, type TableSpecOptions } from './build.js';
import { herdSamples } from './herding.js';
import { innerProduct } from './mmd.js';
import { tableColumns } from './columns.js';
import { matchPicture } from './picture.js';
import { decodeShard, encodeShard, SHARD_MAGIC } from './shard.js';
import { islandSketchParams, sketchSpec } from './sketch.js';
import { tableSpecFromObject, tableSpecToJson } from './stat-json.js';
import { pooledScale } from './pooled-scale.js';
import { RKME_TABLE_TYPE, TABLE_SPEC_LIMITS, type RkmeTableSpec } from './types.js';

/** An island of table specs compares under one γ and one per-feature scale (null = raw units). */
export interface TableIslandSettings extends IslandSettings {
  gamma: number;
  scale: number[] | null;
}

/** Largest dimension a table spec may have (a spec read from a bundle is hostile input). */
export const MAX_TABLE_D = TABLE_SPEC_LIMITS.d;
/** Per-feature scales an island may carry: outside this range dividing by it overflows or underflows float32 feeds. */
export const MIN_SCALE = 1e-30;
export const MAX_SCALE = 1e30;

const scales = new WeakMap<IslandSettings, Float64Array | null>();

/** The island scale as a Float64Array, converted once per settings object (hot in search loops). */
export function settingsScale(settings: IslandSettings): Float64Array | null {
  let scale = scales.get(settings);
  if (scale === undefined) {
    const given = (settings as TableIslandSettings).scale;
    scale = given ? Float64Array.from(given) : null;
    scales.set(settings, scale);
  }
  return scale;
}

function compareWith(settings: IslandSettings) {
  return { scale: settingsScale(settings) ?? ('raw' as const) };
}

function reorder(data: TableDataset, features: readonly string[]): Float64Array {
  const d = features.length;
  const order = features.map((f) => data.featureNames.indexOf(f));
  const values = new Float64Array(data.rows * d);
  for (let r = 0; r < data.rows; r++) for (let j = 0; j < d; j++) values[r * d + j] = data.values[r * data.cols + order[j]];
  return values;
}

export const tableSpecType: SpecType<RkmeTableSpec, TableDataset, TableSpecOptions> = {
  type: RKME_TABLE_TYPE,
  dataKind: 'table',
  label: 'table RKME',

  fromObject: tableSpecFromObject,
  toJson: tableSpecToJson,
  describe: (spec) =>
    `${spec.K} reduced points in ${spec.d} dimensions summarise ${spec.numPoints.toLocaleString('en')} training rows (γ = ${spec.gamma}, scale ${spec.scaleSource ?? 'raw units'})`,

  build(backend: ComputeBackend, data: TableDataset, options: TableSpecOptions) {
    return buildTableRkme(backend, data.values, data.rows, data.cols, { ...options, featureNames: options.featureNames ?? data.featureNames });
  },

  check(spec: RkmeTableSpec, input: ModelInputSchema): SpecProblem[] {
    const problems: SpecProblem[] = [];
    if (spec.K > MAX_K || spec.d > MAX_TABLE_D)
      problems.push({ code: 'SPEC_LIMIT', message: `the spec has K = ${spec.K} and d = ${spec.d}; at most K = ${MAX_K} and d = ${MAX_TABLE_D} are read` });
    else if (!Number.isFinite(innerProduct(spec, spec, { scale: spec.scale ?? 'raw' }))) problems.push({ code: 'BAD_SPEC', message: "the spec's self inner product is not finite" });
    let positive = 0;
    for (const b of spec.beta) if (b > 0) positive += b;
    if (!(positive > 0) || !Number.isFinite(positive))
      problems.push({ code: 'BAD_WEIGHTS', message: 'the spec has no positive weight β (every reduced point weighs 0 or less): nothing to compare or sample' });
    if (spec.d !== input.features.length) problems.push({ code: 'DIMENSION_MISMATCH', message: `the spec has ${spec.d} features, the model takes ${input.features.length}` });
    return problems;
  },

  probeFeed(spec: RkmeTableSpec, _input: ModelInputSchema, counts: { herded: number; random: number }) {
    const d = spec.d;
    const herded = herdSamples(spec, counts.herded, { seed: 1 });
    // random rows around the spec's points: z_i + N(0, scale²) per feature
    const prng = new Prng(2);
    const rows = herded.length / d + counts.random;
    const data = new Float32Array(rows * d);
    data.set(herded);
    for (let r = 0; r < counts.random; r++) {
      const i = prng.nextInt(spec.K);
      for (let f = 0; f < d; f++) data[herded.length + r * d + f] = spec.z[i * d + f] + (spec.scale ? spec.scale[f] : 1) * prng.nextNormal();
    }
    return { dtype: 'float32' as const, data, dims: [rows, d] };
  },

  samples: (spec, count, seed) => herdSamples(spec, count, { seed }),

  islandSchema: (spec, input) => ({ d: spec.d, features: input.features }),

  islandSettings(specs: readonly RkmeTableSpec[]): TableIslandSettings {
    return { gamma: specs[0].gamma, scale: pooledScale(specs) };
  },

  checkSettings(settings: unknown, schema: IslandSchema): string | null {
    const s = settings as Partial<TableIslandSettings> | null;
    if (typeof s !== 'object' || s === null) return 'settings must be an object';
    if (typeof s.gamma !== 'number' || !(s.gamma > 0) || !Number.isFinite(s.gamma)) return 'settings.gamma must be a positive number';
    if (s.scale !== null && (!Array.isArray(s.scale) || s.scale.length !== schema.d || s.scale.some((v) => typeof v !== 'number' || !(v >= MIN_SCALE) || !(v <= MAX_SCALE)))) {
      return `settings.scale must hold d positive numbers in [${MIN_SCALE}, ${MAX_SCALE}] (a scale of 1e-300 turns every value infinite)`;
    }
    return null;
  },

  innerProduct: (a, b, settings) => innerProduct(a, b, compareWith(settings)),

  ownSettings: (spec): TableIslandSettings => ({ gamma: spec.gamma, scale: spec.scale ? Array.from(spec.scale) : null }),

  matchesIsland(island: IslandView, data: TableDataset): boolean {
    const wanted = new Set(data.featureNames);
    return island.features.length === wanted.size && island.features.every((f) => wanted.has(f));
  },

  async userSpec(backend: ComputeBackend, data: TableDataset, island: IslandView, options: JobOptions): Promise<RkmeTableSpec> {
    const settings = island.settings as TableIslandSettings;
    const scale = settingsScale(settings) ?? 'none';
    const { spec } = await buildTableRkme(backend, reorder(data, island.features), data.rows, island.d, { scale, gamma: settings.gamma, featureNames: island.features, ...options });
    return spec;
  },

  shardMagic: SHARD_MAGIC,
  encodeShard: (specs, schema, precision) => encodeShard(specs, schema.d, precision),
  decodeShard,
  shardRecordBytes: (spec, schema) => 24 + 8 * (spec.K * (schema.d + 1) + (spec.scale ? schema.d : 0)),
  belongsTo: (spec, island) => spec.d === island.d && spec.gamma === (island.settings as TableIslandSettings).gamma,

  sketch: {
    params(island: IslandView, pairs: number, seed: number) {
      const settings = island.settings as TableIslandSettings;
      return islandSketchParams(island.d, settings.gamma, settingsScale(settings) ?? new Float64Array(island.d).fill(1), pairs, seed);
    },
    sketch: sketchSpec,
  },

  picture: (user, learnwares, settings) => matchPicture(user, learnwares, settingsScale(settings) ?? new Float64Array(user.d).fill(1)),

  columns: tableColumns,
};

/** An island view of table specs (tools and tests that build islands without a catalog). */
export function tableIsland(id: string, features: string[], gamma: number, scale: ArrayLike<number> | null): IslandView {
  return { id, type: RKME_TABLE_TYPE, d: features.length, features, settings: { gamma, scale: scale ? Array.from(scale) : null } satisfies TableIslandSettings };
}
