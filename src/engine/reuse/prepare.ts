/**
 * The use case "prepare a reuse", shared by the CLI (`reuse`, `evaluate`) and the reuse worker,
 * so both stay thin: which learnwares (the method's default from a search result, or the ones the
 * user named), their bundles downloaded and checked against the catalog's SHA-256, then run
 * through the checker and loaded (USABLE only) with the chosen execution provider — and the
 * column mapping of their island when the user's table reached it across feature spaces
 * (docs/heterogeneous.md §5), which reuse reads the table through.
 */
import { FormatError, InputError } from '../core/errors.js';
import type { CatalogIndex } from '../catalog/catalog.js';
import type { ColumnMapping } from '../data/column-map.js';
import { fetchBundles } from '../catalog/bundles.js';
import type { FetchLike, FileCache } from '../catalog/fetch.js';
import { runnerOptions, type ExecutionProvider } from '../model/execution-provider.js';
import type { RunnerOptions } from '../model/onnx-runner.js';
import type { CatalogSearchIsland } from '../search/catalog-search.js';
import { loadLearnware, type Learnware } from './learnware.js';
import type { LearnwareChoice, LearnwareRef, ReuseMethodDescriptor } from './method.js';
import { defaultLearnwares, recommendedReuseMethod, reuseMethodDescriptors, type ReuseMethod } from './registry.js';

const firstWithLearnwares = (islands: readonly CatalogSearchIsland[]) => islands.find((i) => i.singles.length > 0);

/** The island of a search result that reuse takes: the first with a learnware. */
export function reusableIsland(islands: readonly CatalogSearchIsland[]): CatalogSearchIsland {
  if (islands.length === 0) throw new InputError('NO_ISLAND', 'no learnware in the catalog takes the columns of your table');
  const found = firstWithLearnwares(islands);
  if (!found) throw new InputError('NO_LEARNWARES', 'the search found no learnware to reuse');
  return found;
}

/**
 * The column mapping a reuse of a search result reads the user's table through: that of the island
 * reused (the first with a learnware), or of the island `islandId` when the learnwares were named;
 * undefined when the table feeds that island by name (or the data are not a table).
 */
export function reuseMapping(islands: readonly CatalogSearchIsland[], islandId?: string): ColumnMapping | undefined {
  const island = islandId === undefined ? firstWithLearnwares(islands) : islands.find((i) => i.island === islandId);
  return island?.mapping;
}

/** What a page offers after a search: the methods (plain data) and the one to preselect, with and without a label column. */
export interface ReuseOffer {
  /** the island reused (index into the search result) */
  island: number;
  methods: ReuseMethodDescriptor[];
  recommended: { labelled: ReuseMethod; unlabelled: ReuseMethod };
}

/** The reuse a search result allows (null: no learnware to reuse): the registry's methods and rule, for the UI. */
export function reuseOffer(islands: readonly CatalogSearchIsland[]): ReuseOffer | null {
  const island = firstWithLearnwares(islands);
  if (!island) return null;
  const recommend = (hasLabels: boolean) => recommendedReuseMethod({ recommended: island.recommended, hasLabels });
  return { island: islands.indexOf(island), methods: reuseMethodDescriptors(), recommended: { labelled: recommend(true), unlabelled: recommend(false) } };
}

/** The catalog references of learnwares named by id (UNKNOWN_LEARNWARE for an id the index lacks). */
export function refsFromIndex(index: CatalogIndex, ids: readonly string[]): LearnwareRef[] {
  return ids.map((id) => {
    const entry = index.entries.find((e) => e.id === id);
    if (!entry) throw new InputError('UNKNOWN_LEARNWARE', `no learnware "${id}" in the catalog index (learnwares of sketch-layout islands: reuse the search result)`);
    return { id: entry.id, bundle: entry.bundle };
  });
}

/** The learnwares a reuse takes: the ones named (with their weights), else the method's default from the search result. */
export function chooseLearnwares(
  source: { learnwares?: LearnwareRef[]; weights?: number[]; islands?: readonly CatalogSearchIsland[] },
  method: ReuseMethod | 'evaluate',
): LearnwareChoice {
  if (source.learnwares && source.learnwares.length > 0) return { refs: source.learnwares, weights: source.weights };
  if (!source.islands) throw new InputError('NO_LEARNWARES', 'choose at least one learnware to reuse');
  return defaultLearnwares(reusableIsland(source.islands), method);
}

export interface PrepareReuseInput {
  fetchFn: FetchLike;
  /** the catalog directory the bundle references are relative to */
  catalogUrl: string;
  choice: LearnwareChoice;
  /** the models' execution provider (model/execution-provider.ts; default WASM) */
  provider?: ExecutionProvider;
  /** validated bundles by SHA-256, kept between reuses */
  cache?: FileCache;
  signal?: AbortSignal;
  /** checks and loads one bundle (default loadLearnware; the worker keeps loaded models by hash) */
  load?: (bytes: Uint8Array, ref: LearnwareRef, options: RunnerOptions) => Promise<Learnware>;
  /** the column mapping of the learnwares' island from the search (reuseMapping); handed on to reuse */
  mapping?: ColumnMapping;
}

export interface PreparedReuse {
  /** loaded learnwares, in the choice's order */
  learnwares: Learnware[];
  /** their bundles by SHA-256 (to pack a composite) */
  bundles: Map<string, Uint8Array>;
  weights?: number[];
  /** how the user's table feeds the learnwares (reuseLearnwares / evaluateTable `mapping`); absent: by name */
  mapping?: ColumnMapping;
}

export async function prepareReuse(input: PrepareReuseInput): Promise<PreparedReuse> {
  const { choice } = input;
  if (choice.refs.length === 0) throw new InputError('NO_LEARNWARES', 'choose at least one learnware to reuse');
  const bytes = await fetchBundles(
    input.fetchFn,
    input.catalogUrl,
    choice.refs.map((r) => r.bundle),
    { cache: input.cache, signal: input.signal },
  );
  // the job's signal reaches the checker's probe run, which the model host stops on Cancel
  const options = { ...runnerOptions(input.provider ?? 'wasm'), signal: input.signal };
  const load = input.load ?? ((b: Uint8Array, _ref: LearnwareRef, o: RunnerOptions) => loadLearnware(b, o));
  const learnwares: Learnware[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const lw = await load(bytes[i], choice.refs[i], options);
    // the bundle must be the learnware the index names: an entry pointing at another learnware's bundle would run that model
    if (lw.id !== choice.refs[i].id) {
      throw new FormatError('BUNDLE_MISMATCH', `the catalog entry ${choice.refs[i].id} points to the bundle of ${lw.id} (${choice.refs[i].bundle.file}); not reused`, {
        entry: choice.refs[i].id,
        bundleId: lw.id,
      });
    }
    learnwares.push(lw);
  }
  return { learnwares, bundles: new Map(learnwares.map((lw, i) => [lw.sha256, bytes[i]])), weights: choice.weights, ...(input.mapping ? { mapping: input.mapping } : {}) };
}
