/**
 * The page's column mapping editor, worker side (docs/heterogeneous.md §1–§3): the proposed
 * mappings of a table's feature columns for the nearest islands (engine matchIslands, from the
 * index alone, then the unit maps estimated against the island's members as the search does), and
 * a search through the mappings the user edited — each edited island searched with exactly the
 * pairs shown (`onlyGiven`), the islands the user left alone matched as usual.
 */
import {
  catalogCoverage,
  describeCoverage,
  InputError,
  islandMatchColumns,
  loadShard,
  mappingCoverage,
  matchIslands,
  searchCatalog,
  specType,
  userColumns,
  withUnitMaps,
  type CatalogIndex,
  type CatalogSearchInput,
  type CatalogSearchIsland,
  type ColumnMapping,
  type Coverage,
  type FileCache,
  type FetchLike,
  type GivenPair,
  type Island,
  type JobOptions,
  type TableDataset,
} from '../src/engine/index.js';

/** Islands the page proposes a mapping for, nearest first. */
export const PROPOSED_ISLANDS = 3;

/** One island's proposed mapping, as the page's "Column mapping" panel shows it. */
export interface MappingProposal {
  island: string;
  /** what the island covers, in words (catalog/coverage.ts) */
  text: string;
  /** the island's columns with their descriptions (the select's options) */
  columns: { name: string; description: string | null }[];
  /** pairs with their unit maps estimated (factor 1 when the island's members could not be read) */
  mapping: ColumnMapping;
  coverage: Coverage;
  /** whether the unit maps were estimated against the members (false: the search estimates them) */
  unitsEstimated: boolean;
  /** the island whose link carried the mapping here */
  via?: string;
  /** user columns left out of matching because they count the rows (identifiers) */
  identifiers: string[];
}

/** An island's mapping as the user left it: exactly these pairs (the rest of the island's columns missing). */
export interface EditedMapping {
  island: string;
  pairs: GivenPair[];
}

export async function proposeMappings(index: CatalogIndex, data: TableDataset, fetchFn: FetchLike, base: string, cache: FileCache, top = PROPOSED_ISLANDS): Promise<MappingProposal[]> {
  const coverage = new Map(catalogCoverage(index).map((c) => [c.island, c]));
  const matches = matchIslands(index, data).slice(0, top);
  const { identifiers } = userColumns(data);
  return Promise.all(
    matches.map(async (m) => {
      const estimated = await unitMaps(index, m.island, data, m.mapping, fetchFn, base, cache).catch(() => null);
      const mapping = estimated ?? m.mapping;
      const c = coverage.get(m.island.id);
      return {
        island: m.island.id,
        text: c ? describeCoverage(c) : m.island.id,
        columns: islandMatchColumns(index, m.island).map((col) => ({ name: col.name, description: col.description ?? null })),
        mapping,
        coverage: estimated ? mappingCoverage(mapping, data.featureNames.length, m.island.d) : m.coverage,
        unitsEstimated: estimated !== null,
        identifiers,
        ...(m.via ? { via: m.via } : {}),
      };
    }),
  );
}

/**
 * The unit maps of a mapping's pairs, estimated against the island's members as the search does
 * (engine search/catalog-search.ts, units.ts: one affine map per island column, never a
 * re-standardisation of the user's data). Null for an island whose members are not in a shard.
 */
async function unitMaps(
  index: CatalogIndex,
  island: Island,
  data: TableDataset,
  mapping: ColumnMapping,
  fetchFn: FetchLike,
  base: string,
  cache: FileCache,
): Promise<ColumnMapping | null> {
  const columns = specType(island.type).columns;
  if (!island.shard || !columns) return null;
  if (!mapping.pairs.some((p) => !p.fixed && p.source !== 'name')) return mapping;
  const all = await loadShard(fetchFn, base, island, undefined, cache);
  const specs = index.entries.filter((e) => e.island === island.id).map((e) => all[e.shardIndex]);
  if (specs.length === 0) return null;
  // the search's own estimate, so the proposal shows the factors the search will use
  return withUnitMaps(data, island, specs, mapping);
}

/** The index seen as these islands and their entries only (links to the others are not followed). */
function restricted(index: CatalogIndex, keep: (island: Island) => boolean): CatalogIndex {
  const islands = index.islands.filter(keep);
  const ids = new Set(islands.map((i) => i.id));
  return { ...index, islands, entries: index.entries.filter((e) => ids.has(e.island)) };
}

const EMPTY = new Set(['NO_ISLAND', 'NO_MATCH']);

/**
 * A search through the user's edited mappings: each edited island alone, with exactly its pairs
 * (a column set to "not used" is not used; a typed factor is kept, else units are estimated); the
 * other islands as the engine matches them. Results ordered as the engine orders them (rank of the
 * best single: score × coverage).
 */
export async function searchThroughMappings(input: CatalogSearchInput, edited: readonly EditedMapping[], options: JobOptions): Promise<CatalogSearchIsland[]> {
  if (edited.length === 0) return searchCatalog(input, options);
  const mine = new Set(edited.map((e) => e.island));
  const results: CatalogSearchIsland[] = [];
  let firstEmpty: unknown = null;
  const run = async (part: CatalogSearchInput) => {
    try {
      results.push(...(await searchCatalog(part, options)));
    } catch (e) {
      if (!(e instanceof InputError) || !EMPTY.has(e.code)) throw e;
      firstEmpty ??= e;
    }
  };
  for (const e of edited) {
    const index = restricted(input.index, (i) => i.id === e.island);
    if (index.islands.length > 0) await run({ ...input, index, map: e.pairs, onlyGiven: true });
  }
  const others = restricted(input.index, (i) => !mine.has(i.id));
  if (others.islands.length > 0) await run({ ...input, index: others, map: undefined, onlyGiven: undefined });
  if (results.length > 0) return results.sort((a, b) => (b.singles[0]?.rank ?? 0) - (a.singles[0]?.rank ?? 0));
  // nothing reached: the whole catalog's answer (NO_ISLAND names what each island takes), or a semantic NO_MATCH
  if (firstEmpty instanceof InputError && firstEmpty.code === 'NO_MATCH') throw firstEmpty;
  return searchCatalog({ ...input, map: [], onlyGiven: true }, options);
}
