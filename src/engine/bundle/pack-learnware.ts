/**
 * Packing a learnware, start to finish (a use case: the CLI's `pack` and the publish worker both
 * call it, so they follow one set of rules): the spec of the training data is built by the spec
 * type of the data's kind, the model's input and output names are read from the ONNX file, the
 * bundle is packed and then checked (the model run by onnxruntime, never executed as code).
 */
import { InputError } from '../core/errors.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import type { ComputeBackend } from '../kernels/backend.js';
import { loadModel } from '../model/host.js';
import { fixedWidth, type ModelIo } from '../model/onnx-runner.js';
import { specTypesFor, type AnySpecType } from '../spec/registry.js';
import { decodeText, isTextDataset, type TextDataset } from '../data/text.js';
import { parseVocab } from '../data/token-ids.js';
import { isImageDataset, type ImageDataset } from '../data/image.js';
import { IMAGE_INPUT_LIMITS, TEXT_INPUT_LIMITS } from './manifest.js';
import type { Dataset, SpecBuildReport, StatSpec } from '../spec/spec-type.js';
import { checkBundle, type CheckResult } from './checker.js';
import { classNameProblems, type Manifest, type OutputKind } from './manifest.js';
import { packBundle } from './pack.js';
import type { SemanticSpec } from './semantic.js';

export interface PackLearnwareInput {
  backend: ComputeBackend;
  /** the training features (no label column), with their names; or texts, embedded (data/embedder.ts embedTextDataset); or images (docs/image.md §4) */
  data: (Dataset & { featureNames: string[] }) | TextDataset | ImageDataset;
  /** a text model's tokenizer: its vocab.txt (docs/text.md §4) and, when the model's input shape leaves it open, the padded length L */
  text?: { vocab: Uint8Array; maxLength?: number };
  /** an image model's input size when its ONNX input shape leaves it open (symbolic channels, height or width); read from the model otherwise */
  image?: { channels?: 1 | 3; height: number; width: number };
  /** ONNX model bytes */
  model: Uint8Array;
  semantic: SemanticSpec;
  /** bundle id (default: a slug of the semantic Name) */
  id?: string;
  output: { kind: OutputKind; classes: string[] | null; width?: number };
  /** the spec type's own settings (table RKME: K, gamma, seed, steps, scale); its defaults otherwise */
  specOptions?: object;
  readme?: string;
  createdAt?: Date;
}

export interface PackedLearnware {
  bundle: Uint8Array;
  manifest: Manifest;
  spec: StatSpec;
  /** the spec builder's report (warnings such as a K capped by a small table) */
  report: SpecBuildReport;
  /** the checker's verdict on the packed bundle */
  check: CheckResult;
}

/** The spec type a kind of data gets by default: the first registered for it. */
export function defaultSpecType(dataKind: string): AnySpecType {
  const [type] = specTypesFor(dataKind);
  if (!type) throw new InputError('NO_SPEC_TYPE', `no specification type builds from ${dataKind} data`);
  return type;
}

/** What a model file says about itself, read without running it: input and output names, and widths when fixed. */
export interface ModelShape {
  inputName: string;
  outputName: string;
  /** features per row the model takes, when its input shape fixes it */
  features: number | null;
  /** values per output row, when its output shape fixes it */
  outputs: number | null;
  /** the first input's declared shape (numbers fixed, strings symbolic), null when unknown */
  inputShape?: readonly (number | string)[] | null;
}

/**
 * Loads the model (as data, in the model host: a worker in the CLI and the page) and reads its
 * declared input and output; a file that is not ONNX is a ModelError (MODEL_LOAD).
 */
export async function readModelShape(bytes: Uint8Array): Promise<ModelShape> {
  const model = await loadModel(bytes);
  try {
    return shapeOf(model.io);
  } finally {
    await model.dispose();
  }
}

function shapeOf(io: ModelIo): ModelShape {
  return { inputName: io.inputNames[0], outputName: io.outputNames[0], features: fixedWidth(io.inputShape), outputs: fixedWidth(io.outputShape), inputShape: io.inputShape };
}

