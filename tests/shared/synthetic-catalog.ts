/**
 * Generated catalogs for the sketch-index tests and `npm run bench:search`: learnware `i` of a
 * catalog is a pure function of (seed, i), so a catalog of a million specs never has to be held in
 * memory or on disk. Structure: F families, each a template point set around a far-apart centre;
 * a learnware shifts and stretches its family's template (its own "distribution"), so its nearest
 * learnwares are the family members with similar shifts and spreads.
 */
import { Prng, RKME_TABLE_TYPE, type RkmeTableSpec } from '../../src/engine/index.js';

export interface SyntheticCatalog {
  count: number;
  d: number;
  K: number;
  seed: number;
  families: number;
  gamma: number;
}

export function syntheticCatalog(count: number, d: number, options: Partial<Omit<SyntheticCatalog, 'count' | 'd'>> = {}): SyntheticCatalog {
  return { count, d, K: 100, seed: 1, families: 256, gamma: 0.1, ...options };
}

const templates = new Map<string, { centre: Float64Array; points: Float64Array }>();

function family(c: SyntheticCatalog, f: number): { centre: Float64Array; points: Float64Array } {
  const key = `${c.seed}/${c.d}/${c.K}/${f}`;
  let t = templates.get(key);
  if (!t) {
    const prng = new Prng((c.seed * 7919 + f * 104729) >>> 0);
    const centre = Float64Array.from({ length: c.d }, () => 3 * prng.nextNormal());
    const points = Float64Array.from({ length: c.K * c.d }, () => prng.nextNormal());
    t = { centre, points };
    if (templates.size > 4096) templates.clear();
    templates.set(key, t);
  }
  return t;
}

/** Parameters of learnware i: family, shift and per-feature spread. */
function parameters(c: SyntheticCatalog, i: number) {
  const prng = new Prng((c.seed * 2654435761 + i * 40503 + 17) >>> 0);
  const f = prng.nextInt(c.families);
  const shift = Float64Array.from({ length: c.d }, () => 0.7 * prng.nextNormal());
  const spread = Float64Array.from({ length: c.d }, () => 0.5 + prng.nextFloat());
  return { f, shift, spread, prng };
}

function specFrom(c: SyntheticCatalog, i: number, jitter: number, userSeed: number | null): RkmeTableSpec {
  const { f, shift, spread, prng: own } = parameters(c, i);
  const prng = userSeed === null ? own : new Prng((userSeed * 97 + i) >>> 0);
  const { centre, points } = family(c, f);
  const z = new Float64Array(c.K * c.d);
  for (let k = 0; k < c.K; k++) {
    for (let j = 0; j < c.d; j++) z[k * c.d + j] = centre[j] + shift[j] + spread[j] * (points[k * c.d + j] + jitter * prng.nextNormal());
  }
  const raw = Float64Array.from({ length: c.K }, () => -Math.log(1 - prng.nextFloat()));
  const total = raw.reduce((s, v) => s + v, 0);
  return {
    type: RKME_TABLE_TYPE,
    K: c.K,
    d: c.d,
    gamma: c.gamma,
    numPoints: 1000 + (i % 9000),
    beta: raw.map((v) => v / total),
    z,
    scale: null,
    scaleSource: null,
    featureNames: null,
    provenance: null,
  };
}

/** The spec of learnware i. */
export function syntheticSpec(c: SyntheticCatalog, i: number): RkmeTableSpec {
  return specFrom(c, i, 0.2, null);
}

/** A user's spec drawn from learnware i's distribution (fresh jitter and weights). */
export function syntheticUser(c: SyntheticCatalog, i: number, userSeed: number): RkmeTableSpec {
  return specFrom(c, i, 0.2, userSeed);
}

/** The catalog's common scale: about the spread of its data per feature (families' centres dominate). */
export function syntheticScale(c: SyntheticCatalog): Float64Array {
  return new Float64Array(c.d).fill(Math.sqrt(9 + 0.49 + 1.08));
}

/** The family of learnware i (its exact nearest neighbours are family members: far-apart centres). */
export function syntheticFamily(c: SyntheticCatalog, i: number): number {
  return parameters(c, i).f;
}
