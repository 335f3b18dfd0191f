/**
 * Reuse across feature spaces (docs/heterogeneous.md §5): the table spec's conditional fill of the
 * columns a user lacks, on real data (public/samples/txhousing.csv: a city's months, the spec built
 * from half of them, the other half filled), and the mapping aligner that reads a user's renamed,
 * rescaled table with a column missing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTableRkme, mappingAligner, parseCsv, specType, TsBackend, type ColumnMapping, type RkmeTableSpec } from '../../src/engine/index.js';

const CSV = fileURLToPath(new URL('../../public/samples/txhousing.csv', import.meta.url));
const FEATURES = ['sales', 'volume', 'listings', 'inventory', 'month'];
const d = FEATURES.length;

/** A city's complete rows in FEATURES order, split alternately into a spec half and a test half. */
function cityRows(city: string): { train: Float64Array; test: Float64Array } {
  const table = parseCsv(readFileSync(CSV, 'utf8'));
  const col = (name: string) => table.columns.find((c) => c.name === name)!.values;
  const cities = col('city');
  const rows: number[][] = [];
  for (let r = 0; r < cities.length; r++) {
    if (cities[r] !== city) continue;
    const row = FEATURES.map((f) => Number(col(f)[r]));
    if (row.every(Number.isFinite)) rows.push(row);
  }
  return { train: Float64Array.from(rows.filter((_, i) => i % 2 === 0).flat()), test: Float64Array.from(rows.filter((_, i) => i % 2 === 1).flat()) };
}

const rmse = (a: Float64Array, b: Float64Array, n: number, f: number) => {
  let s = 0;
  for (let r = 0; r < n; r++) s += (a[r * d + f] - b[r * d + f]) ** 2;
  return Math.sqrt(s / n);
};

const columns = specType('RKMETableSpecification').columns!;
const cities = ['Austin', 'Dallas', 'El Paso'];
const built = new Map<string, { spec: RkmeTableSpec; test: Float64Array; n: number }>();

beforeAll(async () => {
  for (const city of cities) {
    const { train, test } = cityRows(city);
    const { spec } = await buildTableRkme(new TsBackend(), train, train.length / d, d, { K: 50, scale: 'std', featureNames: FEATURES });
    built.set(city, { spec, test, n: test.length / d });
  }
});

describe('table spec fill (columns.fill)', () => {
  it('fills a lacking column better than the spec’s mean of it, conditioned on the columns known', () => {
    for (const city of cities) {
      const { spec, test, n } = built.get(city)!;
      for (const lacking of ['sales', 'volume', 'listings']) {
        const f = FEATURES.indexOf(lacking);
        const holed = Float64Array.from(test);
        for (let r = 0; r < n; r++) holed[r * d + f] = NaN;
        const filled = columns.fill(spec, holed, n, specType(spec.type).ownSettings(spec));
        let mean = 0;
        for (let i = 0; i < spec.K; i++) mean += spec.beta[i] * spec.z[i * d + f];
        const meanFilled = Float64Array.from(holed, (v, i) => (i % d === f ? mean : v));
        const ratio = rmse(filled, test, n, f) / rmse(meanFilled, test, n, f);
        expect(ratio, `${city}, ${lacking}`).toBeLessThan(0.85);
        // the known cells are left as they are
        for (let i = 0; i < test.length; i++) if (i % d !== f) expect(filled[i]).toBe(test[i]);
      }
    }
  });

  it('changes nothing when every column is known, and fills every cell of a row that knows nothing with the spec’s mean', () => {
    const { spec, test, n } = built.get('Austin')!;
    expect(Array.from(columns.fill(spec, test, n, specType(spec.type).ownSettings(spec)))).toEqual(Array.from(test));
    const blank = new Float64Array(d).fill(NaN);
    const filled = columns.fill(spec, blank, 1, specType(spec.type).ownSettings(spec));
    for (let f = 0; f < d; f++) {
      let mean = 0;
      for (let i = 0; i < spec.K; i++) mean += spec.beta[i] * spec.z[i * d + f];
      expect(filled[f]).toBeCloseTo(mean, 6);
    }
  });
});

