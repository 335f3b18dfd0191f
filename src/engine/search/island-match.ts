/**
 * Which islands a user's table reaches, and through which column mapping (docs/heterogeneous.md
 * §3): every island whose spec type has named columns is matched against the user's columns
 * (columns.ts) from the index alone; islands with at least one pair are reachable, ordered by
 * coverage. Only islands sharing a word with the user's column names are matched, at most the
 * MATCH_CANDIDATES that share the rarest words (a word index built once per catalog index), so the
 * cost of a query does not grow with the catalog. Identifier-like columns (distinct whole numbers counting the rows) are ignored up front.
 * Links between islands (catalog/links.ts) carry a mapping found for one island over to another.
 */
import { mappingCoverage, type ColumnMapping, type ColumnPair, type Coverage } from '../data/column-map.js';
import type { TableDataset } from '../data/dataset.js';
import { tableSignatures } from '../data/marginals.js';
import type { CatalogIndex, Island } from '../catalog/catalog.js';
import { specType } from '../spec/registry.js';
import { prepareName } from '../data/column-names.js';
import { matchColumns, NameScores, prepareIsland, type GivenPair, type MatchColumn, type PreparedIsland, type UserColumn } from './columns.js';

export interface IslandMatch {
  island: Island;
  mapping: ColumnMapping;
  coverage: Coverage;
  /** the island the mapping came through, when it was carried over a link */
  via?: string;
}

export interface IslandMatchOptions {
  /** pairs the user fixed (`--map`, the page) */
  given?: readonly GivenPair[];
  /** match only the given pairs */
  onlyGiven?: boolean;
}

const prepared = new WeakMap<Island, PreparedIsland>();
const wordIndexes = new WeakMap<CatalogIndex, Map<string, number[]>>();

/**
 * Words (and squashed names) of every island column's name and description → the islands (by
 * position) holding them, built once per index: a query matches only islands that share a word
 * with one of its column names, so its cost follows the islands that could match, not the catalog.
 */
function wordIndex(index: CatalogIndex): Map<string, number[]> {
  let words = wordIndexes.get(index);
  if (!words) {
    words = new Map();
    index.islands.forEach((island, i) => {
      const p = preparedIsland(index, island);
      const mine = new Set<string>();
      p.names.forEach((n, j) => {
        mine.add(n.squashed);
        for (const w of n.words) mine.add(w);
        for (const w of p.descriptions[j]?.words ?? []) mine.add(w);
      });
      for (const w of mine) {
        if (w === '') continue;
        const list = words!.get(w);
        if (list) list.push(i);
        else words!.set(w, [i]);
      }
    });
    wordIndexes.set(index, words);
  }
  return words;
}

/** Islands matched in full per query: the ones whose column words best cover the user's column names. */
export const MATCH_CANDIDATES = 12;

/**
 * Positions of the islands worth matching in full: each user column scores an island by the rarest
 * of its words the island holds (inverse document frequency over islands), the island by the sum
 * over the user's columns; the best MATCH_CANDIDATES, and every island holding a column of the
 * very name of one of the user's columns.
 */
function candidateIslands(index: CatalogIndex, names: readonly string[]): Set<number> {
  const words = wordIndex(index);
  const total = new Float64Array(index.islands.length);
  const column = new Float64Array(index.islands.length);
  const exact = new Set<number>();
  for (const name of names) {
    column.fill(0);
    const p = prepareName(name);
    for (const w of new Set([p.squashed, ...p.words])) {
      const postings = words.get(w);
      if (!postings) continue;
      const idf = Math.log(1 + index.islands.length / postings.length);
      for (const i of postings) if (idf > column[i]) column[i] = idf;
    }
    for (let i = 0; i < total.length; i++) total[i] += column[i];
    for (const i of words.get(p.squashed) ?? []) if (preparedIsland(index, index.islands[i]).names.some((n) => n.squashed === p.squashed)) exact.add(i);
  }
  const ranked = [...total.keys()].filter((i) => total[i] > 0).sort((a, b) => total[b] - total[a] || a - b);
  return new Set([...ranked.slice(0, MATCH_CANDIDATES), ...exact]);
}

/** The island's columns as matching sees them: from the index's `columns`, or (older catalogs) names and the members' descriptions. */
export function islandMatchColumns(index: CatalogIndex, island: Island): MatchColumn[] {
  if (island.columns) return island.columns;
  const first = index.entries.find((e) => e.island === island.id);
  const told = first?.semantic.Input?.Description ?? {};
  return island.features.map((name, j) => ({ name, description: Object.hasOwn(told, String(j)) ? String(told[String(j)]) : null, signature: null }));
}

