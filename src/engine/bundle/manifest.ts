/**
 * The bundle manifest `learnware.json` (docs/bundle-format.md): identity, semantic spec, the
 * model's input/output contract, the spec files, and a SHA-256 and size for every other file.
 */
import type { ErrorCode } from '../core/errors.js';
import { TOKENIZER_ID } from '../data/text.js';
import type { ImageModelInput, TextModelInput } from '../spec/spec-type.js';
import type { Problem, SemanticSpec } from './semantic.js';
import { checkSemanticSpec } from './semantic.js';

export const BUNDLE_FORMAT = 'learnware-dock/bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'learnware.json';

export type OutputKind = 'probabilities' | 'labels' | 'regression';

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  /** lower-case letters, digits, '.', '_', '-'; 1–64 characters */
  id: string;
  name: string;
  /** ISO 8601 */
  createdAt: string;
  semantic: SemanticSpec;
  model: {
    file: string;
    format: 'onnx';
    /**
     * tables: float32 [n, features]; text (docs/text.md §4): int64 token ids [n, L], no features, `text` says how texts become ids;
     * images (docs/image.md §4): float32 pixels 0–255 [n, C, H, W], no features, `image` says their size
     */
    input: { name: string; features: string[]; dtype: 'float32' | 'int64'; shape: [null, number] | [null, number, number, number]; text?: TextModelInput; image?: ImageModelInput };
    output: { name: string; kind: OutputKind; classes: string[] | null; shape: [null, number] };
  };
  specs: { file: string; type: string }[];
  files: Record<string, { sha256: string; size: number }>;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Every structural problem of a manifest (semantic rules included); empty = well formed. */
