/**
 * A learnware ready to predict: its bundle checked (USABLE only), its ONNX model loaded with the
 * execution providers the caller chose (WebGPU when the browser has it, WASM otherwise), and its
 * predictions on the user's rows — columns fed to the model's features by a column aligner
 * (align.ts; by name unless told otherwise), rows sent in batches through the model's run queue.
 */
import { InputError } from '../core/errors.js';
import { throwIfCancelled } from '../core/errors.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import { checkBundle, type CheckOptions } from '../bundle/checker.js';
import type { Manifest } from '../bundle/manifest.js';
import { readZip } from '../core/zip.js';
import { loadModel, type HostedModel } from '../model/host.js';
import { ModelError, type RunnerOptions } from '../model/onnx-runner.js';
import { decodeText } from '../data/text.js';
import { encodeTokenIds, parseVocab, type Vocab } from '../data/token-ids.js';
import type { ImageDataset } from '../data/image.js';
import { modelPixels } from '../data/image-resize.js';
import { specType } from '../spec/registry.js';
import type { StatSpec } from '../spec/spec-type.js';
import { columnsByName, defaultAligner, type ColumnAligner } from './align.js';
import { fromModelOutput, type Predictions, type TaskKind } from './predictions.js';

export interface Learnware {
  id: string;
  name: string;
  /** SHA-256 of the bundle */
  sha256: string;
  manifest: Manifest;
  spec: StatSpec;
  /** loaded in the model host (model/host.ts): a worker that is stopped at a run's time limit or on cancel */
  model: HostedModel;
  /** a text model's vocabulary (docs/text.md §4): how the user's texts become its token ids */
  vocab?: Vocab;
}

/**
 * The features of the space the learnware's spec lives in, which the reuse methods see: a table
 * model's input features; for a text model, the embedding dimensions (its island's "columns"); for
 * an image model, the feature network's dimensions (docs/image.md §5).
 */
export function learnwareFeatures(lw: Pick<Learnware, 'manifest' | 'spec'>): string[] {
  const input = lw.manifest.model.input;
  return input.text || input.image ? specType(lw.spec.type).islandSchema(lw.spec, input).features : input.features;
}

/** Checks a bundle and loads its model; anything but USABLE is refused with the checker's reasons. */
export async function loadLearnware(bundle: Uint8Array, options: RunnerOptions & CheckOptions = {}): Promise<Learnware> {
  const result = await checkBundle(bundle, options);
  if (result.status !== 'USABLE') {
    const reasons = result.reasons.map((r) => r.message).join('; ');
    throw new ModelError('NOT_USABLE', `the bundle ${result.manifest?.id ?? ''} is ${result.status}: ${reasons}`.replace('  ', ' '), { status: result.status });
  }
  const manifest = result.manifest!;
  const files = readZip(bundle, options.zipLimits);
  const text = manifest.model.input.text;
  const vocab = text ? parseVocab(decodeText(files.get(text.vocab)!, text.vocab)) : undefined;
  const model = await loadModel(files.get(manifest.model.file)!, { executionProviders: options.executionProviders, host: options.host });
  return { id: manifest.id, name: manifest.name, sha256: result.sha256, manifest, spec: result.spec!, model, ...(vocab ? { vocab } : {}) };
}

/**
 * For each of the learnware's features, the user's column holding it (matched by name). Throws
 * MISSING_COLUMNS naming every feature the user's table lacks.
 */
export function alignColumns(userColumns: readonly string[], features: readonly string[]): Int32Array {
  return columnsByName(userColumns, features);
}

/** The user's rows as the learnware's inputs (row-major rows × features), by the given aligner (default: by name). */
export function alignRows(values: Float64Array, rows: number, userColumns: readonly string[], features: readonly string[], aligner: ColumnAligner = defaultAligner): Float64Array {
  return aligner.align(userColumns, { features }).apply(values, rows);
}

