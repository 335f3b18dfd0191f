/**
 * The image RKME as a spec-type plug-in (spec/spec-type.ts; docs/image.md §3): reduced images Z with
 * weights β, compared through their table view — the table RKME of ψ(Z) (view.ts) — as spec/text
 * wraps its `rkme`. Islands of image specs are keyed by the feature network and the channels (their
 * "columns" are ψ's 256 dimensions, `${network}:c${C}:${i}`), so grey and colour images, or two
 * networks, never meet; a reference spec (its own kernel, standardised pixels) loads and is never
 * compared. Image models take float32 NCHW pixels 0–255 at their own size, so the checker's probes
 * are images: random ones and the spec's own reduced images.
 */
import { InputError } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import type { JobOptions } from '../../core/progress.js';
import type { ComputeBackend } from '../../kernels/backend.js';
import { IMAGE_DATASET, SPEC_IMAGE_SIZE, type ImageDataset } from '../../data/image.js';
import { resizeImage, specPixels } from '../../data/image-resize.js';
import type { IslandSchema, IslandSettings, IslandView, ModelInputSchema, SpecProblem, SpecType } from '../spec-type.js';
import { tableSpecType } from '../table/index.js';
import { herdSamples } from '../table/herding.js';
import { buildImageRkme, chooseImages, DEFAULT_MAX_IMAGES, type ImageSpecOptions } from './build.js';
import { IMAGE_FEATURE_DIM, IMAGE_NETWORK, imageFeatureNames } from './features.js';
import { decodeImageShard, encodeImageShard, IMAGE_SHARD_MAGIC } from './shard.js';
import { imageSpecFromObject, imageSpecToJson } from './stat-json.js';
import { REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';
import { tableView } from './view.js';

export { buildImageRkme, chooseImages, type ImageSpecOptions } from './build.js';
export { IMAGE_FEATURE_DIM, IMAGE_GAMMA, IMAGE_NETWORK, imageFeatureNames, imageFeatures, imageFeaturesSync, imageNetwork, pixelFeatures } from './features.js';
export { IMAGE_SPEC_LIMITS, REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from './types.js';
export { tableView } from './view.js';

/** The table view of an image island (the same id, dimension names and settings). */
const asTable = (island: IslandView): IslandView => ({ ...island, type: tableSpecType.type });

const sameNames = (island: IslandSchema, names: readonly string[]) => island.d === names.length && island.features.every((f, i) => f === names[i]);

/** The images a spec is built from: all, or the seeded sample of maxImages (their pixels only are resized). */
async function buildFrom(backend: ComputeBackend, data: ImageDataset, options: ImageSpecOptions) {
  if (data.rows < 1) throw new InputError('NO_ROWS', 'there are no images to build a spec from');
  const rows = chooseImages(data.rows, options.maxImages ?? DEFAULT_MAX_IMAGES, options.seed ?? 0);
  const chosen: ImageDataset = rows ? { ...data, rows: rows.length, images: Array.from(rows, (r) => data.images[r]), sources: Array.from(rows, (r) => data.sources[r]) } : data;
  const built = await buildImageRkme(backend, specPixels(chosen), chosen.rows, data.channels, { ...options, numPoints: data.rows });
  // every image's ψ is known now: reuse's job selector reads them as the data set's rows
  if (!rows) data.features = { values: built.features, dim: IMAGE_FEATURE_DIM, network: IMAGE_NETWORK };
  return built;
}

/** Reduced image i as an 8-bit image (channels last), for resizing to a model's input. */
function reducedImage(spec: RkmeImageSpec, i: number) {
  const C = spec.channels;
  const plane = SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE;
  const pixels = new Uint8Array(plane * C);
  for (let c = 0; c < C; c++) for (let p = 0; p < plane; p++) pixels[p * C + c] = Math.round(255 * Math.min(1, Math.max(0, spec.z[(i * C + c) * plane + p])));
  return { width: SPEC_IMAGE_SIZE, height: SPEC_IMAGE_SIZE, channels: C, pixels };
}

export const imageSpecType: SpecType<RkmeImageSpec, ImageDataset, ImageSpecOptions> = {
  type: RKME_IMAGE_TYPE,
  dataKind: IMAGE_DATASET,
  label: 'image RKME',

  fromObject: imageSpecFromObject,
  toJson: imageSpecToJson,
  describe: (spec) =>
    `${spec.K} reduced images summarise ${spec.numPoints.toLocaleString('en')} ${spec.channels === 1 ? 'grey' : 'colour'} images` +
    (spec.network === REFERENCE_NETWORK
      ? ' (made by the reference’s learnware package; not comparable with this dock’s specs)'
      : `, compared by ${spec.network} features (γ = ${spec.gamma})`),

  async build(backend: ComputeBackend, data: ImageDataset, options: ImageSpecOptions & JobOptions) {
    const { spec, report } = await buildFrom(backend, data, options);
    return { spec, report };
  },

  check(spec: RkmeImageSpec, input: ModelInputSchema): SpecProblem[] {
    const problems = tableSpecType.check(tableView(spec), { ...input, features: imageFeatureNames(spec.channels, spec.network) });
    const image = input.image;
    const shape = input.shape;
    if (input.dtype !== 'float32' || !image) {
      problems.push({
        code: 'DIMENSION_MISMATCH',
        message: `an image spec describes a model that takes float32 images (model.input.image), this model takes ${input.dtype}${image ? '' : ' without an image input'}`,
      });
    } else if (shape.length !== 4 || shape[0] !== null || shape[1] !== image.channels || shape[2] !== image.height || shape[3] !== image.width) {
      problems.push({
        code: 'DIMENSION_MISMATCH',
        message: `an image model's input shape must be [null, C, H, W] = [null, ${image.channels}, ${image.height}, ${image.width}], got ${JSON.stringify(shape)}`,
      });
    } else if (image.channels !== spec.channels) {
      problems.push({ code: 'DIMENSION_MISMATCH', message: `the spec summarises ${spec.channels === 1 ? 'grey' : 'colour'} images, the model takes ${image.channels} channels` });
    }
    return problems;
  },

  probeFeed(spec: RkmeImageSpec, input: ModelInputSchema, counts: { herded: number; random: number }) {
    const image = input.image;
    if (!image) throw new InputError('NOT_AN_IMAGE_MODEL', 'the model input has no image size (model.input.image)');
    const size = { channels: image.channels, height: image.height, width: image.width };
    const per = size.channels * size.height * size.width;
    const rows = counts.herded + counts.random;
    const data = new Float32Array(rows * per);
    // the spec's reduced images drawn by β (as the reference herds), ×255, at the model's size
    const prng = new Prng(1);
    const weights = Float64Array.from(spec.beta, (b) => Math.max(b, 0));
    const total = weights.reduce((s, w) => s + w, 0);
    const resized = new Map<number, Float64Array>();
    for (let r = 0; r < counts.herded; r++) {
      const i = total > 0 ? prng.nextWeighted(weights, total) : r % spec.K;
      let pixels = resized.get(i);
      if (!pixels) resized.set(i, (pixels = resizeImage(reducedImage(spec, i), size)));
      data.set(pixels, r * per);
    }
    // random images, every pixel uniform in 0–255
    const noise = new Prng(2);
    for (let j = counts.herded * per; j < data.length; j++) data[j] = noise.nextInt(256);
    return { dtype: 'float32' as const, data, dims: [rows, size.channels, size.height, size.width] };
  },

  // herded in ψ space with noise a quarter of the data's spread per feature: γ is 1/median squared
  // distance (§2), so one feature spreads ≈ √(1/(2γd)); the table's 0.25 raw units would be 8× that
  samples: (spec, count, seed) => herdSamples(tableView(spec), count, { seed, noise: 0.25 * Math.sqrt(1 / (2 * spec.gamma * IMAGE_FEATURE_DIM)), poolFactor: 20 }),

  describeInput: (island) => {
    const match = /^(.*):c([13]):0$/.exec(island.features[0] ?? '');
    return match ? `${match[2] === '1' ? 'grey' : 'colour'} images compared by ${match[1]} features` : 'images';
  },

  islandSchema: (spec) => ({ d: IMAGE_FEATURE_DIM, features: imageFeatureNames(spec.channels, spec.network) }),
  // γ is the network's (docs/image.md §2), in ψ's own units: no per-island scale
  islandSettings: (specs) => ({ gamma: specs[0].gamma, scale: null }),
  checkSettings(settings, schema) {
    const problem = tableSpecType.checkSettings(settings, schema);
    if (problem) return problem;
    return (settings as { scale: unknown }).scale === null ? null : 'settings.scale must be null (image islands compare ψ in its own units)';
  },
  innerProduct: (a, b, settings: IslandSettings) => tableSpecType.innerProduct(tableView(a), tableView(b), settings),
  ownSettings: (spec) => ({ gamma: spec.gamma, scale: null }),

  incomparable(user: RkmeImageSpec, learnware: RkmeImageSpec): string | null {
    if (learnware.network === REFERENCE_NETWORK) return 'its spec was made by the reference’s learnware package (another kernel, on standardised pixels)';
    if (learnware.network !== user.network) return `its images are compared by ${learnware.network} features, the user's by ${user.network}`;
    if (learnware.channels !== user.channels) return `its images are ${learnware.channels === 1 ? 'grey' : 'colour'}, the user's ${user.channels === 1 ? 'grey' : 'colour'}`;
    if (learnware.gamma !== user.gamma) return `its kernel has γ = ${learnware.gamma}, the user's ${user.gamma}`;
    return null;
  },

  matchesIsland: (island: IslandView, data: ImageDataset) => sameNames(island, imageFeatureNames(data.channels)),

  async userSpec(backend: ComputeBackend, data: ImageDataset, island: IslandView, options: JobOptions): Promise<RkmeImageSpec> {
    const gamma = (island.settings as { gamma?: unknown }).gamma;
    return (await buildFrom(backend, data, { ...options, gamma: typeof gamma === 'number' ? gamma : undefined })).spec;
  },

  shardMagic: IMAGE_SHARD_MAGIC,
  encodeShard: (specs, _schema, precision) => encodeImageShard(specs, precision),
  decodeShard: decodeImageShard,
  shardRecordBytes: (spec, schema) => 512 + spec.K * spec.channels * SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE + tableSpecType.shardRecordBytes(tableView(spec), schema),
  belongsTo: (spec, island) => sameNames(island, imageFeatureNames(spec.channels, spec.network)) && tableSpecType.belongsTo(tableView(spec), asTable(island)),

  picture: (user, learnwares, settings) =>
    tableSpecType.picture!(
      tableView(user),
      learnwares.map((l) => ({ id: l.id, spec: tableView(l.spec) })),
      settings,
    ),
};
