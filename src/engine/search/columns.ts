/**
 * Column matching between a user's table and an island (docs/heterogeneous.md): same names are
 * paired outright; the rest by an optimal assignment (Hungarian) on a combined score,
 * 0.5 · name similarity (names and semantic descriptions, column-names.ts) + 0.5 · similarity of
 * the marginal shapes (data/marginals.ts), pairs kept at a score ≥ MIN_PAIR_SCORE. Everything
 * needed is in the catalog index (island `columns`), so matching never downloads a shard. Unit
 * maps (units.ts) are estimated afterwards, once per island, against the island's members.
 */
import { InputError } from '../core/errors.js';
import type { ColumnMapping, ColumnPair } from '../data/column-map.js';
import { signatureSimilarity, type MarginalSignature } from '../data/marginals.js';
import { nameSimilarity, prepareName, type PreparedName } from './column-names.js';

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
export const MIN_PAIR_SCORE = 0.3;

/** Weight of the name score in the combined score (the rest is the marginal shape). */
const NAME_WEIGHT = 0.5;

/**
 * A minimum-cost assignment of rows to columns of a rectangular cost matrix (Hungarian method with
 * potentials, O(n²m)); returns for each row its column, or −1 when there are more rows than columns.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  const m = n === 0 ? 0 : cost[0].length;
  if (n === 0) return [];
  const transpose = n > m;
  const rows = transpose ? m : n;
  const cols = transpose ? n : m;
  const at = (i: number, j: number) => (transpose ? cost[j][i] : cost[i][j]);
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const owner = new Int32Array(cols + 1); // owner[j]: row (1-based) assigned to column j
  const way = new Int32Array(cols + 1);
  for (let i = 1; i <= rows; i++) {
    owner[0] = i;
    let j0 = 0;
    const minv = new Float64Array(cols + 1).fill(Infinity);
    const used = new Uint8Array(cols + 1);
    do {
      used[j0] = 1;
      const i0 = owner[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= cols; j++) {
        if (used[j]) continue;
        const c = at(i0 - 1, j - 1) - u[i0] - v[j];
        if (c < minv[j]) {
          minv[j] = c;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= cols; j++) {
        if (used[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (owner[j0] !== 0);
    do {
      const j1 = way[j0];
      owner[j0] = owner[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(n).fill(-1);
  for (let j = 1; j <= cols; j++) {
    if (owner[j] === 0) continue;
    if (transpose) result[j - 1] = owner[j] - 1;
    else result[owner[j] - 1] = j - 1;
  }
  return result;
}

/** Island columns prepared once per island (names parsed) for many users. */
export interface PreparedIsland {
  columns: readonly MatchColumn[];
  names: PreparedName[];
  descriptions: (PreparedName | null)[];
}

export function prepareIsland(columns: readonly MatchColumn[]): PreparedIsland {
  return { columns, names: columns.map((c) => prepareName(c.name)), descriptions: columns.map((c) => (c.description ? prepareName(c.description) : null)) };
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
}

/** The combined score of a user column against an island column, with its two parts. */
export function pairScore(user: UserColumn, prepared: PreparedName, island: PreparedIsland, j: number): { score: number; name: number; shape: number | null } {
  const name = nameSimilarity(prepared, island.names[j], island.descriptions[j]);
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
      const squashed = prepareName(name).squashed;
      const j = islandNames.includes(name) ? islandNames.indexOf(name) : island.names.findIndex((n, k) => n.squashed !== '' && n.squashed === squashed && !byIsland.has(islandNames[k]));
      if (j < 0 || byIsland.has(islandNames[j])) continue;
      byIsland.set(islandNames[j], { user: name, island: islandNames[j], factor: 1, offset: 0, confidence: 1, source: 'name' });
      taken.add(name);
    }
    const freeUser = user.filter((c) => !taken.has(c.name));
    const freeIsland = island.columns.map((_, j) => j).filter((j) => !byIsland.has(islandNames[j]));
    if (freeUser.length > 0 && freeIsland.length > 0) {
      const prepared = freeUser.map((c) => prepareName(c.name));
      const parts = freeUser.map((c, i) => freeIsland.map((j) => pairScore(c, prepared[i], island, j)));
      const scores = parts.map((row) => row.map((p) => p.score));
      const assignment = hungarian(scores.map((row) => row.map((s) => 1 - s)));
      assignment.forEach((k, i) => {
        if (k < 0 || scores[i][k] < MIN_PAIR_SCORE) return;
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
