/**
 * Column matching between a user's table and an island (docs/heterogeneous.md): same names are
 * paired outright; the rest by an optimal assignment (Hungarian) on a combined score,
 * NAME_WEIGHT · name similarity (names and semantic descriptions, data/column-names.ts) + the rest ·
 * similarity of the marginal shapes (data/marginals.ts), over the pairs scoring ≥ MIN_PAIR_SCORE whose
 * names say something (≥ MIN_NAME_SCORE). Everything
 * needed is in the catalog index (island `columns`), so matching never downloads a shard. Unit
 * maps (units.ts) are estimated afterwards, once per island, against the island's members.
 */
import { InputError } from '../core/errors.js';
import type { ColumnMapping, ColumnPair } from '../data/column-map.js';
import { signatureSimilarity, type MarginalSignature } from '../data/marginals.js';
import { hungarian } from '../core/hungarian.js';
import { nameSimilarity, prepareName, wordWeights, type PreparedName, type WordWeights } from '../data/column-names.js';

export { hungarian };

/** What matching knows of one island column (catalog/catalog.ts `IslandColumn`). */
export interface MatchColumn {
  name: string;
  description?: string | null;
  signature?: MarginalSignature | null;
}

/** What matching knows of one user column. */
export interface UserColumn {
  name: string;
  signature: MarginalSignature | null;
}

/** Pairs scoring below this are not kept (docs/heterogeneous.md §1: measured on wine and breast cancer). */
export const MIN_PAIR_SCORE = 0.45;

/**
 * Weight of the name score in the combined score (the rest is the marginal shape): shapes tell a
 * column's kind, not which of several alike columns it is (docs/heterogeneous.md §1).
 */
const NAME_WEIGHT = 0.7;

/**
 * A pair whose names score below this is not made, however alike the shapes: a rescaled column
 * resembles several others of its table (docs/heterogeneous.md §1: statistics alone paired wine's
 * columns at precision 0.27, breast cancer's at 0.15). With NAME_WEIGHT 0.7 such a pair could not
 * reach MIN_PAIR_SCORE anyway; the floor says so, and keeps a weak name out of the assignment.
 */
const MIN_NAME_SCORE = 0.2;

/** Island columns prepared once per island (names parsed) for many users. */
export interface PreparedIsland {
  columns: readonly MatchColumn[];
  names: PreparedName[];
  descriptions: (PreparedName | null)[];
  /** the island's word weights (IDF over its columns' names and descriptions) */
  weights: WordWeights;
}

export function prepareIsland(columns: readonly MatchColumn[]): PreparedIsland {
  const names = columns.map((c) => prepareName(c.name));
  const descriptions = columns.map((c) => (c.description ? prepareName(c.description) : null));
  return { columns, names, descriptions, weights: wordWeights(names, descriptions) };
}

/** A pair the user fixes (`--map`, the page's mapping editor): factor and offset, when given, are kept. */
export interface GivenPair {
  user: string;
  island: string;
  factor?: number;
  offset?: number;
}

export interface MatchOptions {
  /** pairs fixed by the user; the other columns are matched around them */
  given?: readonly GivenPair[];
  /** only the given pairs: nothing else is matched */
  onlyGiven?: boolean;
  /** name scores kept across the islands of one query (catalogs repeat column names across islands) */
  names?: NameScores;
}

/** Name similarities of one query's user columns, kept per island column (an island's columns are prepared once). */
export class NameScores {
  private readonly users = new Map<string, PreparedName>();
  private readonly scores = new WeakMap<MatchColumn, Map<string, number>>();

  prepared(name: string): PreparedName {
    let p = this.users.get(name);
    if (!p) this.users.set(name, (p = prepareName(name)));
    return p;
  }

  score(user: string, island: PreparedIsland, j: number): number {
    const column = island.columns[j];
    let known = this.scores.get(column);
    if (!known) this.scores.set(column, (known = new Map()));
    let s = known.get(user);
    if (s === undefined) known.set(user, (s = nameSimilarity(this.prepared(user), island.names[j], island.descriptions[j], island.weights)));
    return s;
  }
}

/** The combined score of a user column against an island column, with its two parts. */
export function pairScore(user: UserColumn, prepared: PreparedName, island: PreparedIsland, j: number, names?: NameScores): { score: number; name: number; shape: number | null } {
  const name = names ? names.score(user.name, island, j) : nameSimilarity(prepared, island.names[j], island.descriptions[j], island.weights);
  const theirs = island.columns[j].signature;
  const shape = user.signature && theirs ? signatureSimilarity(user.signature, theirs) : null;
  return { score: shape === null ? name : NAME_WEIGHT * name + (1 - NAME_WEIGHT) * shape, name, shape };
}

