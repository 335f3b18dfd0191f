/**
 * What the learnwares bring: on a user table with labels, hold out a seeded test part, give every
 * reuse method (and a model trained from scratch) the same labelled rows, and report each one's
 * error on the test rows — RMSE for regression, error rate (1 − accuracy) for classification.
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

export interface EvaluationRow {
  /** every reuse method (registry order), then the baseline */
  method: ReuseMethod | 'from-scratch';
  error: number;
  /** classification: mean log loss on the test rows (tells calibrated probabilities apart when every method predicts the majority class) */
  logLoss?: number;
  /** uses the labelled rows */
  usesLabels: boolean;
}

export interface Evaluation {
  metric: 'rmse' | 'error-rate';
  labelledRows: number;
  testRows: number;
  rows: EvaluationRow[];
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
  return { metric: task.kind === 'regression' ? 'rmse' : 'error-rate', labelledRows: train.length, testRows: test.length, rows: result };
}
