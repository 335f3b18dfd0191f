/**
 * Reuse across feature spaces on the demo catalog (docs/heterogeneous.md §5): a city's held-out
 * months brought renamed, in other units (volume in thousands of dollars, inventory in years) and
 * with a column missing (tests/shared/schema-variants.ts), searched to get the island's mapping,
 * then reused through it. Predictions are compared with the same reuse on the exact file, and the
 * conditional fill with filling the lacking column by the learnware's mean. Real bundles, ONNX (WASM).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fetchBundles,
  imputeColumnMeans,
  labelledTargets,
  labelValues,
  loadCatalogIndex,
  loadComposite,
  loadLearnware,
  mapRows,
  packComposite,
  parseCsvBytes,
  predictComposite,
  predictionError,
  reuseLearnwares,
  reuseMapping,
  searchCatalog,
  tableDataset,
  toFeatureMatrix,
  TsBackend,
  type CatalogIndex,
  type ColumnAligner,
  type ColumnMapping,
  type FeatureMatrix,
  type Learnware,
  type ReuseMethod,
  type RkmeTableSpec,
} from '../../src/engine/index.js';
import { directoryFetch } from '../shared/identification.js';
import { schemaVariant } from '../shared/schema-variants.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CATALOG = join(ROOT, 'public', 'catalog');
const HOLDOUT = join(ROOT, 'public', 'catalog-holdout');
const BASE = 'file:///catalog/';
const fetchFn = directoryFetch(CATALOG);
const CITIES = ['austin', 'dallas', 'houston'];
/** the user column the variant file lacks (the housing island's `sales`, as schema-variants names it) */
const LACKING = 'Number_Of_Sales';

let index: CatalogIndex;
const bundles = new Map<string, { lw: Learnware; bytes: Uint8Array }>();

async function learnware(id: string): Promise<Learnware> {
  let hit = bundles.get(id);
  if (!hit) {
    const entry = index.entries.find((e) => e.id === id)!;
    const [bytes] = await fetchBundles(fetchFn, BASE, [entry.bundle]);
    hit = { lw: await loadLearnware(bytes), bytes };
    bundles.set(id, hit);
  }
  return hit.lw;
}

interface User {
  matrix: FeatureMatrix;
  labels: (number | string | null)[];
}

/** A held-out file (empty cells filled with column means, as --fill-missing does), exact or as a person brings it. */
function heldOut(id: string, variant: boolean, lacking: string | null = LACKING): User {
  const table = parseCsvBytes(readFileSync(join(HOLDOUT, `${id}.csv`)));
  const m = toFeatureMatrix(table, { dropColumns: ['median'] });
  const exact: FeatureMatrix = { ...m, values: imputeColumnMeans(m.values, m.rows, m.cols).values };
  const labels = labelValues(table, 'median');
  if (!variant) return { matrix: exact, labels };
  const units = schemaVariant(exact, 'units', id);
  const keep = units.featureNames.map((_, c) => c).filter((c) => units.featureNames[c] !== lacking);
  const values = new Float64Array(units.rows * keep.length);
  for (let r = 0; r < units.rows; r++) keep.forEach((c, j) => (values[r * keep.length + j] = units.values[r * units.cols + c]));
  return { matrix: { values, rows: units.rows, cols: keep.length, featureNames: keep.map((c) => units.featureNames[c]) }, labels };
}

/** The variant's column names as the island's: given to the search, which still estimates every unit map. */
const NAMES = [
  { user: 'Number_Of_Sales', island: 'sales' },
  { user: 'sales_volume_kusd', island: 'volume' },
  { user: 'active listings', island: 'listings' },
  { user: 'inventory_years', island: 'inventory' },
  { user: 'Month', island: 'month' },
];

