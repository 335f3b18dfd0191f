/**
 * Unit maps (docs/heterogeneous.md §2): a user column in other units (ft² for m², thousands of
 * dollars for dollars, months for years) reaches an island column through one affine map per
 * island column, island = factor · user + offset, estimated once per island against the island's
 * members — never by re-standardising the user's data, which would erase the shift search must
 * see (docs/design-notes.md §1). The estimate is joint: for each member learnware, every column
 * takes the known conversion that brings the user's quantiles closest to that member's (plus a
 * small price for leaving the identity), and the member that fits best overall decides. Columns no
 * known conversion fits get the affine map onto the island's pooled location and spread, marked
 * as fitted and with lower confidence; so do columns paired by matching whose conversion fits
 * clearly worse than that affine map (one of dozens of conversions lies near any rescaling).
 */
import type { ColumnPair } from '../data/column-map.js';
import type { MarginalSignature } from '../data/marginals.js';
import { hinted, UNIT_CONVERSIONS, unitTokens, type UnitConversion } from '../data/units.js';

export { UNIT_CONVERSIONS, unitTokens, type UnitConversion };

/** The words of a pair that hint at units: the user's column name, the island column's name and description. */
export interface UnitHint {
  user: string;
  island: string;
}

/**
 * Price, in the member's standard deviations, of a conversion other than the identity: the
 * identity stays unless a conversion fits clearly better (with dozens of conversions and many
 * members, some conversion always fits a little better by chance).
 */
const CONVERSION_PRICE = 0.3;
/** Above this gap (member standard deviations) no conversion fits: the map is fitted instead. */
const FIT_LIMIT = 1;
/**
 * A pair found by matching keeps a guessed conversion only when its gap exceeds that of the affine
 * map onto the member's location and spread by at most this (docs/heterogeneous.md §2: measured on
 * wine and breast cancer, this kept 90 % of the right conversions and 19 % of the wrong ones).
 */
const FIT_SLACK = 0.1;
/**
 * A column of the same name keeps the identity unless it lies this far (member standard
 * deviations) off the best-fitting member and no conversion fits a third as well: then it gets the
 * affine map like any other (docs/heterogeneous.md §2; a city unlike every member's stays within this).
 */
const SAME_NAME_FIT = 3;

/** Conversions tried without a hint from the names: pure factors (offsets, as for temperatures, are never guessed). */
const GUESSABLE = UNIT_CONVERSIONS.slice(1).filter((c) => c.offset === 0);

/** One member learnware's view of the island's columns: its signatures, by island column. */
export type MemberSignatures = readonly (MarginalSignature | null)[];

function quantilesOf(s: MarginalSignature): number[] {
  return s.q.map((q) => s.mean + s.std * q);
}

/** Mean |factor · user quantile + offset − member quantile| / the member's spread. */
function gap(user: readonly number[], member: readonly number[], c: UnitConversion, spread: number): number {
  let sum = 0;
  for (let i = 0; i < user.length; i++) sum += Math.abs(c.factor * user[i] + c.offset - member[i]);
  return sum / user.length / spread;
}

/** A matched pair whose names say less than this rests on statistics alone: without a known conversion it is dropped. */
const NAME_EVIDENCE = 0.2;

export interface UnitEstimate {
  /** the pairs with factor, offset, unit and confidence set (statistics-only pairs no conversion fits are left out) */
  pairs: ColumnPair[];
  /** index of the member the estimate fitted best (into `members`) */
  member: number;
}

/**
 * The unit maps of a mapping's pairs. `user[k]` is the signature of pair k's user column,
 * `pooled[k]` the island's pooled signature of pair k's island column, `members[m][k]` member m's.
 * Pairs given with a factor, and pairs paired by the same name, keep the identity unless it fits
 * no member at all and a conversion fits one five times better.
 */
