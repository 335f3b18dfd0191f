/**
 * The page's column mapping editor without a browser (docs/heterogeneous.md §1–§3): the spec
 * worker's proposal for a renamed, unit-changed Austin file (workers/mapping.ts), the edit logic
 * (src/app/mapping.ts: a swap, factors only where the user typed one) and a search through an
 * edited mapping — the edited island searched with exactly its pairs, nothing left → NO_ISLAND.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogIndex, memoryFileCache, parseCsv, tableDataset, toFeatureMatrix, TsBackend, type CatalogIndex, type TableDataset } from '../../src/engine/index.js';
import { proposeMappings, searchThroughMappings, type MappingProposal } from '../../workers/mapping.js';
import { editedPairs, proposedEdit, setTarget } from '../../src/app/mapping.js';
import { directoryFetch } from '../shared/identification.js';
import { AUSTIN_HOLDOUT_PATH } from '../helpers/data.js';

const base = 'file:///catalog/';
const fetchFn = directoryFetch(join(import.meta.dirname, '..', '..', 'public', 'catalog'));
const RENAMED: Record<string, string> = { sales: 'Number_Of_Sales', volume: 'sales_volume_kusd', listings: 'active listings', inventory: 'MonthsInventory', month: 'Month' };
let index: CatalogIndex;
let data: TableDataset;
let housing: MappingProposal;

beforeAll(async () => {
  index = await loadCatalogIndex(fetchFn, base);
  const [header, ...lines] = readFileSync(AUSTIN_HOLDOUT_PATH, 'utf8').trim().split('\n');
  const names = header.split(',');
  const csv = [
    names.map((n) => RENAMED[n] ?? n).join(','),
    ...lines.map((l) =>
      l
        .split(',')
        .map((v, c) => (names[c] === 'volume' ? String(Number(v) / 1000) : v))
        .join(','),
    ),
  ];
  data = tableDataset(toFeatureMatrix(parseCsv(csv.join('\n')), { dropColumns: ['median'] }));
  const proposals = await proposeMappings(index, data, fetchFn, base, memoryFileCache(2 ** 24));
  housing = proposals.find((p) => p.columns.some((c) => c.name === 'inventory'))!;
  expect(proposals[0]).toBe(housing);
});

describe('the page’s column mapping', () => {
  it('proposes every renamed column’s learnware column, the volume × 1,000, with confidences and the island’s words', () => {
    expect(Object.fromEntries(housing.mapping.pairs.map((p) => [p.user, p.island]))).toEqual(Object.fromEntries(Object.entries(RENAMED).map(([i, u]) => [u, i])));
    const volume = housing.mapping.pairs.find((p) => p.user === 'sales_volume_kusd')!;
    expect(housing.unitsEstimated).toBe(true);
    expect(volume.factor).toBe(1000);
    expect(volume.unit).toBe('thousands → units');
    for (const p of housing.mapping.pairs) expect(p.confidence).toBeGreaterThan(0);
    expect(housing.text).toMatch(/^Housing prices — .*\(46 regression learnwares\)$/);
    expect(housing.mapping.missing).toEqual([]);
  });

  it('edits: a swap keeps each island column fed once; only a typed factor is sent', () => {
    const edit = proposedEdit(housing, data.featureNames);
    expect(edit.edited).toBe(false);
    const swapped = setTarget(edit, 'Number_Of_Sales', 'listings');
    expect(swapped.to['active listings']).toBe('sales');
    expect(swapped.edited).toBe(true);
    // the proposed factor is estimated again by the search; a typed one is kept
    expect(editedPairs(housing, edit).find((p) => p.user === 'sales_volume_kusd')).toEqual({ user: 'sales_volume_kusd', island: 'volume' });
    const typed = { ...edit, factor: { ...edit.factor, sales_volume_kusd: 1 } };
    expect(editedPairs(housing, typed).find((p) => p.user === 'sales_volume_kusd')).toEqual({ user: 'sales_volume_kusd', island: 'volume', factor: 1 });
    expect(editedPairs(housing, setTarget(edit, 'MonthsInventory', '')).map((p) => p.user)).not.toContain('MonthsInventory');
  });

  it('a search takes the edited island’s pairs exactly; with none left nothing is reached', async () => {
    const input = { index, fetchFn, base, backend: new TsBackend(), data, top: 5 };
    const edit = setTarget(proposedEdit(housing, data.featureNames), 'MonthsInventory', '');
    const found = await searchThroughMappings(input, [{ island: housing.island, pairs: editedPairs(housing, edit) }], {});
    const own = found.find((r) => r.island === housing.island)!;
    expect(own.mapping!.pairs.map((p) => p.island)).toEqual(['sales', 'volume', 'listings', 'month']);
    expect(own.mapping!.missing).toEqual(['inventory']);
    expect(own.mapping!.pairs.find((p) => p.user === 'sales_volume_kusd')!.factor).toBe(1000);
    expect(own.singles[0].name).toBe('Housing prices: Austin');
    const none = Object.fromEntries(data.featureNames.map((u) => [u, ''] as const));
    const empty = { ...edit, to: none };
    const onlyHousing = { ...input, index: { ...index, islands: index.islands.filter((i) => i.id === housing.island) } };
    await expect(searchThroughMappings(onlyHousing, [{ island: housing.island, pairs: editedPairs(housing, empty) }], {})).rejects.toMatchObject({ code: 'NO_ISLAND' });
  });
});
