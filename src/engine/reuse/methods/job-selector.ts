/**
 * Job selector (no labels): a classifier trained on rows drawn from every learnware's spec — as
 * many as its mixture weight — routes each user row to one learnware, whose prediction the row
 * gets. Model: softmax with one hidden ReLU layer of 32 units (fit.ts): it trains in well under a
 * second on ≤ 1,000 herded rows, and unlike a linear selector it can carve out a learnware whose
 * data sit between others'.
 */
import { InputError } from '../../core/errors.js';
import { fitSoftmax, fittedModelProblem, predictSoftmax, type SoftmaxModel } from '../fit.js';
import type { Learnware } from '../learnware.js';
import { defineReuseMethod } from '../method.js';
import { alignOutputs, type Predictions } from '../predictions.js';
import { samplesFromSpec } from '../spec-samples.js';
import { normalisedWeights } from './average.js';
import { equalWeights, mixtureOrTop } from './choose.js';

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

/** Trains the selector from the learnwares' specs only (raw feature units, the learnwares' feature order). */
export function trainJobSelector(specs: readonly Learnware['spec'][], weights?: readonly number[], options: JobSelectorOptions = {}): JobSelector {
  if (specs.length < 1) throw new InputError('NO_LEARNWARES', 'the job selector needs learnwares');
  const w = normalisedWeights(specs.length, weights);
  const total = options.samples ?? 200 * specs.length;
  const samples = w.map((wi) => Math.max(20, Math.round(total * wi)));
  const drawn = specs.map((spec, i) => samplesFromSpec(spec, samples[i], (options.seed ?? 0) + i));
  const d = drawn[0].length / samples[0];
  if (drawn.some((x, i) => x.length !== samples[i] * d)) throw new InputError('DIMENSION_MISMATCH', 'the learnwares take different numbers of features');
  const rows = samples.reduce((s, v) => s + v, 0);
  const x = new Float64Array(rows * d);
  const y = new Float64Array(rows);
  let at = 0;
  drawn.forEach((part, i) => {
    x.set(part, at * d);
    y.fill(i, at, at + samples[i]);
    at += samples[i];
  });
  const model = fitSoftmax(x, rows, d, y, specs.length, { hidden: 32, epochs: 250, learningRate: 0.02, seed: options.seed ?? 0 });
  return { model, samples };
}

/**
 * How much more probable another member must be than the first (the best-ranked) for a row to
 * leave it. Among near-identical specs the selector's probabilities are close to even and its
 * argmax routes rows by noise to members that predict worse than the first (docs/reuse.md,
 * "Job selector"); with the margin, such rows stay with the first member, so an unsure selector
 * is the top single.
 */
export const ROUTE_MARGIN = 0.3;

/** The learnware each row is routed to: the most probable one, if it beats the first member by `ROUTE_MARGIN`, else the first. */
export function routeRows(selector: JobSelector, x: Float64Array, n: number): Int32Array {
  const p = predictSoftmax(selector.model, x, n);
  const C = selector.model.classes;
  return Int32Array.from({ length: n }, (_, r) => {
    let best = 0;
    for (let k = 1; k < C; k++) if (p[r * C + k] > p[r * C + best]) best = k;
    return p[r * C + best] >= p[r * C] + ROUTE_MARGIN ? best : 0;
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

export const jobSelector = defineReuseMethod({
  id: 'job-selector',
  label: 'Job selector',
  shortLabel: 'job selector',
  description: 'sends each row to the learnware whose data it resembles (trained on the specifications only)',
  needsLabels: false,
  sameFeatures: true,
  recommended: (context) => context.recommended === 'mixture',
  chooseLearnwares: (island) => mixtureOrTop(island, 3),
  fit(input) {
    const selector = trainJobSelector(input.specs, input.weights, { seed: input.seed });
    return { state: selector, weights: input.weights ? [...input.weights] : equalWeights(input.specs.length), routed: routeRows(selector, input.x(), input.rows) };
  },
  predict: (selector, input) => applyJobSelector(selector, input.outputs, input.x(), input.rows),
  save: (selector) => ({ selector }),
  restore(spec) {
    const problem = spec.selector ? fittedModelProblem(spec.selector.model, spec.features.length, spec.components.length) : 'missing';
    return problem ? { problem: `the job selector: ${problem}` } : { state: spec.selector! };
  },
});