export function checkManifest(value: unknown): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string, code?: ErrorCode) => problems.push({ field, message, ...(code ? { code } : {}) });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ field: '', message: 'learnware.json must be a JSON object' }];
  const m = value as Record<string, unknown>;
  if (m.format !== BUNDLE_FORMAT) add('format', `format must be "${BUNDLE_FORMAT}"`);
  if (m.formatVersion !== BUNDLE_FORMAT_VERSION) add('formatVersion', `formatVersion ${JSON.stringify(m.formatVersion)} is not supported (this version reads ${BUNDLE_FORMAT_VERSION})`);
  if (typeof m.id !== 'string' || !ID.test(m.id)) add('id', 'id must be 1–64 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit');
  if (typeof m.name !== 'string' || m.name.trim() === '' || m.name.length > 200) add('name', 'name must be a non-empty string of at most 200 characters');
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) add('createdAt', 'createdAt must be an ISO 8601 date');
  for (const p of checkSemanticSpec(m.semantic)) add(`semantic.${p.field}`, p.message);

  const model = m.model as Record<string, unknown> | undefined;
  if (!model || typeof model !== 'object') add('model', 'model is missing');
  else {
    if (model.format !== 'onnx') add('model.format', 'model.format must be "onnx"');
    if (typeof model.file !== 'string') add('model.file', 'model.file must name the model file');
    const input = model.input as Record<string, unknown> | undefined;
    if (!input || typeof input !== 'object') add('model.input', 'model.input is missing');
    else {
      if (typeof input.name !== 'string' || input.name === '') add('model.input.name', 'model.input.name must be the ONNX input name');
      if (input.image !== undefined) imageInputProblems(input, add);
      else if (input.dtype === 'int64') textInputProblems(input, m.files, add);
      else if (input.dtype !== 'float32') add('model.input.dtype', 'model.input.dtype must be "float32" (tables) or "int64" (token ids of texts)');
      else if (input.text !== undefined) add('model.input.text', 'model.input.text belongs to models that take token ids (dtype "int64")');
      else if (Array.isArray(input.shape) && input.shape.length === 4)
        add('model.input.image', 'a model that takes images [null, C, H, W] needs model.input.image: {channels, height, width, layout: "NCHW", range: [0, 255]}');
      else {
        const features = input.features;
        const shape = input.shape as unknown[];
        if (!Array.isArray(features) || features.length === 0 || features.some((f) => typeof f !== 'string' || f === ''))
          add('model.input.features', 'model.input.features must list the feature names in order');
        else if (new Set(features).size !== features.length) add('model.input.features', 'model.input.features has duplicate names');
        if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== null || shape[1] !== (features as unknown[] | undefined)?.length) {
          add('model.input.shape', 'model.input.shape must be [null, number of features]');
        }
      }
    }
    const output = model.output as Record<string, unknown> | undefined;
    if (!output || typeof output !== 'object') add('model.output', 'model.output is missing');
    else {
      if (typeof output.name !== 'string' || output.name === '') add('model.output.name', 'model.output.name must be the ONNX output name');
      if (!['probabilities', 'labels', 'regression'].includes(output.kind as string)) add('model.output.kind', 'model.output.kind must be probabilities, labels or regression');
      const classes = output.classes;
      const classifier = output.kind === 'probabilities' || output.kind === 'labels';
      if (classifier && (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string')))
        add('model.output.classes', 'a classifier must list at least two class names');
      else if (classifier) for (const p of classNameProblems(classes as string[])) problems.push({ field: 'model.output.classes', ...p });
      if (!classifier && classes !== null) add('model.output.classes', 'a regression model has classes: null');
      const shape = output.shape as unknown[];
      const width = output.kind === 'probabilities' ? (classes as unknown[] | undefined)?.length : output.kind === 'labels' ? 1 : undefined;
      if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== null || typeof shape[1] !== 'number' || shape[1] < 1 || (width !== undefined && shape[1] !== width)) {
        add('model.output.shape', `model.output.shape must be [null, ${width ?? 'number of targets'}]`);
      }
    }
  }
  const specs = m.specs as unknown[];
  if (!Array.isArray(specs) || specs.length === 0) add('specs', 'specs must list at least one statistical specification file');
  else
    specs.forEach((s, i) => {
      const spec = s as Record<string, unknown>;
      if (typeof spec?.file !== 'string' || typeof spec?.type !== 'string') add(`specs[${i}]`, 'each spec needs a file and a type');
    });
  const files = m.files as Record<string, unknown> | undefined;
  if (!files || typeof files !== 'object' || Array.isArray(files)) add('files', 'files must map every file of the bundle to its sha256 and size');
  else {
    for (const [name, info] of Object.entries(files)) {
      const entry = info as Record<string, unknown>;
      if (name === MANIFEST_FILE) add(`files.${name}`, 'the manifest cannot list itself');
      if (typeof entry?.sha256 !== 'string' || !HEX64.test(entry.sha256)) add(`files.${name}.sha256`, `files["${name}"].sha256 must be 64 lower-case hex digits`);
      if (typeof entry?.size !== 'number' || !Number.isInteger(entry.size) || entry.size < 0) add(`files.${name}.size`, `files["${name}"].size must be a byte count`);
    }
    const vocab = (model?.input as { text?: { vocab?: unknown } } | undefined)?.text?.vocab;
    const referenced = [
      typeof model?.file === 'string' ? model.file : null,
      typeof vocab === 'string' ? vocab : null,
      ...(Array.isArray(specs) ? specs.map((s) => (s as { file?: string })?.file) : []),
    ];
    // own properties only: `"constructor" in files` is true of every object (an unhashed model named constructor)
    for (const file of referenced) if (typeof file === 'string' && !Object.hasOwn(files, file)) add('files', `files does not list ${file}`);
  }
  // semantic Input/Output must agree with the model contract, and be there to agree with
  const semantic = m.semantic as SemanticSpec | undefined;
  const kind = (model?.output as { kind?: unknown } | undefined)?.kind;
  const task = semantic?.Task?.Values?.[0];
  if (typeof semantic === 'object' && semantic !== null && typeof task === 'string') {
    if (!semantic.Input && semantic.Data?.Values?.[0] !== 'Text' && semantic.Data?.Values?.[0] !== 'Image')
      add('semantic.Input', 'semantic Input is required: it describes the model input features', 'MISSING_FIELD');
    if (!semantic.Output) add('semantic.Output', 'semantic Output is required: it describes the model output', 'MISSING_FIELD');
    const expected = kind === 'regression' ? 'Regression' : kind === 'probabilities' || kind === 'labels' ? 'Classification' : null;
    if (expected && task !== expected) add('semantic.Task', `semantic Task "${task}" does not fit a model giving ${String(kind)} (Task must be ${expected})`);
  }
  const features = (model?.input as { features?: unknown[] } | undefined)?.features;
  const takesText = (model?.input as { dtype?: unknown } | undefined)?.dtype === 'int64';
  const takesImages = (model?.input as { image?: unknown } | undefined)?.image !== undefined;
  if (typeof semantic === 'object' && semantic !== null && Array.isArray(semantic.Data?.Values)) {
    const data = semantic.Data.Values[0];
    if (takesImages && data !== 'Image') add('semantic.Data', `a model that takes images has semantic Data "Image", not "${data}"`);
    else if (!takesImages && data === 'Image') add('semantic.Data', 'semantic Data "Image" needs a model that takes images (model.input.image)');
    else if (!takesImages && (data === 'Text') !== takesText)
      add('semantic.Data', takesText ? 'a model that takes token ids has semantic Data "Text"' : `semantic Data "${data}" does not fit a model that takes float32 features`);
  }
  if (semantic?.Input && Array.isArray(features) && !takesText && !takesImages && Number(semantic.Input.Dimension) !== features.length) {
    add('semantic.Input.Dimension', `semantic Input.Dimension ${semantic.Input.Dimension} differs from the ${features.length} model input features`);
  }
  const output = model?.output as { kind?: unknown; classes?: unknown[]; shape?: unknown[] } | undefined;
  const described = Number(semantic?.Output?.Dimension);
  if (semantic?.Output && output && Number.isFinite(described)) {
    const width = output.kind === 'labels' ? output.classes?.length : output.shape?.[1];
    if (typeof width === 'number' && width !== described) {
      add('semantic.Output.Dimension', `semantic Output.Dimension ${described} differs from the model's ${output.kind === 'labels' ? 'number of classes' : 'output width'} ${width}`);
    }
  }
  return problems;
}

