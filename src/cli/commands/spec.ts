/** `learnware-dock spec`: build a table RKME from a CSV file, a text RKME from texts (docs/text.md §5), or an image RKME from images (docs/image.md §3). */
import { writeFileSync } from 'node:fs';
import { buildTableRkme, defaultSpecType, PoolBackend, poolBlocks, serializeStatSpec, textSpecType, type ComputeBackend, type ProgressEvent } from '../../engine/index.js';
import { numberOption, parseArgs, stringOption, usage } from '../args.js';
import { readFeatureMatrix } from '../features.js';
import { commandBackend, computeThreads } from '../node-backend.js';
import { isImageInput, readImages } from '../images.js';
import { isTextInput, readTexts } from '../texts.js';

export const SPEC_HELP = `learnware-dock spec <data.csv | texts | images> [--out spec.json] [options]

Builds the RKME table specification (reduced points Z, weights beta) of a CSV or TSV file with a
header row, or of a Parquet file (recognised by its content). Every column must be numeric;
empty, NA, NaN and null cells are missing values and are replaced by the column mean. Text
columns are an error: leave them out with --drop-columns, or encode them as numbers before
(e.g. one 0/1 column per category).

Texts (docs/text.md): a folder of .txt files (sub-folders are labels), a zip of them, JSON Lines
({"text", "label"} per line), or a table with --text-column. They are embedded by the dock's word
vectors and their languages identified, and the spec is a RKMETextSpecification of the
embeddings, in raw units (--scale and --drop-columns do not apply).

Images (docs/image.md): a folder of .png/.jpg/.jpeg files (sub-folders are classes), a zip of
them, or one image file. The spec is a RKMEImageSpecification: K reduced 32×32 images (default 50)
and their weights, compared through the features of a fixed random ConvNet; --k and --seed apply,
--gamma overrides the network's kernel bandwidth, the table and text options do not.

Options:
  --out FILE            write the stat.json here (default: standard output)
  --gamma G             RBF kernel bandwidth (default 0.1)
  --k K                 reduced set size (default 100; capped at 2n/3 and by K*d <= 1,310,720)
  --seed S              PRNG seed, 0..4294967295 (default 0): same seed, same spec
  --steps N             gradient steps on Z (default 3)
  --scale none|std      per-feature kernel scale: none = raw units, readable by the Python
                        learnware package (default); std = each column's standard deviation,
                        recorded in the spec (use it when columns have large or unequal units)
  --drop-columns a,b    columns to leave out (labels, ids, text)
  --text-column C       read the table's column C as texts
  --label-column L      with --text-column: the texts' labels (not part of the spec)
  --delimiter C         CSV field separator (default: detected from the header: , tab ;)
  --backend wasm|ts|cpu compute backend (default wasm, falling back to ts)
  --threads N           worker threads for the heavy kernels (default: every core); any N
                        gives the same spec (docs/parallel.md)
  --quiet               no progress on standard error`;

