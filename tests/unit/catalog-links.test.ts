/**
 * Links between islands at catalog build (docs/heterogeneous.md §4, docs/catalog-format.md
 * "Links"): two housing islands, one published with txhousing's column names, the other with its
 * own names, order, descriptions and sales volume in thousands of dollars, are linked with the
 * right correspondence, and a user's table in the first island's names reaches the second one
 * through the link.
 */
import { describe, expect, it } from 'vitest';
import {
  buildCatalog,
  buildTableRkme,
  catalogMembers,
  exportDenseOnnx,
  linkIslands,
  LINK_ALL_PAIRS,
  loadCatalogIndex,
  packBundle,
  searchCatalog,
  tableDataset,
  TsBackend,
  type BuildResult,
  type CatalogIndex,
  type FetchLike,
  type Island,
} from '../../src/engine/index.js';
import { semanticSpec } from '../helpers/bundles.js';
import { txhousing } from '../helpers/data.js';

const ORIGINAL = ['month', 'sales', 'volume', 'listings', 'inventory'];
const ORIGINAL_TOLD = [
  'Month of the year',
  'Number of sales',
  'Total value of sales in dollars',
  'Total active listings',
  'Months inventory: time to sell all listings at the current pace',
];
/** the second publisher's names, in its own order, for ORIGINAL[SOURCE[k]] */
const RENAMED = ['num_sales', 'sales_volume', 'active_listings', 'months_inventory', 'cal_month'];
const RENAMED_TOLD = [
  'Count of homes sold',
  'Dollar value of all homes sold, in thousands',
  'Homes listed for sale',
  'How many months the listed homes would take to sell',
  'Calendar month (1 to 12)',
];
const SOURCE = [1, 2, 3, 4, 0];

/** One city's rows: the five market columns and the median price (rows with a missing value dropped). */
function city(name: string): { x: number[][]; y: number[] } {
  const table = txhousing();
  const column = (n: string) => table.columns.find((c) => c.name === n)!.values;
  const cities = column('city');
  const cols = ORIGINAL.map(column);
  const median = column('median');
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < table.rowCount; r++) {
    if (cities[r] !== name) continue;
    const row = cols.map((c) => Number(c[r]));
    const label = Number(median[r]);
    if (!row.every(Number.isFinite) || !Number.isFinite(label)) continue;
    x.push(row);
    y.push(label);
  }
  return { x, y };
}

/** Least squares with a small ridge on standardised columns, exported with raw-unit weights. */
function ridge(x: number[][], y: number[]): Uint8Array {
  const d = x[0].length;
  const n = x.length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((s, r) => s + r[j], 0) / n);
  const std = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / n) || 1);
  const my = y.reduce((s, v) => s + v, 0) / n;
  const z = x.map((r) => r.map((v, j) => (v - mean[j]) / std[j]));
  const a = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d + 1 }, (_, j) => (j < d ? z.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? 1 : 0) : z.reduce((s, r, k) => s + r[i] * (y[k] - my), 0))),
  );
  for (let i = 0; i < d; i++) {
    for (let k = i + 1; k < d; k++) {
      const f = a[k][i] / a[i][i];
      for (let j = i; j <= d; j++) a[k][j] -= f * a[i][j];
    }
  }
  const w = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) w[i] = (a[i][d] - a[i].slice(i + 1, d).reduce((s, v, k) => s + v * w[i + 1 + k], 0)) / a[i][i];
  const raw = w.map((v, j) => v / std[j]);
  const bias = my - raw.reduce((s, v, j) => s + v * mean[j], 0);
  return exportDenseOnnx({ layers: [{ inputs: d, outputs: 1, weights: Float32Array.from(raw), bias: Float32Array.of(bias) }], output: 'identity' });
}

