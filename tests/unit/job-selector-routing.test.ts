/**
 * The job selector keeps a row with the first (best-ranked) member unless another is clearly more
 * probable (ROUTE_MARGIN, docs/reuse.md "Job selector"): among near-identical specs it is the top
 * single, and it still routes rows of clearly different members away.
 */
import { describe, expect, it } from 'vitest';
import { buildTableRkme, Prng, routeRows, trainJobSelector, TsBackend } from '../../src/engine/index.js';

const ts = new TsBackend();
const d = 2;
function rows(n: number, centre: number[], seed: number): Float64Array {
  const prng = new Prng(seed);
  return Float64Array.from({ length: n * d }, (_, i) => centre[i % d] + prng.nextNormal());
}
const spec = async (x: Float64Array) => (await buildTableRkme(ts, x, x.length / d, d, { K: 30, scale: new Float64Array(d).fill(1) })).spec;

describe('job selector routing', () => {
  it('sends (nearly) every row to the first of two specs of one distribution, and rows of a distinct one to it', async () => {
    const a = await spec(rows(600, [0, 0], 1));
    const twin = await spec(rows(600, [0, 0], 2));
    const far = await spec(rows(600, [6, 6], 3));
    const user = rows(300, [0, 0], 4);
    const twins = routeRows(trainJobSelector([a, twin], [0.5, 0.5], { seed: 0 }), user, 300);
    // by argmax about half of them would go to the twin
    expect(twins.filter((k) => k !== 0).length).toBeLessThan(6);
    const mixed = new Float64Array([...rows(150, [0, 0], 5), ...rows(150, [6, 6], 6)]);
    const route = routeRows(trainJobSelector([a, far], [0.5, 0.5], { seed: 0 }), mixed, 300);
    expect(route.subarray(150).filter((k) => k === 1).length).toBeGreaterThan(140);
    expect(route.subarray(0, 150).filter((k) => k === 0).length).toBeGreaterThan(140);
  });
});