export async function specCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['out', 'gamma', 'k', 'seed', 'steps', 'scale', 'drop-columns', 'delimiter', 'backend', 'threads', 'text-column', 'label-column'], ['quiet']);
  if (args.positionals.length !== 1) throw usage('spec needs exactly one table, texts or images (see learnware-dock spec --help)');
  const file = args.positionals[0];
  const scale = stringOption(args, 'scale') ?? 'none';
  if (scale !== 'none' && scale !== 'std') throw usage(`--scale must be none or std, got ${JSON.stringify(scale)}`);
  const gamma = numberOption(args, 'gamma', (v) => v > 0, 'a positive number');
  const K = numberOption(args, 'k', (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  const seed = numberOption(args, 'seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer in 0..4294967295');
  const steps = numberOption(args, 'steps', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
  const quiet = args.options.has('quiet');
  const out = stringOption(args, 'out');
  const threads = computeThreads(args);
  const backendName = stringOption(args, 'backend');
  if (isImageInput(file, args)) {
    if (steps !== undefined) throw usage('--steps applies to tables and texts, not to images (an image spec has no gradient steps on Z)');
    const data = await readImages(file, args, { quiet });
    const { backend } = await commandBackend(backendName, threads, poolBlocks(data.rows, 'images'));
    const type = defaultSpecType(data.kind);
    // the image spec type's options (spec/image/build.ts ImageSpecOptions): K, seed, gamma
    const options = { gamma, K, seed, onProgress: quiet ? undefined : printProgress };
    const { spec, report } = await type.build(backend, data, options).finally(() => backend.dispose());
    writeSpec(serializeStatSpec(spec), out);
    for (const w of report.warnings) process.stderr.write(`warning[${w.code}]: ${w.message}\n`);
    const image = spec as typeof spec & { network?: string; gamma?: number; channels?: number };
    const summary =
      `spec: images n=${spec.numPoints} channels=${image.channels ?? data.channels} K=${spec.K}${report.K !== report.requestedK ? ` (asked ${report.requestedK})` : ''} ` +
      `gamma=${image.gamma} network=${image.network} backend=${backend.name} threads=${threadsOf(backend)} ${(report.ms / 1000).toFixed(2)}s` +
      (out ? ` -> ${out}` : '');
    (out ? process.stdout : process.stderr).write(summary + '\n');
    return;
  }
  if (isTextInput(file, args)) {
    const data = await readTexts(file, args, { quiet });
    const { backend } = await commandBackend(backendName, threads, poolBlocks(data.rows, 'rows'));
    const { spec, report } = await textSpecType.build(backend, data, { gamma, K, seed, steps, onProgress: quiet ? undefined : printProgress }).finally(() => backend.dispose());
    writeSpec(serializeStatSpec(spec), out);
    for (const w of report.warnings) process.stderr.write(`warning[${w.code}]: ${w.message}\n`);
    const summary =
      `spec: texts n=${spec.numPoints} d=${spec.rkme.d} K=${spec.K}${report.K !== report.requestedK ? ` (asked ${report.requestedK})` : ''} gamma=${spec.rkme.gamma} ` +
      `languages=${spec.language.join(',') || 'unknown'} embedder=${spec.embedder.id} backend=${backend.name} threads=${threadsOf(backend)} ${(report.ms / 1000).toFixed(2)}s` +
      (out ? ` -> ${out}` : '');
    (out ? process.stdout : process.stderr).write(summary + '\n');
    return;
  }
  if (args.options.has('label-column')) throw usage('--label-column goes with --text-column (a table spec leaves labels out with --drop-columns)');

  const matrix = await readFeatureMatrix(file, args);
  const { backend } = await commandBackend(backendName, threads, poolBlocks(matrix.rows, 'rows'));
  const { spec, report } = await buildTableRkme(backend, matrix.values, matrix.rows, matrix.cols, {
    gamma,
    K,
    seed,
    steps,
    scale,
    featureNames: matrix.featureNames,
    onProgress: quiet ? undefined : printProgress,
  }).finally(() => backend.dispose());
  writeSpec(serializeStatSpec(spec), out);
  for (const w of report.warnings) process.stderr.write(`warning[${w.code}]: ${w.message}\n`);
  const summary =
    `spec: n=${spec.numPoints} d=${spec.d} K=${spec.K}${report.K !== report.requestedK ? ` (asked ${report.requestedK})` : ''} ` +
    `gamma=${spec.gamma} scale=${spec.scaleSource ?? 'none'} backend=${backend.name} threads=${threadsOf(backend)} ${(report.ms / 1000).toFixed(2)}s` +
    (report.imputedCells ? ` imputed=${report.imputedCells}` : '') +
    (out ? ` -> ${out}` : '');
  (out ? process.stdout : process.stderr).write(summary + '\n');
}

function threadsOf(backend: ComputeBackend): number {
  return backend instanceof PoolBackend ? backend.workers : 1;
}

function writeSpec(json: string, out: string | undefined): void {
  if (out) writeFileSync(out, json + '\n');
  else process.stdout.write(json + '\n');
}

export function printProgress(event: ProgressEvent): void {
  if (event.status === 'done') process.stderr.write(`  ${event.phase} done in ${event.ms} ms\n`);
}
