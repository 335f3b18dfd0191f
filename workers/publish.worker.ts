/**
 * Publish worker: the developer's journey off the main thread — training data in, spec computed,
 * bundle packed and checked (model run by onnxruntime-web, never executed as code), then either
 * handed back for download or published to S3-compatible storage with signed requests. Only the
 * bundle the developer chose to publish leaves the browser; the training rows never do. Texts
 * (docs/text.md §4–§5) are embedded and their languages identified here; their spec and the
 * model's vocabulary go into the bundle, the texts do not.
 */
import * as Comlink from 'comlink';
import {
  checkSemanticSpec,
  InputError,
  packLearnware,
  publishBundle,
  readModelShape,
  modelMismatches,
  s3Store,
  setModelHost,
  tableDataset,
  toFeatureMatrix,
  type CheckReason,
  type ComputeBackend,
  type CheckStatus,
  type ModelShape,
  type PassedCheck,
  type OutputKind,
  type Problem,
  type ProgressCallback,
  type PublishResult,
  type S3Target,
  type SemanticSpec,
  type TableSpecOptions,
  type NamedFile,
  type PackLearnwareInput,
} from '../src/engine/index.js';
import { registerErrorTransfer } from './errors.js';
import { webModelHost } from './model-host.js';
import { progressRelay } from './progress.js';
import { PooledBackends } from './kernel-pool.js';
import { TFJS_WASM_PATHS } from './wasm-paths.js';
import { getImages, getTable, getTexts, isImages, isTexts, loadDataFile, loadTextFolder, textsOfColumn, type LoadedData, type LoadedImages, type LoadedTexts } from './tables.js';
import { embedAndIdentify } from './texts.js';

registerErrorTransfer();
// the checker's probe and the model's shape are read in a Web Worker of their own, stopped at its time limit
setModelHost(webModelHost());

export interface PackRequest {
  /** ONNX model bytes (transferred) */
  model: ArrayBuffer;
  semantic: SemanticSpec;
  labelColumn: string | null;
  dropColumns: string[];
  id: string;
  outputKind: OutputKind;
  classes: string[] | null;
  /** targets of a regression model */
  width: number;
  /** a text model: its vocab.txt (transferred) and, when its input shape leaves it open, the token ids per text */
  text?: { vocab: ArrayBuffer; maxLength?: number };
}

export interface PackResult {
  /** the bundle (transferred) */
  bundle: Uint8Array;
  status: CheckStatus;
  reasons: CheckReason[];
  /** every check the bundle passed, in the order the checker ran them */
  passed: PassedCheck[];
  sha256: string;
  features: string[];
  /** texts: the languages the spec records */
  languages?: string[];
}

/** What the label column's cells say about the task: the page's default for Task and the class names. */
export interface LabelSummary {
  kind: 'numeric' | 'text';
  /** distinct non-missing values, counted up to 1,000 */
  distinct: number;
  /** every numeric value is a whole number */
  integers: boolean;
  /** the distinct values in sorted order when there are at most 50 (the order scikit-learn gives classes) */
  values: string[] | null;
  suggested: 'Classification' | 'Regression';
}

/** Few distinct values (or text) make a classification label; more, or fractions, a regression target. */
const MAX_CLASSES = 20;

let pooled: PooledBackends | null = null;
/** Started on first use, so a failure surfaces in the job that needs it; large data spread over the device's cores (docs/parallel.md). */
function backendFor(rows: number, kind: 'rows' | 'images'): Promise<ComputeBackend> {
  pooled ??= new PooledBackends({ preference: ['wasm', 'cpu', 'ts'], wasmPaths: TFJS_WASM_PATHS });
  return pooled.forJob(rows, kind);
}