export interface PredictOptions extends JobOptions {
  /** rows per model run (default 4,096) */
  batch?: number;
  /** how the user's columns feed the model (default: by exact name) */
  aligner?: ColumnAligner;
  /** the user's texts, for text models (their rows are the texts' embeddings) */
  texts?: readonly string[];
  /** the user's images, for image models (their rows are the images' features); each batch is resized to the model's own input size */
  images?: ImageDataset;
}

/** Runs the learnware on the user's rows; non-finite inputs or outputs are clear errors. */
export async function predictLearnware(lw: Learnware, values: Float64Array, rows: number, userColumns: readonly string[], options: PredictOptions = {}): Promise<Predictions> {
  if (lw.manifest.model.input.text) return predictTexts(lw, rows, options);
  if (lw.manifest.model.input.image) return predictImages(lw, rows, options);
  if (options.images && !options.texts) {
    throw new InputError('NOT_AN_IMAGE_MODEL', `${lw.id} takes ${lw.manifest.model.input.features.length} table features, not images: reuse a learnware made for images`);
  }
  const mapping = (options.aligner ?? defaultAligner).align(userColumns, lw.manifest.model.input);
  const features = mapping.features;
  const x = mapping.apply(values, rows);
  const d = features.length;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      const r = Math.floor(i / d);
      throw new InputError(
        'NON_FINITE_INPUT',
        `row ${r + 1}, column "${features[i % d]}" is empty or not a number; fill or drop such rows, or let the dock fill empty cells with column means (the fill-missing option)`,
        { row: r + 1, column: features[i % d] },
      );
    }
  }
  const { kind, classes, shape } = lw.manifest.model.output;
  const width = shape[1];
  const raw = new Float32Array(rows * width);
  const batch = Math.max(1, options.batch ?? 4096);
  const progress = new PhaseReporter(options.onProgress, 'predict', lw.id, rows, 'rows');
  for (let start = 0; start < rows; start += batch) {
    throwIfCancelled(options.signal);
    const n = Math.min(batch, rows - start);
    // a run that passes its time limit (MODEL_TIMEOUT) or is cancelled is stopped by the model host
    const out = await lw.model.run(Float32Array.from(x.subarray(start * d, (start + n) * d)), n, d, { signal: options.signal });
    if (out.values.length !== n * width) throw new ModelError('MODEL_OUTPUT', `${lw.id} returned ${out.values.length} values for ${n} rows × ${width}`);
    for (let i = 0; i < out.values.length; i++) {
      if (!Number.isFinite(out.values[i])) throw new ModelError('MODEL_OUTPUT', `${lw.id} returned a non-finite value for row ${start + Math.floor(i / width) + 1}`);
    }
    raw.set(out.values, start * width);
    progress.update(start + n);
  }
  progress.finish();
  return fromModelOutput(raw, rows, width, kind, classes);
}

/** A text model on the user's texts: each batch tokenized with the model's own vocabulary and padded to its L. */
async function predictTexts(lw: Learnware, rows: number, options: PredictOptions): Promise<Predictions> {
  const texts = options.texts;
  if (!texts || texts.length !== rows || !lw.vocab) throw new InputError('NOT_A_TEXT_MODEL', `${lw.id} takes texts; give the texts (not a table) to reuse it`);
  const L = lw.manifest.model.input.text!.maxLength;
  const { kind, classes, shape } = lw.manifest.model.output;
  const width = shape[1];
  const raw = new Float32Array(rows * width);
  const batch = Math.max(1, Math.min(options.batch ?? 4096, Math.floor(2 ** 22 / L)));
  const progress = new PhaseReporter(options.onProgress, 'predict', lw.id, rows, 'rows');
  for (let start = 0; start < rows; start += batch) {
    throwIfCancelled(options.signal);
    const n = Math.min(batch, rows - start);
    const ids = encodeTokenIds(texts.slice(start, start + n), lw.vocab, L);
    const out = await lw.model.runFeed({ dtype: 'int64', data: ids, dims: [n, L] }, { signal: options.signal });
    if (out.values.length !== n * width) throw new ModelError('MODEL_OUTPUT', `${lw.id} returned ${out.values.length} values for ${n} texts × ${width}`);
    for (let i = 0; i < out.values.length; i++) {
      if (!Number.isFinite(out.values[i])) throw new ModelError('MODEL_OUTPUT', `${lw.id} returned a non-finite value for text ${start + Math.floor(i / width) + 1}`);
    }
    raw.set(out.values, start * width);
    progress.update(start + n);
  }
  progress.finish();
  return fromModelOutput(raw, rows, width, kind, classes);
}

