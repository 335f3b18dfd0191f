/**
 * Searching a catalog for a user's data: semantic filters and text first, then every island the
 * data reach, the user's spec under the island's settings ranked against the island's specs.
 * Tables reach islands across feature spaces (docs/heterogeneous.md §3): through a column mapping
 * (island-match.ts) with unit maps estimated against the island's members (units.ts); an island
 * whose columns the user only partly has is compared on the columns both have (the specs
 * restricted to them), and its ranking is weighted by coverage. Other kinds of data reach the
 * islands their spec type accepts as they are. Shared by the CLI and the workers.
 */
import { InputError } from '../core/errors.js';
import type { JobOptions } from '../core/progress.js';
import type { ComputeBackend } from '../kernels/backend.js';
import type { CatalogEntry, CatalogIndex, FileRef, Island } from '../catalog/catalog.js';
import { loadShard, type FetchLike, type FileCache } from '../catalog/fetch.js';
import { specType } from '../spec/registry.js';
import type { Dataset, IslandView, MatchPicture, StatSpec } from '../spec/spec-type.js';
import { semanticSearch, type SemanticQuery } from './semantic.js';
import { searchIsland } from './statistical.js';
import { searchSketchIsland, type SketchSearchResult } from './sketch-search.js';
import { catalogCoverage, describeCoverage } from '../catalog/coverage.js';
import { isIdentityMapping, mappedPositions, mapRows, mappingCoverage, type ColumnMapping, type Coverage } from '../data/column-map.js';
import { isTableDataset, tableDataset, type TableDataset } from '../data/dataset.js';
import { tableSignatures } from '../data/marginals.js';
import { matchIslands, type IslandMatch } from './island-match.js';
import type { GivenPair } from './columns.js';
import { estimateUnits } from './units.js';

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
  /** tables: column pairs the user fixed (`--map`, the page's mapping editor) */
  map?: readonly GivenPair[];
  /** tables: use only the given pairs */
  onlyGiven?: boolean;
  /** tables: search at most this many reachable islands, best coverage first (default 6) */
  maxIslands?: number;
}

/** Islands searched for a table by default: the best-covered ones (each costs a shard download). */
export const MAX_ISLANDS = 6;

