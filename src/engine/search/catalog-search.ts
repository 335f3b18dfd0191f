/**
 * Searching a catalog for a user's data: semantic filters and text first, then, in every island
 * whose spec type builds from the user's kind of data and accepts it (tables: the island's
 * feature names are the user's columns, any order), the user's spec under the island's settings,
 * ranked against the island's specs. Shared by the CLI and the workers.
 */
import { InputError } from '../core/errors.js';
import type { JobOptions } from '../core/progress.js';
import type { ComputeBackend } from '../kernels/backend.js';
import type { CatalogEntry, CatalogIndex, FileRef } from '../catalog/catalog.js';
import { loadShard, type FetchLike, type FileCache } from '../catalog/fetch.js';
import { specType } from '../spec/registry.js';
import type { Dataset, MatchPicture, StatSpec } from '../spec/spec-type.js';
import { semanticSearch, type SemanticQuery } from './semantic.js';
import { searchIsland } from './statistical.js';
import { searchSketchIsland, type SketchSearchResult } from './sketch-search.js';
import { catalogCoverage, describeCoverage } from '../catalog/coverage.js';

export interface CatalogSearchInput {
  index: CatalogIndex;
  fetchFn: FetchLike;
  /** catalog base URL, ending in '/' */
  base: string;
  backend: ComputeBackend;
  /** the user's data (data/dataset.ts) */
  data: Dataset;
  query?: SemanticQuery;
  top?: number;
  /** validated catalog files by hash, kept across searches */
  cache?: FileCache;
  /** sketch-layout islands: lists scanned and candidates re-ranked exactly (sketch-search.ts) */
  probe?: number;
  rerank?: number;
}

export interface CatalogSearchIsland {
  island: string;
  features: string[];
  singles: { id: string; name: string; mmd2: number; score: number; bundle: FileRef }[];
  mixture: { ids: string[]; names: string[]; bundles: FileRef[]; weights: number[]; mmd2: number; score: number } | null;
  recommended: 'single' | 'mixture' | 'none';
  /** what limits the result, e.g. `FEW_ROWS`: the user's rows are too few to judge (search/statistical.ts); absent: nothing */
  warnings?: { code: string; message: string }[];
  /** sketch-layout islands: what the search downloaded and scanned */
  sketch?: SketchSearchResult['stats'];
  /** the user's and the top 5 singles' reduced points on two principal axes (when the spec type draws one) */
  picture?: MatchPicture;
}

/** Islands whose spec type builds from this kind of data and accepts the data's schema. */
export function reachableIslands(index: CatalogIndex, data: Dataset) {
  return index.islands.filter((island) => {
    const type = specType(island.type);
    return type.dataKind === data.kind && type.matchesIsland(island, data);
  });
}

