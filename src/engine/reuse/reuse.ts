/**
 * Reusing learnwares on a user's table, end to end (shared by workers/reuse.worker.ts and the CLI,
 * through prepare.ts): predict the user's rows with each learnware, fit the chosen method
 * (registry.ts) on those outputs, and describe the result as a composite learnware. A table from
 * another feature space is read through the search's column mapping (align.ts `mappingAligner`,
 * docs/heterogeneous.md §5): the learnwares of one island share it, and each fills the columns the
 * user lacks from its own specification; the composite keeps the mapping.
 */
import { InputError, throwIfCancelled } from '../core/errors.js';
import { gatherRows } from '../data/table.js';
import type { ImageDataset } from '../data/image.js';
import { PhaseReporter, type JobOptions } from '../core/progress.js';
import { isIdentityMapping, type ColumnMapping } from '../data/column-map.js';
import { mappingAligner, mappingGaps, type ColumnAligner } from './align.js';
import type { CompositeSpec } from './composite.js';
import { alignRows, learnwareFeatures, predictLearnware, type Learnware, type PredictOptions } from './learnware.js';
import { alignOutputs, commonTask, encodeTargets, type Predictions } from './predictions.js';
import { evaluateReuse, type Evaluation } from './evaluate.js';
import { learnwareTask } from './learnware.js';
import { equalWeights } from './methods/choose.js';
import { reuseMethod, type ReuseMethod } from './registry.js';

export interface ReuseInput {
  method: ReuseMethod;
  /** the learnwares, best first (the top-1 search result, or the mixture's members) */
  learnwares: Learnware[];
  /** their mixture weights (averaging, job selector); equal when absent */
  weights?: number[];
  /** the user's feature columns (no label), row-major */
  values: Float64Array;
  rows: number;
  columns: string[];
  /** encoded targets of the labelled rows (predictions.ts encodeTargets), and which rows they are */
  labels?: { rows: Int32Array; targets: Float64Array };
  name?: string;
  seed?: number;
  /** how the user's columns feed the models (default: by exact name, or through `mapping`) */
  aligner?: ColumnAligner;
  /** the search's column mapping of the learnwares' island (CatalogSearchIsland.mapping): renamed, rescaled and missing columns */
  mapping?: ColumnMapping;
  /** text learnwares: the user's texts (values/columns are then their embeddings and the embedding dimensions) */
  texts?: readonly string[];
  /** image learnwares: the user's images (values/columns are then their features and the feature network's dimensions, docs/image.md §5) */
  images?: ImageDataset;
}

export interface ReuseResult {
  predictions: Predictions;
  /** what to save to reproduce the predictions (pack with packComposite and the bundles) */
  composite: CompositeSpec;
  /** job selector: the learnware index each row went to */
  routed?: Int32Array;
}

const sameFeatures = (learnwares: readonly Learnware[]) => {
  const features = learnwareFeatures(learnwares[0]).join('\u0000');
  return learnwares.every((lw) => learnwareFeatures(lw).join('\u0000') === features);
};

/** MIXED_FEATURES for a method that combines learnwares' inputs row by row, naming the islands' feature lists. */
function mixedFeatures(what: string, learnwares: readonly Learnware[]): InputError {
  const lists = [...new Set(learnwares.map((lw) => learnwareFeatures(lw).join(', ')))];
  return new InputError(
    'MIXED_FEATURES',
    `${what} reads every learnware's inputs row by row, so the learnwares must take the same features in the same order (one island); these come from different islands (${lists.map((l) => `[${l}]`).join(' vs ')}): reuse one island's learnwares at a time`,
    { islands: lists },
  );
}

/** The least share of a learnware's columns a mapping must feed from the user's table (the rest are filled from its spec). */
export const MIN_FED_SHARE = 0.5;

/**
 * How the user's columns feed each learnware and the rows a method sees: the aligner given, else
 * the mapping (each learnware filling from its own spec; the rows from all of them by their
 * weights), else by exact name. A mapping belongs to one island: MIXED_FEATURES otherwise.
 */