export function estimateUnits(
  pairs: readonly ColumnPair[],
  user: readonly (MarginalSignature | null)[],
  pooled: readonly (MarginalSignature | null)[],
  members: readonly MemberSignatures[],
  hints: readonly (UnitHint | null)[] = [],
): UnitEstimate {
  // a conversion the names speak of costs nothing, and then the identity costs what a conversion does
  const told = pairs.map((_, k) => {
    const h = hints[k];
    if (!h) return null;
    const user = unitTokens(h.user);
    const island = unitTokens(h.island);
    return UNIT_CONVERSIONS.slice(1).find((c) => hinted(c, user, island)) ?? null;
  });
  const price = (k: number, c: UnitConversion) => (c === UNIT_CONVERSIONS[0] ? (told[k] ? CONVERSION_PRICE : 0) : c === told[k] ? 0 : CONVERSION_PRICE);
  const userQ = user.map((s) => (s ? quantilesOf(s) : null));
  const open = pairs.map((p, k) => !p.fixed && userQ[k] !== null);
  // for each member: each pair's best conversion and its gap
  let best = { member: -1, total: Infinity, choice: [] as { c: UnitConversion; gap: number; loose: boolean }[] };
  members.forEach((member, m) => {
    let total = 0;
    const choice = pairs.map((p, k) => {
      const theirs = member[k];
      if (!open[k] || !theirs) return { c: UNIT_CONVERSIONS[0], gap: 0, loose: false };
      const mq = quantilesOf(theirs);
      const identity = gap(userQ[k]!, mq, UNIT_CONVERSIONS[0], theirs.std) + price(k, UNIT_CONVERSIONS[0]);
      let pick = { c: UNIT_CONVERSIONS[0], gap: identity };
      // a pair resting on statistics alone may not guess a unit as well: only the identity or the one the names speak of
      // the unit the names speak of is the only conversion tried; offsets (temperatures) are never guessed
      const candidates = told[k] ? [told[k]] : statisticsOnly(p) ? [] : GUESSABLE;
      for (const c of candidates) {
        const g = gap(userQ[k]!, mq, c, theirs.std) + price(k, c);
        if (g < pick.gap) pick = { c, gap: g };
      }
      if (p.source === 'name' && pick.c !== UNIT_CONVERSIONS[0] && !(identity > FIT_LIMIT && pick.gap < identity / 3)) pick = { c: UNIT_CONVERSIONS[0], gap: identity };
      total += Math.min(pick.gap, 2 * FIT_LIMIT);
      // the affine map onto this member's location and spread leaves only the shapes' gap
      const u = user[k]!;
      const affine = u.q.reduce((sum, q, i) => sum + Math.abs(q - theirs.q[i]), 0) / u.q.length;
      // a conversion the pair came with (carried over a link, catalog/links.ts) is no guess
      const guessed = pick.c !== told[k] && pick.c !== UNIT_CONVERSIONS[0] && !(pick.c.factor === p.factor && pick.c.offset === p.offset);
      const loose = p.source !== 'name' && guessed && pick.gap - price(k, pick.c) > affine + FIT_SLACK;
      return { ...pick, loose };
    });
    if (total < best.total) best = { member: m, total, choice };
  });
  const out = pairs.flatMap((p, k): ColumnPair[] => [fitted(p, k)].filter((x): x is ColumnPair => x !== null));
  return { pairs: out, member: best.member };

  function fitted(p: ColumnPair, k: number): ColumnPair | null {
    if (!open[k]) return { ...p };
    const pick = best.choice[k];
    if (pick && pick.gap <= FIT_LIMIT && !pick.loose) {
      const { unit: _unit, ...rest } = p;
      return pick.c === UNIT_CONVERSIONS[0] ? { ...rest, factor: 1, offset: 0 } : { ...rest, factor: pick.c.factor, offset: pick.c.offset, unit: pick.c.label };
    }
    const u = user[k]!;
    const island = pooled[k];
    // a column of the same name keeps its identity unless that lies far off every member (SAME_NAME_FIT)
    if (!island || (p.source === 'name' && pick.gap < SAME_NAME_FIT)) return { ...p, confidence: round(p.confidence * 0.8) };
    if (statisticsOnly(p)) return null;
    // no known conversion: match the island's pooled location and spread
    const factor = island.std / u.std;
    return { ...p, factor, offset: island.mean - factor * u.mean, unit: 'fitted to the catalog', confidence: round(p.confidence * 0.7) };
  }
}

function statisticsOnly(p: ColumnPair): boolean {
  return p.source === 'matched' && (p.evidence?.name ?? 0) < NAME_EVIDENCE;
}

function round(x: number): number {
  return Math.round(1000 * x) / 1000;
}