const api = {
  /** Every problem of a semantic specification, each naming its field (empty = valid). */
  validateSemantic(semantic: unknown): Problem[] {
    return checkSemanticSpec(semantic);
  },

  loadData(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
    return loadDataFile(bytes, fileName);
  },

  /** A folder of training texts or images ({path, bytes}), or several image files; sub-folders are labels. */
  loadFolder(files: NamedFile[], folder: string): LoadedTexts | LoadedImages {
    return loadTextFolder(files, folder);
  },

  /** A loaded table's text column (and label column) as the training texts. */
  textsOfColumn(tableId: number, column: string, labelColumn?: string): LoadedTexts {
    return textsOfColumn(tableId, column, labelColumn);
  },

  /** The model's declared input and output (names, fixed widths), read without running it. */
  inspectModel(bytes: ArrayBuffer): Promise<ModelShape> {
    return readModelShape(new Uint8Array(bytes));
  },

  /** What stops the model from taking these features or giving these outputs, in plain words (engine modelMismatches). */
  modelFit(shape: ModelShape, features: string[], output: { kind: OutputKind; classes: string[] | null; width?: number }): string[] {
    return modelMismatches(shape, features, output);
  },

  /** The label column's cells summarised: text or numbers, how many distinct values, whole numbers or not. */
  labelSummary(tableId: number, column: string): LabelSummary {
    const found = getTable(tableId).columns.find((c) => c.name === column);
    if (!found) throw new InputError('UNKNOWN_COLUMN', `the table has no column "${column}"`);
    const seen = new Set<string | number>();
    let integers = true;
    if (found.kind === 'text') {
      for (const v of found.values) if (v.trim() !== '' && seen.size <= 1000) seen.add(v.trim());
    } else {
      for (const v of found.values) {
        if (!Number.isFinite(v)) continue;
        if (!Number.isInteger(v)) integers = false;
        if (seen.size <= 1000) seen.add(v);
      }
    }
    const sorted = [...seen].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : a < b ? -1 : a > b ? 1 : 0));
    const classLike = found.kind === 'text' || (integers && seen.size <= MAX_CLASSES);
    return {
      kind: found.kind,
      distinct: seen.size,
      integers: found.kind === 'numeric' && integers,
      values: seen.size <= 50 ? sorted.map(String) : null,
      suggested: classLike ? 'Classification' : 'Regression',
    };
  },

  /** Builds the spec of the training features, packs the bundle and runs the checker (engine packLearnware, as the CLI). */
  async pack(tableId: number, request: PackRequest, onProgress?: ProgressCallback): Promise<PackResult> {
    if (isTexts(tableId)) return packTexts(tableId, request, onProgress);
    if (isImages(tableId)) return packImages(tableId, request, onProgress);
    const drop = [...request.dropColumns, ...(request.labelColumn ? [request.labelColumn] : [])];
    const matrix = toFeatureMatrix(getTable(tableId), { dropColumns: drop });
    return packAndCheck(request, onProgress, async () => ({
      input: { data: tableDataset(matrix), specOptions: { scale: 'std' } satisfies TableSpecOptions },
      report: { features: matrix.featureNames },
    }));
  },

  /** Publishes a USABLE bundle to a catalog in an S3-compatible bucket (signed in this worker). */
  async publish(bundle: ArrayBuffer, target: S3Target): Promise<PublishResult> {
    if (!target.endpoint || !target.bucket || !target.accessKeyId || !target.secretAccessKey) {
      throw new InputError('BAD_TARGET', 'endpoint, bucket, access key and secret key are all needed to publish');
    }
    return publishBundle(
      s3Store(target, (request) => fetch(request)),
      new Uint8Array(bundle),
    );
  },
};

/** The data-specific part of a pack: what packLearnware reads beside the request's model and semantic spec, and what the result adds. */
type PackData = Pick<PackLearnwareInput, 'data' | 'text' | 'specOptions'>;

/** Packs the bundle and runs the checker (engine packLearnware, as the CLI), with `prepare` turning the loaded data into its input under the same progress. */
async function packAndCheck(
  request: PackRequest,
  onProgress: ProgressCallback | undefined,
  prepare: (progress: ProgressCallback | undefined) => Promise<{ input: PackData; report: Pick<PackResult, 'features' | 'languages'> }>,
): Promise<PackResult> {
  const progress = progressRelay(onProgress);
  const { input, report } = await prepare(progress.callback);
  const { bundle, check } = await packLearnware(
    {
      ...input,
      backend: await backendFor(input.data.rows, input.data.kind === 'image' ? 'images' : 'rows'),
      model: new Uint8Array(request.model),
      semantic: request.semantic,
      id: request.id,
      output: { kind: request.outputKind, classes: request.classes, width: request.width },
    },
    { onProgress: progress.callback },
  );
  await progress.flush();
  return Comlink.transfer({ bundle, status: check.status, reasons: check.reasons, passed: check.passed, sha256: check.sha256, ...report }, [bundle.buffer]);
}

/** A text learnware: the texts embedded (their text RKME, docs/text.md §5) and packed with the model's vocabulary. */
async function packTexts(id: number, request: PackRequest, onProgress?: ProgressCallback): Promise<PackResult> {
  const text = request.text;
  if (!text) throw new InputError('NO_VOCAB', 'a text model needs its vocabulary: choose its vocab.txt (one token per line, line i has id i + 2)');
  return packAndCheck(request, onProgress, async (progress) => {
    const texts = await embedAndIdentify(getTexts(id), { onProgress: progress });
    return { input: { data: texts, text: { vocab: new Uint8Array(text.vocab), maxLength: text.maxLength } }, report: { features: [], languages: texts.languages ?? [] } };
  });
}

/** An image learnware (docs/image.md §3–§4): the image RKME of the training images, packed with the model (its input size read from the ONNX file). */
function packImages(id: number, request: PackRequest, onProgress?: ProgressCallback): Promise<PackResult> {
  return packAndCheck(request, onProgress, async () => ({ input: { data: getImages(id) }, report: { features: [] } }));
}

export type PublishWorkerApi = typeof api;

Comlink.expose(api);