export async function searchCatalog(input: CatalogSearchInput, options: JobOptions = {}): Promise<CatalogSearchIsland[]> {
  const { index, data } = input;
  const islands = reachableIslands(index, data);
  if (islands.length === 0) throw noIsland(index, data);
  const query = input.query ?? {};
  const filtered = Object.values(query).some((v) => (Array.isArray(v) ? v.length > 0 : Boolean(v)));
  const allowed = new Set(semanticSearch(index.entries, query).map((hit) => index.entries[hit.index].id));
  const results: CatalogSearchIsland[] = [];
  for (const island of islands) {
    const type = specType(island.type);
    const entries = index.entries.filter((e) => e.island === island.id && allowed.has(e.id));
    if (island.shard && entries.length === 0) continue;
    const user = await type.userSpec(input.backend, data, island, options);
    const picture = (top: { id: string; spec: StatSpec }[]) => type.picture?.(user, top, island.settings);
    if (island.sketch) {
      const found = await searchSketchIsland(input.fetchFn, input.base, island, user, {
        ...options,
        top: input.top,
        probe: input.probe,
        rerank: input.rerank,
        cache: input.cache,
        accept: filtered ? (card) => semanticSearch([card as CatalogEntry], query).length > 0 : undefined,
      });
      if (found.singles.length === 0) continue;
      const card = (i: number) => found.cards[i]!;
      results.push({
        island: island.id,
        features: island.features,
        singles: found.singles.map((s) => ({ id: card(s.index).id, name: card(s.index).name, mmd2: s.mmd2, score: s.score, bundle: card(s.index).bundle })),
        mixture: found.mixture && {
          ids: found.mixture.indices.map((i) => card(i).id),
          names: found.mixture.indices.map((i) => card(i).name),
          bundles: found.mixture.indices.map((i) => card(i).bundle),
          weights: found.mixture.weights,
          mmd2: found.mixture.mmd2,
          score: found.mixture.score,
        },
        recommended: found.recommended,
        warnings: found.warnings,
        sketch: found.stats,
        picture: picture(found.singles.slice(0, 5).map((s) => ({ id: card(s.index).id, spec: found.specs[s.index] }))),
      });
      continue;
    }
    const shard = await loadShard(input.fetchFn, input.base, island, options.signal, input.cache);
    const specs = entries.map((e) => shard[e.shardIndex]);
    const result = searchIsland(type, user, specs, { settings: island.settings, top: input.top });
    results.push({
      island: island.id,
      features: island.features,
      singles: result.singles.map((s) => ({ id: entries[s.index].id, name: entries[s.index].name, mmd2: s.mmd2, score: s.score, bundle: entries[s.index].bundle })),
      mixture: result.mixture && {
        ids: result.mixture.indices.map((i) => entries[i].id),
        names: result.mixture.indices.map((i) => entries[i].name),
        bundles: result.mixture.indices.map((i) => entries[i].bundle),
        weights: result.mixture.weights,
        mmd2: result.mixture.mmd2,
        score: result.mixture.score,
      },
      recommended: result.recommended,
      warnings: result.warnings,
      picture: picture(result.singles.slice(0, 5).map((s) => ({ id: entries[s.index].id, spec: specs[s.index] }))),
    });
  }
  if (results.length === 0) {
    const asked = Object.entries(query)
      .filter(([, v]) => (Array.isArray(v) ? v.length > 0 : Boolean(v)))
      .map(([k, v]) => `${k === 'text' ? 'words' : k}: ${Array.isArray(v) ? v.join(' or ') : v}`);
    throw new InputError(
      'NO_MATCH',
      `no learnware with your features meets the requirements (${asked.join('; ')}); the catalog has ${islands.reduce((s, i) => s + i.count, 0)} with them`,
    );
  }
  return results;
}

/** One island against the user's columns, in NO_ISLAND's details (nearest first). */
export interface IslandGap {
  island: string;
  /** what the island covers, in words (catalog/coverage.ts) */
  covers: string;
  features: string[];
  /** the island's features the user's data lack */
  missing: string[];
  /** the user's columns the island does not take */
  extra: string[];
}

/**
 * Nothing in the catalog takes the user's data: an answer, not a failure. The message says in
 * words what the catalog covers and, for tables, what the nearest island needs; `details` carries
 * the same as data (`features`, `islands`: IslandGap[] nearest first) for the page to show.
 */
function noIsland(index: CatalogIndex, data: Dataset): InputError {
  const coverage = catalogCoverage(index);
  const names = (data as { featureNames?: unknown }).featureNames;
  const features = Array.isArray(names) ? names.map(String) : null;
  const gaps: IslandGap[] = coverage.map((c) => ({
    island: c.island,
    covers: describeCoverage(c),
    features: c.features,
    missing: features ? c.features.filter((f) => !features.includes(f)) : [],
    extra: features ? features.filter((f) => !c.features.includes(f)) : [],
  }));
  if (features) gaps.sort((a, b) => a.missing.length + a.extra.length - (b.missing.length + b.extra.length) || a.missing.length - b.missing.length);
  const covers = gaps.length === 0 ? 'The catalog is empty.' : `The catalog covers: ${coverage.map((c) => describeCoverage(c)).join('; ')}.`;
  const near = gaps[0];
  const nearest =
    features && near
      ? ` Nearest: ${near.covers.replace(/ \(.*\)$/, '')}, taking ${near.features.join(', ')}${near.missing.length ? `; your data lack ${near.missing.join(', ')}` : ''}${near.extra.length ? `; they do not take ${near.extra.join(', ')}` : ''}.`
      : '';
  const what = features ? `the columns ${features.join(', ')}` : `your ${data.kind} data`;
  return new InputError('NO_ISLAND', `No learnware in this catalog takes ${what}. ${covers}${nearest}`, { features: features ?? [], islands: gaps });
}
