/**
 * Reuse methods (learnware-algorithms.md §5) on the learnwares' predictions for the user's rows
 * (the models run elsewhere: workers/reuse.worker.ts, the CLI). Pure functions, so they are the
 * same in the browser, in Node and in tests.
 *  - averaging: weighted mean of regression values or of class probabilities (label outputs are
 *    one-hot, so their average is a vote), weights = the mixture weights when given;
 *  - job selector (no labels): a classifier trained on rows herded from every learnware's RKME,
 *    as many as its mixture weight, routes each user row to one learnware. Model: softmax with one
 *    hidden ReLU layer of 32 units (fit.ts) — trains in well under a second on ≤ 1,000 herded rows,
 *    and unlike a linear selector it can carve out a learnware whose data sit between others';
 *  - ensemble pruning (labels): greedy forward selection with replacement (Caruana et al. 2004)
 *    starting from the best single learnware, so it never does worse on the labelled rows than the
 *    best member; the reference's evolutionary multi-objective search is replaced by this simpler,
 *    deterministic method;
 *  - feature augmentation (labels): the learnwares' outputs appended to the user's features, then
 *    ridge regression / logistic regression on the labelled rows;
 *  - from scratch: the same model on the user's features alone (the baseline every method faces).
 */
import { InputError } from '../core/errors.js';
import { herdSamples } from '../spec/herding.js';
import type { RkmeTableSpec } from '../spec/types.js';
import { fitRidgeLoo, fitSoftmax, fitSoftmaxCv, predictRidge, predictSoftmax, type RidgeModel, type SoftmaxModel } from './fit.js';
import { commonTask, logLoss, predictionError, toClasses, type Predictions, type TaskKind } from './predictions.js';

export const REUSE_METHODS = ['single', 'average', 'job-selector', 'ensemble-pruning', 'feature-augment'] as const;
export type ReuseMethod = (typeof REUSE_METHODS)[number];
/** methods that need labelled user rows */
export const LABELLED_METHODS: readonly ReuseMethod[] = ['ensemble-pruning', 'feature-augment'];

/** Puts every output on the common class list. */
export function alignOutputs(outputs: readonly Predictions[]): Predictions[] {
  const { classes } = commonTask(outputs);
  return outputs.map((o) => (classes ? toClasses(o, classes) : o));
}

function normalisedWeights(count: number, weights?: readonly number[]): number[] {
  if (!weights) return new Array<number>(count).fill(1 / count);
  if (weights.length !== count || weights.some((w) => !(w >= 0)) || !(weights.reduce((s, w) => s + w, 0) > 0)) {
    throw new InputError('BAD_WEIGHTS', `need ${count} non-negative weights with a positive sum`);
  }
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => w / total);
}

/** Weighted mean of the learnwares' predictions (equal weights by default). */
export function averageOutputs(outputs: readonly Predictions[], weights?: readonly number[]): Predictions {
  const aligned = alignOutputs(outputs);
  const w = normalisedWeights(aligned.length, weights);
  const values = new Float64Array(aligned[0].values.length);
  aligned.forEach((o, i) => {
    if (o.rows !== aligned[0].rows) throw new InputError('BAD_SHAPE', 'the learnwares predicted different numbers of rows');
    for (let j = 0; j < values.length; j++) values[j] += w[i] * o.values[j];
  });
  return { ...aligned[0], values };
}

export interface JobSelector {
  model: SoftmaxModel;
  /** herded rows per learnware used for training */
  samples: number[];
}

export interface JobSelectorOptions {
  /** herded rows in total (default 200 per learnware, at least 20 each) */
  samples?: number;
  seed?: number;
}