/** Longest token-id row (L) and vocabulary a text model may declare: every batch is n × L int64s. */
export const TEXT_INPUT_LIMITS = { maxLength: 4096, vocabSize: 1_000_000 } as const;

/** A text model's input: token ids [null, L], no features, and the tokenizer that makes them (docs/text.md §4). */
function textInputProblems(input: Record<string, unknown>, files: unknown, add: (field: string, message: string, code?: ErrorCode) => void): void {
  if (!Array.isArray(input.features) || input.features.length !== 0) add('model.input.features', 'a model that takes token ids has no named features (features: [])');
  const text = input.text as Record<string, unknown> | undefined;
  if (typeof text !== 'object' || text === null || Array.isArray(text)) {
    add('model.input.text', 'a model that takes token ids needs model.input.text: {vocab, vocabSize, maxLength, tokenizer}', 'NO_VOCAB');
    return;
  }
  const L = text.maxLength;
  if (typeof L !== 'number' || !Number.isInteger(L) || L < 1 || L > TEXT_INPUT_LIMITS.maxLength)
    add('model.input.text.maxLength', `maxLength must be an integer in 1..${TEXT_INPUT_LIMITS.maxLength}`);
  const shape = input.shape as unknown[];
  if (!Array.isArray(shape) || shape.length !== 2 || shape[0] !== null || shape[1] !== L) add('model.input.shape', 'model.input.shape must be [null, maxLength]');
  const V = text.vocabSize;
  if (typeof V !== 'number' || !Number.isInteger(V) || V < 1 || V > TEXT_INPUT_LIMITS.vocabSize)
    add('model.input.text.vocabSize', `vocabSize must be an integer in 1..${TEXT_INPUT_LIMITS.vocabSize}`);
  if (typeof text.vocab !== 'string' || text.vocab === '') add('model.input.text.vocab', 'model.input.text.vocab must name the vocabulary file of the bundle', 'NO_VOCAB');
  else if (typeof files === 'object' && files !== null && !Object.hasOwn(files, text.vocab)) add('model.input.text.vocab', `files does not list ${text.vocab}`, 'NO_VOCAB');
  if (text.tokenizer !== TOKENIZER_ID) add('model.input.text.tokenizer', `the tokenizer ${JSON.stringify(text.tokenizer)} is not one this version runs (it runs "${TOKENIZER_ID}")`);
}

