/**
 * Reusing learnwares on a user's table, end to end (shared by workers/reuse.worker.ts and the CLI):
 * fetch the bundles from the catalog (validated by hash), load them, predict the user's rows with
 * each, combine them with the chosen method, and describe the result as a composite learnware.
 */
import { InputError } from '../core/errors.js';
import { gatherRows } from '../data/table.js';
import type { JobOptions } from '../core/progress.js';
import type { FileRef } from '../catalog/catalog.js';
import { fetchValidated, resolveUrl, type FetchLike, type FileCache } from '../catalog/fetch.js';
import type { CompositeSpec } from './composite.js';
import { alignRows, predictLearnware, type Learnware, type PredictOptions } from './learnware.js';
import {
  LABELLED_METHODS,
  alignOutputs,
  applyJobSelector,
  applyLinearHead,
  averageOutputs,
  fitLinearHead,
  pruneEnsemble,
  routeRows,
  trainJobSelector,
  type ReuseMethod,
} from './methods.js';
import { commonTask, encodeTargets, selectRows, type Predictions } from './predictions.js';
import { evaluateReuse, type Evaluation } from './evaluate.js';
import { learnwareTask } from './learnware.js';
import type { CatalogSearchIsland } from '../search/catalog-search.js';

/** Downloads bundles by their catalog references; every one is checked against its SHA-256. */
export async function fetchBundles(fetchFn: FetchLike, base: string, refs: readonly FileRef[], options: { cache?: FileCache; signal?: AbortSignal } = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const ref of refs) {
    out.push(await fetchValidated(fetchFn, resolveUrl(base, ref.file), { kind: 'zip', maxBytes: 256 * 2 ** 20, sha256: ref.sha256, size: ref.size, signal: options.signal, cache: options.cache }));
  }
  return out;
}

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
}

export interface ReuseResult {
  predictions: Predictions;
  /** what to save to reproduce the predictions (pack with packComposite and the bundles) */
  composite: CompositeSpec;
  /** job selector: the learnware index each row went to */
  routed?: Int32Array;
}

export async function reuseLearnwares(input: ReuseInput, options: JobOptions = {}): Promise<ReuseResult> {
  const { method, learnwares, rows } = input;
  if (learnwares.length === 0) throw new InputError('NO_LEARNWARES', 'choose at least one learnware to reuse');
  if (rows < 1) throw new InputError('NO_ROWS', 'the table has no rows to predict');
  const needsLabels = LABELLED_METHODS.includes(method);
  if (needsLabels && !(input.labels && input.labels.rows.length > 0)) {
    throw new InputError('NO_LABELS', `${method} learns from labelled rows: choose the label column of your table (rows with an empty label are predicted, not used for fitting)`);
  }
  const outputs: Predictions[] = [];
  for (const lw of learnwares) outputs.push(await predictLearnware(lw, input.values, rows, input.columns, options));
  const aligned = alignOutputs(outputs);
  const task = commonTask(aligned);
  const features = learnwares[0].manifest.model.input.features;
  const sameFeatures = learnwares.every((lw) => lw.manifest.model.input.features.join('\u0000') === features.join('\u0000'));
  if ((method === 'job-selector' || method === 'feature-augment') && !sameFeatures) {
    throw new InputError('MIXED_FEATURES', `${method} needs learnwares that take the same features in the same order (one island)`);
  }
  const weights = input.weights ?? learnwares.map(() => 1 / learnwares.length);
  const components = (w: number[]) => learnwares.map((lw, i) => ({ id: lw.id, name: lw.name, sha256: lw.sha256, weight: w[i] }));
  const composite: CompositeSpec = {
    format: 'learnware-dock/composite',
    formatVersion: 1,
    name: input.name ?? `${method} of ${learnwares.map((lw) => lw.id).join(', ')}`,
    createdAt: new Date().toISOString(),
    method,
    features,
    task,
    components: components(weights),
  };
  if (method === 'single') {
    return { predictions: aligned[0], composite: { ...composite, components: components([1, ...weights.slice(1).map(() => 0)]).slice(0, 1) } };
  }
  if (method === 'average') return { predictions: averageOutputs(aligned, weights), composite };
  const x = alignRows(input.values, rows, input.columns, features);
  if (method === 'job-selector') {
    const selector = trainJobSelector(learnwares.map((lw) => lw.spec), weights, { seed: input.seed });
    return { predictions: applyJobSelector(selector, aligned, x, rows), composite: { ...composite, selector }, routed: routeRows(selector, x, rows) };
  }
  const labels = input.labels!;
  const labelled = aligned.map((o) => selectRows(o, labels.rows));
  if (method === 'ensemble-pruning') {
    const pruned = pruneEnsemble(labelled, labels.targets);
    return { predictions: averageOutputs(aligned, pruned.weights), composite: { ...composite, components: components(pruned.weights) } };
  }
  const d = features.length;
  const head = fitLinearHead(gatherRows(x, d, labels.rows), labels.rows.length, d, labelled, labels.targets, task);
  return { predictions: applyLinearHead(head, x, rows, d, aligned), composite: { ...composite, head } };
}

