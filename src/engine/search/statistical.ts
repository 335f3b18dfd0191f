/**
 * Statistical search inside one island (docs/algorithms.md §4.6): rank the island's specs by
 * squared MMD to the user's spec, all compared under the island's settings (its spec type's inner
 * product), then look for a mixture among the best candidates. Self inner products of the learnwares can be precomputed
 * (catalog build) and passed in. Scores are absolute (score.ts), not min–max over the list.
 */
import type { AnySpecType } from '../spec/registry.js';
import type { IslandSettings, StatSpec } from '../spec/spec-type.js';
import { autoMixture, greedyMixture, type Mixture } from './mixture.js';
import { absoluteScore, queryNoise } from './score.js';

export interface SingleResult {
  /** position of the learnware in the island's spec list */
  index: number;
  mmd2: number;
  score: number;
}

export interface MixtureResult {
  indices: number[];
  weights: number[];
  mmd2: number;
  score: number;
}

export interface StatisticalResult {
  singles: SingleResult[];
  mixture: MixtureResult | null;
  /**
   * 'mixture' when it fits clearly better: squared MMD at most 80 % of the best single's, and the
   * gain larger than twice the sampling noise (else a same-distribution user gets a spurious mixture)
   */
  recommended: 'single' | 'mixture' | 'none';
  /** what limits the result: `FEW_ROWS` when the user's rows are too few to judge (`fewRowsWarning`) */
  warnings: { code: string; message: string }[];
}

export interface StatisticalOptions {
  /** the island's comparison settings (every comparison uses them) */
  settings: IslandSettings;
  /** ⟨Φ_i, Φ_i⟩ under the settings, when precomputed */
  selfInner?: Float64Array;
  /** candidates considered for the mixture (default 25 = max_search_num², as the reference) */
  mixtureCandidates?: number;
  mixtureMethod?: 'greedy' | 'auto';
  maxMixtureSize?: number;
  /** greedy: how much worse (in units of the query's noise) a trial that keeps every chosen member may fit than the round's best (mixture.ts) */
  mixtureKeepNoise?: number;
  /** singles returned (default all) */
  top?: number;
}

export function searchIsland(type: AnySpecType, user: StatSpec, specs: readonly StatSpec[], options: StatisticalOptions): StatisticalResult {
  const inner = (a: StatSpec, b: StatSpec) => type.innerProduct(a, b, options.settings);
  const userSelf = inner(user, user);
  const selfInner = options.selfInner ?? Float64Array.from(specs, (s) => inner(s, s));
  const cross = Float64Array.from(specs, (s) => inner(user, s));
  // one noise scale for the query: every score is the same decreasing function of MMD² (score.ts)
  const noise = queryNoise(
    userSelf,
    user.numPoints,
    specs.map((s, i) => ({ selfInner: selfInner[i], rows: s.numPoints })),
  );
  const ranked = specs
    .map((_, index) => {
      const mmd2 = Math.max(0, userSelf - 2 * cross[index] + selfInner[index]);
      return { index, mmd2, score: absoluteScore(mmd2, noise) };
    })
    .sort((a, b) => a.mmd2 - b.mmd2 || a.index - b.index);
  if (ranked.length === 0) return { singles: [], mixture: null, recommended: 'none', warnings: [] };
  const few = fewRowsWarning(user, specs);

  const candidates = ranked.slice(0, options.mixtureCandidates ?? 25);
  let mixture: MixtureResult | null = null;
  if (candidates.length >= 2 && ranked[0].mmd2 > 0) {
    const m = candidates.length;
    const gram = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      gram[a * m + a] = selfInner[candidates[a].index];
      for (let b = a + 1; b < m; b++) {
        const value = inner(specs[candidates[a].index], specs[candidates[b].index]);
        gram[a * m + b] = value;
        gram[b * m + a] = value;
      }
    }
    const input = { userSelf, cross: Float64Array.from(candidates, (c) => cross[c.index]), gram };
    const found: Mixture =
      (options.mixtureMethod ?? 'greedy') === 'greedy'
        ? greedyMixture(input, options.maxMixtureSize, (options.mixtureKeepNoise ?? 1) * noise)
        : autoMixture(input, options.maxMixtureSize);
    if (found.members.length >= 2) {
      const indices = found.members.map((p) => candidates[p].index);
      mixture = { indices, weights: found.weights, mmd2: found.mmd2, score: absoluteScore(found.mmd2, noise) };
    }
  }
  const best = ranked[0];
  const recommended = mixture && mixture.mmd2 <= 0.8 * best.mmd2 && best.mmd2 - mixture.mmd2 > 2 * noise ? 'mixture' : 'single';
  return { singles: ranked.slice(0, options.top ?? ranked.length), mixture, recommended, warnings: few ? [few] : [] };
}

/**
 * Too few rows to judge: the user's data have fewer rows than the reduced set that summarises a
 * typical learnware of the island (the median K). Such a sample cannot show the shape of its
 * distribution at the resolution the learnwares are described with: its own spec is a handful of
 * raw rows (the spec builder's FEW_ROWS), the sampling noise is of the order of the differences
 * between learnwares, and the ranking is close to chance — the scores still say how far each
 * learnware is, but not reliably which one is best.
 */
export function fewRowsWarning(user: StatSpec, specs: readonly StatSpec[]): { code: string; message: string } | null {
  const ks = specs.map((s) => s.K).sort((a, b) => a - b);
  const typicalK = ks[ks.length >> 1];
  if (typicalK === undefined || user.numPoints >= typicalK) return null;
  const rows = `${user.numPoints} row${user.numPoints === 1 ? '' : 's'}`;
  return {
    code: 'FEW_ROWS',
    message: `Your data have ${rows}, fewer than the ${typicalK} points that summarise each of these learnwares: too few to judge which fits best. The ranking and scores are rough; search with more rows (at least ${typicalK}, better a few hundred).`,
  };
}