/** Trains the selector from the learnwares' specs only (raw feature units, the user's column order). */
export function trainJobSelector(specs: readonly RkmeTableSpec[], weights?: readonly number[], options: JobSelectorOptions = {}): JobSelector {
  if (specs.length < 1) throw new InputError('NO_LEARNWARES', 'the job selector needs learnwares');
  const d = specs[0].d;
  if (specs.some((s) => s.d !== d)) throw new InputError('DIMENSION_MISMATCH', 'the learnwares take different numbers of features');
  const w = normalisedWeights(specs.length, weights);
  const total = options.samples ?? 200 * specs.length;
  const samples = w.map((wi) => Math.max(20, Math.round(total * wi)));
  const rows = samples.reduce((s, v) => s + v, 0);
  const x = new Float64Array(rows * d);
  const y = new Float64Array(rows);
  let at = 0;
  specs.forEach((spec, i) => {
    x.set(herdSamples(spec, samples[i], { seed: (options.seed ?? 0) + i }), at * d);
    y.fill(i, at, at + samples[i]);
    at += samples[i];
  });
  const model = fitSoftmax(x, rows, d, y, specs.length, { hidden: 32, epochs: 250, learningRate: 0.02, seed: options.seed ?? 0 });
  return { model, samples };
}

/** The learnware each row is routed to. */
export function routeRows(selector: JobSelector, x: Float64Array, n: number): Int32Array {
  const p = predictSoftmax(selector.model, x, n);
  const C = selector.model.classes;
  return Int32Array.from({ length: n }, (_, r) => {
    let best = 0;
    for (let k = 1; k < C; k++) if (p[r * C + k] > p[r * C + best]) best = k;
    return best;
  });
}

/** Each row's prediction from the learnware the selector routes it to. */
export function applyJobSelector(selector: JobSelector, outputs: readonly Predictions[], x: Float64Array, n: number): Predictions {
  const aligned = alignOutputs(outputs);
  const route = routeRows(selector, x, n);
  const width = aligned[0].kind === 'regression' ? 1 : aligned[0].classes!.length;
  const values = new Float64Array(n * width);
  for (let r = 0; r < n; r++) for (let k = 0; k < width; k++) values[r * width + k] = aligned[route[r]].values[r * width + k];
  return { ...aligned[0], rows: n, values };
}

export interface PrunedEnsemble {
  /** weight per learnware (selection counts / steps); zeros are pruned */
  weights: number[];
  /** error on the labelled rows of the pruned ensemble and of the best single learnware */
  error: number;
  bestSingleError: number;
}

/**
 * Greedy forward selection with replacement on the labelled rows (Caruana et al.), starting from
 * the best single learnware, so never worse than it. Ensembles are compared by error (RMSE or error
 * rate), classification ties by log loss: error rates often tie (every model predicting the
 * majority class) while probabilities still differ.
 */
export function pruneEnsemble(outputs: readonly Predictions[], targets: Float64Array, maxSteps = 25): PrunedEnsemble {
  if (targets.length === 0) throw new InputError('NO_LABELS', 'ensemble pruning needs labelled rows: give the label column');
  const aligned = alignOutputs(outputs);
  const judge = (p: Predictions) => ({ error: predictionError(p, targets), loss: p.kind === 'classification' ? logLoss(p, targets) : 0 });
  const better = (a: { error: number; loss: number }, b: { error: number; loss: number }) => a.error < b.error - 1e-12 || (Math.abs(a.error - b.error) <= 1e-12 && a.loss < b.loss - 1e-12);
  const singles = aligned.map(judge);
  const best = singles.reduce((bi, s, i) => (better(s, singles[bi]) ? i : bi), 0);
  const counts = new Array<number>(aligned.length).fill(0);
  counts[best] = 1;
  let bestCounts = [...counts];
  let bestScore = singles[best];
  for (let step = 1; step < maxSteps; step++) {
    let stepBest = -1;
    let stepScore = { error: Infinity, loss: Infinity };
    for (let i = 0; i < aligned.length; i++) {
      counts[i]++;
      const score = judge(averageOutputs(aligned, counts));
      counts[i]--;
      if (stepBest < 0 || better(score, stepScore)) [stepBest, stepScore] = [i, score];
    }
    counts[stepBest]++;
    if (better(stepScore, bestScore)) [bestScore, bestCounts] = [stepScore, [...counts]];
  }
  const total = bestCounts.reduce((s, c) => s + c, 0);
  return { weights: bestCounts.map((c) => c / total), error: bestScore.error, bestSingleError: Math.min(...singles.map((s) => s.error)) };
}

