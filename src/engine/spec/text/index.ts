/**
 * The text RKME as a spec-type plug-in (spec/spec-type.ts; docs/text.md §5): the table RKME of the
 * texts' embeddings (the reference's method), wrapped with the texts' languages and the embedder.
 * Islands of text specs are keyed by the embedder (their "columns" are its dimensions), so specs of
 * different embedders never meet; within an island, a learnware whose languages lack one of the
 * user's is not compared (the reference's language filter). Text models take token ids, so the
 * checker's probes are token-id rows: random ids, the vocabulary's own words in order, and one empty text.
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import type { ComputeBackend } from '../../kernels/backend.js';
import { tableDataset } from '../../data/dataset.js';
import { languagesCovered } from '../../data/language.js';
import { embeddingDimensions, sameEmbedder, TEXT_DATASET, type TextDataset } from '../../data/text.js';
import type { JobOptions } from '../../core/progress.js';
import type { IslandSchema, IslandView, ModelInputSchema, SpecProblem, SpecType } from '../spec-type.js';
import type { TableSpecOptions } from '../table/build.js';
import { tableSpecType } from '../table/index.js';
import { decodeTextShard, encodeTextShard, TEXT_SHARD_MAGIC } from './shard.js';
import { textSpecFromObject, textSpecToJson } from './stat-json.js';
import { RKME_TEXT_TYPE, type RkmeTextSpec } from './types.js';

/** The text RKME's defaults are the reference's: the table RKME with γ = 0.1 in raw embedding units (docs/text.md §5). */
export type TextSpecOptions = Omit<TableSpecOptions, 'featureNames'>;

/** Longest token-id row a text model may take (the probe and every batch are n × L). */
export const MAX_TEXT_LENGTH = 4096;

function embeddedTexts(data: TextDataset) {
  const embedding = data.embedding;
  if (!embedding) throw new InputError('NOT_EMBEDDED', 'the texts have not been embedded yet (embed them with the dock’s embedder first)');
  return { embedding, table: tableDataset({ values: embedding.values, rows: data.rows, cols: embedding.dim, featureNames: embeddingDimensions(embedding.embedder) }) };
}

function wrap(rkme: RkmeTextSpec['rkme'], data: TextDataset): RkmeTextSpec {
  return { type: RKME_TEXT_TYPE, K: rkme.K, numPoints: rkme.numPoints, rkme, language: data.languages ?? [], embedder: data.embedding!.embedder };
}

/** The table view of a text island (the same id, dimension names and settings). */
const asTable = (island: IslandView): IslandView => ({ ...island, type: tableSpecType.type });