/** Float32 values one image-model run is fed at most (16 MiB), so a batch of large images stays small. */
const IMAGE_BATCH_VALUES = 2 ** 22;

/**
 * An image model on the user's images (docs/image.md §4): each batch resized to the model's own
 * input size (data/image-resize.ts modelPixels: float32 [n, C, H, W], values 0–255).
 */
async function predictImages(lw: Learnware, rows: number, options: PredictOptions): Promise<Predictions> {
  const images = options.images;
  const size = lw.manifest.model.input.image!;
  if (!images || images.rows !== rows) {
    throw new InputError(
      'NOT_AN_IMAGE_MODEL',
      `${lw.id} takes images (${size.channels === 1 ? 'grey' : 'RGB'}, ${size.width}×${size.height}); give the ${rows} images (not a table) to reuse it`,
      {
        rows,
        images: images?.rows ?? null,
      },
    );
  }
  const { kind, classes, shape } = lw.manifest.model.output;
  const width = shape[1];
  const per = size.channels * size.height * size.width;
  const raw = new Float32Array(rows * width);
  const batch = Math.max(1, Math.min(options.batch ?? 4096, Math.floor(IMAGE_BATCH_VALUES / per)));
  const progress = new PhaseReporter(options.onProgress, 'predict', lw.id, rows, 'rows');
  for (let start = 0; start < rows; start += batch) {
    throwIfCancelled(options.signal);
    const n = Math.min(batch, rows - start);
    const pixels = modelPixels(images, start, n, size);
    const out = await lw.model.runFeed({ dtype: 'float32', data: pixels, dims: [n, size.channels, size.height, size.width] }, { signal: options.signal });
    if (out.values.length !== n * width) throw new ModelError('MODEL_OUTPUT', `${lw.id} returned ${out.values.length} values for ${n} images × ${width}`);
    for (let i = 0; i < out.values.length; i++) {
      if (!Number.isFinite(out.values[i])) {
        const r = start + Math.floor(i / width);
        throw new ModelError('MODEL_OUTPUT', `${lw.id} returned a non-finite value for image ${r + 1} (${images.sources[r] ?? ''})`.replace(' ()', ''));
      }
    }
    raw.set(out.values, start * width);
    progress.update(start + n);
  }
  progress.finish();
  return fromModelOutput(raw, rows, width, kind, classes);
}

/** The task the learnwares solve, from their manifests (the union of their classes, in order). */
export function learnwareTask(learnwares: readonly Learnware[]): { kind: TaskKind; classes: string[] | null } {
  if (learnwares.length === 0) throw new InputError('NO_LEARNWARES', 'reuse needs at least one learnware');
  const regression = learnwares.map((lw) => lw.manifest.model.output.kind === 'regression');
  if (regression.some((r) => r !== regression[0])) throw new InputError('MIXED_TASKS', 'the learnwares mix regression and classification; reuse learnwares of one task');
  if (regression[0]) return { kind: 'regression', classes: null };
  const classes: string[] = [];
  for (const lw of learnwares) for (const c of lw.manifest.model.output.classes ?? []) if (!classes.includes(c)) classes.push(c);
  return { kind: 'classification', classes };
}
