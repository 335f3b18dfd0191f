/** `learnware-dock reuse` and `learnware-dock evaluate`: run found learnwares on a CSV file or on texts locally. */
import { writeFileSync } from 'node:fs';
import {
  tableDataset,
  chooseExecutionProvider,
  chooseLearnwares,
  describeEvaluation,
  embeddingDimensions,
  evaluateTable,
  isReuseMethod,
  labelledTargets,
  loadCatalogIndex,
  loadComposite,
  packComposite,
  parseMapOverride,
  predictComposite,
  predictionsCsv,
  prepareReuse,
  refsFromIndex,
  REUSE_METHODS,
  reuseLearnwares,
  reuseMapping,
  reuseMethods,
  searchCatalog,
  type ColumnMapping,
  type Learnware,
  type ReuseMethod,
  type ImageDataset,
  type TextDataset,
} from '../../engine/index.js';
import { listOption, numberOption, parseArgs, stringOption, usage, type ParsedArgs } from '../args.js';
import { readUserTable } from '../features.js';
import { catalogSource, readInput } from '../files.js';
import { nodeBackend } from '../node-backend.js';
import { imageLabels, imagePredictionsCsv, imageRowsMatrix, isImageInput, readImages } from '../images.js';
import { isTextInput, readTexts, textLabels } from '../texts.js';

const COMMON = `  --catalog <dir|url>   the catalog (directory or http(s) URL)
  --data user.csv       your table: CSV, TSV or Parquet (it never leaves this machine)
  --label-column y      the label column: required by ensemble-pruning, feature-augment and
                        evaluate; rows with an empty label are predicted, not fitted
  --drop-columns a,b    columns that are not features
  --fill-missing        fill empty feature cells with the column's mean (default: an error
                        naming the first empty cell)
  --learnwares id1,id2  reuse these learnwares (default: the search result — the recommended
                        mixture with its weights, else the best single; the 5 best for
                        ensemble-pruning and feature-augment)
  --map "a=x,b=y*0.0929" column pairs the search's matching must use (as for \`search\`): a table
                        whose columns are renamed, in other units or fewer is read through the
                        search's mapping, and a column it lacks is filled from each learnware's
                        own specification, conditioned on the columns it has
  --text-column C       read the table's column C as texts (docs/text.md §1)

Texts: --data may also be a folder of .txt files (sub-folders are labels), a zip of them, JSON
Lines ({"text", "label"}) or a table with --text-column (labels: --label-column). Text
learnwares are fed their own token ids; the methods see the texts' embeddings (docs/text.md §5).

Images: --data may also be a folder of .png/.jpg/.jpeg files (sub-folders are classes: the
labels), a zip of them, or one image (docs/image.md §5). Image learnwares are fed the images at
their own size; the methods see the images' features from the fixed feature network. The table
and text options (--label-column, --drop-columns, --map, --fill-missing, --text-column) do not apply.`;

export const REUSE_HELP = `learnware-dock reuse --catalog <dir|url> --data user.csv --method M --out predictions.csv [options]

Runs learnwares from the catalog on your rows with onnxruntime-web (WASM) and combines them.
Methods:
${reuseMethods.map((m) => `  ${m.id.padEnd(18)}${m.description}${m.needsLabels ? ' (needs --label-column)' : ''}`).join('\n')}

Options:
${COMMON}
  --method M            ${REUSE_METHODS.join(' | ')}
  --out FILE            predictions as CSV: row, prediction (and one probability column per class);
                        for texts, one row per text in input order, with a source column (the
                        file's path, "line N" of JSON Lines, "row N" of a table) after row;
                        for images, one row per image in sorted path order: file (its path inside
                        the folder or zip), prediction, p(<class>)…
  --save FILE           also save the reused model as a composite learnware (zip) that
                        \`learnware-dock predict\` loads again`;