export function reuseAligners(
  learnwares: readonly Learnware[],
  options: { aligner?: ColumnAligner; mapping?: ColumnMapping; weights?: readonly number[] },
): { of: (k: number) => ColumnAligner | undefined; rows: ColumnAligner | undefined } {
  const { aligner, mapping } = options;
  if (aligner || !mapping) return { of: () => aligner, rows: aligner };
  for (const lw of learnwares) mappingGaps(mapping, lw.manifest.model.input.features);
  if (!sameFeatures(learnwares)) throw mixedFeatures('a column mapping', learnwares);
  const features = learnwares[0].manifest.model.input.features;
  const gaps = mappingGaps(mapping, features);
  if (features.length - gaps.length < MIN_FED_SHARE * features.length) {
    throw new InputError(
      'MISSING_COLUMNS',
      `your table feeds only ${features.length - gaps.length} of the ${features.length} columns the learnwares take (${mapping.pairs.map((p) => `${p.user} → ${p.island}`).join(', ') || 'none'}); filling ${gaps.join(', ')} from their specifications would leave their predictions to the fill: reuse needs at least half of the columns`,
      { missing: gaps },
    );
  }
  const each = learnwares.map((lw) => mappingAligner(mapping, lw.spec));
  return {
    of: (k) => each[k],
    rows: mappingAligner(
      mapping,
      learnwares.map((lw) => lw.spec),
      { weights: options.weights },
    ),
  };
}

export async function reuseLearnwares(input: ReuseInput, options: JobOptions = {}): Promise<ReuseResult> {
  const { learnwares, rows } = input;
  const method = reuseMethod(input.method);
  if (learnwares.length === 0) throw new InputError('NO_LEARNWARES', 'choose at least one learnware to reuse');
  if (rows < 1) throw new InputError('NO_ROWS', 'the table has no rows to predict');
  if (method.needsLabels && !(input.labels && input.labels.rows.length > 0)) {
    throw new InputError('NO_LABELS', `${method.id} learns from labelled rows: choose the label column of your table (rows with an empty label are predicted, not used for fitting)`);
  }
  // one progress phase for the whole prediction: every learnware's batches of rows, then the method's
  const progress = new PhaseReporter(options.onProgress, 'reuse', 'predict', rows * (learnwares.length + 1), 'rows');
  if (method.sameFeatures && !sameFeatures(learnwares)) throw mixedFeatures(method.id, learnwares);
  const aligners = reuseAligners(learnwares, input);
  const outputs: Predictions[] = [];
  for (const [k, lw] of learnwares.entries()) {
    const onProgress: JobOptions['onProgress'] = (event) => event.status === 'progress' && progress.update(k * rows + event.done);
    outputs.push(
      await predictLearnware(lw, input.values, rows, input.columns, { signal: options.signal, aligner: aligners.of(k), onProgress, texts: input.texts, images: input.images }),
    );
  }
  const aligned = alignOutputs(outputs);
  const task = commonTask(aligned);
  const features = learnwareFeatures(learnwares[0]);
  const weights = input.weights ?? equalWeights(learnwares.length);
  let x: Float64Array | null = null;
  const rowsOf = { rows, d: features.length, x: () => (x ??= alignRows(input.values, rows, input.columns, features, aligners.rows)) };
  const fitted = method.fit({ ...rowsOf, outputs: aligned, specs: learnwares.map((lw) => lw.spec), weights, labels: input.labels, task, seed: input.seed });
  const members = fitted.members ?? learnwares.map((_, i) => i);
  const composite: CompositeSpec = {
    format: 'learnware-dock/composite',
    formatVersion: 1,
    name: input.name ?? `${method.id} of ${learnwares.map((lw) => lw.id).join(', ')}`,
    createdAt: new Date().toISOString(),
    method: method.id as ReuseMethod,
    features,
    task,
    components: members.map((i, k) => ({ id: learnwares[i].id, name: learnwares[i].name, sha256: learnwares[i].sha256, weight: fitted.weights[k] })),
    ...(input.mapping && !input.aligner && !isIdentityMapping(input.mapping) ? { mapping: input.mapping } : {}),
    ...method.save(fitted.state),
  };
  // the method predicts row by row: in batches, so that progress moves and a cancel is seen on large tables
  const done = learnwares.length * rows;
  const predictions = await predictInBatches(
    rows,
    (start, n) => {
      const slice = (p: Predictions): Predictions => {
        const w = p.kind === 'regression' ? 1 : p.classes!.length;
        return { ...p, rows: n, values: p.values.subarray(start * w, (start + n) * w) };
      };
      const d = rowsOf.d;
      return method.predict(fitted.state, {
        rows: n,
        d,
        x: () => rowsOf.x().subarray(start * d, (start + n) * d),
        outputs: members.map((i) => slice(aligned[i])),
        weights: fitted.weights,
      });
    },
    (rowsDone) => progress.update(done + rowsDone),
    options.signal,
  );
  progress.finish();
  return { predictions, composite, ...(fitted.routed ? { routed: fitted.routed } : {}) };
}

