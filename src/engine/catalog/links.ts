/**
 * Links between islands (docs/heterogeneous.md §4, docs/catalog-format.md "Links"): at catalog
 * build, every two islands of one columnar spec type have their columns matched against each
 * other, from the index's `columns` alone (names, descriptions, marginal signatures), the way a
 * user's table is matched to an island (search/columns.ts): the same name pairs outright, the rest
 * by an optimal assignment on `0.5 · name + 0.5 · shape`. A correspondence that pairs at least half
 * of the smaller island's columns surely is stored on both islands, each pair with the affine map
 * between the two columns (this column = factor · that column + offset): a known unit conversion
 * when the signatures or the words say so, the identity otherwise. Search carries a mapping found
 * for one island over the link to the other (search/island-match.ts).
 */
import { hungarian } from '../core/hungarian.js';
import { nameSimilarity, prepareName, type PreparedName } from '../data/column-names.js';
import { signatureSimilarity } from '../data/marginals.js';
import { hinted, UNIT_CONVERSIONS, unitTokens, type UnitConversion } from '../data/units.js';
import { specType } from '../spec/registry.js';
import type { Island, IslandColumn, IslandLink } from './catalog.js';

/**
 * A pair counts towards a link at this confidence or more (and with a name score of at least
 * NAME_EVIDENCE). A perfect marginal shape alone scores at most 0.5, half the combined score,
 * and the name rule makes sure a pair always has the names or the descriptions behind it:
 * reduced-point marginals of unrelated columns often look alike (skewed, positive), and links on
 * shapes alone would join unrelated islands. Measured on the txhousing
 * islands of tests/unit/catalog-links.test.ts (other cities, other names and descriptions): the
 * right pairs have confidence 0.52 (inventory → months_inventory) to 0.84 (sales → num_sales);
 * the strongest wrong candidate (sales → sales_volume, score 0.61) loses the assignment.
 */
export const LINK_PAIR_CONFIDENCE = 0.5;
/** Islands are linked when the sure pairs cover at least this share of the smaller island's columns. */
export const LINK_SHARE = 0.5;
/** Below this name score a pair rests on statistics alone and never counts as sure. */
const NAME_EVIDENCE = 0.2;
/** A description agreeing with a description counts a little less than a name agreeing with a name. */
const DESCRIPTION_WEIGHT = 0.9;
/** Weight of the name score in the combined score (the rest is the marginal shape), as in search/columns.ts. */
const NAME_WEIGHT = 0.5;
/** Up to this many islands of a type every pair is compared; above, each island only with its LINK_CANDIDATES nearest by shared words. */
export const LINK_ALL_PAIRS = 64;
/** Large catalogs: the islands each island is compared with, those sharing the most (rarest) words of column names and descriptions. */
export const LINK_CANDIDATES = 32;
/** Leaving the identity costs this (in standard deviations of quantile gap) unless the words name the conversion (docs/heterogeneous.md §2). */
const CONVERSION_PRICE = 0.3;
/** A conversion no word names must fit this closely (and the identity not at all: gap above 1). */
const UNHINTED_FIT = 0.25;

interface PreparedColumns {
  island: Island;
  columns: readonly IslandColumn[];
  names: PreparedName[];
  descriptions: (PreparedName | null)[];
  /** words of each column's name and description as written, for unit hints */
  tokens: Set<string>[];
  /** each column's signature quantiles in its own units */
  quantiles: (number[] | null)[];
}

function prepare(island: Island): PreparedColumns {
  const columns = island.columns!;
  return {
    island,
    columns,
    names: columns.map((c) => prepareName(c.name)),
    descriptions: columns.map((c) => (c.description ? prepareName(c.description) : null)),
    tokens: columns.map((c) => unitTokens(`${c.name} ${c.description ?? ''}`)),
    quantiles: columns.map((c) => (c.signature ? c.signature.q.map((q) => c.signature!.mean + c.signature!.std * q) : null)),
  };
}

/** How alike two island columns' names are: either name against the other's name and description, or the two descriptions. */
function columnNameScore(a: PreparedColumns, i: number, b: PreparedColumns, j: number): number {
  let best = Math.max(nameSimilarity(a.names[i], b.names[j], b.descriptions[j]), nameSimilarity(b.names[j], a.names[i], a.descriptions[i]));
  const da = a.descriptions[i];
  const db = b.descriptions[j];
  if (da && db) best = Math.max(best, DESCRIPTION_WEIGHT * nameSimilarity(da, db, null));
  return best;
}

/** One pair of a link, from island A's column `a` to island B's column `b`: A value = factor · B value + offset. */
interface LinkPair {
  a: number;
  b: number;
  factor: number;
  offset: number;
  confidence: number;
}

/**
 * The correspondence of two islands' columns, or null when too little of it is sure. Pairs are in
 * A's column order.
 */