export interface LinearHead {
  kind: TaskKind;
  classes: string[] | null;
  model: RidgeModel | SoftmaxModel;
  /** learnware outputs appended to the features (0 = trained from scratch) */
  learnwares: number;
  /** the penalty chosen by cross-validation (ridge λ or softmax L2) */
  penalty: number;
}

function augmented(x: Float64Array, n: number, d: number, outputs: readonly Predictions[]): { values: Float64Array; cols: number } {
  const widths = outputs.map((o) => (o.kind === 'regression' ? 1 : o.classes!.length));
  const cols = d + widths.reduce((s, w) => s + w, 0);
  const values = new Float64Array(n * cols);
  for (let r = 0; r < n; r++) {
    values.set(x.subarray(r * d, (r + 1) * d), r * cols);
    let c = d;
    outputs.forEach((o, i) => {
      for (let k = 0; k < widths[i]; k++) values[r * cols + c++] = o.values[r * widths[i] + k];
    });
  }
  return { values, cols };
}

/** The first learnware's output as the head's starting point: its value (regression) or logits. */
function offsetOf(first: Predictions | undefined): Float64Array | undefined {
  if (!first) return undefined;
  if (first.kind === 'regression') return first.values;
  return first.values.map((p) => Math.log(Math.max(1e-6, p)));
}

/**
 * Feature augmentation: a linear model on the user's features plus the learnwares' outputs that
 * learns a correction to the first learnware's predictions (the top search result): ridge on the
 * residual y − ŷ₁ (regression) or a softmax on top of log p₁ (classification), its penalty chosen
 * by cross-validation (fit.ts) — with few labels a large penalty keeps it near the learnware,
 * with many it corrects it. With no outputs this is the from-scratch baseline (same fits, same
 * penalty search, no offset).
 */
export function fitLinearHead(x: Float64Array, n: number, d: number, outputs: readonly Predictions[], targets: Float64Array, task: { kind: TaskKind; classes: string[] | null }): LinearHead {
  if (n === 0 || targets.length !== n) throw new InputError('NO_LABELS', 'this method needs labelled rows: give the label column');
  const aligned = outputs.length ? alignOutputs(outputs).map((o) => (task.classes ? toClasses(o, task.classes) : o)) : [];
  const { values, cols } = augmented(x, n, d, aligned);
  const offset = offsetOf(aligned[0]);
  if (task.kind === 'regression') {
    const residual = offset ? targets.map((y, r) => y - offset[r]) : targets;
    const model = fitRidgeLoo(values, n, cols, residual);
    return { kind: task.kind, classes: null, model, learnwares: aligned.length, penalty: model.lambda };
  }
  const model = fitSoftmaxCv(values, n, cols, targets, task.classes!.length, { epochs: 300, learningRate: 0.05, offset });
  return { kind: task.kind, classes: task.classes, model, learnwares: aligned.length, penalty: model.l2 };
}

export function applyLinearHead(head: LinearHead, x: Float64Array, n: number, d: number, outputs: readonly Predictions[]): Predictions {
  if (outputs.length !== head.learnwares) throw new InputError('BAD_SHAPE', `the head was fitted on ${head.learnwares} learnwares' outputs, got ${outputs.length}`);
  const aligned = outputs.length ? alignOutputs(outputs).map((o) => (head.classes ? toClasses(o, head.classes) : o)) : [];
  const { values } = augmented(x, n, d, aligned);
  const offset = offsetOf(aligned[0]);
  if (head.model.type === 'ridge') {
    const correction = predictRidge(head.model, values, n);
    return { kind: 'regression', rows: n, classes: null, values: offset ? correction.map((c, r) => c + offset[r]) : correction };
  }
  return { kind: 'classification', rows: n, classes: head.classes, values: predictSoftmax(head.model, values, n, offset) };
}