/** The island's mapping from the search; `named`: with the column names given (matching names is search's part, not reuse's). */
async function mappingOf(user: User, named = true): Promise<ColumnMapping> {
  const islands = await searchCatalog({
    index,
    fetchFn,
    base: BASE,
    backend: new TsBackend(),
    data: tableDataset(user.matrix),
    top: 5,
    ...(named ? { map: NAMES.filter((p) => user.matrix.featureNames.includes(p.user)) } : {}),
  });
  const mapping = reuseMapping(islands);
  if (!mapping) throw new Error('the search gave no mapping');
  return mapping;
}

/** The baseline the conditional fill must beat: the mapped rows with each lacking column at the learnware's mean. */
function meanFillAligner(mapping: ColumnMapping, spec: RkmeTableSpec): ColumnAligner {
  return {
    id: 'mean-fill',
    align(userColumns, schema) {
      const features = schema.features;
      const d = features.length;
      const means = features.map((_, f) => spec.beta.reduce((s, b, i) => s + b * spec.z[i * d + f], 0));
      return {
        features,
        apply(values, rows) {
          const x = mapRows(values, rows, userColumns, features, mapping);
          return x.map((v, i) => (Number.isFinite(v) ? v : means[i % d]));
        },
      };
    },
  };
}

const targets = (u: User) => Float64Array.from(u.labels, (v) => Number(v));

async function reuse(method: ReuseMethod, ids: string[], user: User, options: { mapping?: ColumnMapping; aligner?: ColumnAligner } = {}) {
  const lws = await Promise.all(ids.map(learnware));
  const labels = ['ensemble-pruning', 'feature-augment'].includes(method) ? labelledTargets(user.labels, lws) : undefined;
  return reuseLearnwares({ method, learnwares: lws, values: user.matrix.values, rows: user.matrix.rows, columns: user.matrix.featureNames, labels, seed: 1, ...options });
}

beforeAll(async () => {
  index = await loadCatalogIndex(fetchFn, BASE);
});