/**
 * The learnwares a method reuses by default, from a search result: the recommended mixture with its
 * weights for averaging and the job selector (else the 3 best singles), the best single for
 * `single`, the 5 best singles for the methods that learn from labels (they pick among them).
 */
export function defaultLearnwares(island: CatalogSearchIsland, method: ReuseMethod | 'evaluate'): { refs: { id: string; bundle: FileRef }[]; weights?: number[] } {
  if (island.singles.length === 0) throw new InputError('NO_LEARNWARES', 'the search found no learnware to reuse');
  if (method === 'single') return { refs: island.singles.slice(0, 1) };
  if ((method === 'average' || method === 'job-selector') && island.recommended === 'mixture' && island.mixture) {
    return { refs: island.mixture.ids.map((id, i) => ({ id, bundle: island.mixture!.bundles[i] })), weights: island.mixture.weights };
  }
  return { refs: island.singles.slice(0, method === 'average' || method === 'job-selector' ? 3 : 5) };
}

/** The labelled rows of a label column (null = unlabelled) and their encoded targets. */
export function labelledTargets(labels: readonly (number | string | null)[], learnwares: readonly Learnware[]): { rows: Int32Array; targets: Float64Array } {
  const task = learnwareTask(learnwares);
  const rows = Int32Array.from(labels.flatMap((v, r) => (v === null ? [] : [r])));
  return { rows, targets: encodeTargets(Array.from(rows, (r) => labels[r]!), task.kind, task.classes) };
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
}

/** evaluateReuse on a user's table: only labelled rows count; every learnware predicts them once. */
export async function evaluateTable(input: TableEvaluationInput, options: PredictOptions = {}): Promise<Evaluation> {
  const keep = input.labels.flatMap((v, r) => (v === null ? [] : [r]));
  if (keep.length < 4) throw new InputError('TOO_FEW_LABELS', `evaluation needs at least 4 labelled rows, the label column has ${keep.length}`);
  const d = input.columns.length;
  const values = gatherRows(input.values, d, keep);
  const outputs: Predictions[] = [];
  for (const lw of input.learnwares) outputs.push(await predictLearnware(lw, values, keep.length, input.columns, options));
  const task = commonTask(outputs);
  const targets = encodeTargets(keep.map((r) => input.labels[r]!), task.kind, task.classes);
  const features = input.learnwares[0].manifest.model.input.features;
  if (input.learnwares.some((lw) => lw.manifest.model.input.features.join('\u0000') !== features.join('\u0000'))) {
    throw new InputError('MIXED_FEATURES', 'evaluation needs learnwares that take the same features (one island)');
  }
  return evaluateReuse({
    x: alignRows(values, keep.length, input.columns, features),
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
