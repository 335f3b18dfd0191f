/**
 * Distance → score conversions.
 *  - `referenceScores`: the reference's min–max conversion (docs/algorithms.md §4.6), kept
 *    for compatibility and tested against its vectors. Relative to the candidate list: the best
 *    candidate scores ≥ 0.92 even if it fits badly, a lone candidate scores 1.
 *  - `absoluteScore`: a score that means the same across queries and catalogs — the squared MMD
 *    measured in units of the query's sampling noise (`queryNoise`, docs/search.md).
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
 * The noise scale of one query, shared by every learnware it is compared with (docs/search.md,
 * "Absolute score"). The pairwise `mmdNoise` differs per learnware (its self inner product and
 * its row count), so scoring each learnware against its own noise ranked a learnware with more
 * training rows below one with fewer at a lower MMD² (seen: #5 scored 0.430, #6 0.458). Under the
 * hypothesis the score tests — the learnware's data come from the user's distribution — both
 * sides estimate one E k(x, x′); a query takes it from the user's ⟨u, u⟩ and the median ⟨L, L⟩
 * of the learnwares ranked (a user of one or two rows has ⟨u, u⟩ ≈ 1, which alone would say
 * "no spread"), and the learnware side's 1/n_L from their median row count. Every score of a
 * query is then one decreasing function of MMD²: ranks and scores agree, and a mixture (scored
 * with the same noise) scores at least as well as any single it beats.
 */
export function queryNoise(userSelf: number, userRows: number, learnwares: readonly { selfInner: number; rows: number }[]): number {
  const median = (values: number[], empty: number) => {
    const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length === 0 ? empty : sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
  };
  const rows = median(
    learnwares.map((l) => l.rows).filter((n) => n > 0),
    userRows,
  );
  return mmdNoise(
    userSelf,
    userRows,
    median(
      learnwares.map((l) => l.selfInner),
      userSelf,
    ),
    rows,
  );
}

/**
 * Absolute score in (0, 1]: z = MMD² / noise; 1 when the difference is within sampling noise
 * (z ≤ 1), then exp(−(z − 1)/10): z = 11 → 0.37, z = 31 → 0.05. Comparable across queries.
 */
export function absoluteScore(mmd2: number, noise: number): number {
  const z = Math.max(0, mmd2) / noise;
  return z <= 1 ? 1 : Math.exp(-(z - 1) / 10);
}
