/**
 * Held-out data of the demo catalog (scripts/build-demo-catalog.ts, built into a temporary
 * directory by the integration project's global setup) and how well search identifies a learnware
 * from rows it was not trained on.
 * Measured when written (ts backend; wasm gives the same ranks): 66 users, top-1 0.68, top-5 0.94;
 * flights 20 users, top-1 1.00; txhousing 46 users, top-1 0.54, top-5 0.91.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadCatalogIndex, TsBackend, type CatalogIndex } from '../../src/engine/index.js';
import { txhousing } from '../helpers/data.js';
import { directoryFetch, identificationAccuracy, identify, readHoldoutIndex, type HoldoutEntry } from '../shared/identification.js';

const backend = new TsBackend();

let catalog: string;
let holdout: string;
let index: CatalogIndex;
let held: HoldoutEntry[];

beforeAll(() => {
  // built once per run by the project's global setup (tests/integration/fresh-demo-catalog.ts)
  const built = inject('freshDemoCatalog');
  catalog = built.catalog;
  holdout = built.holdout;
  // 66 table learnwares in 2 islands and 50 text learnwares in one (their users' texts have a holdout of their own)
  expect(built.stdout).toMatch(/166 learnwares in 4 islands/);
  index = JSON.parse(readFileSync(join(catalog, 'catalog.json'), 'utf8')) as CatalogIndex;
  held = readHoldoutIndex(holdout);
});

/** Months with a median price per city slug, as the script counts them. */
function housingMonths(): Map<string, number> {
  const table = txhousing();
  const city = table.columns.find((c) => c.name === 'city')!.values as string[];
  const median = table.columns.find((c) => c.name === 'median')!.values as Float64Array;
  const months = new Map<string, number>();
  for (let r = 0; r < table.rowCount; r++) {
    if (!Number.isFinite(median[r])) continue;
    const slug = city[r].toLowerCase().replace(/[^a-z0-9]+/g, '-');
    months.set(slug, (months.get(slug) ?? 0) + 1);
  }
  return months;
}

describe('demo catalog held-out rows', () => {
  it('one held-out file per catalog entry, with the specified row counts; the catalog is trained on the rest', () => {
    expect(held.map((h) => h.id).sort()).toEqual(
      index.entries
        .filter((e) => !e.id.startsWith('brown-') && !e.id.startsWith('fashion-'))
        .map((e) => e.id)
        .sort(),
    );
    const months = housingMonths();
    expect(months.size).toBe(46);
    for (const h of held) {
      const entry = index.entries.find((e) => e.id === h.id)!;
      const island = index.islands.find((i) => i.id === entry.island)!;
      expect(h.file).toBe(`${h.id}.csv`);
      expect(h.features).toEqual(island.features);
      const lines = readFileSync(join(holdout, h.file), 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe([...island.features, h.labelColumn].join(','));
      expect(lines.length - 1, h.id).toBe(h.rows);
      expect(entry.numPoints, h.id).toBe(h.trainingRows);
      if (h.id.startsWith('flights-')) {
        expect([h.rows, h.trainingRows, h.labelColumn]).toEqual([1000, 4000, 'delayed']);
      } else {
        const total = months.get(h.id.slice('txhousing-'.length))!;
        expect([h.rows, h.trainingRows, h.labelColumn], h.id).toEqual([Math.round(total / 4), total - Math.round(total / 4), 'median']);
      }
    }
    expect(existsSync(join(holdout, 'index.json'))).toBe(true);
  });

  it('the held-out rows of a learnware find that learnware first', async () => {
    const fetchFn = directoryFetch(catalog);
    const base = 'file:///catalog/';
    const loaded = await loadCatalogIndex(fetchFn, base);
    for (const id of ['txhousing-austin', 'txhousing-houston', 'txhousing-dallas', 'flights-atl', 'flights-ord']) {
      const found = await identify(
        held.find((h) => h.id === id)!,
        holdout,
        { index: loaded, fetchFn, base, backend },
      );
      expect(found, id).toMatchObject({ rank: 1, top: id });
    }
  });

  it('identification accuracy over every learnware', async () => {
    const result = await identificationAccuracy(catalog, holdout, backend);
    expect(result.users).toBe(66);
    const byFeatures = (first: string) => result.perIsland[index.islands.find((i) => i.features[0] === first)!.id];
    const flights = byFeatures('hour');
    const housing = byFeatures('sales');
    expect([flights.users, housing.users]).toEqual([20, 46]);
    // measured: top-1 0.68, top-5 0.94; flights 1.00 / 1.00; txhousing 0.54 / 0.91
    expect(result.top5).toBeGreaterThanOrEqual(0.8);
    expect(result.top1).toBeGreaterThanOrEqual(0.5);
    expect(flights.top1).toBeGreaterThanOrEqual(0.85);
    expect(housing.top5).toBeGreaterThanOrEqual(0.75);
    // every flights user finds its own airport first (README); a missed city is ranked below another city's learnware
    expect(result.misses.filter((m) => m.id.startsWith('flights-'))).toEqual([]);
    for (const miss of result.misses) {
      expect(miss.rank, miss.id).toBeGreaterThan(1);
      expect(miss.top, miss.id).toMatch(/^txhousing-/);
      expect(miss.top, miss.id).not.toBe(miss.id);
    }
  });
});
