import { describe, expect, it } from 'vitest';
import {
  buildTableRkme,
  greedyMixture,
  MIN_MIXTURE_WEIGHT,
  mmdNoise,
  Prng,
  referenceScores,
  searchIsland,
  tableSpecType,
  TsBackend,
  withoutWeightless,
  type RkmeTableSpec,
  type TableIslandSettings,
} from '../../src/engine/index.js';

const ts = new TsBackend();
const d = 3;
const CENTRES = [
  [0, 0, 0],
  [4, 0, 0],
  [0, 4, 0],
  [0, 0, 4],
  [4, 4, 0],
  [4, 0, 4],
];
const scale = new Float64Array(d).fill(1);
/** the island's comparison settings: γ of the specs below, unit scale */
const settings: TableIslandSettings = { gamma: 0.1, scale: Array.from(scale) };

/** n rows from a mixture of the given centres (weights) with unit noise. */
function sample(n: number, parts: [number[], number][], seed: number): Float64Array {
  const prng = new Prng(seed);
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let u = prng.nextFloat();
    let centre = parts[parts.length - 1][0];
    for (const [c, w] of parts) {
      if (u < w) {
        centre = c;
        break;
      }
      u -= w;
    }
    for (let f = 0; f < d; f++) x[r * d + f] = centre[f] + prng.nextNormal();
  }
  return x;
}

async function spec(x: Float64Array, n: number): Promise<RkmeTableSpec> {
  return (await buildTableRkme(ts, x, n, d, { K: 50, scale })).spec;
}

async function island(): Promise<RkmeTableSpec[]> {
  return Promise.all(CENTRES.map((c, i) => spec(sample(1500, [[c, 1]], 100 + i), 1500)));
}

describe('reference score conversion (compatibility)', () => {
  it.each([
    [
      [0.01, 0.2, 0.5, 1.0],
      [1.0, 0.808081, 0.7, 0.0],
    ],
    [
      [0.3, 0.35, 0.4, 0.9],
      [0.92, 0.843333, 0.766667, 0.0],
    ],
    [
      [0.5, 0.52, 0.6],
      [0.92, 0.736, 0.0],
    ],
    [
      [0.2, 0.2],
      [1, 1],
    ],
  ])('%j → %j', (distances, expected) => {
    const scores = referenceScores(distances);
    scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i], 6));
  });
});

describe('statistical search in an island', () => {
  it('finds the learnware whose distribution the user sampled from, with a high absolute score', async () => {
    const specs = await island();
    for (const target of [2, 5]) {
      const user = await spec(sample(800, [[CENTRES[target], 1]], 7 + target), 800);
      const result = searchIsland(tableSpecType, user, specs, { settings: settings });
      expect(result.singles[0].index).toBe(target);
      expect(result.singles[0].score).toBeGreaterThan(0.5);
      expect(result.singles[1].score).toBeLessThan(0.05);
      expect(result.recommended).toBe('single');
    }
  });

  it('recovers the components and weights of a user drawn from a known mixture', async () => {
    const specs = await island();
    const user = await spec(
      sample(
        2000,
        [
          [CENTRES[1], 0.7],
          [CENTRES[4], 0.3],
        ],
        77,
      ),
      2000,
    );
    const result = searchIsland(tableSpecType, user, specs, { settings: settings });
    expect(result.recommended).toBe('mixture');
    const mixture = result.mixture!;
    const weights = Object.fromEntries(mixture.indices.map((i, k) => [i, mixture.weights[k]]));
    expect(Object.keys(weights).map(Number).sort()).toEqual([1, 4]);
    expect(weights[1]).toBeCloseTo(0.7, 1);
    expect(weights[4]).toBeCloseTo(0.3, 1);
    expect(mixture.mmd2).toBeLessThan(0.5 * result.singles[0].mmd2);
    expect(mixture.score).toBeGreaterThan(result.singles[0].score);
    // the auto method finds the same components
    const auto = searchIsland(tableSpecType, user, specs, { settings: settings, mixtureMethod: 'auto' }).mixture!;
    expect([...auto.indices].sort()).toEqual([1, 4]);
  });

  it('says that nothing fits when the user data lie elsewhere (the reference would score its best 1.0)', async () => {
    const specs = await island();
    const user = await spec(sample(800, [[[-6, 8, -5], 1]], 5), 800);
    const result = searchIsland(tableSpecType, user, specs, { settings: settings });
    expect(result.singles[0].score).toBeLessThan(0.05);
    expect(referenceScores(result.singles.map((s) => s.mmd2))[0]).toBeGreaterThanOrEqual(0.92);
  });
});

