import { describe, expect, it } from 'vitest';
import { buildTableRkme, Prng, referenceScores, searchIsland, tableSpecType, TsBackend, type RkmeTableSpec, type TableIslandSettings } from '../../src/engine/index.js';

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
