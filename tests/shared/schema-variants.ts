/**
 * The demo users' held-out files as people would bring them (docs/heterogeneous.md §5): with
 * (a) extra columns (a row id, a noise column), (b) one to three columns missing, (c) every column
 * renamed as a person would, (d) renamed and in other units. Deterministic from the file name.
 * Shared by the integration test and bench/hetero.bench.ts.
 */
import { Prng, type FeatureMatrix } from '../../src/engine/index.js';

export type VariantKind = 'exact' | 'extra' | 'missing' | 'renamed' | 'units';
export const VARIANTS: readonly VariantKind[] = ['exact', 'extra', 'missing', 'renamed', 'units'];

/** A person's names for the demo islands' columns (from the semantic descriptions' words, case and separators as people write them). */
const RENAMED: Record<string, string> = {
  sales: 'Number_Of_Sales',
  volume: 'SalesVolume',
  listings: 'active listings',
  inventory: 'MonthsInventory',
  month: 'Month',
  hour: 'dep_hour',
  weekday: 'DayOfWeek',
  distance: 'Dist',
};

/** Other units: the new name and how the island's value becomes the user's. */
const UNITS: Record<string, { name: string; factor: number }> = {
  volume: { name: 'sales_volume_kusd', factor: 1 / 1000 },
  inventory: { name: 'inventory_years', factor: 1 / 12 },
  distance: { name: 'distance_km', factor: 1.609344 },
};

function fnv(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** The user's features (label already dropped) turned into the variant. */
export function schemaVariant(matrix: FeatureMatrix, kind: VariantKind, seedText: string): FeatureMatrix {
  const { rows, cols, featureNames } = matrix;
  const at = (r: number, c: number) => matrix.values[r * cols + c];
  const prng = new Prng(fnv(`${seedText}:${kind}`));
  let columns: { name: string; values: Float64Array }[] = featureNames.map((name, c) => ({ name, values: Float64Array.from({ length: rows }, (_, r) => at(r, c)) }));
  if (kind === 'extra') {
    columns = [
      { name: 'row_id', values: Float64Array.from({ length: rows }, (_, r) => r + 1) },
      ...columns,
      { name: 'noise', values: Float64Array.from({ length: rows }, () => prng.nextNormal()) },
    ];
  } else if (kind === 'missing') {
    const drop = 1 + prng.nextInt(Math.min(3, cols - 1));
    const gone = new Set(prng.sampleWithoutReplacement(cols, drop));
    columns = columns.filter((_, c) => !gone.has(c));
  } else if (kind === 'renamed') {
    columns = columns.map((c) => ({ name: RENAMED[c.name] ?? c.name, values: c.values }));
  } else if (kind === 'units') {
    columns = columns.map((c) => {
      const unit = UNITS[c.name];
      return unit ? { name: unit.name, values: c.values.map((v) => v * unit.factor) } : { name: RENAMED[c.name] ?? c.name, values: c.values };
    });
  }
  // people's files come in their own column order
  const order = prng.sampleWithoutReplacement(columns.length, columns.length);
  const shuffled = kind === 'exact' ? columns : Array.from(order, (i) => columns[i]);
  const values = new Float64Array(rows * shuffled.length);
  shuffled.forEach((c, j) => c.values.forEach((v, r) => (values[r * shuffled.length + j] = v)));
  return { values, rows, cols: shuffled.length, featureNames: shuffled.map((c) => c.name) };
}