describe('scores agree with ranks', () => {
  it('gives non-increasing scores down the MMD² ranking, also when learnwares summarise very different row counts', async () => {
    // learnwares near the user's distribution, some from 40 rows and some from 4,000: a per-learnware
    // noise (1/n_L) used to score the small ones above large ones they rank below
    const centres = [
      [0.6, 0, 0],
      [0.8, 0, 0],
      [1, 0, 0],
      [1.2, 0, 0],
      [1.4, 0, 0],
      [1.6, 0, 0],
    ];
    const rows = [40, 4000, 40, 4000, 40, 4000];
    const specs = await Promise.all(centres.map((c, i) => spec(sample(rows[i], [[c, 1]], 300 + i), rows[i])));
    const user = await spec(sample(300, [[[0, 0, 0], 1]], 299), 300);
    const result = searchIsland(tableSpecType, user, specs, { settings });
    const scores = result.singles.map((s) => s.score);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
    expect(scores[0]).toBeGreaterThan(scores.at(-1)!);
    // the same ranking scored with each learnware's own pairwise noise is out of order: the case is real
    const inner = (a: RkmeTableSpec, b: RkmeTableSpec) => tableSpecType.innerProduct(a, b, settings);
    const pairwise = result.singles.map((s) => {
      const z = s.mmd2 / mmdNoise(inner(user, user), user.numPoints, inner(specs[s.index], specs[s.index]), specs[s.index].numPoints);
      return z <= 1 ? 1 : Math.exp(-(z - 1) / 10);
    });
    expect(pairwise.some((v, i) => i > 0 && v > pairwise[i - 1])).toBe(true);
  });

  it('scores a recommended mixture at least as high as the best single', async () => {
    const specs = await island();
    const user = await spec(
      sample(
        1500,
        [
          [CENTRES[0], 0.5],
          [CENTRES[3], 0.5],
        ],
        41,
      ),
      1500,
    );
    const result = searchIsland(tableSpecType, user, specs, { settings });
    expect(result.recommended).toBe('mixture');
    expect(result.mixture!.score).toBeGreaterThanOrEqual(result.singles[0].score);
  });
});

describe('small samples', () => {
  it('warns that a user of fewer rows than the learnwares’ reduced sets is too few to judge, and not otherwise', async () => {
    const specs = await island();
    const tiny = (await buildTableRkme(ts, sample(3, [[CENTRES[2], 1]], 9), 3, d, { K: 50, scale })).spec;
    const few = searchIsland(tableSpecType, tiny, specs, { settings });
    expect(few.warnings.map((w) => w.code)).toEqual(['FEW_ROWS']);
    expect(few.warnings[0].message).toMatch(/3 rows, fewer than the 50 points/);
    const enough = searchIsland(tableSpecType, await spec(sample(800, [[CENTRES[2], 1]], 10), 800), specs, { settings });
    expect(enough.warnings).toEqual([]);
  });
});

describe('mixtures carry weight', () => {
  it('drops members of ~0 weight and re-fits the rest, weights summing to 1', () => {
    // three candidates: the first is far from the user, the other two each carry half of it
    const input = {
      userSelf: 1,
      cross: Float64Array.from([0.1, 0.6, 0.6]),
      gram: Float64Array.from([1, 0.1, 0.1, 0.1, 1, 0.2, 0.1, 0.2, 1]),
    };
    const kept = withoutWeightless(input, { members: [0, 1, 2], weights: [0.002, 0.6, 0.398], mmd2: 0.5 });
    expect(kept.members).toEqual([1, 2]);
    expect(kept.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
    expect(kept.weights[0]).toBeCloseTo(0.5, 6);
    expect(Math.min(...kept.weights)).toBeGreaterThanOrEqual(MIN_MIXTURE_WEIGHT);
  });

  it('never reports a mixture member below the minimum weight in searches', async () => {
    const specs = await island();
    for (const [seed, parts] of [
      [
        61,
        [
          [CENTRES[1], 0.6],
          [CENTRES[2], 0.3],
          [CENTRES[5], 0.1],
        ],
      ],
      [
        62,
        [
          [CENTRES[0], 0.45],
          [CENTRES[4], 0.45],
          [[2, 2, 2], 0.1],
        ],
      ],
      [
        63,
        [
          [[2, 0, 0], 0.5],
          [[0, 2, 2], 0.5],
        ],
      ],
    ] as [number, [number[], number][]][]) {
      const user = await spec(sample(1200, parts, seed), 1200);
      const mixture = searchIsland(tableSpecType, user, specs, { settings, maxMixtureSize: 5 }).mixture;
      if (!mixture) continue;
      expect(mixture.indices.length).toBeGreaterThanOrEqual(2);
      expect(Math.min(...mixture.weights)).toBeGreaterThanOrEqual(MIN_MIXTURE_WEIGHT);
      expect(mixture.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
    }
    // the user is half of learnware 1 and half of learnware 2; learnware 0 lies between them, so
    // greedy takes it first, and once 1 and 2 are in, the QP leaves it at weight ~1e-12
    const input = {
      userSelf: 0.6,
      cross: Float64Array.from([0.7, 0.6, 0.6]),
      gram: Float64Array.from([1, 0.7, 0.7, 0.7, 1, 0.2, 0.7, 0.2, 1]),
    };
    const greedy = greedyMixture(input);
    expect(greedy.members).toEqual([1, 2]);
    expect(greedy.weights[0]).toBeCloseTo(0.5, 6);
    expect(greedy.mmd2).toBeLessThan(1e-9);
  });
});
