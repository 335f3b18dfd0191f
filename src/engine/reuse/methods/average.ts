/**
 * Averaging: the weighted mean of the learnwares' outputs — regression values, or class
 * probabilities (label outputs are one-hot, so their average is a vote) — weights = the mixture
 * weights when given.
 */
import { InputError } from '../../core/errors.js';
import { defineReuseMethod } from '../method.js';
import { alignOutputs, type Predictions } from '../predictions.js';
import { equalWeights, mixtureOrTop } from './choose.js';

/**
 * `count` weights scaled to sum 1 (equal when absent); BAD_WEIGHTS unless finite, non-negative,
 * with a positive sum. Scaled by the largest first, so weights of 1e308 (whose sum overflows to
 * Infinity, which made every weight 0) keep their proportions.
 */
export function normalisedWeights(count: number, weights?: readonly number[]): number[] {
  if (!weights) return equalWeights(count);
  if (weights.length !== count || weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || !(Math.max(...weights) > 0)) {
    throw new InputError('BAD_WEIGHTS', `need ${count} finite non-negative weights with a positive sum, got ${JSON.stringify(weights)}`);
  }
  const max = Math.max(...weights);
  const scaled = weights.map((w) => w / max);
  const total = scaled.reduce((s, w) => s + w, 0);
  return scaled.map((w) => w / total);
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

export const average = defineReuseMethod({
  id: 'average',
  label: 'Averaging',
  shortLabel: 'averaging',
  description: 'mean of the learnwares’ predictions, weighted by the mixture weights',
  needsLabels: false,
  sameFeatures: false,
  recommended: () => false,
  chooseLearnwares: (island) => mixtureOrTop(island, 3),
  fit: (input) => ({ state: null, weights: input.weights ? [...input.weights] : equalWeights(input.outputs.length) }),
  predict: (_state, input) => averageOutputs(input.outputs, input.weights),
  save: () => ({}),
  restore: () => ({ state: null }),
});