export interface CatalogSearchIsland {
  island: string;
  features: string[];
  /** tables: how the user's columns feed the island's (unit maps included) */
  mapping?: ColumnMapping;
  /** tables: how much of the island and of the user's table the mapping covers */
  coverage?: Coverage;
  /** tables: the island whose link carried the mapping here */
  via?: string;
  /** score × coverage fraction (score alone for other data): what orders results across islands */
  singles: { id: string; name: string; mmd2: number; score: number; rank: number; bundle: FileRef }[];
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
  // tables reach islands of columnar spec types through a mapping; other islands only as they are
  const matches = isTableDataset(data) ? matchIslands(index, data, { given: input.map, onlyGiven: input.onlyGiven }).slice(0, input.maxIslands ?? MAX_ISLANDS) : [];
  const plain = reachableIslands(index, data).filter((island) => !specType(island.type).columns || !isTableDataset(data));
  const searched: (Pick<IslandMatch, 'island'> & Partial<IslandMatch>)[] = [...matches, ...plain.map((island) => ({ island }))];
  const islands = searched.map((m) => m.island);
  if (islands.length === 0) throw noIsland(index, data);
  const query = input.query ?? {};
  const filtered = Object.values(query).some((v) => (Array.isArray(v) ? v.length > 0 : Boolean(v)));
  const allowed = new Set(semanticSearch(index.entries, query).map((hit) => index.entries[hit.index].id));
  const results: CatalogSearchIsland[] = [];
  const excluded: string[] = [];
  for (const match of searched) {
    const island = match.island;
    const type = specType(island.type);
    let entries = index.entries.filter((e) => e.island === island.id && allowed.has(e.id));
    if (island.shard && entries.length === 0) continue;
    const across = match.mapping ? await acrossFeatureSpaces(input, island, entries, match as IslandMatch, options) : null;
    if (across === 'skip') continue;
    const view: IslandView = across?.view ?? island;
    const user = await type.userSpec(input.backend, across?.data ?? data, view, options);
    const fraction = match.coverage ? (across?.coverage ?? match.coverage).fraction : 1;
    const tables: Pick<CatalogSearchIsland, 'mapping' | 'coverage' | 'via'> = match.mapping
      ? { mapping: across?.mapping ?? match.mapping, coverage: across?.coverage ?? match.coverage, ...(match.via ? { via: match.via } : {}) }
      : {};
    const picture = (top: { id: string; spec: StatSpec }[]) => type.picture?.(user, top, view.settings);
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
        ...tables,
        singles: found.singles.map((s) => ({ id: card(s.index).id, name: card(s.index).name, mmd2: s.mmd2, score: s.score, rank: s.score * fraction, bundle: card(s.index).bundle })),
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
    let mine = across?.specs;
    if (!mine) {
      const all = await loadShard(input.fetchFn, input.base, island, options.signal, input.cache);
      mine = entries.map((e) => all[e.shardIndex]);
    }
    // learnwares the spec type rules out for this user (text: a language of the user's their texts lack)
    const reasons = type.incomparable ? mine.map((spec) => type.incomparable!(user, spec)) : [];
    const ruledOut = reasons.filter((r) => r !== null).length;
    if (ruledOut > 0) {
      const first = reasons.findIndex((r) => r !== null);
      excluded.push(`${ruledOut} of ${island.id} (${entries[first].name}: ${reasons[first]})`);
      const keep = reasons.flatMap((r, i) => (r === null ? [i] : []));
      if (keep.length === 0) continue;
      entries = keep.map((i) => entries[i]);
      mine = keep.map((i) => mine![i]);
    }
    const result = searchIsland(type, user, mine, { settings: view.settings, top: input.top });
    results.push({
      island: island.id,
      features: island.features,
      ...tables,
      singles: result.singles.map((s) => ({
        id: entries[s.index].id,
        name: entries[s.index].name,
        mmd2: s.mmd2,
        score: s.score,
        rank: s.score * fraction,
        bundle: entries[s.index].bundle,
      })),
      mixture: result.mixture && {
        ids: result.mixture.indices.map((i) => entries[i].id),
        names: result.mixture.indices.map((i) => entries[i].name),
        bundles: result.mixture.indices.map((i) => entries[i].bundle),
        weights: result.mixture.weights,
        mmd2: result.mixture.mmd2,
        score: result.mixture.score,
      },
      recommended: result.recommended,
      warnings: [
        ...(result.warnings ?? []),
        ...coverageWarnings(tables.mapping),
        ...(ruledOut > 0 ? [{ code: 'NOT_COMPARED', message: `${ruledOut} learnware${ruledOut === 1 ? ' was' : 's were'} not compared: ${reasons.find((r) => r !== null)}` }] : []),
      ],
      picture: picture(result.singles.slice(0, 5).map((s) => ({ id: entries[s.index].id, spec: mine[s.index] }))),
    });
  }
  if (results.length === 0 && excluded.length > 0) {
    throw new InputError('NO_MATCH', `no learnware can be compared with your data: ${excluded.join('; ')}`, { excluded });
  }
  if (results.length === 0) {
    const asked = Object.entries(query)
      .filter(([, v]) => (Array.isArray(v) ? v.length > 0 : Boolean(v)))
      .map(([k, v]) => `${k === 'text' ? 'words' : k}: ${Array.isArray(v) ? v.join(' or ') : v}`);
    if (asked.length === 0) throw noIsland(index, data);
    throw new InputError(
      'NO_MATCH',
      `no learnware with your features meets the requirements (${asked.join('; ')}); the catalog has ${islands.reduce((s, i) => s + i.count, 0)} with them`,
    );
  }
  // best-covered, best-fitting island first (a learnware seeing 9 of 12 columns is not ranked as if it saw 12)
  return results.sort((a, b) => (b.singles[0]?.rank ?? 0) - (a.singles[0]?.rank ?? 0));
}

function coverageWarnings(mapping: ColumnMapping | undefined): { code: string; message: string }[] {
  if (!mapping || mapping.missing.length === 0) return [];
  return [
    {
      code: 'PARTIAL_COVERAGE',
      message: `compared on ${mapping.pairs.length} of ${mapping.pairs.length + mapping.missing.length} columns: your table lacks ${mapping.missing.join(', ')}; reuse fills them from each learnware's own specification`,
    },
  ];
}

interface Across {
  mapping: ColumnMapping;
  coverage: Coverage;
  /** the user's mapped columns, named as the island's */
  data: TableDataset;
  /** the island, restricted to the columns the user has */
  view: IslandView;
  /** the entries' specs, restricted likewise */
  specs: StatSpec[];
}