function linkColumns(a: PreparedColumns, b: PreparedColumns): LinkPair[] | null {
  const needed = Math.max(1, Math.ceil(LINK_SHARE * Math.min(a.columns.length, b.columns.length) - 1e-9));
  const found: { a: number; b: number; confidence: number; sameName: boolean }[] = [];
  const takenA = new Set<number>();
  const takenB = new Set<number>();
  // the same name, or the same words
  a.columns.forEach((column, i) => {
    let j = b.columns.findIndex((c) => c.name === column.name);
    if (j < 0 && a.names[i].squashed !== '') j = b.names.findIndex((n, k) => n.squashed === a.names[i].squashed && !takenB.has(k));
    if (j < 0 || takenB.has(j)) return;
    found.push({ a: i, b: j, confidence: 1, sameName: true });
    takenA.add(i);
    takenB.add(j);
  });
  const freeA = a.columns.map((_, i) => i).filter((i) => !takenA.has(i));
  const freeB = b.columns.map((_, j) => j).filter((j) => !takenB.has(j));
  if (freeA.length > 0 && freeB.length > 0) {
    const names = freeA.map((i) => freeB.map((j) => columnNameScore(a, i, b, j)));
    // a sure pair needs name evidence: too few columns with any leaves the link impossible (most pairs of islands stop here)
    const named = (rows: number[][]) => rows.filter((row) => row.some((x) => x >= NAME_EVIDENCE)).length;
    const possible = Math.min(named(names), named(freeB.map((_, c) => names.map((row) => row[c]))));
    if (found.length + possible < needed) return null;
    const scores = freeA.map((i, r) =>
      freeB.map((j, c) => {
        const sa = a.columns[i].signature;
        const sb = b.columns[j].signature;
        return sa && sb ? NAME_WEIGHT * names[r][c] + (1 - NAME_WEIGHT) * signatureSimilarity(sa, sb) : names[r][c];
      }),
    );
    const assignment = hungarian(scores.map((row) => row.map((x) => 1 - x)));
    assignment.forEach((c, r) => {
      if (c < 0) return;
      const confidence = pairConfidence(scores, assignment, r, c);
      if (confidence >= LINK_PAIR_CONFIDENCE && names[r][c] >= NAME_EVIDENCE) found.push({ a: freeA[r], b: freeB[c], confidence, sameName: false });
    });
  }
  if (found.length < needed) return null;
  return found.map((p) => ({ a: p.a, b: p.b, ...unitMap(a, p.a, b, p.b, p.sameName), confidence: p.confidence })).sort((x, y) => x.a - y.a);
}

/**
 * A pair's confidence: its score, less when a rival scores nearly as well — another column of
 * either island that would rather have this pair's column than the one it was given (a column
 * already holding a better partner is no rival: `sales` scores 0.6 against `sales_volume`, but
 * holds `num_sales` at 0.84).
 */
function pairConfidence(scores: number[][], assignment: readonly number[], r: number, c: number): number {
  const own = scores[r][c];
  const owner = new Map(assignment.map((k, row) => [k, row]));
  let rival = 0;
  scores[r].forEach((s, k) => {
    const holder = owner.get(k);
    if (k !== c && (holder === undefined || scores[holder][k] <= s)) rival = Math.max(rival, s);
  });
  scores.forEach((row, k) => {
    const held = assignment[k];
    if (k !== r && (held < 0 || row[held] <= row[c])) rival = Math.max(rival, row[c]);
  });
  const margin = Math.min(1, Math.max(0, (own - rival) / 0.2));
  return round(own * (0.6 + 0.4 * margin));
}

/** An affine map between two columns (A = factor · B + offset); `told`: the words name it. */
interface AffineMap {
  factor: number;
  offset: number;
  told?: boolean;
}

/** Mean |factor · B quantile + offset − A quantile| over the two columns' mean spread (B's converted). */
function gap(qa: readonly number[], qb: readonly number[], spread: { a: number; b: number }, c: AffineMap): number {
  let sum = 0;
  for (let k = 0; k < qa.length; k++) sum += Math.abs(c.factor * qb[k] + c.offset - qa[k]);
  return sum / qa.length / ((spread.a + Math.abs(c.factor) * spread.b) / 2);
}

/**
 * The map from B's column to A's (A = factor · B + offset), one of the known conversions
 * (data/units.ts) or the identity. A conversion the words name (B's name or description speaks of
 * its unit, A's does not: "in thousands" against "in dollars") is taken when it fits better than
 * the identity: two islands hold different data (big cities against small ones), so "fits" cannot
 * mean "within a standard deviation" as it does for one user against one island's members. A
 * conversion no word names must fit closely (gap ≤ UNHINTED_FIT) where the identity does not fit
 * at all (gap > 1). Otherwise the identity — never a map fitted to the pooled location and spread,
 * which would erase the very shift search must see (docs/design-notes.md §1). Columns of the same
 * name keep the identity unless it fits not at all and a conversion fits five times better.
 */
