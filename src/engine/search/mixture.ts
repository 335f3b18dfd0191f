/**
 * Mixture search (docs/algorithms.md §4.6): the convex combination of learnware embeddings
 * Σ w_i Φ_i nearest to the user's Φ_u. Weights by the simplex QP on K_ij = ⟨Φ_i, Φ_j⟩,
 * c_i = ⟨Φ_u, Φ_i⟩; the mixture's squared MMD is ⟨Φ_u,Φ_u⟩ + 2·objective. Unlike the reference,
 * the weights are returned (it discards them).
 */
import { solveSimplexQp } from '../spec/qp.js';

export interface MixtureInput {
  /** ⟨Φ_u, Φ_u⟩ */
  userSelf: number;
  /** c_i = ⟨Φ_u, Φ_i⟩ for every candidate, in ranking order */
  cross: Float64Array;
  /** Gram of the candidates: K_ij = ⟨Φ_i, Φ_j⟩, m×m */
  gram: Float64Array;
}

export interface Mixture {
  /** candidate positions (into the input arrays) */
  members: number[];
  weights: number[];
  mmd2: number;
}

function fit(input: MixtureInput, members: number[]): Mixture {
  const m = input.cross.length;
  const k = members.length;
  const H = new Float64Array(k * k);
  const c = new Float64Array(k);
  members.forEach((a, i) => {
    c[i] = input.cross[a];
    members.forEach((b, j) => (H[i * k + j] = input.gram[a * m + b]));
  });
  const { beta, objective } = solveSimplexQp(H, c);
  return { members, weights: Array.from(beta), mmd2: Math.max(0, input.userSelf + 2 * objective) };
}

/**
 * Greedy mixture: adds, round by round, the candidate that lowers the mixture MMD most, while
 * each round improves it by at least 5 % (the reference's decay 0.95); at most `maxSize` members.
 * Among a round's trials, one that keeps every member already chosen at weight (≥ `MIN_MIXTURE_WEIGHT`)
 * is preferred to the round's best when it fits within `noise` (MMD², the query's sampling noise)
 * of it: the best trial often buys a gain below the noise by handing a chosen member's weight to
 * two or three neighbours, and that member — picked first because it fits best alone — is then
 * dropped (`withoutWeightless`), though it is as often as not one of the user's sources
 * (docs/search.md, "Mixtures"). With `noise` 0 this is the reference's greedy.
 */
export function greedyMixture(input: MixtureInput, maxSize = 5, noise = 0): Mixture {
  const m = input.cross.length;
  let best: Mixture | null = null;
  const selected: number[] = [];
  for (let round = 0; round < Math.min(maxSize, m); round++) {
    let roundBest: Mixture | null = null;
    let keeping: Mixture | null = null;
    for (let candidate = 0; candidate < m; candidate++) {
      if (selected.includes(candidate)) continue;
      const trial = fit(input, [...selected, candidate]);
      if (!roundBest || trial.mmd2 < roundBest.mmd2) roundBest = trial;
      if (trial.weights.every((w) => w >= MIN_MIXTURE_WEIGHT) && (!keeping || trial.mmd2 < keeping.mmd2)) keeping = trial;
    }
    const improves = (trial: Mixture | null): trial is Mixture => trial !== null && (!best || trial.mmd2 <= 0.95 * best.mmd2);
    const pick = improves(keeping) && keeping.mmd2 - roundBest!.mmd2 <= noise ? keeping : improves(roundBest) ? roundBest : null;
    if (!pick) break;
    best = pick;
    selected.push(pick.members.at(-1)!);
  }
  return withoutWeightless(input, best!);
}

/** Members below this weight are dropped from a mixture (shown, they read "0 %"). */
export const MIN_MIXTURE_WEIGHT = 0.005;

/**
 * The mixture without its members of ~0 weight: the QP often leaves an earlier member at (near)
 * zero once a later one is added; such a member carries nothing, so it is dropped and the weights
 * are re-fitted on the rest (renormalised exactly: the simplex QP on the kept members), until every
 * member carries at least `minWeight`. The mixture MMD² can only rise by what the dropped weight
 * carried; a single member left is a mixture of one (the caller shows it as a single).
 */
export function withoutWeightless(input: MixtureInput, mixture: Mixture, minWeight = MIN_MIXTURE_WEIGHT): Mixture {
  let current = mixture;
  while (current.members.length > 1 && current.weights.some((w) => w < minWeight)) {
    const kept = current.members.filter((_, i) => current.weights[i] >= minWeight);
    current = fit(input, kept.length > 0 ? kept : [current.members[current.weights.indexOf(Math.max(...current.weights))]]);
  }
  return current;
}

/**
 * Auto mixture: the QP over all candidates, then the fewest heaviest members that carry 98 % of
 * the weight (at most `maxSize`), re-fitted on that subset; a single member when one dominates.
 * Fix: the reference keeps the longest prefix whose cumulative weight stays *below* 0.98, which
 * drops a real second component whenever two weights sum past 0.98 (0.7 + 0.3 → one learnware).
 */
export function autoMixture(input: MixtureInput, maxSize = 5): Mixture {
  const all = fit(
    input,
    Array.from({ length: input.cross.length }, (_, i) => i),
  );
  const order = all.members.map((member, i) => ({ member, weight: all.weights[i] })).sort((a, b) => b.weight - a.weight);
  const kept: number[] = [];
  let cumulative = 0;
  for (const { member, weight } of order) {
    kept.push(member);
    cumulative += weight;
    if (cumulative >= 0.98) break;
  }
  return withoutWeightless(input, fit(input, kept.slice(0, maxSize)));
}
