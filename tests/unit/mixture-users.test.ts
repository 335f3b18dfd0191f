/**
 * Two-source users on the demo catalog (docs/search.md, "Mixtures"): the held-out rows of two
 * flights airports, pooled half and half. The greedy mixture that keeps a chosen member when the
 * round's best trial would zero it for a gain within the noise names both sources, each carrying
 * weight, at least as often as the plain greedy (the reference's rule), and names no weightless member.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadCatalogIndex,
  loadShard,
  MIN_MIXTURE_WEIGHT,
  parseCsvBytes,
  searchIsland,
  specType,
  tableDataset,
  toFeatureMatrix,
  TsBackend,
  type CatalogIndex,
} from '../../src/engine/index.js';
import { ensureDemoCatalog } from '../demo-catalog-setup.js';
import { directoryFetch, readHoldoutIndex } from '../shared/identification.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const catalogDir = join(ROOT, 'public', 'catalog');
const holdoutDir = join(ROOT, 'public', 'catalog-holdout');
const ROWS = 400;

let index: CatalogIndex;
beforeAll(async () => {
  ensureDemoCatalog();
  index = await loadCatalogIndex(directoryFetch(catalogDir), 'file:///catalog/');
}, 300_000);

describe('mixture search on two-source users', () => {
  it('names both airports with weight at least as often as the plain greedy, and never a weightless member', async () => {
    const fetchFn = directoryFetch(catalogDir);
    const island = index.islands.find((i) => index.entries.some((e) => e.island === i.id && e.id.startsWith('flights-')))!;
    const type = specType(island.type);
    const entries = index.entries.filter((e) => e.island === island.id);
    const shard = await loadShard(fetchFn, 'file:///catalog/', island);
    const specs = entries.map((e) => shard[e.shardIndex]);
    const holdout = readHoldoutIndex(holdoutDir);
    const rowsOf = (id: string) => {
      const entry = holdout.find((h) => h.id === id)!;
      const m = toFeatureMatrix(parseCsvBytes(readFileSync(join(holdoutDir, entry.file))), { dropColumns: [entry.labelColumn] });
      return m.values.subarray(0, ROWS * m.cols);
    };
    const d = island.features.length;
    const backend = new TsBackend();
    let kept = 0;
    let plain = 0;
    // neighbouring pairs in catalog order: 10 users
    for (let a = 0; a < 10; a++) {
      const pair = [entries[a].id, entries[(a + 7) % entries.length].id];
      const values = new Float64Array(2 * ROWS * d);
      values.set(rowsOf(pair[0]));
      values.set(rowsOf(pair[1]), ROWS * d);
      const user = await type.userSpec(backend, tableDataset({ values, rows: 2 * ROWS, cols: d, featureNames: island.features }), island, {});
      const sources = pair.map((id) => entries.findIndex((e) => e.id === id));
      const both = (keep: number) => {
        const mixture = searchIsland(type, user, specs, { settings: island.settings, mixtureKeepNoise: keep }).mixture;
        if (!mixture) return false;
        expect(Math.min(...mixture.weights)).toBeGreaterThanOrEqual(MIN_MIXTURE_WEIGHT);
        return sources.every((s) => mixture.indices.includes(s));
      };
      if (both(1)) kept++;
      if (both(0)) plain++;
    }
    expect(kept).toBeGreaterThanOrEqual(plain);
    expect(kept).toBeGreaterThan(0);
  }, 300_000);
});