function preparedIsland(index: CatalogIndex, island: Island): PreparedIsland {
  let p = prepared.get(island);
  if (!p) {
    p = prepareIsland(islandMatchColumns(index, island));
    prepared.set(island, p);
  }
  return p;
}

/** Whether a column counts rows: distinct whole numbers spanning exactly as many values as there are rows. */
export function looksLikeIdentifier(values: Float64Array, rows: number, cols: number, c: number): boolean {
  if (rows < 20) return false;
  const seen = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (let r = 0; r < rows; r++) {
    const v = values[r * cols + c];
    if (!Number.isInteger(v) || seen.has(v)) return false;
    seen.add(v);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return max - min + 1 <= rows * 1.05;
}

export interface UserColumns {
  columns: UserColumn[];
  /** columns left out of matching: identifier-like */
  identifiers: string[];
}

/** The user's columns with their signatures, identifiers set aside. */
export function userColumns(data: TableDataset): UserColumns {
  const signatures = tableSignatures(data.values, data.rows, data.cols);
  const identifiers: string[] = [];
  const columns: UserColumn[] = [];
  data.featureNames.forEach((name, c) => {
    if (looksLikeIdentifier(data.values, data.rows, data.cols, c)) identifiers.push(name);
    else columns.push({ name, signature: signatures[c] });
  });
  return { columns, identifiers };
}

/**
 * The islands a table reaches, best coverage first. An island of another spec type or without a
 * single pair is not reached; a link from a reached island can reach an island directly matching
 * misses (or improve its mapping).
 */
export function matchIslands(index: CatalogIndex, data: TableDataset, options: IslandMatchOptions = {}): IslandMatch[] {
  const user = userColumns(data);
  const matches = new Map<string, IslandMatch>();
  const names = new NameScores();
  const width = data.featureNames.length;
  const candidates = candidateIslands(index, [...user.columns.map((c) => c.name), ...(options.given ?? []).map((g) => g.island)]);
  for (const [i, island] of index.islands.entries()) {
    if (!candidates.has(i)) continue;
    const type = specType(island.type);
    if (type.dataKind !== data.kind || !type.columns) continue;
    const mapping = matchColumns(user.columns, preparedIsland(index, island), { ...options, names });
    mapping.ignored.push(...user.identifiers);
    // an island is reached when the pairs cover at least half of one side (a file of housing columns
    // does not reach the flights island through its month column alone); pairs the user gave always reach
    const given = mapping.pairs.some((p) => p.source === 'given');
    if (mapping.pairs.length === 0 || (!given && mapping.pairs.length < Math.min(user.columns.length, island.d) / 2)) continue;
    matches.set(island.id, { island, mapping, coverage: mappingCoverage(mapping, width, island.d) });
  }
  // links: a reached island's pairs carried over to the islands it is linked with
  const byId = new Map(index.islands.map((i) => [i.id, i]));
  for (const from of [...matches.values()]) {
    for (const link of from.island.links ?? []) {
      const target = byId.get(link.island);
      if (!target) continue;
      const pairs: ColumnPair[] = [];
      for (const p of link.pairs) {
        const mine = from.mapping.pairs.find((q) => q.island === p.from);
        if (!mine) continue;
        // this island's column = p.factor · that column + p.offset, so that column = (mine − offset) / factor
        pairs.push({
          user: mine.user,
          island: p.to,
          factor: mine.factor / p.factor,
          offset: (mine.offset - p.offset) / p.factor,
          confidence: round(mine.confidence * p.confidence),
          source: 'matched',
          // links pair only name-backed columns (catalog/links.ts): the chain has the names the user's pair had
          evidence: { name: mine.source === 'matched' ? (mine.evidence?.name ?? 0) : 1, shape: mine.evidence?.shape ?? null },
        });
      }
      const current = matches.get(target.id);
      const sure = (m: ColumnPair[]) => m.reduce((s, p) => s + p.confidence, 0);
      if (pairs.length === 0 || (current && sure(current.mapping.pairs) >= sure(pairs))) continue;
      const ordered = target.features.flatMap((f) => pairs.filter((p) => p.island === f));
      const used = new Set(ordered.map((p) => p.user));
      const mapping: ColumnMapping = {
        pairs: ordered,
        missing: target.features.filter((f) => !ordered.some((p) => p.island === f)),
        ignored: data.featureNames.filter((n) => !used.has(n)),
      };
      matches.set(target.id, { island: target, mapping, coverage: mappingCoverage(mapping, width, target.d), via: from.island.id });
    }
  }
  return [...matches.values()].sort((a, b) => b.coverage.fraction - a.coverage.fraction || (a.island.id < b.island.id ? -1 : 1));
}

function round(x: number): number {
  return Math.round(1000 * x) / 1000;
}