export const textSpecType: SpecType<RkmeTextSpec, TextDataset, TextSpecOptions> = {
  type: RKME_TEXT_TYPE,
  dataKind: TEXT_DATASET,
  label: 'text RKME',

  fromObject: textSpecFromObject,
  toJson: textSpecToJson,
  describe: (spec) =>
    `${spec.K} reduced points summarise ${spec.numPoints.toLocaleString('en')} texts embedded by ${spec.embedder.id} (${spec.embedder.dim} dimensions; γ = ${spec.rkme.gamma}); languages: ${spec.language.join(', ') || 'unknown'}`,

  async build(backend: ComputeBackend, data: TextDataset, options: TextSpecOptions & JobOptions) {
    const { table } = embeddedTexts(data);
    const { spec, report } = await tableSpecType.build(backend, table, options);
    return { spec: wrap(spec, data), report };
  },

  check(spec: RkmeTextSpec, input: ModelInputSchema): SpecProblem[] {
    const problems = tableSpecType.check(spec.rkme, { ...input, features: embeddingDimensions(spec.embedder) });
    const text = input.text;
    if (input.dtype !== 'int64' || !text)
      problems.push({ code: 'DIMENSION_MISMATCH', message: `a text spec describes a model that takes token ids (int64), this model takes ${input.dtype}` });
    return problems;
  },

  probeFeed(_spec: RkmeTextSpec, input: ModelInputSchema, counts: { herded: number; random: number }) {
    const text = input.text;
    if (!text) throw new InputError('NOT_A_TEXT_MODEL', 'the model input has no tokenizer (model.input.text)');
    const L = text.maxLength;
    const V = text.vocabSize;
    const rows = counts.herded + counts.random + 1;
    const data = new BigInt64Array(rows * L);
    const prng = new Prng(3);
    // the vocabulary's words in order, a run of varying length per row (short rows are padded)
    let next = 0;
    for (let r = 0; r < counts.herded; r++) {
      const length = 1 + prng.nextInt(L);
      for (let t = 0; t < length; t++, next = (next + 1) % V) data[r * L + t] = BigInt(next + 2);
    }
    // random ids over the whole range, the unknown id included
    for (let r = counts.herded; r < counts.herded + counts.random; r++) {
      const length = 1 + prng.nextInt(L);
      for (let t = 0; t < length; t++) data[r * L + t] = BigInt(1 + prng.nextInt(V + 1));
    }
    // the last row stays all padding: a text model must take an empty text
    return { dtype: 'int64' as const, data, dims: [rows, L] };
  },

  samples: (spec, count, seed) => tableSpecType.samples(spec.rkme, count, seed),

  describeInput: (island) => `texts embedded by ${island.features[0]?.replace(/:0$/, '') ?? 'an unknown embedder'} (${island.d} dimensions)`,

  islandSchema: (spec) => ({ d: spec.rkme.d, features: embeddingDimensions(spec.embedder) }),
  // raw embedding units, as the specs are built (§5): the table's pooled per-feature scale puts
  // passages ~180 squared units apart, where γ = 0.1 leaves every kernel value near 0 (docs/text.md §7)
  islandSettings: (specs, schema: IslandSchema) => ({
    ...tableSpecType.islandSettings(
      specs.map((s) => s.rkme),
      schema,
    ),
    scale: null,
  }),
  checkSettings: (settings, schema) => tableSpecType.checkSettings(settings, schema),
  innerProduct: (a, b, settings) => tableSpecType.innerProduct(a.rkme, b.rkme, settings),
  ownSettings: (spec) => tableSpecType.ownSettings(spec.rkme),

  incomparable(user: RkmeTextSpec, learnware: RkmeTextSpec): string | null {
    if (!sameEmbedder(user.embedder, learnware.embedder))
      return `embedded by ${learnware.embedder.id} ${learnware.embedder.version}, the user's texts by ${user.embedder.id} ${user.embedder.version}`;
    if (!languagesCovered(user.language, learnware.language)) {
      return `its texts are in ${learnware.language.join(', ') || 'unknown languages'}, the user's also in ${user.language.filter((l) => !learnware.language.includes(l)).join(', ')}`;
    }
    return null;
  },

  matchesIsland(island: IslandView, data: TextDataset): boolean {
    if (!data.embedding) return false;
    const dims = embeddingDimensions(data.embedding.embedder);
    return island.d === dims.length && island.features.every((f, i) => f === dims[i]);
  },

  async userSpec(backend: ComputeBackend, data: TextDataset, island: IslandView, options: JobOptions): Promise<RkmeTextSpec> {
    const { table } = embeddedTexts(data);
    return wrap(await tableSpecType.userSpec(backend, table, asTable(island), options), data);
  },

  shardMagic: TEXT_SHARD_MAGIC,
  encodeShard: (specs, schema, precision) => encodeTextShard(specs, schema.d, precision),
  decodeShard: decodeTextShard,
  shardRecordBytes: (spec, schema) => 64 + tableSpecType.shardRecordBytes(spec.rkme, schema),
  belongsTo: (spec, island) => {
    const dims = embeddingDimensions(spec.embedder);
    return island.d === dims.length && island.features.every((f, i) => f === dims[i]) && tableSpecType.belongsTo(spec.rkme, asTable(island));
  },

  picture: (user, learnwares, settings) =>
    tableSpecType.picture!(
      user.rkme,
      learnwares.map((l) => ({ id: l.id, spec: l.spec.rkme })),
      settings,
    ),
};