/**
 * A table searched in an island through its mapping: units estimated against the members, the
 * user's rows mapped, and island and specs restricted to the mapped columns. 'skip' for a
 * sketch-layout island the table covers only partly (its sketches hold every column).
 */
async function acrossFeatureSpaces(input: CatalogSearchInput, island: Island, entries: CatalogEntry[], match: IslandMatch, options: JobOptions): Promise<Across | 'skip' | null> {
  const data = input.data as TableDataset;
  const columns = specType(island.type).columns!;
  const keepAll = match.mapping.missing.length === 0;
  if (island.sketch && !keepAll) return 'skip';
  // the island's own columns: searched as before, the shard fetched after the user's spec is built
  if (keepAll && isIdentityMapping(match.mapping)) return null;
  const all = island.shard ? await loadShard(input.fetchFn, input.base, island, options.signal, input.cache) : [];
  const specs = entries.map((e) => all[e.shardIndex]);
  let mapping = match.mapping;
  if (specs.length > 0) mapping = withUnitMaps(data, island, specs, mapping);
  if (mapping.pairs.length === 0) return 'skip';
  const coverage = mappingCoverage(mapping, data.featureNames.length, island.d);
  const whole = mapping.missing.length === 0;
  if (island.sketch)
    return whole
      ? {
          mapping,
          coverage,
          data: mappedData(
            data,
            island.features,
            mapping,
            island.features.map((_, j) => j),
          ),
          view: island,
          specs: [],
        }
      : 'skip';
  if (whole && isIdentityMapping(mapping)) return { mapping, coverage, data, view: island, specs };
  const keep = mappedPositions(island.features, mapping);
  const view: IslandView = whole
    ? island
    : { id: island.id, type: island.type, d: keep.length, features: keep.map((j) => island.features[j]), settings: columns.projectSettings(island.settings, keep) };
  return { mapping, coverage, data: mappedData(data, island.features, mapping, keep), view, specs: whole ? specs : specs.map((s) => columns.project(s, keep)) };
}

/**
 * The mapping with its unit maps estimated against the island's member specs (units.ts); pairs
 * resting on statistics that no conversion fits are dropped (missing/ignored updated). Unchanged
 * when every pair is fixed or paired by name. Shared with the page's mapping proposal.
 */
export function withUnitMaps(data: TableDataset, island: Island, specs: readonly StatSpec[], mapping: ColumnMapping): ColumnMapping {
  const columns = specType(island.type).columns;
  if (!columns || !mapping.pairs.some((p) => !p.fixed && p.source !== 'name')) return mapping;
  const position = (name: string) => island.features.indexOf(name);
  const userSignatures = tableSignatures(data.values, data.rows, data.cols);
  const pooledAll = island.columns ? island.columns.map((c) => c.signature) : columns.signatures(specs);
  const members = specs.map((spec) => {
    const own = columns.signatures([spec]);
    return mapping.pairs.map((p) => own[position(p.island)]);
  });
  const hints = mapping.pairs.map((p) => ({ user: p.user, island: `${p.island} ${island.columns?.[position(p.island)].description ?? ''}` }));
  const estimate = estimateUnits(
    mapping.pairs,
    mapping.pairs.map((p) => userSignatures[data.featureNames.indexOf(p.user)]),
    mapping.pairs.map((p) => pooledAll[position(p.island)]),
    members,
    hints,
  );
  const kept = new Set(estimate.pairs.map((p) => p.island));
  return {
    pairs: estimate.pairs,
    missing: island.features.filter((f) => !kept.has(f)),
    ignored: [...mapping.ignored, ...mapping.pairs.filter((p) => !kept.has(p.island)).map((p) => p.user)],
  };
}

/** The user's rows through the mapping, on the island columns `keep`, named as the island names them. */
function mappedData(data: TableDataset, features: readonly string[], mapping: ColumnMapping, keep: readonly number[]): TableDataset {
  const full = mapRows(data.values, data.rows, data.featureNames, features, mapping);
  const d = features.length;
  const values = new Float64Array(data.rows * keep.length);
  for (let r = 0; r < data.rows; r++) keep.forEach((j, k) => (values[r * keep.length + k] = full[r * d + j]));
  return tableDataset({ values, rows: data.rows, cols: keep.length, featureNames: keep.map((j) => features[j]) });
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
