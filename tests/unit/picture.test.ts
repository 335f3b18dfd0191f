import { describe, expect, it } from 'vitest';
import { buildTableRkme, matchPicture, Prng, RKME_TABLE_TYPE, TsBackend, type RkmeTableSpec } from '../../src/engine/index.js';

/** A spec with the given reduced points (row-major) and weights. */
function specOf(z: number[][], beta?: number[]): RkmeTableSpec {
  const K = z.length;
  const d = z[0].length;
  return {
    type: RKME_TABLE_TYPE,
    z: Float64Array.from(z.flat()),
    beta: Float64Array.from(beta ?? z.map(() => 1 / K)),
    K,
    d,
    gamma: 0.1,
    numPoints: 100,
    scale: null,
    scaleSource: null,
    featureNames: null,
    provenance: null,
  };
}

const ones = (d: number) => new Float64Array(d).fill(1);
const variance = (xs: number[]) => {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
};

describe('matchPicture', () => {
  it('projects points on a line in 5-D onto axis 1 with the line’s spread, and ~0 on axis 2', () => {
    const origin = [1, -2, 0.5, 3, 0];
    const dir = [0.2, 0.5, -0.4, 0.7, 0.1];
    const norm = Math.hypot(...dir);
    const at = (t: number) => origin.map((o, f) => o + (t * dir[f]) / norm);
    const ts = [-3, -1, 0, 0.5, 2, 4];
    const user = specOf(ts.slice(0, 3).map(at));
    const other = specOf(ts.slice(3).map(at));
    const picture = matchPicture(user, [{ id: 'a', spec: other }], ones(5));
    const xs = [...picture.user, ...picture.learnwares[0].points].map((p) => p.x);
    const ys = [...picture.user, ...picture.learnwares[0].points].map((p) => p.y);
    // distances along the line are kept exactly (up to the sign of the axis)
    const sign = Math.sign(xs[1] - xs[0]);
    ts.forEach((t, i) => expect(sign * (xs[i] - xs[0])).toBeCloseTo(t - ts[0], 9));
    for (const y of ys) expect(Math.abs(y)).toBeLessThan(1e-9);
    expect(picture.axes.explained[0]).toBeCloseTo(1, 9);
    expect(picture.axes.explained[1]).toBeLessThan(1e-9);
    // the axis is the line's direction
    const axis = picture.axes.directions[0];
    expect(Math.abs(axis.reduce((s, a, f) => s + (a * dir[f]) / norm, 0))).toBeCloseTo(1, 9);
  });

  it('divides by the island scale before projecting', () => {
    // spread 100 along feature 0 in raw units, 1 along feature 1; scale 100 and 0.1 makes feature 1 dominant
    const points = [
      [-100, -1],
      [0, 0],
      [100, 1],
      [50, -1],
    ];
    const user = specOf(points);
    const picture = matchPicture(user, [], Float64Array.from([100, 0.1]));
    const [a0, a1] = picture.axes.directions[0];
    expect(Math.abs(a1)).toBeGreaterThan(Math.abs(a0));
    // variances along the axes are the scaled ones: feature 1 / 0.1 has variance 75 (mean 0, values ±10), feature 0 / 100 ≈ 0.55
    expect(variance(picture.user.map((p) => p.x))).toBeGreaterThan(50);
  });

  it('keeps each point’s weight, in order', () => {
    const prng = new Prng(3);
    const z = Array.from({ length: 7 }, () => Array.from({ length: 4 }, () => prng.nextNormal()));
    const beta = [0.05, 0.3, 0.1, 0.2, 0.05, 0.25, 0.05];
    const other = specOf(
      z.slice(0, 3).map((r) => r.map((x) => x + 2)),
      [0.5, 0.25, 0.25],
    );
    const picture = matchPicture(specOf(z, beta), [{ id: 'x', spec: other }], ones(4));
    expect(picture.user.map((p) => p.w)).toEqual(beta);
    expect(picture.learnwares).toHaveLength(1);
    expect(picture.learnwares[0].id).toBe('x');
    expect(picture.learnwares[0].points.map((p) => p.w)).toEqual([0.5, 0.25, 0.25]);
    expect(picture.axes.explained[0]).toBeGreaterThanOrEqual(picture.axes.explained[1]);
    expect(picture.axes.explained[0] + picture.axes.explained[1]).toBeLessThanOrEqual(1 + 1e-12);
    // the two axes are orthonormal
    const [u, v] = picture.axes.directions;
    expect(u.reduce((s, x, i) => s + x * v[i], 0)).toBeCloseTo(0, 9);
    expect(Math.hypot(...u)).toBeCloseTo(1, 9);
    expect(Math.hypot(...v)).toBeCloseTo(1, 9);
  });

  it('separates two well-separated specs on axis 1 and puts the user next to the one it was drawn from', async () => {
    const d = 6;
    const backend = new TsBackend();
    const sample = (centre: number[], n: number, seed: number) => {
      const prng = new Prng(seed);
      return Float64Array.from({ length: n * d }, (_, i) => centre[i % d] + prng.nextNormal());
    };
    const a = [0, 0, 0, 0, 0, 0];
    const b = [3, -3, 3, 0, 3, -3];
    const scale = ones(d);
    const build = async (x: Float64Array, n: number) => (await buildTableRkme(backend, x, n, d, { K: 30, scale })).spec;
    const [specA, specB, user] = await Promise.all([build(sample(a, 600, 1), 600), build(sample(b, 600, 2), 600), build(sample(b, 400, 3), 400)]);
    const picture = matchPicture(
      user,
      [
        { id: 'A', spec: specA },
        { id: 'B', spec: specB },
      ],
      scale,
    );
    const mean = (ps: { x: number; w: number }[]) => ps.reduce((s, p) => s + p.w * p.x, 0) / ps.reduce((s, p) => s + p.w, 0);
    const [xa, xb, xu] = [mean(picture.learnwares[0].points), mean(picture.learnwares[1].points), mean(picture.user)];
    const xsA = picture.learnwares[0].points.map((p) => p.x);
    const xsB = picture.learnwares[1].points.map((p) => p.x);
    // the clouds do not overlap on axis 1
    expect(Math.max(...xsA) < Math.min(...xsB) || Math.max(...xsB) < Math.min(...xsA)).toBe(true);
    expect(Math.abs(xa - xb)).toBeGreaterThan(5); // ‖b − a‖ = √45 ≈ 6.7
    expect(Math.abs(xu - xb)).toBeLessThan(0.2 * Math.abs(xa - xb));
    expect(picture.axes.explained[0]).toBeGreaterThan(0.5);
  });

  it('is deterministic', () => {
    const prng = new Prng(11);
    const z = () => Array.from({ length: 20 }, () => Array.from({ length: 5 }, () => prng.nextNormal()));
    const user = specOf(z());
    const others = [0, 1, 2].map((i) => ({ id: `l${i}`, spec: specOf(z()) }));
    const scale = Float64Array.from([1, 2, 0.5, 1, 3]);
    expect(matchPicture(user, others, scale)).toEqual(matchPicture(user, others, scale));
  });

  it('handles one feature, identical points and a wrong scale length', () => {
    const one = matchPicture(specOf([[1], [3]]), [{ id: 'a', spec: specOf([[2]]) }], ones(1));
    expect(one.user.map((p) => p.x)).toEqual([expect.closeTo(-1, 9), expect.closeTo(1, 9)]);
    expect(one.user.every((p) => p.y === 0)).toBe(true);
    expect(one.axes.explained[1]).toBe(0);
    const same = matchPicture(
      specOf([
        [1, 1],
        [1, 1],
      ]),
      [],
      ones(2),
    );
    expect(same.user).toEqual([
      { x: 0, y: 0, w: 0.5 },
      { x: 0, y: 0, w: 0.5 },
    ]);
    expect(same.axes.explained).toEqual([0, 0]);
    expect(() => matchPicture(specOf([[1, 1]]), [], ones(3))).toThrow(/scale has 3 values/);
  });
});
