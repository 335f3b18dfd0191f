/**
 * Ensemble pruning (labels): greedy forward selection with replacement (Caruana et al. 2004)
 * starting from the best single learnware, so it never does worse on the labelled rows than the
 * best member; the reference's evolutionary multi-objective search is replaced by this simpler,
 * deterministic method (docs/reuse.md).
 */
import { InputError } from '../../core/errors.js';
import { defineReuseMethod } from '../method.js';
import { alignOutputs, logLoss, predictionError, selectRows, type Predictions } from '../predictions.js';
import { averageOutputs } from './average.js';
import { topSingles } from './choose.js';

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
  const better = (a: { error: number; loss: number }, b: { error: number; loss: number }) =>
    a.error < b.error - 1e-12 || (Math.abs(a.error - b.error) <= 1e-12 && a.loss < b.loss - 1e-12);
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

export const ensemblePruning = defineReuseMethod({
  id: 'ensemble-pruning',
  label: 'Ensemble pruning',
  shortLabel: 'ensemble pruning',
  description: 'keeps the combination of the 5 best learnwares that fits your labelled rows best',
  needsLabels: true,
  sameFeatures: false,
  recommended: () => false,
  chooseLearnwares: (island) => topSingles(island, 5),
  fit(input) {
    const labels = input.labels!;
    const pruned = pruneEnsemble(
      input.outputs.map((o) => selectRows(o, labels.rows)),
      labels.targets,
    );
    return { state: null, weights: pruned.weights };
  },
  predict: (_state, input) => averageOutputs(input.outputs, input.weights),
  save: () => ({}),
  restore: () => ({ state: null }),
});