describe('mappingAligner', () => {
  // the user's file: volume in thousands of dollars under another name, inventory in years, no listings
  const user = ['Month', 'sales_volume_kusd', 'Number_Of_Sales', 'inventory_years', 'row_id'];
  const mapping: ColumnMapping = {
    pairs: [
      { user: 'Number_Of_Sales', island: 'sales', factor: 1, offset: 0, confidence: 0.9, source: 'matched' },
      { user: 'sales_volume_kusd', island: 'volume', factor: 1000, offset: 0, confidence: 0.8, source: 'matched' },
      { user: 'inventory_years', island: 'inventory', factor: 12, offset: 0, confidence: 0.7, source: 'matched' },
      { user: 'Month', island: 'month', factor: 1, offset: 0, confidence: 1, source: 'matched' },
    ],
    missing: ['listings'],
    ignored: ['row_id'],
  };
  const toUser = (test: Float64Array, n: number) => {
    const out = new Float64Array(n * user.length);
    for (let r = 0; r < n; r++) {
      const at = (f: string) => test[r * d + FEATURES.indexOf(f)];
      out.set([at('month'), at('volume') / 1000, at('sales'), at('inventory') / 12, r + 1], r * user.length);
    }
    return out;
  };

  it('reads the user’s columns through the unit maps and fills the lacking one from the spec', () => {
    const { spec, test, n } = built.get('Dallas')!;
    const x = mappingAligner(mapping, spec).align(user, { features: FEATURES }).apply(toUser(test, n), n);
    const f = FEATURES.indexOf('listings');
    for (let r = 0; r < n; r++) {
      for (const g of ['sales', 'volume', 'inventory', 'month']) expect(x[r * d + FEATURES.indexOf(g)]).toBeCloseTo(test[r * d + FEATURES.indexOf(g)], 6);
    }
    const holed = Float64Array.from(test, (v, i) => (i % d === f ? NaN : v));
    const direct = columns.fill(spec, holed, n, specType(spec.type).ownSettings(spec));
    for (let r = 0; r < n; r++) expect(x[r * d + f]).toBeCloseTo(direct[r * d + f], 3);
  });

  it('averages several specs’ fills by their weights, and keeps the user’s own empty cells empty', () => {
    const a = built.get('Austin')!.spec;
    const b = built.get('El Paso')!.spec;
    const { test, n } = built.get('Dallas')!;
    const values = toUser(test, n);
    values[2] = NaN; // row 1's Number_Of_Sales
    const f = FEATURES.indexOf('listings');
    const one = (spec: RkmeTableSpec) => mappingAligner(mapping, spec).align(user, { features: FEATURES }).apply(values, n);
    const both = mappingAligner(mapping, [a, b], { weights: [0.75, 0.25] })
      .align(user, { features: FEATURES })
      .apply(values, n);
    const [xa, xb] = [one(a), one(b)];
    for (let r = 0; r < n; r++) expect(both[r * d + f]).toBeCloseTo(0.75 * xa[r * d + f] + 0.25 * xb[r * d + f], 6);
    expect(both[FEATURES.indexOf('sales')]).toBeNaN();
    expect(Number.isFinite(both[f])).toBe(true);
  });

  it('names what it cannot read: a column of the mapping the table lacks, a mapping made for another island', () => {
    const { spec } = built.get('Austin')!;
    expect(() => mappingAligner(mapping, spec).align(['Month', 'Number_Of_Sales'], { features: FEATURES })).toThrow(/sales_volume_kusd/);
    try {
      mappingAligner(mapping, spec).align(user, { features: ['hour', 'weekday', 'month', 'distance', 'sales'] });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('MIXED_FEATURES');
      expect((e as Error).message).toMatch(/different islands/);
    }
  });
});
