/** Which learnwares of a search result the methods take by default (docs/reuse.md, "Which learnwares"). */
import type { CatalogSearchIsland } from '../../search/catalog-search.js';
import type { LearnwareChoice } from '../method.js';

/** The `count` best singles, equal weights. */
export function topSingles(island: CatalogSearchIsland, count: number): LearnwareChoice {
  return { refs: island.singles.slice(0, count) };
}

/** The recommended mixture with its weights, else the `count` best singles. */
export function mixtureOrTop(island: CatalogSearchIsland, count: number): LearnwareChoice {
  if (island.recommended === 'mixture' && island.mixture) {
    const mixture = island.mixture;
    return { refs: mixture.ids.map((id, i) => ({ id, bundle: mixture.bundles[i] })), weights: mixture.weights };
  }
  return topSingles(island, count);
}

/** Equal weights for `count` learnwares. */
export function equalWeights(count: number): number[] {
  return new Array<number>(count).fill(1 / count);
}