/** rows a method predicts at a time (progress and cancel between batches) */
export const METHOD_BATCH_ROWS = 8192;

async function predictInBatches(rows: number, predict: (start: number, n: number) => Predictions, onRows: (done: number) => void, signal?: AbortSignal): Promise<Predictions> {
  let out: Predictions | null = null;
  for (let start = 0; start < rows; start += METHOD_BATCH_ROWS) {
    throwIfCancelled(signal);
    const n = Math.min(METHOD_BATCH_ROWS, rows - start);
    const part = predict(start, n);
    const w = part.values.length / n;
    out ??= { kind: part.kind, rows, classes: part.classes, values: new Float64Array(rows * w) };
    out.values.set(part.values, start * w);
    onRows(start + n);
    // let the worker post the progress and see a cancel
    if (start + n < rows) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out!;
}

/** The labelled rows of a label column (null = unlabelled) and their encoded targets. */
export function labelledTargets(labels: readonly (number | string | null)[], learnwares: readonly Learnware[]): { rows: Int32Array; targets: Float64Array } {
  const task = learnwareTask(learnwares);
  const rows = Int32Array.from(labels.flatMap((v, r) => (v === null ? [] : [r])));
  return {
    rows,
    targets: encodeTargets(
      Array.from(rows, (r) => labels[r]!),
      task.kind,
      task.classes,
    ),
  };
}

export interface TableEvaluationInput {
  learnwares: Learnware[];
  weights?: number[];
  values: Float64Array;
  rows: number;
  columns: string[];
  /** the label column (null = unlabelled row, left out) */
  labels: readonly (number | string | null)[];
  labelled?: number;
  testFraction?: number;
  seed?: number;
  /** the search's column mapping of the learnwares' island (as in ReuseInput) */
  mapping?: ColumnMapping;
  /** text learnwares: the user's texts, one per row (as in ReuseInput) */
  texts?: readonly string[];
  /** image learnwares: the user's images, one per row (as in ReuseInput) */
  images?: ImageDataset;
}

/** The images of the given rows, in that order (their features too, when computed). */
export function imageRows(data: ImageDataset, rows: readonly number[]): ImageDataset {
  const features = data.features;
  return {
    ...data,
    rows: rows.length,
    images: rows.map((r) => data.images[r]),
    sources: rows.map((r) => data.sources[r]),
    ...(data.labels ? { labels: rows.map((r) => data.labels![r]) } : {}),
    ...(features ? { features: { ...features, values: gatherRows(features.values, features.dim, rows) } } : {}),
  };
}

/** evaluateReuse on a user's table: only labelled rows count; every learnware predicts them once. */
export async function evaluateTable(input: TableEvaluationInput, options: PredictOptions = {}): Promise<Evaluation> {
  const keep = input.labels.flatMap((v, r) => (v === null ? [] : [r]));
  if (keep.length < 4) throw new InputError('TOO_FEW_LABELS', `evaluation needs at least 4 labelled rows, the label column has ${keep.length}`);
  const d = input.columns.length;
  const values = gatherRows(input.values, d, keep);
  if (!sameFeatures(input.learnwares)) throw mixedFeatures('the evaluation (job selector, feature augmentation)', input.learnwares);
  const aligners = reuseAligners(input.learnwares, { aligner: options.aligner, mapping: input.mapping, weights: input.weights });
  const outputs: Predictions[] = [];
  const texts = input.texts ? keep.map((r) => input.texts![r]) : undefined;
  const images = input.images ? imageRows(input.images, keep) : undefined;
  for (const [k, lw] of input.learnwares.entries()) outputs.push(await predictLearnware(lw, values, keep.length, input.columns, { ...options, aligner: aligners.of(k), texts, images }));
  const task = commonTask(outputs);
  const targets = encodeTargets(
    keep.map((r) => input.labels[r]!),
    task.kind,
    task.classes,
  );
  const features = learnwareFeatures(input.learnwares[0]);
  return evaluateReuse({
    x: alignRows(values, keep.length, input.columns, features, aligners.rows),
    rows: keep.length,
    d: features.length,
    targets,
    outputs,
    specs: input.learnwares.map((lw) => lw.spec),
    weights: input.weights,
    labelled: input.labelled,
    testFraction: input.testFraction,
    seed: input.seed,
  });
}
