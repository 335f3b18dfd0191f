/** Which learnwares of a search result the methods take by default (docs/reuse.md, "Which learnwares"). */
import type { CatalogSearchIsland } from '../../search/catalog-search.js';
import type { LearnwareChoice } from '../method.js';

/** The `count` best singles, equal weights. */
export function topSingles(island: CatalogSearchIsland, count: number): LearnwareChoice {
  return { refs: island.singles.slice(0, count) };
}

/**
 * The recommended mixture with its weights, members in search-rank order (best single first: the
 * job selector keeps unsure rows with the first, docs/reuse.md "Job selector"), else the `count`
 * best singles.
 */
export function mixtureOrTop(island: CatalogSearchIsland, count: number): LearnwareChoice {
  if (island.recommended === 'mixture' && island.mixture) {
    const mixture = island.mixture;
    const rank = (id: string) => {
      const at = island.singles.findIndex((s) => s.id === id);
      return at < 0 ? Infinity : at;
    };
    const order = mixture.ids.map((_, i) => i).sort((a, b) => rank(mixture.ids[a]) - rank(mixture.ids[b]) || a - b);
    return { refs: order.map((i) => ({ id: mixture.ids[i], bundle: mixture.bundles[i] })), weights: order.map((i) => mixture.weights[i]) };
  }
  return topSingles(island, count);
}

/** Equal weights for `count` learnwares. */
export function equalWeights(count: number): number[] {
  return new Array<number>(count).fill(1 / count);
}
