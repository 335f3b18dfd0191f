/**
 * What the learnwares bring: on a user table with labels, hold out a seeded test part, give every
 * reuse method (and a model trained from scratch) the same labelled rows, and report each one's
 * error on the test rows — RMSE for regression, error rate (1 − accuracy) for classification —
 * next to a trivial baseline fitted on the same labelled rows (their mean, or their most frequent
 * class), with a reading in plain words (`describeEvaluation`): whether anything beats the
 * baseline, and why a method far worse than the best may be so.
 */
import { InputError } from '../core/errors.js';
import { Prng } from '../core/prng.js';
import { gatherRows } from '../data/table.js';
import type { StatSpec } from '../spec/spec-type.js';
import { applyLinearHead, fitLinearHead } from './methods/feature-augment.js';
import { commonTask, logLoss, predictionError, selectRows, type Predictions } from './predictions.js';
import { reuseMethods, type ReuseMethod } from './registry.js';

export interface EvaluationInput {
  /** user rows in the learnwares' feature order, row-major rows × d */
  x: Float64Array;
  rows: number;
  d: number;
  /** encoded targets of every row (predictions.ts encodeTargets) */
  targets: Float64Array;
  /** each learnware's predictions for every row; the first is the top-1 search result */
  outputs: Predictions[];
  /** the learnwares' specs (job selector) */
  specs: StatSpec[];
  /** mixture weights from the search (averaging, job selector); equal when absent */
  weights?: number[];
  /** labelled rows given to the methods that learn (default 100); capped at the rows not tested */
  labelled?: number;
  /** fraction of rows held out for testing (default 0.3) */
  testFraction?: number;
  seed?: number;
}

/** what an evaluation row is: a reuse method, the model trained from scratch, or the trivial baseline */
export type EvaluatedMethod = ReuseMethod | 'from-scratch' | 'baseline';

export interface EvaluationRow {
  /** every reuse method (registry order), then from scratch, then the trivial baseline */
  method: EvaluatedMethod;
  error: number;
  /** classification: mean log loss on the test rows (tells calibrated probabilities apart when every method predicts the majority class) */
  logLoss?: number;
  /** uses the labelled rows */
  usesLabels: boolean;
}

export interface Evaluation {
  metric: 'rmse' | 'error-rate';
  /** labelled rows the methods that learn (and from scratch, and the baseline) were fitted on */
  labelledRows: number;
  /** labelled rows asked for (the rows actually used can be fewer: the table has only so many) */
  labelledRequested: number;
  /** rows of the table that have a label (labelledRows + testRows ≤ this) */
  labelledAvailable: number;
  testRows: number;
  rows: EvaluationRow[];
  /** what the baseline predicts: the labelled rows' mean (regression) or most frequent class */
  baseline: { mean?: number; majorityClass?: string };
  /** regression: the mean of the test rows' labels and each learnware's mean prediction on them (explains averaging off-scale learnwares) */
  levels?: { labels: number; learnwares: number[] };
}

export function splitRows(rows: number, labelled: number, testFraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const testCount = Math.max(1, Math.round(rows * testFraction));
  if (rows - testCount < 1) throw new InputError('TOO_FEW_ROWS', `evaluation needs at least 2 labelled rows, got ${rows}`);
  const order = new Prng(seed).sampleWithoutReplacement(rows, rows);
  const test = order.slice(rows - testCount);
  const train = order.slice(0, Math.min(labelled, rows - testCount));
  return { train, test };
}

