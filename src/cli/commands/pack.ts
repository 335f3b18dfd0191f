/** `learnware-dock pack` and `learnware-dock check`: build and check learnware bundles. */
import { writeFileSync } from 'node:fs';
import {
  checkBundle,
  InputError,
  packLearnware,
  poolBlocks,
  tableDataset,
  type CheckResult,
  type TableSpecOptions,
  type OutputKind,
  type SemanticSpec,
  type TextSpecOptions,
} from '../../engine/index.js';
import { listOption, numberOption, parseArgs, stringOption, usage } from '../args.js';
import { readFeatureMatrix } from '../features.js';
import { readInput, readJson } from '../files.js';
import { commandBackend, computeThreads } from '../node-backend.js';
import { isImageInput, readImages } from '../images.js';
import { isTextInput, readTexts } from '../texts.js';
import { printProgress } from './spec.js';

export const PACK_HELP = `learnware-dock pack --model m.onnx --train train.csv --semantic semantic.json --out bundle.zip [options]
learnware-dock pack --model m.onnx --train <texts> --vocab vocab.txt --semantic semantic.json --out bundle.zip [options]
learnware-dock pack --model m.onnx --train <images> --semantic semantic.json --out bundle.zip [options]

Packs a learnware bundle (docs/bundle-format.md): builds the RKME of the training features (every
column except the label column and dropped ones, in file order), writes learnware.json, the
model, rkme.json and a model card, then runs the usability checker. The bundle is written only
when it is USABLE; otherwise every reason is printed and the exit code is 1.

The semantic file is the reference's semantic specification (Data, Task, Library, Scenario,
License, Name, Description, Input, Output). The training data never leaves this machine: only
its RKME goes into the bundle.

Texts (docs/text.md §4): --train is a folder of .txt files, a zip of them, JSON Lines or a table
with --text-column; the model takes int64 token ids [n, L] made with the bundle's vocab.txt, and
the RKME is a text RKME of the texts' embeddings. The semantic Data must be "Text".

Images (docs/image.md §4): --train is a folder of .png/.jpg/.jpeg files (sub-folders are
classes), a zip of them, or one image; the model takes float32 pixels 0–255 [n, C, H, W] (its
own size, read from its input shape, or --image-size when the shape leaves it open) and the RKME
is an image RKME (--k, --seed, --gamma apply). The semantic Data must be "Image".

Options:
  --label-column y        the target column (left out of the features)
  --drop-columns a,b      further columns to leave out (ids, text)
  --id ID                 bundle id (default: from the semantic Name)
  --output-kind K         probabilities | labels | regression (default: probabilities for
                          classification, regression for regression tasks)
  --classes a,b           class names in output order (default: Output.Description)
  --scale std|none        feature scale of the RKME (default std)
  --k K, --seed S, --gamma G   RKME settings (defaults 100, 0, 0.1)
  --vocab vocab.txt       texts: the model's vocabulary (line i has token id i + 2)
  --max-length L          texts: token ids per text, when the model's input shape leaves it open
  --text-column C         texts: read the --train table's column C as the texts
  --image-size HxW        images: the model's input height × width, when its shape leaves them open
  --readme FILE           model card in markdown (default: generated)
  --threads N             worker threads for the RKME (default: every core; any N gives the same spec)
  --quiet                 no progress output`;

export const CHECK_HELP = `learnware-dock check <bundle.zip>

Runs the usability checker on a bundle and prints USABLE, NONUSABLE or INVALID with every reason.
Exit code 0 only when the bundle is USABLE.`;