/** The largest side of the images an image model may declare: every batch is n × C × H × W float32s. */
export const IMAGE_INPUT_LIMITS = { maxSide: 1024 } as const;

/** An image model's input (docs/image.md §4): float32 pixels 0–255 [null, C, H, W] in NCHW layout, no features. */
function imageInputProblems(input: Record<string, unknown>, add: (field: string, message: string, code?: ErrorCode) => void): void {
  if (input.dtype !== 'float32') add('model.input.dtype', `a model that takes images takes float32 pixels (dtype "float32"), not ${JSON.stringify(input.dtype)}`);
  if (input.text !== undefined) add('model.input.text', 'model.input.text belongs to models that take token ids, not images');
  if (!Array.isArray(input.features) || input.features.length !== 0) add('model.input.features', 'a model that takes images has no named features (features: [])');
  const image = input.image as Record<string, unknown> | null;
  if (typeof image !== 'object' || image === null || Array.isArray(image)) {
    add('model.input.image', 'model.input.image must be {channels, height, width, layout: "NCHW", range: [0, 255]}');
    return;
  }
  const { channels, height, width } = image;
  if (channels !== 1 && channels !== 3) add('model.input.image.channels', `channels must be 1 (grey) or 3 (RGB), not ${JSON.stringify(channels)}`);
  const side = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > IMAGE_INPUT_LIMITS.maxSide)
      add(`model.input.image.${name}`, `${name} must be an integer in 1..${IMAGE_INPUT_LIMITS.maxSide}, not ${JSON.stringify(v)}`);
  };
  side('height', height);
  side('width', width);
  if (image.layout !== 'NCHW') add('model.input.image.layout', `layout must be "NCHW" (images × channels × height × width), not ${JSON.stringify(image.layout)}`);
  const range = image.range as unknown[];
  if (!Array.isArray(range) || range.length !== 2 || range[0] !== 0 || range[1] !== 255)
    add('model.input.image.range', `range must be [0, 255]: the model is fed 8-bit pixel values and scales them inside its graph, not ${JSON.stringify(range)}`);
  const shape = input.shape as unknown[];
  if (!Array.isArray(shape) || shape.length !== 4 || shape[0] !== null || shape[1] !== channels || shape[2] !== height || shape[3] !== width)
    add(
      'model.input.shape',
      `model.input.shape must be [null, channels, height, width] = [null, ${String(channels)}, ${String(height)}, ${String(width)}], not ${JSON.stringify(shape)}`,
    );
}

/**
 * Class names end up in CSV files, tables and page text: no control characters (a CR breaks CSV
 * rows, a tab or NUL hides text), no surrounding spaces, at most 200 characters, each name once
 * (two columns of one name would hold one probability twice). Formula-looking names are allowed;
 * every CSV writer neutralises them (reuse/predictions.ts csvCell).
 */
export function classNameProblems(classes: readonly string[]): { message: string; code: ErrorCode }[] {
  const problems: { message: string; code: ErrorCode }[] = [];
  classes.forEach((c, i) => {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(c))
      problems.push({ code: 'BAD_CLASS_NAME', message: `class ${i} (${JSON.stringify(c)}) holds a control character (tab, CR, LF, NUL…)` });
    else if (c.trim() === '' || c.trim() !== c || c.length > 200)
      problems.push({ code: 'BAD_CLASS_NAME', message: `class ${i} (${JSON.stringify(c)}) must be 1–200 characters without surrounding spaces` });
  });
  const seen = new Map<string, number>();
  classes.forEach((c, i) => {
    const first = seen.get(c);
    if (first !== undefined)
      problems.push({ code: 'DUPLICATE_CLASS', message: `class ${JSON.stringify(c)} is listed twice (classes ${first} and ${i}): each output column needs its own name` });
    else seen.set(c, i);
  });
  return problems;
}
