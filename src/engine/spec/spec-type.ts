/**
 * The plug-in contract of a statistical specification type (docs/architecture.md, "Plug-ins").
 * A spec type owns everything that depends on what its specs are: the stat.json layout, how a
 * spec is built from its kind of data, how two specs are compared, what an island of such specs
 * records, how the catalog stores them, what rows the checker feeds a model, and what a model
 * taking this kind of data must accept. The catalog, search, checker, bundle, reuse code, the
 * workers and the UI only ever go through this contract (spec/registry.ts), so a new type
 * (image, text) is one module plus a data loader. Imports only types.
 */
import type { JobOptions } from '../core/progress.js';
import type { Dataset } from '../data/dataset.js';
import type { MarginalSignature } from '../data/marginals.js';
import type { ComputeBackend } from '../kernels/backend.js';
import type { ModelFeed } from '../model/feed.js';

export type { Dataset, ModelFeed };

/** What every statistical specification has, whatever its type. */
export interface StatSpec {
  /** the reference's type string, e.g. "RKMETableSpecification" */
  readonly type: string;
  /** size of the reduced set */
  K: number;
  /** number of rows (images, texts) the spec summarises */
  numPoints: number;
}

/** What a model's manifest says it takes (bundle/manifest.ts `model.input`). */
export interface ModelInputSchema {
  name: string;
  features: string[];
  dtype: string;
  shape: (number | null)[];
  /** text models: how texts become the token ids they take (docs/text.md §4) */
  text?: TextModelInput;
  /** image models: the float32 NCHW images of pixel values 0–255 they take (docs/image.md §4) */
  image?: ImageModelInput;
}

/** An image model's input: [n, channels, height, width], pixel values 0–255 (normalisation is inside the graph). */
export interface ImageModelInput {
  channels: 1 | 3;
  height: number;
  width: number;
  layout: 'NCHW';
  /** the value range of the pixels the model is fed */
  range: [0, 255];
}

/** A text model's tokenizer: the bundle's vocabulary file, its size, and the padded length L. */
export interface TextModelInput {
  /** the vocabulary file in the bundle: one token per line, line i has id i + 2 (0 pads, 1 is unknown) */
  vocab: string;
  vocabSize: number;
  maxLength: number;
  tokenizer: string;
}

/** Where an island of this type sits: its dimension and the names of its model inputs. */
export interface IslandSchema {
  d: number;
  features: string[];
}

/** The JSON-safe comparison settings of an island, owned by its spec type (table: γ and scale). */
export type IslandSettings = Record<string, unknown>;

/** An island as a spec type sees it (catalog/catalog.ts `Island` has these fields and more). */
export interface IslandView extends IslandSchema {
  id: string;
  type: string;
  settings: IslandSettings;
}

/** A problem found in a spec, in the checker's terms. */
export interface SpecProblem {
  code: 'BAD_SPEC' | 'BAD_WEIGHTS' | 'DIMENSION_MISMATCH' | 'SPEC_LIMIT';
  message: string;
}

/** Random-Fourier-feature sketch parameters (sketch layout of large islands, catalog/sketch-index.ts). */
export interface SketchParams {
  d: number;
  /** number of frequency pairs m; sketches have 2m values */
  pairs: number;
  gamma: number;
  /** common per-point-coordinate scale of the island */
  scale: Float64Array;
  /** pairs×d frequencies, row-major */
  omega: Float32Array;
}

/** A picture of a match: user's and learnwares' reduced points on two principal axes. */
export interface PicturePoint {
  x: number;
  y: number;
  /** the point's β in its own spec (as stored, unnormalised) */
  w: number;
}

export interface MatchPicture {
  axes: {
    /** fraction of the cloud's weighted variance along each axis (axis 1, axis 2) */
    explained: number[];
    /** unit direction of each axis in the scaled space (length d each) */
    directions: number[][];
  };
  user: PicturePoint[];
  learnwares: { id: string; points: PicturePoint[] }[];
}

export interface SpecBuildReport {
  requestedK: number;
  K: number;
  warnings: { code: string; message: string }[];
  backend: string;
  ms: number;
}

export interface SpecType<S extends StatSpec = StatSpec, D extends Dataset = Dataset, O extends object = object> {
  /** the stat.json `type` string */
  readonly type: string;
  /** the Dataset kind its specs are built from */
  readonly dataKind: string;
  /** for people: "table RKME" */
  readonly label: string;

  /** Parses an already-decoded stat.json object (FormatError naming the field on any problem). */
  fromObject(data: Record<string, unknown>): S;
  toJson(spec: S): string;
  /** A sentence for the model card. */
  describe(spec: S): string;