export const EVALUATE_HELP = `learnware-dock evaluate --catalog <dir|url> --data user.csv --label-column y [options]
learnware-dock evaluate --catalog <dir|url> --data <labelled texts> [options]
learnware-dock evaluate --catalog <dir|url> --data <images in class folders> [options]

Holds out a seeded part of your labelled rows and reports the error (RMSE, or error rate for
classification) of every reuse method next to a model trained from scratch (ridge / logistic
regression) and a trivial baseline (the labelled rows' mean, or their most frequent class), both
fitted on the same labelled rows, then says in plain words what that means. Texts carry their
labels (sub-folders, JSON Lines "label", or a table's --label-column); the model trained from
scratch and the baseline then learn from the texts' embeddings. Images carry theirs in class
sub-folders; those two then learn from the images' features.

Options:
${COMMON}
  --labelled N          labelled rows given to the methods that learn (default 100)
  --test-fraction F     share of rows held out for testing (default 0.3)
  --seed S              seed of the split (default 0)
  --json                print JSON {metric, labelledRows, labelledRequested, labelledAvailable, testRows, learnwares,
                        rows: [{method, error, logLoss?, usesLabels}] (method "baseline": mean or most
                        frequent class of the labelled rows), baseline, levels?, reading: [sentences]}`;

export const PREDICT_HELP = `learnware-dock predict <composite.zip> --data <user.csv | texts | images> --out predictions.csv [--drop-columns a,b] [--fill-missing] [--text-column C]

Loads a composite learnware saved by \`reuse --save\` (every component re-checked) and predicts.
Texts (a folder of .txt files, a zip, JSON Lines, a table with --text-column) get one row per text,
with its source, as for \`reuse\`. Images (a folder or zip of .png/.jpg files, or one image) get
one row per image in sorted path order, with its file, as for \`reuse\`.
A composite saved through a column mapping reads the columns of the table it was made on (or its
own features by name).`;

interface Prepared {
  learnwares: Learnware[];
  bundles: Map<string, Uint8Array>;
  weights?: number[];
  values: Float64Array;
  rows: number;
  columns: string[];
  labels: (number | string | null)[] | null;
  /** how the table feeds the learnwares' island (the search's mapping; absent: by name) */
  mapping?: ColumnMapping;
  /** texts: the values are their embeddings, the columns the embedding dimensions */
  texts?: TextDataset;
  /** images: the values are their features, the columns the feature network's dimensions */
  images?: ImageDataset;
}

/** The rows the reuse methods see: a table's features, or the texts' embeddings (docs/text.md §5). */
async function readRows(data: string, args: ParsedArgs, needsLabels: boolean) {
  if (isImageInput(data, args)) {
    const images = await readImages(data, args, { features: true });
    const labels = needsLabels ? imageLabels(images, data) : (images.labels ?? null);
    return { texts: undefined, images, matrix: imageRowsMatrix(images), labels };
  }
  if (isTextInput(data, args)) {
    const texts = await readTexts(data, args);
    const embedding = texts.embedding!;
    const labels = needsLabels ? textLabels(texts, data) : (texts.labels ?? null);
    return { texts, images: undefined, matrix: { values: embedding.values, rows: texts.rows, featureNames: embeddingDimensions(embedding.embedder) }, labels };
  }
  const { matrix, labels } = await readUserTable(data, args);
  return { texts: undefined, images: undefined, matrix, labels };
}

/** The CSV of predictions; texts get their source after the row number; images their file instead of a row number. */
function writePredictions(out: string, predictions: Parameters<typeof predictionsCsv>[0], texts: TextDataset | undefined, images?: ImageDataset): void {
  const csv = images
    ? imagePredictionsCsv(predictionsCsv(predictions, { columns: [{ name: 'file', values: images.sources }] }))
    : predictionsCsv(predictions, texts ? { columns: [{ name: 'source', values: texts.sources }] } : undefined);
  writeFileSync(out, csv);
}

