/** Test data: the real txhousing table (public/samples) and seeded synthetic matrices. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv, toFeatureMatrix, type FeatureMatrix, type Table } from '../../src/engine/index.js';

export const TXHOUSING_PATH = fileURLToPath(new URL('../../public/samples/txhousing.csv', import.meta.url));
/** Austin's held-out months (demo catalog build), with the `median` label column */
export const AUSTIN_HOLDOUT_PATH = fileURLToPath(new URL('../../public/catalog-holdout/txhousing-austin.csv', import.meta.url));
export const MARKET_COLUMNS = ['sales', 'volume', 'median', 'listings', 'inventory'];

let cached: Table | null = null;
export function txhousing(): Table {
  cached ??= parseCsv(readFileSync(TXHOUSING_PATH, 'utf8'));
  return cached;
}

/** Market features of the rows of one city (optionally every other month: parity 0 or 1). */
export function cityRows(city: string, parity?: 0 | 1): FeatureMatrix {
  const table = txhousing();
  const cityColumn = table.columns.find((c) => c.name === 'city')!;
  const keep: number[] = [];
  let seen = 0;
  for (let r = 0; r < table.rowCount; r++) {
    if (cityColumn.values[r] !== city) continue;
    if (parity === undefined || seen % 2 === parity) keep.push(r);
    seen++;
  }
  const all = toFeatureMatrix(table, { dropColumns: table.columns.map((c) => c.name).filter((n) => !MARKET_COLUMNS.includes(n)) });
  const values = new Float64Array(keep.length * all.cols);
  keep.forEach((r, i) => values.set(all.values.subarray(r * all.cols, (r + 1) * all.cols), i * all.cols));
  return { values, rows: keep.length, cols: all.cols, featureNames: all.featureNames };
}

export function marketMatrix(): FeatureMatrix {
  const table = txhousing();
  return toFeatureMatrix(table, { dropColumns: table.columns.map((c) => c.name).filter((n) => !MARKET_COLUMNS.includes(n)) });
}

export { gaussianMixture } from '../shared/synthetic.js';