/**
 * The mapping of a user's columns onto an island's: given pairs first, then columns of the same
 * name, then the assignment. Factors are 1 here (units.ts refines them). Throws UNKNOWN_COLUMN for
 * a given pair naming a column neither side has.
 */
export function matchColumns(user: readonly UserColumn[], island: PreparedIsland, options: MatchOptions = {}): ColumnMapping {
  const islandNames = island.columns.map((c) => c.name);
  const userNames = user.map((c) => c.name);
  const byIsland = new Map<string, ColumnPair>();
  const taken = new Set<string>();
  for (const g of options.given ?? []) {
    if (!userNames.includes(g.user))
      throw new InputError('UNKNOWN_COLUMN', `the mapping names your column "${g.user}", which the table does not have (it has ${userNames.join(', ')})`, { column: g.user });
    if (!islandNames.includes(g.island)) continue; // a pair for another island
    if (taken.has(g.user) || byIsland.has(g.island)) throw new InputError('BAD_MAP', `the mapping uses "${g.user}" or "${g.island}" twice`);
    byIsland.set(g.island, {
      user: g.user,
      island: g.island,
      factor: g.factor ?? 1,
      offset: g.offset ?? 0,
      confidence: 1,
      source: 'given',
      ...(g.factor !== undefined || g.offset !== undefined ? { fixed: true } : {}),
    });
    taken.add(g.user);
  }
  if (!options.onlyGiven) {
    // the same name, or the same words ("Month", "month"; "lot_area", "LotArea")
    for (const name of userNames) {
      if (taken.has(name)) continue;
      const squashed = (options.names?.prepared(name) ?? prepareName(name)).squashed;
      const j = islandNames.includes(name) ? islandNames.indexOf(name) : island.names.findIndex((n, k) => n.squashed !== '' && n.squashed === squashed && !byIsland.has(islandNames[k]));
      if (j < 0 || byIsland.has(islandNames[j])) continue;
      byIsland.set(islandNames[j], { user: name, island: islandNames[j], factor: 1, offset: 0, confidence: 1, source: 'name' });
      taken.add(name);
    }
    const freeUser = user.filter((c) => !taken.has(c.name));
    const freeIsland = island.columns.map((_, j) => j).filter((j) => !byIsland.has(islandNames[j]));
    if (freeUser.length > 0 && freeIsland.length > 0) {
      const prepared = freeUser.map((c) => options.names?.prepared(c.name) ?? prepareName(c.name));
      const parts = freeUser.map((c, i) => freeIsland.map((j) => pairScore(c, prepared[i], island, j, options.names)));
      const scores = parts.map((row) => row.map((p) => p.score));
      // the assignment chooses among the pairs that may be kept, so a weak pair does not take a column a kept one needs
      const eligible = parts.map((row) => row.map((p) => p.score >= MIN_PAIR_SCORE && p.name >= MIN_NAME_SCORE));
      const assignment = hungarian(scores.map((row, i) => row.map((s, k) => (eligible[i][k] ? 1 - s : 1))));
      assignment.forEach((k, i) => {
        if (k < 0 || !eligible[i][k]) return;
        const j = freeIsland[k];
        const evidence = { name: round(parts[i][k].name), shape: parts[i][k].shape === null ? null : round(parts[i][k].shape!) };
        byIsland.set(islandNames[j], { user: freeUser[i].name, island: islandNames[j], factor: 1, offset: 0, confidence: confidence(scores, i, k), source: 'matched', evidence });
        taken.add(freeUser[i].name);
      });
    }
  }
  const pairs = islandNames.flatMap((name) => (byIsland.has(name) ? [byIsland.get(name)!] : []));
  return { pairs, missing: islandNames.filter((n) => !byIsland.has(n)), ignored: userNames.filter((n) => !taken.has(n)) };
}

/** A matched pair's confidence: its score, less when another island column scores nearly as well. */
function confidence(scores: number[][], i: number, k: number): number {
  const own = scores[i][k];
  let rival = 0;
  scores[i].forEach((s, j) => {
    if (j !== k) rival = Math.max(rival, s);
  });
  const margin = Math.min(1, Math.max(0, (own - rival) / 0.2));
  return round(own * (0.6 + 0.4 * margin));
}

function round(x: number): number {
  return Math.round(1000 * x) / 1000;
}