async function prepare(args: ParsedArgs, method: ReuseMethod | 'evaluate'): Promise<Prepared> {
  const catalog =
    stringOption(args, 'catalog') ??
    (() => {
      throw usage('needs --catalog <dir|url>');
    })();
  const data =
    stringOption(args, 'data') ??
    (() => {
      throw usage('needs --data <file.csv | texts | images>');
    })();
  const { texts, images, matrix, labels } = await readRows(data, args, method === 'evaluate' || reuseMethods.some((m) => m.id === method && m.needsLabels));
  const { fetchFn, base } = catalogSource(catalog);
  const index = await loadCatalogIndex(fetchFn, base);
  const named = listOption(args, 'learnwares');
  const given = stringOption(args, 'map');
  const search = async () =>
    searchCatalog({
      index,
      fetchFn,
      base,
      backend: (await nodeBackend(undefined)).backend,
      data: images ?? texts ?? tableDataset({ ...matrix, cols: matrix.featureNames.length }),
      top: 5,
      map: given === undefined ? undefined : parseMapOverride(given),
    });
  let choice;
  let mapping: ColumnMapping | undefined;
  if (named.length > 0) {
    choice = chooseLearnwares({ learnwares: refsFromIndex(index, named) }, method);
    // named learnwares whose features the table lacks by name: read through the search's mapping of their island
    const entry = index.entries.find((e) => e.id === named[0])!;
    const island = index.islands.find((i) => i.id === entry.island);
    if (given !== undefined || (island && !island.features.every((f) => matrix.featureNames.includes(f)))) mapping = reuseMapping(await search(), entry.island);
  } else {
    const islands = await search();
    choice = chooseLearnwares({ islands }, method);
    mapping = reuseMapping(islands);
  }
  const { provider } = await chooseExecutionProvider();
  const { learnwares, bundles, weights } = await prepareReuse({ fetchFn, catalogUrl: base, choice, provider, mapping });
  return { learnwares, bundles, weights, values: matrix.values, rows: matrix.rows, columns: matrix.featureNames, labels, mapping, texts, images };
}

export async function reuseCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['catalog', 'data', 'method', 'label-column', 'drop-columns', 'learnwares', 'out', 'save', 'delimiter', 'map', 'text-column'], ['fill-missing']);
  const method = stringOption(args, 'method');
  if (!isReuseMethod(method)) throw usage(`--method must be one of ${REUSE_METHODS.join(', ')}`);
  const out =
    stringOption(args, 'out') ??
    (() => {
      throw usage('reuse needs --out <predictions.csv>');
    })();
  const p = await prepare(args, method);
  // texts and images bring labels unasked (sub-folders, JSON Lines): only the methods that fit on labels get them
  const useLabels = p.labels && ((!p.texts && !p.images) || reuseMethods.some((m) => m.id === method && m.needsLabels));
  const labels = useLabels ? labelledTargets(p.labels!, p.learnwares) : undefined;
  const result = await reuseLearnwares({
    method,
    learnwares: p.learnwares,
    weights: p.weights,
    values: p.values,
    rows: p.rows,
    columns: p.columns,
    labels,
    mapping: p.mapping,
    texts: p.texts?.texts,
    images: p.images,
  });
  writePredictions(out, result.predictions, p.texts, p.images);
  const save = stringOption(args, 'save');
  if (save) writeFileSync(save, packComposite(result.composite, p.bundles));
  const parts = result.composite.components.map((c) => `${c.id} ${c.weight.toFixed(3)}`).join(', ');
  process.stdout.write(`${method}: ${parts}; ${p.rows} ${p.texts ? 'texts' : p.images ? 'images' : 'rows'} predicted → ${out}${save ? `; composite → ${save}` : ''}\n`);
  if (p.mapping) process.stdout.write(`${mappingSummary(p.mapping)}\n`);
  for (const lw of p.learnwares) await lw.model.dispose();
}

