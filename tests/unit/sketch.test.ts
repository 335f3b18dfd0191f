import { describe, expect, it } from 'vitest';
import {
  settingsScale,
  tableDataset,
  DEFAULT_PROBE,
  DEFAULT_RERANK,
  decodeShard,
  specFileBytes,
  type RkmeTableSpec,
  buildCatalog,
  buildSketchIndex,
  catalogMembers,
  checkCatalogIndex,
  decodeHead,
  decodeList,
  encodeHead,
  innerProduct,
  islandSketchParams,
  listPath,
  Prng,
  quantizeSketch,
  searchCatalog,
  searchSketchIsland,
  sha256Hex,
  sketchFrequencies,
  sketchSpec,
  TsBackend,
  type FetchLike,
  type Island,
} from '../../src/engine/index.js';
import { FEATURES, makeBundle } from '../helpers/bundles.js';
import { gaussianMixture } from '../shared/synthetic.js';
import { syntheticCatalog, syntheticScale, syntheticSpec, syntheticUser } from '../shared/synthetic-catalog.js';
import { cardBytes, islandOf, islandView } from '../../bench/generated-catalog.js';

/** Serves a Map of catalog files; counts the requests per top-level folder. */
function mapFetch(files: Map<string, Uint8Array>, counts: Map<string, number> = new Map()): FetchLike {
  return async (url) => {
    const path = new URL(url).pathname.replace(/^\/catalog\//, '');
    const folder = path.split('/')[0] === 'sketch' ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
    const bytes = files.get(path);
    return bytes ? new Response(Buffer.from(bytes), { status: 200, headers: { 'content-type': 'application/octet-stream' } }) : new Response('missing', { status: 404 });
  };
}

async function generatedIsland(count: number, d: number, families: number) {
  const c = syntheticCatalog(count, d, { families });
  const files = new Map<string, Uint8Array>();
  const head = await buildSketchIndex({
    island: islandView(c),
    member: (i) => ({ spec: syntheticSpec(c, i), card: cardBytes(c, i) }),
    emit: (path, bytes) => void files.set(path, bytes),
  });
  const ref = { file: 'sketch/head.bin', sha256: await sha256Hex(head), size: head.length };
  files.set(ref.file, head);
  return { c, files, island: islandOf(c, ref), head };
}

describe('random-Fourier-feature sketches', () => {
  it('draws ω = √(2γ)·N(0, I) from the seeded generator, identically every time', () => {
    const omega = sketchFrequencies(42, 8, 3, 0.5);
    const prng = new Prng(42);
    const expected = Float32Array.from({ length: 24 }, () => Math.sqrt(2 * 0.5) * prng.nextNormal());
    expect(omega).toEqual(expected);
    expect(sketchFrequencies(42, 8, 3, 0.5)).toEqual(omega);
    expect(sketchFrequencies(43, 8, 3, 0.5)).not.toEqual(omega);
  });

  it('‖s_u − s_L‖² approximates the exact MMD² (default frequency pairs, int8 codes)', () => {
    const c = syntheticCatalog(400, 10, { families: 4 });
    const scale = syntheticScale(c);
    const params = islandSketchParams(islandView(c));
    const specs = Array.from({ length: 40 }, (_, i) => syntheticSpec(c, i));
    const sketches = specs.map((s) => {
      const exact = sketchSpec(s, params);
      const codes = new Int8Array(exact.length);
      const step = quantizeSketch(exact, codes);
      return Float64Array.from(codes, (v) => v * step);
    });
    const errors: number[] = [];
    const pairs: [number, number][] = [];
    const self = specs.map((s) => innerProduct(s, s, { scale })); // each spec's own term, once
    for (let a = 0; a < specs.length; a++) {
      for (let b = a + 1; b < specs.length; b++) {
        const exact = self[a] - 2 * innerProduct(specs[a], specs[b], { scale }) + self[b];
        let approx = 0;
        for (let j = 0; j < sketches[a].length; j++) approx += (sketches[a][j] - sketches[b][j]) ** 2;
        errors.push(approx - exact);
        pairs.push([exact, approx]);
      }
    }
    const meanAbs = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
    const mean = (f: (p: [number, number]) => number) => pairs.reduce((s, p) => s + f(p), 0) / pairs.length;
    const [mx, my] = [mean((p) => p[0]), mean((p) => p[1])];
    const cov = mean((p) => (p[0] - mx) * (p[1] - my));
    const correlation = cov / Math.sqrt(mean((p) => (p[0] - mx) ** 2) * mean((p) => (p[1] - my) ** 2));
    expect(correlation).toBeGreaterThan(0.98);
    // m pairs: each kernel value carries ~1/√(2m) noise; the ranking only needs the correlation
    expect(meanAbs).toBeLessThan(0.1 * mx);
  });

  it('refuses a spec whose dimension or γ differs from the index', () => {
    const c = syntheticCatalog(10, 10);
    const params = islandSketchParams(islandView(c));
    expect(() => sketchSpec({ ...syntheticSpec(c, 0), gamma: 0.2 }, params)).toThrow(/gamma/);
    expect(() => sketchSpec(syntheticSpec(syntheticCatalog(10, 5), 0), params)).toThrow(/features/);
  });
});

describe('sketch index files', () => {
  it('round-trips the head and the lists, and rejects hostile bytes', async () => {
    const { files, head } = await generatedIsland(300, 5, 8);
    const decoded = decodeHead(head);
    expect(decoded.count).toBe(300);
    expect(decoded.lists.length).toBe(Math.round(Math.sqrt(300)));
    expect(decoded.lists.reduce((s, l) => s + l.count, 0)).toBe(300);
    expect(encodeHead(decoded)).toEqual(head);
    const list = files.get(listPath(decoded.lists[0].sha256))!;
    const records = decodeList(list, 2 * decoded.params.pairs);
    expect(records.length).toBe(decoded.lists[0].count);
    expect(records.every((r) => r.selfInner > 0 && r.selfInner <= 1 && /^[0-9a-f]{32}$/.test(r.specHash))).toBe(true);

    const bad = (bytes: Uint8Array, decode: (b: Uint8Array) => unknown) => {
      try {
        decode(bytes);
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'accepted';
    };
    expect(bad(head.slice(0, head.length - 1), decodeHead)).toBe('BAD_SKETCH');
    expect(
      bad(
        Uint8Array.from(head, (b, i) => (i === 0 ? 0 : b)),
        decodeHead,
      ),
    ).toBe('BAD_SKETCH');
    const lying = head.slice();
    new DataView(lying.buffer).setUint32(20, 301, true); // count no longer matches the lists
    expect(bad(lying, decodeHead)).toBe('BAD_SKETCH');
    expect(bad(list.slice(0, list.length - 3), (b) => decodeList(b, 128))).toBe('BAD_SKETCH');
    expect(bad(list, (b) => decodeList(b, 64))).toBe('BAD_SKETCH');
  });
});

describe('sketch search', () => {
  it('agrees with the exact scan: recall@10 ≥ 0.95, the source first, exact MMD² reported', async () => {
    const { c, files, island } = await generatedIsland(1200, 10, 24);
    const scale = settingsScale(island.settings)!;
    let recall = 0;
    const users = 4;
    // every learnware's spec, its stored (Float32) spec and their own terms: the same for every user, built once
    const members = Array.from({ length: c.count }, (_, i) => {
      const spec = syntheticSpec(c, i);
      const stored = decodeShard(specFileBytes(island, spec))[0];
      return { id: `generated-${i}`, spec, stored, self: innerProduct(spec, spec, { scale }), storedSelf: innerProduct(stored, stored, { scale }) };
    });
    for (let u = 0; u < users; u++) {
      const source = 150 + u * 277;
      const user = { ...syntheticUser(c, source, u + 1), scale };
      const uu = innerProduct(user, user, { scale });
      const mmd2 = (s: RkmeTableSpec, self: number) => uu - 2 * innerProduct(user, s, { scale }) + self;
      const exact = members.map((m) => ({ id: m.id, mmd2: mmd2(m.spec, m.self), stored: mmd2(m.stored, m.storedSelf) })).sort((a, b) => a.mmd2 - b.mmd2);
      const counts = new Map<string, number>();
      const found = await searchSketchIsland(mapFetch(files, counts), 'file:///catalog/', island, user, { top: 10 });
      const ids = found.singles.map((s) => found.cards[s.index]!.id);
      expect(ids[0]).toBe(`generated-${source}`);
      const truth = new Set(exact.slice(0, 10).map((e) => e.id));
      recall += ids.filter((id) => truth.has(id)).length / 10;
      // re-ranked exactly: the reported MMD² is the exact one of the stored (Float32) spec, within 1e-5 relative of Float64's
      for (const s of found.singles) {
        const truth = exact.find((e) => e.id === found.cards[s.index]!.id)!;
        expect(s.mmd2).toBeCloseTo(truth.stored, 10);
        expect(Math.abs(s.mmd2 - truth.mmd2)).toBeLessThan(1e-5 * truth.mmd2);
      }
      // only the head, the probed lists, the re-ranked specs and the cards of the results were downloaded
      expect(counts.get('sketch/head.bin')).toBe(1);
      expect(counts.get('sketch/lists')).toBe(DEFAULT_PROBE);
      expect(counts.get('specs')).toBe(DEFAULT_RERANK);
      expect(counts.get('cards')).toBeLessThanOrEqual(15);
    }
    expect(recall / users).toBeGreaterThanOrEqual(0.95);
  });

  it('refuses a tampered list and a card from another island', async () => {
    const { c, files, island, head } = await generatedIsland(200, 5, 4);
    const user = { ...syntheticUser(c, 3, 1), scale: settingsScale(island.settings) };
    const list = listPath(decodeHead(head).lists[0].sha256);
    const tampered = new Map(files);
    const bytes = files.get(list)!.slice();
    bytes[bytes.length - 1] ^= 1;
    tampered.set(list, bytes);
    await expect(searchSketchIsland(mapFetch(tampered), 'file:///catalog/', island, user, { probe: decodeHead(head).lists.length })).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    const other: Island = { ...island, id: 'another-island' };
    await expect(searchSketchIsland(mapFetch(files), 'file:///catalog/', other, user)).rejects.toMatchObject({ code: 'BAD_CARD' });
  });
});

describe('catalogs with the sketch layout', () => {
  it('builds a sketch island from real bundles; search, semantic filters and catalog add behave', async () => {
    const bundles = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (k) => ({ file: `b${k}.zip`, bytes: (await makeBundle({ id: `weather-${k}`, dataSeed: 10 + k, shift: 3 * k })).bundle })),
    );
    const { index, files } = await buildCatalog(bundles, [], { layout: 'sketch' });
    expect(checkCatalogIndex(JSON.parse(new TextDecoder().decode(files.get('catalog.json')!)))).toBeTruthy();
    expect(index.entries).toEqual([]);
    expect(index.islands).toHaveLength(1);
    expect(index.islands[0].sketch).toBeDefined();
    expect(index.islands[0].shard).toBeUndefined();
    expect([...files.keys()].filter((p) => p.startsWith('cards/'))).toHaveLength(6);

    const x = gaussianMixture(300, 3, 2, 13).map((v) => v + 9); // drawn like weather-3's data
    const input = {
      index,
      fetchFn: mapFetch(files),
      base: 'file:///catalog/',
      backend: new TsBackend(),
      data: tableDataset({ values: x, rows: 300, cols: FEATURES.length, featureNames: FEATURES }),
    };
    const [island] = await searchCatalog(input);
    expect(island.singles[0].id).toBe('weather-3');
    expect(island.singles[0].score).toBeGreaterThan(0.5);
    expect(island.sketch).toMatchObject({ specs: 6, scanned: 6 });
    await expect(searchCatalog({ ...input, query: { text: 'weather' } })).resolves.toHaveLength(1);
    await expect(searchCatalog({ ...input, query: { Task: ['Regression'] } })).rejects.toMatchObject({ code: 'NO_MATCH' });
    expect(() => catalogMembers(index, new Map())).toThrow(/sketch layout/);
  });
});