/**
 * What stops a model from taking the chosen features or giving the declared outputs, in plain
 * words, found from the model's declared shapes before anything runs (empty: nothing known wrong).
 */
export function modelMismatches(shape: ModelShape, features: readonly string[], output: { kind: OutputKind; classes: readonly string[] | null; width?: number }): string[] {
  const problems: string[] = [];
  if (shape.features !== null && shape.features !== features.length) {
    const diff = features.length - shape.features;
    problems.push(
      `The model takes ${shape.features} feature${shape.features === 1 ? '' : 's'} per row, but ${features.length} ${features.length === 1 ? 'column is' : 'columns are'} chosen` +
        (features.length > 0 ? ` (${features.join(', ')})` : '') +
        `: ${diff > 0 ? `untick ${diff}` : `tick ${-diff} more`}, or choose the model trained on these columns.`,
    );
  }
  const width = output.kind === 'probabilities' ? (output.classes?.length ?? 0) : output.kind === 'labels' ? 1 : (output.width ?? 1);
  if (shape.outputs !== null && width > 0 && shape.outputs !== width) {
    problems.push(
      output.kind === 'probabilities'
        ? `The model gives ${shape.outputs} value${shape.outputs === 1 ? '' : 's'} per row, but ${width} class${width === 1 ? ' is' : 'es are'} listed: list one class per model output, in the model's order` +
            (shape.outputs === 1 ? ' (a model with one output is a regressor or gives labels, not probabilities).' : '.')
        : `The model gives ${shape.outputs} values per row, but a ${output.kind === 'regression' ? 'regressor' : 'label model'} here gives ${width}: ${shape.outputs >= 2 ? 'is it a classifier? Choose Classification and list its classes.' : 'check the model file.'}`,
    );
  }
  return problems;
}

export async function packLearnware(input: PackLearnwareInput, options: JobOptions = {}): Promise<PackedLearnware> {
  const type = defaultSpecType(input.data.kind);
  const { kind, classes } = input.output;
  if (kind !== 'regression' && !(classes && classes.length >= 2)) throw new InputError('NO_CLASSES', 'a classifier needs at least two class names, in the order of its outputs');
  const classProblems = kind === 'regression' ? [] : classNameProblems(classes!);
  if (classProblems.length > 0) throw new InputError(classProblems[0].code, classProblems.map((p) => p.message).join('; '), { classes });
  // the model's declared shapes are checked before the spec is built: a mismatch is found in a second, not after the run
  const io = await readModelShape(input.model);
  const text = isTextDataset(input.data) ? textInput(input, io) : undefined;
  const image = isImageDataset(input.data) ? imageInput(input, io) : undefined;
  if (!image && io.inputShape?.length === 4) {
    throw new InputError(
      'DIMENSION_MISMATCH',
      `the model takes images [${io.inputShape.join(', ')}] (n, channels, height, width): pack it with the images it was trained on, not ${input.data.kind} data`,
      {
        model: io,
      },
    );
  }
  const features = isTextDataset(input.data) || isImageDataset(input.data) ? [] : input.data.featureNames;
  const mismatches = modelMismatches(text || image ? { ...io, features: null } : io, features, input.output);
  if (mismatches.length > 0) throw new InputError('DIMENSION_MISMATCH', mismatches.join(' '), { model: io, features });
  const { spec, report } = await type.build(input.backend, input.data, { ...input.specOptions, ...options });
  const width = kind === 'probabilities' ? classes!.length : kind === 'labels' ? 1 : (input.output.width ?? 1);
  const packing = new PhaseReporter(options.onProgress, 'pack', 'pack', 1, 'steps');
  const name = input.semantic?.Name?.Values;
  const id = input.id ?? slug(typeof name === 'string' ? name : 'learnware');
  const { bundle, manifest } = await packBundle({
    id,
    name: typeof name === 'string' && name.trim() !== '' ? name : id,
    semantic: input.semantic,
    model: input.model,
    input: { name: io.inputName, features },
    ...(text ? { text } : {}),
    ...(image ? { image } : {}),
    output: { name: io.outputName, kind, classes: kind === 'regression' ? null : classes, width },
    spec,
    readme: input.readme,
    createdAt: input.createdAt,
  });
  packing.finish();
  const checking = new PhaseReporter(options.onProgress, 'pack', 'check', 1, 'steps');
  const check = await checkBundle(bundle);
  checking.finish();
  return { bundle, manifest, spec, report, check };
}