export async function evaluateCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(
    argv,
    ['catalog', 'data', 'label-column', 'drop-columns', 'learnwares', 'labelled', 'test-fraction', 'seed', 'delimiter', 'map', 'text-column'],
    ['json', 'fill-missing'],
  );
  const data = stringOption(args, 'data');
  if (!stringOption(args, 'label-column') && !(data !== undefined && (isImageInput(data, args) || isTextInput(data, args))))
    throw usage('evaluate needs --label-column: it compares predictions with your labels');
  const labelled = numberOption(args, 'labelled', (v) => Number.isInteger(v) && v >= 2, 'an integer ≥ 2') ?? 100;
  const testFraction = numberOption(args, 'test-fraction', (v) => v > 0 && v < 1, 'a number between 0 and 1') ?? 0.3;
  const seed = numberOption(args, 'seed', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 0;
  const p = await prepare(args, 'evaluate');
  const evaluation = await evaluateTable({
    learnwares: p.learnwares,
    weights: p.weights,
    values: p.values,
    rows: p.rows,
    columns: p.columns,
    labels: p.labels!,
    labelled,
    testFraction,
    seed,
    mapping: p.mapping,
    texts: p.texts?.texts,
    images: p.images,
  });
  for (const lw of p.learnwares) await lw.model.dispose();
  const records = p.images ? 'images' : p.texts ? 'texts' : 'rows';
  const reading = describeEvaluation(evaluation, undefined, records).sentences;
  if (args.options.has('json')) {
    process.stdout.write(JSON.stringify({ ...evaluation, learnwares: p.learnwares.map((lw) => lw.id), reading }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`learnwares: ${p.learnwares.map((lw) => lw.id).join(', ')}\n`);
  process.stdout.write(
    `${evaluation.labelledRows} labelled ${records} for the methods that learn, ${evaluation.testRows} test ${records}; ${evaluation.metric === 'rmse' ? 'RMSE' : 'error rate'} on the test ${records}:\n`,
  );
  for (const row of evaluation.rows) {
    const loss = row.logLoss === undefined ? '' : `log loss ${row.logLoss.toFixed(4)}  `;
    process.stdout.write(`  ${row.method.padEnd(18)}${formatError(row.error, evaluation.metric).padEnd(10)}${loss}${row.usesLabels ? `uses the labelled ${records}` : 'no labels'}\n`);
  }
  for (const sentence of reading) process.stdout.write(`${sentence}\n`);
}

export async function predictCommand(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ['data', 'out', 'drop-columns', 'delimiter', 'text-column'], ['fill-missing']);
  if (args.positionals.length !== 1) throw usage('predict needs one composite.zip');
  const data =
    stringOption(args, 'data') ??
    (() => {
      throw usage('predict needs --data <file.csv | texts | images>');
    })();
  const out =
    stringOption(args, 'out') ??
    (() => {
      throw usage('predict needs --out <predictions.csv>');
    })();
  const composite = await loadComposite(readInput(args.positionals[0], 1024 * 2 ** 20));
  const { matrix, texts, images } = await readRows(data, args, false);
  const predictions = await predictComposite(composite, matrix.values, matrix.rows, matrix.featureNames, { texts: texts?.texts, images });
  writePredictions(out, predictions, texts, images);
  process.stdout.write(`${composite.spec.name}: ${matrix.rows} ${texts ? 'texts' : images ? 'images' : 'rows'} predicted → ${out}\n`);
  for (const lw of composite.learnwares) await lw.model.dispose();
}

/** One line for people: how the table fed the learnwares through the mapping. */
function mappingSummary(mapping: ColumnMapping): string {
  const changed = mapping.pairs.filter((p) => p.user !== p.island || p.factor !== 1 || p.offset !== 0);
  const pairs = changed.map(
    (p) =>
      `${p.user} → ${p.island}${p.factor !== 1 || p.offset !== 0 ? ` (${p.unit ?? `× ${Number(p.factor.toPrecision(6))}${p.offset ? ` + ${Number(p.offset.toPrecision(6))}` : ''}`})` : ''}`,
  );
  const parts = [
    pairs.length > 0 ? `read through the mapping ${pairs.join(', ')}` : 'read by name',
    mapping.missing.length > 0 ? `filled from each learnware's specification: ${mapping.missing.join(', ')}` : '',
    mapping.ignored.length > 0 ? `ignored: ${mapping.ignored.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function formatError(error: number, metric: 'rmse' | 'error-rate'): string {
  return metric === 'rmse' ? error.toPrecision(4) : `${(100 * error).toFixed(1)} %`;
}