describe('reuse through the search’s mapping (renamed, other units, a column missing)', () => {
  it('the city’s own learnware predicts nearly as well as on the exact file, and the conditional fill beats the mean fill', async () => {
    const errors: { city: string; exact: number; unitsOnly: number; mapped: number; meanFilled: number }[] = [];
    for (const city of CITIES) {
      const id = `txhousing-${city}`;
      const exact = heldOut(id, false);
      const variant = heldOut(id, true);
      const mapping = await mappingOf(variant);
      expect(mapping.missing, city).toEqual(['sales']);
      // the unit maps are the search's estimates: within 10 % of the true factors
      expect(mapping.pairs.find((p) => p.island === 'volume')!.factor / 1000, city).toBeCloseTo(1, 1);
      expect(mapping.pairs.find((p) => p.island === 'inventory')!.factor / 12, city).toBeCloseTo(1, 1);
      const y = targets(exact);
      const lw = await learnware(id);
      const onExact = predictionError((await reuse('single', [id], exact)).predictions, y);
      const mapped = predictionError((await reuse('single', [id], variant, { mapping })).predictions, y);
      // renamed and rescaled, nothing missing: the unit maps alone cost (almost) nothing
      const whole = heldOut(id, true, null);
      const wholeMapping = await mappingOf(whole, true);
      const unitsOnly = predictionError((await reuse('single', [id], whole, { mapping: wholeMapping })).predictions, y);
      expect(unitsOnly, city).toBeLessThan(1.1 * onExact);
      const meanFilled = predictionError((await reuse('single', [id], variant, { aligner: meanFillAligner(mapping, lw.spec as RkmeTableSpec) })).predictions, y);
      errors.push({ city, exact: onExact, unitsOnly, mapped, meanFilled });
    }
    console.info(
      errors
        .map(
          (e) =>
            `${e.city}: RMSE exact ${e.exact.toFixed(0)}, renamed+units ${e.unitsOnly.toFixed(0)}, and sales missing: filled ${e.mapped.toFixed(0)}, mean-filled ${e.meanFilled.toFixed(0)}`,
        )
        .join('\n'),
    );
    const sum = (k: 'exact' | 'mapped' | 'meanFilled') => errors.reduce((s, e) => s + e[k], 0);
    expect(sum('mapped')).toBeLessThan(2 * sum('exact'));
    expect(sum('mapped')).toBeLessThan(0.8 * sum('meanFilled'));
    for (const e of errors) expect(e.mapped, e.city).toBeLessThan(e.meanFilled);
  });

  it('the search alone finds the same mapping for Austin’s file', async () => {
    const variant = heldOut('txhousing-austin', true);
    const [found, named] = [await mappingOf(variant, false), await mappingOf(variant)];
    expect(found.missing).toEqual(named.missing);
    expect(found.pairs.map((p) => [p.user, p.island])).toEqual(named.pairs.map((p) => [p.user, p.island]));
  });

  it('every method runs on the mapped rows (with labels: ensemble pruning, feature augmentation), close to the exact file', async () => {
    const id = 'txhousing-austin';
    const ids = [id, 'txhousing-san-antonio'];
    const exact = heldOut(id, false);
    const variant = heldOut(id, true);
    const mapping = await mappingOf(variant);
    const y = targets(exact);
    for (const method of ['average', 'job-selector', 'ensemble-pruning', 'feature-augment'] as ReuseMethod[]) {
      const chosen = ids;
      const onExact = predictionError((await reuse(method, chosen, exact)).predictions, y);
      const result = await reuse(method, chosen, variant, { mapping });
      const mapped = predictionError(result.predictions, y);
      console.info(`${method}: RMSE exact ${onExact.toFixed(0)}, mapped ${mapped.toFixed(0)}`);
      expect(result.composite.mapping, method).toEqual(mapping);
      expect(mapped, method).toBeLessThan(2.5 * onExact);
    }
  });

  it('a composite keeps its mapping: it predicts the variant file again after save and load, and the exact file by name', async () => {
    const id = 'txhousing-dallas';
    const variant = heldOut(id, true);
    const exact = heldOut(id, false);
    const mapping = await mappingOf(variant);
    const result = await reuse('average', [id, 'txhousing-fort-worth'], variant, { mapping });
    const zip = packComposite(result.composite, new Map([...bundles.values()].map((b) => [b.lw.sha256, b.bytes])));
    const composite = await loadComposite(zip);
    expect(composite.spec.mapping).toEqual(mapping);
    const again = await predictComposite(composite, variant.matrix.values, variant.matrix.rows, variant.matrix.featureNames);
    expect(Array.from(again.values)).toEqual(Array.from(result.predictions.values));
    const byName = await predictComposite(composite, exact.matrix.values, exact.matrix.rows, exact.matrix.featureNames);
    expect(predictionError(byName, targets(exact))).toBeLessThan(predictionError(again, targets(exact)) * 1.5);
    // a composite without a mapping (as saved before) reads columns by name
    const { mapping: _gone, ...older } = result.composite;
    const plain = await loadComposite(packComposite(older, composite.bundles));
    expect(plain.spec.mapping).toBeUndefined();
    await expect(predictComposite(plain, variant.matrix.values, variant.matrix.rows, variant.matrix.featureNames)).rejects.toMatchObject({ code: 'MISSING_COLUMNS' });
    for (const lw of composite.learnwares.concat(plain.learnwares)) await lw.model.dispose();
  });

  it('learnwares of different islands cannot share a mapping: MIXED_FEATURES says so', async () => {
    const variant = heldOut('txhousing-austin', true);
    const mapping = await mappingOf(variant);
    await expect(reuse('average', ['txhousing-austin', 'flights-ord'], variant, { mapping })).rejects.toMatchObject({
      code: 'MIXED_FEATURES',
      message: expect.stringMatching(/different islands|one island/),
    });
  });
});