/** A learnware trained on one city, published with the original names or the renamed ones. */
async function housing(name: string, renamed: boolean): Promise<{ file: string; bytes: Uint8Array }> {
  const data = city(name);
  const x = renamed ? data.x.map((row) => SOURCE.map((k) => (k === 2 ? row[k] / 1000 : row[k]))) : data.x;
  const features = renamed ? RENAMED : ORIGINAL;
  const told = renamed ? RENAMED_TOLD : ORIGINAL_TOLD;
  const n = x.length;
  const { spec } = await buildTableRkme(new TsBackend(), Float64Array.from(x.flat()), n, 5, { K: 12, scale: 'std', seed: 1 });
  const id = `${renamed ? 'homes' : 'txhousing'}-${name.toLowerCase().replace(/\W+/g, '-')}`;
  const { bundle } = await packBundle({
    id,
    name: `Median price, ${name}`,
    semantic: semanticSpec({
      Task: { Type: 'Class', Values: ['Regression'] },
      Scenario: { Type: 'Tag', Values: ['Business'] },
      Name: { Type: 'String', Values: `Median house price in ${name}` },
      Description: { Type: 'String', Values: `Monthly median sale price of homes in ${name}.` },
      Input: { Dimension: 5, Description: Object.fromEntries(told.map((t, j) => [String(j), t])) },
      Output: { Dimension: 1, Description: { '0': 'median sale price' } },
    }),
    model: ridge(x, data.y),
    input: { name: 'input', features },
    output: { name: 'output', kind: 'regression', classes: null, width: 1 },
    spec,
    createdAt: new Date('2026-12-01T00:00:00Z'),
  });
  return { file: `${id}.zip`, bytes: bundle };
}

function filesFetch(files: Map<string, Uint8Array>): FetchLike {
  return async (url) => {
    const bytes = files.get(url.replace('file:///catalog/', ''));
    return bytes ? new Response(Buffer.from(bytes), { status: 200 }) : new Response('missing', { status: 404 });
  };
}

let built: Promise<BuildResult> | null = null;
function catalog(): Promise<BuildResult> {
  built ??= (async () => {
    const bundles = await Promise.all([
      ...['Austin', 'Dallas', 'San Antonio'].map((c) => housing(c, false)),
      ...['Fort Worth', 'El Paso', 'Corpus Christi'].map((c) => housing(c, true)),
    ]);
    return buildCatalog(bundles, [], { createdAt: new Date('2026-12-01T00:00:00Z') });
  })();
  return built;
}

function islands(index: CatalogIndex): { original: Island; renamed: Island } {
  return { original: index.islands.find((i) => i.features.includes('sales'))!, renamed: index.islands.find((i) => i.features.includes('num_sales'))! };
}