export function evaluateReuse(input: EvaluationInput): Evaluation {
  const { x, rows, d, targets, outputs, specs } = input;
  if (outputs.length === 0) throw new InputError('NO_LEARNWARES', 'evaluation needs at least one learnware');
  const task = commonTask(outputs);
  const { train, test } = splitRows(rows, input.labelled ?? 100, input.testFraction ?? 0.3, input.seed ?? 0);
  const xTrain = gatherRows(x, d, train);
  const xTest = gatherRows(x, d, test);
  const yTrain = Float64Array.from(train, (r) => targets[r]);
  const yTest = Float64Array.from(test, (r) => targets[r]);
  const outTrain = outputs.map((o) => selectRows(o, train));
  const outTest = outputs.map((o) => selectRows(o, test));
  const result: EvaluationRow[] = [];
  const add = (method: EvaluationRow['method'], p: Predictions, usesLabels: boolean) =>
    result.push({ method, error: predictionError(p, yTest), ...(p.kind === 'classification' ? { logLoss: logLoss(p, yTest) } : {}), usesLabels });

  // every method fitted on the labelled rows (those that need no labels ignore them), scored on the test rows
  const labels = { rows: Int32Array.from(train, (_, i) => i), targets: yTrain };
  for (const method of reuseMethods) {
    const fitted = method.fit({ outputs: outTrain, rows: train.length, d, x: () => xTrain, specs, weights: input.weights, labels, task });
    const members = fitted.members ?? outputs.map((_, i) => i);
    add(
      method.id as ReuseMethod,
      method.predict(fitted.state, { outputs: members.map((i) => outTest[i]), weights: fitted.weights, rows: test.length, d, x: () => xTest }),
      method.needsLabels,
    );
  }
  add('from-scratch', applyLinearHead(fitLinearHead(xTrain, train.length, d, [], yTrain, task), xTest, test.length, d, []), true);
  const baseline = trivialBaseline(yTrain, task, test.length);
  add('baseline', baseline.predictions, true);
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
  return {
    metric: task.kind === 'regression' ? 'rmse' : 'error-rate',
    labelledRows: train.length,
    labelledRequested: input.labelled ?? 100,
    labelledAvailable: rows,
    testRows: test.length,
    rows: result,
    baseline: baseline.what,
    ...(task.kind === 'regression' ? { levels: { labels: mean(yTest), learnwares: outTest.map((o) => mean(o.values)) } } : {}),
  };
}

/**
 * The trivial baseline, fitted on the labelled rows: their mean (regression), or their class
 * frequencies (classification: predicts the most frequent class; its probabilities are the
 * frequencies, add-one smoothed, so its log loss is finite).
 */
export function trivialBaseline(
  yTrain: Float64Array,
  task: { kind: 'regression' | 'classification'; classes: string[] | null },
  rows: number,
): { predictions: Predictions; what: Evaluation['baseline'] } {
  if (task.kind === 'regression') {
    const m = yTrain.reduce((s, v) => s + v, 0) / Math.max(1, yTrain.length);
    return { predictions: { kind: 'regression', rows, classes: null, values: new Float64Array(rows).fill(m) }, what: { mean: m } };
  }
  const classes = task.classes!;
  const C = classes.length;
  const counts = new Float64Array(C).fill(1);
  for (const y of yTrain) counts[y]++;
  const total = counts.reduce((s, v) => s + v, 0);
  let best = 0;
  for (let k = 1; k < C; k++) if (counts[k] > counts[best]) best = k;
  const values = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) for (let k = 0; k < C; k++) values[r * C + k] = counts[k] / total;
  return { predictions: { kind: 'classification', rows, classes, values }, what: { majorityClass: classes[best] } };
}

/** A method is "far worse" than the best when its error is at least this many times the best's. */
export const FAR_WORSE_RATIO = 2;

export interface EvaluationReading {
  /** the method (or from scratch) with the lowest error */
  best: EvaluatedMethod;
  /** the best has a lower error than the baseline */
  beatsBaseline: boolean;
  /** methods whose error is at least FAR_WORSE_RATIO × the best's */
  farWorse: EvaluatedMethod[];
  /** sentences for people, in order */
  sentences: string[];
}

/**
 * The evaluation in plain words: which method is best, whether anything beats the trivial
 * baseline, why a method far worse than the best may be so, and how many labelled rows were used.
 * `label` names a method for people (default: the registry's short labels).
 */
export function evaluatedLabel(method: EvaluatedMethod): string {
  if (method === 'from-scratch') return 'training from scratch';
  if (method === 'baseline') return 'trivial baseline';
  return reuseMethods.find((m) => m.id === method)?.shortLabel ?? method;
}

