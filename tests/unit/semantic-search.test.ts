import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { semanticSearch, type CatalogIndex } from '../../src/engine/index.js';
import { ensureDemoCatalog } from '../demo-catalog-setup.js';

let index: CatalogIndex;
beforeAll(() => {
  ensureDemoCatalog();
  index = JSON.parse(readFileSync(new URL('../../public/catalog/catalog.json', import.meta.url), 'utf8'));
}, 120_000);

const ids = (hits: { index: number }[]) => hits.map((h) => index.entries[h.index].id);

describe('semantic search on the demo catalog', () => {
  it('filters by task, scenario and license (OR within a key, AND across keys)', () => {
    // the classifiers: the 20 flight-delay ones, the 50 text genre ones and the 50 Fashion-MNIST ones
    expect(ids(semanticSearch(index.entries, { Task: ['Classification'] })).every((id) => /^(flights|brown|fashion)-/.test(id))).toBe(true);
    expect(semanticSearch(index.entries, { Task: ['Classification'] })).toHaveLength(120);
    expect(semanticSearch(index.entries, { Task: ['Classification'], Data: ['Text'] })).toHaveLength(50);
    expect(semanticSearch(index.entries, { Task: ['Classification'], Data: ['Image'] })).toHaveLength(50);
    expect(semanticSearch(index.entries, { Scenario: ['Traffic', 'Financial'] })).toHaveLength(66);
    expect(semanticSearch(index.entries, { Scenario: ['Traffic'], License: ['MIT'] })).toHaveLength(0);
    expect(semanticSearch(index.entries, { Task: ['Segmentation'] })).toHaveLength(0);
  });

  it('ranks by text over names, descriptions and feature descriptions', () => {
    expect(ids(semanticSearch(index.entries, { text: 'flight delays ORD' }))[0]).toBe('flights-ord');
    // a word only in the description (the reference ignores descriptions)
    expect(ids(semanticSearch(index.entries, { text: 'Abilene Texas median sale price' }))[0]).toBe('txhousing-abilene');
    // a word only in the feature descriptions
    const inventory = ids(semanticSearch(index.entries, { text: 'months of inventory' }));
    expect(inventory.length).toBeGreaterThanOrEqual(46);
    expect(inventory.slice(0, 46).every((id) => id.startsWith('txhousing-'))).toBe(true);
  });

  it('tolerates typos and prefixes', () => {
    expect(ids(semanticSearch(index.entries, { text: 'housng prices austn' }))[0]).toBe('txhousing-austin');
    expect(ids(semanticSearch(index.entries, { text: 'San Antnoio' }))[0]).toBe('txhousing-san-antonio');
    expect(ids(semanticSearch(index.entries, { text: 'delay denv' }))[0]).toBe('flights-den');
    expect(semanticSearch(index.entries, { text: 'zzzzqqq' })).toHaveLength(0);
  });
});