describe('links between islands', () => {
  it('links two housing islands published under different names, both ways, with the column correspondence and the unit factor', async () => {
    const { index, rejected } = await catalog();
    expect(rejected).toEqual([]);
    expect(index.islands).toHaveLength(2);
    const { original, renamed } = islands(index);
    expect(original.links).toHaveLength(1);
    expect(renamed.links).toHaveLength(1);
    const there = original.links![0];
    const back = renamed.links![0];
    expect(there.island).toBe(renamed.id);
    expect(back.island).toBe(original.id);
    // every column paired with its renamed self, in this island's column order
    expect(there.pairs.map((p) => [p.from, p.to])).toEqual(ORIGINAL.map((name) => [name, RENAMED[SOURCE.indexOf(ORIGINAL.indexOf(name))]]));
    expect(back.pairs.map((p) => [p.from, p.to])).toEqual(RENAMED.map((name, k) => [name, ORIGINAL[SOURCE[k]]]));
    for (const p of [...there.pairs, ...back.pairs]) expect(p.confidence).toBeGreaterThanOrEqual(0.5);
    // this column = factor · that column + offset: volume (dollars) = 1000 · sales_volume (thousands)
    const volume = there.pairs.find((p) => p.from === 'volume')!;
    expect([volume.factor, volume.offset]).toEqual([1000, 0]);
    const volumeBack = back.pairs.find((p) => p.from === 'sales_volume')!;
    expect([volumeBack.factor, volumeBack.offset]).toEqual([0.001, 0]);
    for (const p of there.pairs.filter((q) => q.from !== 'volume')) expect([p.factor, p.offset]).toEqual([1, 0]);
  });

  it('is deterministic, survives the index reader, and `catalog add` (members rebuilt from the index) links the same way', async () => {
    const { index, files } = await catalog();
    const served = await loadCatalogIndex(filesFetch(files), 'file:///catalog/');
    expect(served.islands).toEqual(index.islands);
    expect(linkIslands(index.islands)).toEqual(index.islands);
    const shards = new Map([...files].filter(([path]) => path.startsWith('shards/')));
    const again = await buildCatalog([], catalogMembers(index, shards), { createdAt: new Date('2026-12-01T00:00:00Z') });
    expect(again.index.islands.map((i) => i.links)).toEqual(index.islands.map((i) => i.links));
  });

  it('does not link islands whose columns do not correspond', async () => {
    const { index } = await catalog();
    const { original } = islands(index);
    const other: Island = {
      ...original,
      id: 'RKMETableSpecification-d5-000000000000',
      features: ['temperature', 'pressure', 'humidity', 'wind', 'cloud'],
      columns: original.columns!.map((c, j) => ({ ...c, name: ['temperature', 'pressure', 'humidity', 'wind', 'cloud'][j], description: null })),
      links: undefined,
    };
    const linked = linkIslands([original, other]);
    expect(linked.map((i) => i.links)).toEqual([undefined, undefined]);
  });

  it('in a large catalog (candidates by shared words) still links the two, and no unrelated island', async () => {
    const { index } = await catalog();
    const { original, renamed } = islands(index);
    // islands of the same shapes under names of random letters, no descriptions
    let seed = 7;
    const letter = () => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 26));
    const strangers: Island[] = Array.from({ length: LINK_ALL_PAIRS + 6 }, (_, k) => {
      const names = ORIGINAL.map(() => Array.from({ length: 8 }, letter).join(''));
      return {
        ...original,
        id: `RKMETableSpecification-d5-${String(k).padStart(12, '0')}`,
        features: names,
        columns: original.columns!.map((c, j) => ({ ...c, name: names[j], description: null })),
      };
    });
    const linked = linkIslands([...strangers, original, renamed]);
    expect(linked.find((i) => i.id === original.id)!.links!.map((l) => l.island)).toEqual([renamed.id]);
    expect(linked.find((i) => i.id === renamed.id)!.links!.map((l) => l.island)).toEqual([original.id]);
    expect(linked.filter((i) => i.links).length).toBe(2);
  });

  it("a search with the first island's names reaches the second island through the link", async () => {
    const { files } = await catalog();
    const fetchFn = filesFetch(files);
    const served = await loadCatalogIndex(fetchFn, 'file:///catalog/');
    const { original, renamed } = islands(served);
    const user = city('Arlington');
    const data = tableDataset({ values: Float64Array.from(user.x.flat()), rows: user.x.length, cols: 5, featureNames: ORIGINAL });
    const results = await searchCatalog({ index: served, fetchFn, base: 'file:///catalog/', backend: new TsBackend(), data });
    const direct = results.find((r) => r.island === original.id)!;
    const through = results.find((r) => r.island === renamed.id)!;
    expect(direct.via).toBeUndefined();
    expect(through.via).toBe(original.id);
    expect(Object.fromEntries(through.mapping!.pairs.map((p) => [p.island, p.user]))).toEqual(Object.fromEntries(RENAMED.map((name, k) => [name, ORIGINAL[SOURCE[k]]])));
    // the user's dollars reach the thousands of the second island
    expect(through.mapping!.pairs.find((p) => p.island === 'sales_volume')!.factor).toBeCloseTo(0.001, 6);
    expect(through.singles).toHaveLength(3);
  });
});