/** What the user's records are, for the reading's words: table rows, images or texts. */
export type RecordNoun = 'rows' | 'images' | 'texts';

export function describeEvaluation(e: Evaluation, label: (method: EvaluatedMethod) => string = evaluatedLabel, records: RecordNoun = 'rows'): EvaluationReading {
  const fmt = (v: number) => (e.metric === 'rmse' ? Number(v.toPrecision(4)).toLocaleString('en') : `${(v * 100).toFixed(1)} %`);
  const what = e.metric === 'rmse' ? 'RMSE' : 'error rate';
  const base = e.rows.find((r) => r.method === 'baseline');
  const candidates = e.rows.filter((r) => r.method !== 'baseline' && Number.isFinite(r.error));
  const sentences: string[] = [];
  const bestRow = candidates.reduce((a, b) => (b.error < a.error ? b : a), candidates[0]);
  const baselineText =
    e.baseline.majorityClass !== undefined
      ? `always answering “${e.baseline.majorityClass}”, the most frequent class of your labelled ${records}`
      : `always answering ${fmt(e.baseline.mean ?? NaN)}, the mean of your labelled ${records}`;
  const beatsBaseline = base !== undefined && bestRow.error < base.error;
  if (base) {
    if (!beatsBaseline) {
      sentences.push(
        `No method beats the trivial baseline — ${baselineText} — which has a ${what} of ${fmt(base.error)}; the best here, ${label(bestRow.method)}, has ${fmt(bestRow.error)}. These learnwares do not help on your data: check that they fit it (search score${records === 'rows' ? ', columns' : ''}) or label more ${records}.`,
      );
    } else {
      const gain = base.error > 0 ? (1 - bestRow.error / base.error) * 100 : 0;
      sentences.push(`Best: ${label(bestRow.method)}, ${what} ${fmt(bestRow.error)}, ${gain.toFixed(0)} % lower than the trivial baseline's ${fmt(base.error)} (${baselineText}).`);
    }
  }
  const farWorse = candidates.filter((r) => bestRow.error > 0 && r.error >= FAR_WORSE_RATIO * bestRow.error).map((r) => r.method);
  for (const m of farWorse) {
    const row = candidates.find((r) => r.method === m)!;
    const times = (row.error / bestRow.error).toFixed(1);
    let why = '';
    if (m === 'average' && e.levels && e.levels.learnwares.length > 1) {
      const lo = Math.min(...e.levels.learnwares);
      const hi = Math.max(...e.levels.learnwares);
      why = ` It averages learnwares whose predictions on your ${records} sit at different levels (their means range from ${fmt(lo)} to ${fmt(hi)}; your labels average ${fmt(e.levels.labels)}), e.g. models of other groups (cities, airports) whose scales differ from yours: the average lands between them.`;
    } else if (m === 'average' || m === 'job-selector') {
      why = ' It mixes several learnwares without looking at your labels; when some of them describe other groups than yours, their outputs pull it away.';
    } else if (m === 'from-scratch') {
      why = ` It learns from ${e.labelledRows} labelled ${records} only; the learnwares bring what they learnt elsewhere.`;
    } else if (m === 'single') {
      why = ` The best-matching learnware alone is off on your ${records}; the methods that learn from your labels correct it.`;
    }
    const name = label(m);
    sentences.push(`${name.charAt(0).toUpperCase()}${name.slice(1)} is ${times} × worse than the best (${fmt(row.error)}).${why}`);
  }
  sentences.push(
    `Labelled ${records} used: ${e.labelledRows} of the ${e.labelledAvailable} ${records === 'rows' ? 'rows of your table' : `${records} of yours`} that have a label (${e.testRows} held out for testing${
      e.labelledRequested > e.labelledRows ? `; you asked for ${e.labelledRequested}, more than ${records === 'rows' ? 'the table has' : 'there are'} left` : ''
    }).`,
  );
  return { best: bestRow.method, beatsBaseline, farWorse, sentences };
}
