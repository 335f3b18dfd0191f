/**
 * The best fit of a search island, as the results page shows it and the storage page records it —
 * one reading for both: the recommended mixture (its members all carry weight: the engine drops
 * ~0 % members), else the best single learnware, else nothing.
 */
import type { CatalogSearchIsland } from '../engine/search/catalog-search.js';

export type BestFit = { kind: 'mixture'; names: string[]; weights: number[]; score: number } | { kind: 'single'; name: string; score: number } | { kind: 'none' };

export function bestFit(island: CatalogSearchIsland): BestFit {
  if (island.recommended === 'mixture' && island.mixture) return { kind: 'mixture', names: island.mixture.names, weights: island.mixture.weights, score: island.mixture.score };
  const best = island.singles[0];
  return best ? { kind: 'single', name: best.name, score: best.score } : { kind: 'none' };
}