  /** Builds a developer's spec (the type's defaults; `options` are the type's own). */
  build(backend: ComputeBackend, data: D, options: O & JobOptions): Promise<{ spec: S; report: SpecBuildReport }>;

  /** Problems of a spec read from a bundle, against the model input it claims to describe. */
  check(spec: S, input: ModelInputSchema): SpecProblem[];
  /** Model inputs for the checker's run: rows drawn from the spec itself (deterministic). */
  probeFeed(spec: S, input: ModelInputSchema, counts: { herded: number; random: number }): ModelFeed;
  /** Pseudo-rows drawn from the spec in the model's input space, row-major count×d (job selector). */
  samples(spec: S, count: number, seed: number): Float64Array;

  /** What an island's learnwares take, for people: "texts embedded by glove-100d-50k@1" (optional: its input names, comma-separated). */
  describeInput?(island: IslandSchema): string;
  /** The island a learnware joins: its dimension and input names. */
  islandSchema(spec: S, input: ModelInputSchema): IslandSchema;
  /** The comparison settings of an island of these specs (JSON-safe). */
  islandSettings(specs: readonly S[], schema: IslandSchema): IslandSettings;
  /** Validates settings read from a catalog index; returns a problem or null. */
  checkSettings(settings: unknown, schema: IslandSchema): string | null;
  /** ⟨Φa, Φb⟩ under an island's settings. */
  innerProduct(a: S, b: S, settings: IslandSettings): number;
  /** The settings under which a spec compares with itself (its own γ and scale). */
  ownSettings(spec: S): IslandSettings;

  /**
   * Why a learnware's spec may not be compared with the user's although they share an island
   * (text: a language of the user's texts that the learnware's lack), or null (optional: always comparable).
   */
  incomparable?(user: S, learnware: S): string | null;
  /** Whether a user's data can be compared with this island (same columns, any order). */
  matchesIsland(island: IslandView, data: D): boolean;
  /** The user's spec under the island's settings, its columns put in the island's order. */
  userSpec(backend: ComputeBackend, data: D, island: IslandView, options: JobOptions): Promise<S>;

  /** First four bytes of this type's shard files (fetching refuses other files as shards). */
  readonly shardMagic: readonly number[];
  /** Binary shard of an island's specs (docs/catalog-format.md) and its reader. */
  encodeShard(specs: readonly S[], schema: IslandSchema, precision?: 'f64' | 'f32'): { bytes: Uint8Array; offsets: number[] };
  decodeShard(bytes: Uint8Array): S[];
  /** Bytes one spec takes in a Float64 shard (chooses the island layout before encoding). */
  shardRecordBytes(spec: S, schema: IslandSchema): number;
  /** Whether a decoded spec belongs to an island (sketch re-rank files). */
  belongsTo(spec: S, island: IslandView): boolean;

  /** Sketch layout support (large islands); absent = shard layout only. */
  readonly sketch?: {
    params(island: IslandView, pairs: number, seed: number): SketchParams;
    sketch(spec: S, params: SketchParams, out?: Float64Array): Float64Array;
  };
  /** The user's and a few learnwares' reduced points on two axes (optional). */
  picture?(user: S, learnwares: readonly { id: string; spec: S }[], settings: IslandSettings): MatchPicture;
  /** Specs whose points hold one value per named column (tables): search and reuse across feature spaces (optional). */
  readonly columns?: ColumnarSpecs<S>;
}

/**
 * What search and reuse across feature spaces need of a spec type whose points have named columns
 * (docs/heterogeneous.md): signatures of its columns, specs restricted to the columns a user has,
 * and the columns a user lacks filled from a spec given the ones the user has.
 */
export interface ColumnarSpecs<S extends StatSpec = StatSpec> {
  /** Each column's marginal signature over these specs' reduced points (each spec by its β, the specs equally). */
  signatures(specs: readonly S[]): (MarginalSignature | null)[];
  /** The spec on the columns `keep` only (for a product kernel, exactly the embedding of those columns' marginal). */
  project(spec: S, keep: readonly number[]): S;
  /** The island settings on the columns `keep` only. */
  projectSettings(settings: IslandSettings, keep: readonly number[]): IslandSettings;
  /**
   * Rows (row-major rows × d, NaN where unknown) with their unknown cells filled from the spec:
   * for each row, the reduced points weighted by β and by the kernel on the known columns.
   */
  fill(spec: S, values: Float64Array, rows: number, settings: IslandSettings): Float64Array;
}
