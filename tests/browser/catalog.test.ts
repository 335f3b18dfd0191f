/**
 * The catalog round trip in Chromium: the demo catalog (packed, checked and built by the CLI in
 * Node) is loaded over HTTP, its shard decoded, a bundle fetched, validated and checked again —
 * model run by onnxruntime-web in the browser.
 */
import { describe, expect, it } from 'vitest';
import { checkBundle, fetchValidated, loadCatalogIndex, loadShard, specType } from '../../src/engine/index.js';

const base = new URL('/catalog/', location.href).href;

describe('demo catalog in the browser', () => {
  it('loads the index and shard, and a bundle checks USABLE here too', async () => {
    const index = await loadCatalogIndex(fetch, base);
    expect(index.entries.length).toBeGreaterThanOrEqual(30);
    const island = index.islands[0];
    const specs = await loadShard(fetch, base, island);
    expect(specs).toHaveLength(island.count);
    const entry = index.entries[0];
    const bytes = await fetchValidated(fetch, base + entry.bundle.file, { kind: 'zip', maxBytes: 2 ** 24, sha256: entry.bundle.sha256, size: entry.bundle.size });
    const result = await checkBundle(bytes);
    expect(result.reasons).toEqual([]);
    expect(result.status).toBe('USABLE');
    expect(result.manifest!.id).toBe(entry.id);
    // the shard record of the entry is the spec inside its bundle
    const own = specs[entry.shardIndex];
    expect(own.numPoints).toBe(entry.numPoints);
    const type = specType(island.type);
    const self = type.innerProduct(own, own, island.settings);
    expect(self).toBeGreaterThan(0);
    expect(self - 2 * type.innerProduct(own, result.spec!, island.settings) + type.innerProduct(result.spec!, result.spec!, island.settings)).toBeCloseTo(0, 6);
  });
});
