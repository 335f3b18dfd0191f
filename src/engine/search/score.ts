/**
 * Distance → score conversions.
 *  - `referenceScores`: the reference's min–max conversion (docs/algorithms.md §4.6), kept
 *    for compatibility and tested against its vectors. Relative to the candidate list: the best
 *    candidate scores ≥ 0.92 even if it fits badly, a lone candidate scores 1.
 *  - `absoluteScore`: a score that means the same across queries and catalogs — the squared MMD
 *    measured in units of the sampling noise of the two specs (docs/search.md).
 */

/** The reference's convert_dist_to_score (dist_ratio 0.1, min_score 0.92, improve_score 0.7). */
export function referenceScores(distances: readonly number[], distRatio = 0.1, minScore = 0.92, improveScore = 0.7): number[] {
  if (distances.length === 0) return [];
  const mn = Math.min(...distances);
  const mx = Math.max(...distances);
  if (mn === mx) return distances.map(() => 1);
  const mean = distances.reduce((s, d) => s + d, 0) / distances.length;
  let epsilon = distRatio * mean;
  const topScore = (mx - mn) / (mx - epsilon);
  if (mn < epsilon) epsilon = mn;
  else if (topScore < minScore) epsilon = mx - (mx - mn) / minScore;
  return distances.map((d) => {
    const score = (mx - d) / (mx - epsilon);
    return score < improveScore ? Math.min(Math.sqrt(score), improveScore) : score;
  });
}

/**
 * Sampling-noise scale of the squared MMD between two specs summarising n₁ and n₂ rows of one
 * distribution: E‖μ̂₁ − μ̂₂‖² = (1 − E k(x, x′))(1/n₁ + 1/n₂), with E k(x, x′) estimated by the
 * specs' self inner products (k(x, x) = 1 for the Gaussian kernel).
 */
export function mmdNoise(selfInner1: number, n1: number, selfInner2: number, n2: number): number {
  const spread = Math.max(1e-12, 1 - 0.5 * (selfInner1 + selfInner2));
  return spread * (1 / n1 + 1 / n2);
}

/**
 * Absolute score in (0, 1]: z = MMD² / noise; 1 when the difference is within sampling noise
 * (z ≤ 1), then exp(−(z − 1)/10): z = 11 → 0.37, z = 31 → 0.05. Comparable across queries.
 */
export function absoluteScore(mmd2: number, noise: number): number {
  const z = Math.max(0, mmd2) / noise;
  return z <= 1 ? 1 : Math.exp(-(z - 1) / 10);
}