function unitMap(a: PreparedColumns, i: number, b: PreparedColumns, j: number, sameName: boolean): { factor: number; offset: number } {
  const identity: AffineMap = { factor: 1, offset: 0 };
  const qa = a.quantiles[i];
  const qb = b.quantiles[j];
  if (!qa || !qb) return identity;
  const spread = { a: a.columns[i].signature!.std, b: b.columns[j].signature!.std };
  // the conversions, and the inverse of one whose words name A's unit (A in thousands, B in units)
  const names = (c: UnitConversion, user: Set<string>, island: Set<string>) => hinted(c, user, island) && !c.from!.some((w) => island.has(w));
  const maps: AffineMap[] = UNIT_CONVERSIONS.slice(1).map((c) => ({ factor: c.factor, offset: c.offset, told: names(c, b.tokens[j], a.tokens[i]) }));
  for (const c of UNIT_CONVERSIONS.slice(1)) if (names(c, a.tokens[i], b.tokens[j])) maps.push({ factor: exact(1 / c.factor), offset: exact(-c.offset / c.factor), told: true });
  const told = maps.some((m) => m.told);
  const plain = gap(qa, qb, spread, identity);
  let pick = { map: identity, gap: plain + (told ? CONVERSION_PRICE : 0) };
  for (const map of maps) {
    const g = gap(qa, qb, spread, map);
    if (!map.told && !(plain > 1 && g <= UNHINTED_FIT)) continue;
    const priced = g + (map.told ? 0 : CONVERSION_PRICE);
    if (priced < pick.gap) pick = { map, gap: priced };
  }
  if (pick.map === identity || (sameName && !(plain > 1 && pick.gap < plain / 5))) return identity;
  return { factor: pick.map.factor, offset: pick.map.offset };
}

/**
 * Pairs of islands worth comparing: all of them up to LINK_ALL_PAIRS islands; above, each island
 * with the LINK_CANDIDATES islands sharing the most words of column names and descriptions, each
 * shared word counted by its rarity (log(islands / islands with the word)).
 */
function candidates(group: readonly PreparedColumns[]): [number, number][] {
  const out: [number, number][] = [];
  const n = group.length;
  if (n <= LINK_ALL_PAIRS) {
    for (let x = 0; x < n; x++) for (let y = x + 1; y < n; y++) out.push([x, y]);
    return out;
  }
  const words = group.map((p) => new Set([...p.names, ...p.descriptions].flatMap((w) => (w ? [...w.words] : []))));
  const byWord = new Map<string, number[]>();
  words.forEach((set, x) => set.forEach((w) => byWord.set(w, [...(byWord.get(w) ?? []), x])));
  const keys = new Set<number>();
  const score = new Float64Array(n);
  for (let x = 0; x < n; x++) {
    score.fill(0);
    for (const w of words[x]) {
      const list = byWord.get(w)!;
      const weight = Math.log(n / list.length);
      for (const y of list) if (y !== x) score[y] += weight;
    }
    const near = [...score.keys()].filter((y) => score[y] > 0).sort((p, q) => score[q] - score[p] || p - q);
    for (const y of near.slice(0, LINK_CANDIDATES)) keys.add(Math.min(x, y) * n + Math.max(x, y));
  }
  for (const key of [...keys].sort((p, q) => p - q)) out.push([Math.floor(key / n), key % n]);
  return out;
}

/**
 * The islands with their `links` set (replacing any they had): every two islands of one columnar
 * spec type whose columns correspond, both ways, links ordered by island id and pairs by this
 * island's column order. Islands without `columns` are neither linked nor changed otherwise.
 * Quadratic in the islands of a type up to LINK_ALL_PAIRS, then about LINK_CANDIDATES matchings per island.
 */
export function linkIslands(islands: readonly Island[]): Island[] {
  const links = new Map<string, IslandLink[]>();
  const byType = new Map<string, PreparedColumns[]>();
  for (const island of islands) {
    if (!island.columns || island.columns.length === 0 || !specType(island.type).columns) continue;
    byType.set(island.type, [...(byType.get(island.type) ?? []), prepare(island)]);
  }
  for (const group of byType.values()) {
    for (const [x, y] of candidates(group)) {
      const a = group[x];
      const b = group[y];
      const pairs = linkColumns(a, b);
      if (!pairs) continue;
      const name = (p: PreparedColumns, k: number) => p.columns[k].name;
      const forward = pairs.map((p) => ({ from: name(a, p.a), to: name(b, p.b), factor: p.factor, offset: p.offset, confidence: p.confidence }));
      const backward = pairs
        .map((p) => ({ from: name(b, p.b), to: name(a, p.a), factor: exact(1 / p.factor), offset: exact(-p.offset / p.factor), confidence: p.confidence }))
        .sort((p, q) => b.columns.findIndex((c) => c.name === p.from) - b.columns.findIndex((c) => c.name === q.from));
      links.set(a.island.id, [...(links.get(a.island.id) ?? []), { island: b.island.id, pairs: forward }]);
      links.set(b.island.id, [...(links.get(b.island.id) ?? []), { island: a.island.id, pairs: backward }]);
    }
  }
  return islands.map((island) => {
    const { links: _old, ...rest } = island;
    const mine = links.get(island.id);
    return mine ? { ...rest, links: mine.sort((p, q) => (p.island < q.island ? -1 : p.island > q.island ? 1 : 0)) } : rest;
  });
}

/** An inverted factor or offset without the float noise of the division (1 / 0.001 stays 1000). */
function exact(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(12));
}

function round(x: number): number {
  return Math.round(1000 * x) / 1000;
}