export async function packCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(
    argv,
    [
      'model',
      'train',
      'semantic',
      'out',
      'label-column',
      'drop-columns',
      'id',
      'output-kind',
      'classes',
      'scale',
      'k',
      'seed',
      'gamma',
      'readme',
      'delimiter',
      'vocab',
      'max-length',
      'text-column',
      'image-size',
      'threads',
    ],
    ['quiet'],
  );
  if (args.positionals.length > 0) throw usage(`unexpected argument ${args.positionals[0]}`);
  const required = (name: string) =>
    stringOption(args, name) ??
    (() => {
      throw usage(`pack needs --${name}`);
    })();
  const modelFile = required('model');
  const trainFile = required('train');
  const semanticFile = required('semantic');
  const out = required('out');
  const images = isImageInput(trainFile, args);
  const texts = !images && isTextInput(trainFile, args);
  const scale = stringOption(args, 'scale') ?? 'std';
  if (scale !== 'std' && scale !== 'none') throw usage(`--scale must be std or none, got ${JSON.stringify(scale)}`);

  const semantic = readJson(semanticFile) as SemanticSpec;
  const task = (semantic as { Task?: { Values?: string[] } })?.Task?.Values?.[0];
  const kind = (stringOption(args, 'output-kind') ?? (task === 'Regression' ? 'regression' : 'probabilities')) as OutputKind;
  if (!['probabilities', 'labels', 'regression'].includes(kind)) throw usage(`--output-kind must be probabilities, labels or regression, got ${JSON.stringify(kind)}`);
  const outputDimension = Number((semantic as { Output?: { Dimension?: unknown } })?.Output?.Dimension ?? 1);
  const classes = kind === 'regression' ? null : classNames(listOption(args, 'classes'), semantic, outputDimension);

  const rkme = {
    K: numberOption(args, 'k', (v) => Number.isInteger(v) && v >= 1, 'a positive integer'),
    seed: numberOption(args, 'seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer in 0..4294967295'),
    gamma: numberOption(args, 'gamma', (v) => v > 0, 'a positive number'),
  };
  const maxLength = numberOption(args, 'max-length', (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  const vocabFile = stringOption(args, 'vocab');
  const imageSize = stringOption(args, 'image-size');
  if (!images && imageSize !== undefined) throw usage('--image-size is for image models; --train is not images (a folder or zip of .png/.jpg files)');
  if (images) {
    if (args.options.has('scale')) throw usage('--scale applies to tables, not to images (an image RKME compares through its feature network)');
    const data = (semantic as { Data?: { Values?: unknown } })?.Data?.Values;
    if (!Array.isArray(data) || !data.includes('Image')) throw usage(`${semanticFile}: the semantic Data of an image learnware must be "Image", got ${JSON.stringify(data ?? null)}`);
  }
  if (!texts && !images && (vocabFile || maxLength !== undefined))
    throw usage('--vocab and --max-length are for text models; --train is a table (give --text-column to read its texts)');
  if (texts) {
    if (!vocabFile) throw usage('a text model needs --vocab vocab.txt (one token per line, line i has id i + 2; docs/text.md §4)');
    const data = (semantic as { Data?: { Values?: unknown } })?.Data?.Values;
    if (!Array.isArray(data) || !data.includes('Text')) throw usage(`${semanticFile}: the semantic Data of a text learnware must be "Text", got ${JSON.stringify(data ?? null)}`);
  }
  const quiet = args.options.has('quiet');
  const threads = computeThreads(args);
  const readmeFile = stringOption(args, 'readme');
  const data = images ? await readImages(trainFile, args, { quiet }) : texts ? await readTexts(trainFile, args, { quiet }) : tableDataset(await readFeatureMatrix(trainFile, args));
  const { backend } = await commandBackend(undefined, threads, poolBlocks(data.rows, images ? 'images' : 'rows'));
  const packed = await packLearnware(
    {
      backend,
      data,
      ...(texts ? { text: { vocab: readInput(vocabFile!, 256 * 2 ** 20), maxLength } } : {}),
      ...(images && imageSize !== undefined ? { image: parseImageSize(imageSize) } : {}),
      model: readInput(modelFile, 256 * 2 ** 20),
      semantic,
      id: stringOption(args, 'id'),
      output: { kind, classes, width: outputDimension },
      // a text RKME is in raw embedding units (docs/text.md §5), so no scale
      specOptions: texts || images ? (rkme satisfies TextSpecOptions) : ({ scale, ...rkme } satisfies TableSpecOptions),
      readme: readmeFile ? new TextDecoder().decode(readInput(readmeFile, 2 ** 20)) : undefined,
    },
    { onProgress: quiet ? undefined : printProgress },
  ).finally(() => backend.dispose());
  for (const w of packed.report.warnings) process.stderr.write(`warning[${w.code}]: ${w.message}\n`);
  const { bundle, check: result } = packed;
  const id = packed.manifest.id;
  if (result.status !== 'USABLE') {
    printReasons(result);
    throw new InputError('NOT_USABLE', `the bundle is ${result.status}: ${result.reasons[0]?.message ?? 'see above'}; nothing written`);
  }
  try {
    writeFileSync(out, bundle);
  } catch (error) {
    throw new InputError('WRITE_FAILED', `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  process.stdout.write(`USABLE ${id} sha256=${result.sha256} ${bundle.length} bytes -> ${out}\n`);
}

/** Exit code 0 only for USABLE. */
export async function checkCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.positionals.length !== 1) throw usage('check needs exactly one bundle file');
  const result = await checkBundle(readInput(args.positionals[0], 256 * 2 ** 20));
  process.stdout.write(`${result.status}${result.manifest ? ` ${result.manifest.id}` : ''} sha256=${result.sha256}\n`);
  for (const check of result.passed) process.stdout.write(`  ok: ${check.label}\n`);
  printReasons(result);
  return result.status === 'USABLE' ? 0 : 1;
}

function printReasons(result: CheckResult): void {
  for (const r of result.reasons) process.stdout.write(`  ${r.code}${r.field ? ` (${r.field})` : ''}: ${r.message}${r.detail ? ` [${r.detail.replace(/\s+/g, ' ')}]` : ''}\n`);
}

/** --image-size HxW (e.g. 28x28): the model's input height and width. */
function parseImageSize(raw: string): { height: number; width: number } {
  const m = /^(\d{1,4})[x×](\d{1,4})$/i.exec(raw.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw usage(`--image-size must be HEIGHTxWIDTH, e.g. 28x28, got ${JSON.stringify(raw)}`);
  return { height: Number(m[1]), width: Number(m[2]) };
}

function classNames(given: string[], semantic: SemanticSpec, dimension: number): string[] {
  if (given.length > 0) return given;
  const described = (semantic as { Output?: { Description?: Record<string, string> } })?.Output?.Description ?? {};
  return Array.from({ length: dimension }, (_, i) => described[String(i)] ?? String(i));
}
