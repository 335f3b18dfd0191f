/**
 * Searching a catalog for a user's table: semantic filters and text first, then, in every island
 * whose feature names equal the user's columns (any order), the user's RKME under the island's
 * common scale and γ, ranked against the island's shard. Shared by the CLI and the workers.
 */
import { InputError } from '../core/errors.js';
import type { JobOptions } from '../core/progress.js';
import type { ComputeBackend } from '../kernels/backend.js';
import type { CatalogIndex } from '../catalog/catalog.js';
import { loadShard, type FetchLike } from '../catalog/fetch.js';
import { buildTableRkme } from '../spec/rkme-table.js';
import { semanticSearch, type SemanticQuery } from './semantic.js';
import { searchIsland } from './statistical.js';

export interface CatalogSearchInput {
  index: CatalogIndex;
  fetchFn: FetchLike;
  /** catalog base URL, ending in '/' */
  base: string;
  backend: ComputeBackend;
  /** the user's rows, row-major, with their column names */
  values: Float64Array;
  rows: number;
  featureNames: string[];
  query?: SemanticQuery;
  top?: number;
}

export interface CatalogSearchIsland {
  island: string;
  features: string[];
  singles: { id: string; name: string; mmd2: number; score: number }[];
  mixture: { ids: string[]; weights: number[]; mmd2: number; score: number } | null;
  recommended: 'single' | 'mixture' | 'none';
}

export async function searchCatalog(input: CatalogSearchInput, options: JobOptions = {}): Promise<CatalogSearchIsland[]> {
  const { index, featureNames } = input;
  const wanted = new Set(featureNames);
  const islands = index.islands.filter((i) => i.features.length === wanted.size && i.features.every((f) => wanted.has(f)));
  if (islands.length === 0) {
    const schemas = index.islands.map((i) => `[${i.features.join(', ')}]`).join('; ');
    throw new InputError('NO_ISLAND', `no learnware in the catalog takes the features [${featureNames.join(', ')}]; its feature schemas: ${schemas}`);
  }
  const allowed = new Set(semanticSearch(index.entries, input.query ?? {}).map((hit) => index.entries[hit.index].id));
  const results: CatalogSearchIsland[] = [];
  for (const island of islands) {
    const entries = index.entries.filter((e) => e.island === island.id && allowed.has(e.id));
    if (entries.length === 0) continue;
    const order = island.features.map((f) => featureNames.indexOf(f));
    const values = new Float64Array(input.rows * island.d);
    for (let r = 0; r < input.rows; r++) order.forEach((c, j) => (values[r * island.d + j] = input.values[r * featureNames.length + c]));
    const scale = new Float64Array(island.scale);
    const { spec: user } = await buildTableRkme(input.backend, values, input.rows, island.d, { scale, gamma: island.gamma, featureNames: island.features, ...options });
    const shard = await loadShard(input.fetchFn, input.base, island, options.signal);
    const specs = entries.map((e) => shard[e.shardIndex]);
    const result = searchIsland(user, specs, { scale, top: input.top });
    results.push({
      island: island.id,
      features: island.features,
      singles: result.singles.map((s) => ({ id: entries[s.index].id, name: entries[s.index].name, mmd2: s.mmd2, score: s.score })),
      mixture: result.mixture && { ids: result.mixture.indices.map((i) => entries[i].id), weights: result.mixture.weights, mmd2: result.mixture.mmd2, score: result.mixture.score },
      recommended: result.recommended,
    });
  }
  if (results.length === 0) throw new InputError('NO_MATCH', 'no learnware with your features passes the semantic filters');
  return results;
}