/** A text model's tokenizer for the bundle: the vocabulary read and counted, L from the model's input shape or as given. */
function textInput(input: PackLearnwareInput, io: ModelShape): { vocab: Uint8Array; vocabSize: number; maxLength: number } {
  if (!input.text) throw new InputError('NO_VOCAB', 'a text model needs its vocabulary (vocab.txt: one token per line, line i has id i + 2)');
  const vocab = parseVocab(decodeText(input.text.vocab, 'vocab.txt'));
  const given = input.text.maxLength;
  const maxLength = given ?? io.features;
  if (maxLength === null || maxLength === undefined) {
    throw new InputError('NO_MAX_LENGTH', "the model's input shape leaves the number of token ids per text open: give the length it was trained with (--max-length)");
  }
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > TEXT_INPUT_LIMITS.maxLength) {
    throw new InputError('BAD_SHAPE', `the length of a text's token ids must be an integer in 1..${TEXT_INPUT_LIMITS.maxLength}, got ${maxLength}`);
  }
  if (given !== undefined && io.features !== null && io.features !== given) {
    throw new InputError('DIMENSION_MISMATCH', `the model takes ${io.features} token ids per text, ${given} were given as the length`, { model: io });
  }
  return { vocab: input.text.vocab, vocabSize: vocab.size, maxLength };
}

/**
 * An image model's input size (docs/image.md §4): [n, C, H, W] from the model's declared input
 * shape, its open axes from `input.image` (channels default to the images'). A model whose input
 * is not four-dimensional does not take images.
 */
function imageInput(input: PackLearnwareInput, io: ModelShape): { channels: 1 | 3; height: number; width: number } {
  const shape = io.inputShape ?? null;
  if (shape && shape.length !== 4) {
    throw new InputError(
      'NOT_AN_IMAGE_MODEL',
      `the model takes ${shape.length}-dimensional input [${shape.join(', ')}]; an image model takes float32 images [n, channels, height, width] (NCHW) of pixel values 0–255`,
      { model: io },
    );
  }
  const fixed = (axis: number): number | null => {
    const v = shape?.[axis];
    return typeof v === 'number' && v > 0 ? v : null;
  };
  const given = input.image;
  const data = input.data as ImageDataset;
  const size = { channels: fixed(1) ?? given?.channels ?? data.channels, height: fixed(2) ?? given?.height, width: fixed(3) ?? given?.width };
  if (size.height === undefined || size.width === undefined) {
    throw new InputError('NO_IMAGE_SIZE', "the model's input shape leaves the images' height or width open: give the size it was trained with (image: {height, width})", { model: io });
  }
  const names = ['channels', 'height', 'width'] as const;
  names.forEach((name, i) => {
    const declared = fixed(i + 1);
    if (given && given[name] !== undefined && declared !== null && declared !== given[name]) {
      throw new InputError('DIMENSION_MISMATCH', `the model takes images of ${name} ${declared}, ${given[name]} was given`, { model: io });
    }
  });
  if (size.channels !== 1 && size.channels !== 3) throw new InputError('BAD_SHAPE', `an image model takes 1 (grey) or 3 (RGB) channels, this one ${size.channels}`, { model: io });
  for (const side of [size.height, size.width]) {
    if (!Number.isInteger(side) || side < 1 || side > IMAGE_INPUT_LIMITS.maxSide) {
      throw new InputError('BAD_SHAPE', `an image model's height and width must be integers in 1..${IMAGE_INPUT_LIMITS.maxSide}, this one takes ${size.height}×${size.width}`, {
        model: io,
      });
    }
  }
  return { channels: size.channels, height: size.height, width: size.width };
}

/** A bundle id from a name: lower case, a–z 0–9 . _ -, at most 64 characters. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'learnware'
  );
}
