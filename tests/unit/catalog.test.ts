import { describe, expect, it } from 'vitest';
import {
  buildCatalog,
  catalogMembers,
  CATALOG_INDEX,
  decodeShard,
  encodeShard,
  FormatError,
  packBundle,
  parseTableSpec,
  readZip,
  squaredMmd,
  type CatalogIndex,
  type TableIslandSettings,
} from '../../src/engine/index.js';
import { denseModel, makeBundle } from '../helpers/bundles.js';

async function threeBundles() {
  const a = await makeBundle();
  const b = await makeBundle({ model: denseModel('softmax', 2, 2) });
  const broken = await makeBundle({ model: denseModel('sigmoid', 2) });
  // give b its own id (same features → same island)
  const files = readZip(b.bundle);
  const spec = parseTableSpec(new TextDecoder().decode(files.get('rkme.json')!));
  const renamed = await packBundle({
    id: 'weather-two',
    name: 'Weather two',
    semantic: b.manifest.semantic,
    model: files.get('model.onnx')!,
    input: { name: 'input', features: b.manifest.model.input.features },
    output: { name: 'output', kind: 'probabilities', classes: ['rain', 'sun'], width: 2 },
    spec,
  });
  return { a: a.bundle, b: renamed.bundle, broken: broken.bundle };
}

describe('static catalog', () => {
  it('builds an index, content-addressed bundles and one shard per island; rejects unusable bundles', async () => {
    const { a, b, broken } = await threeBundles();
    const result = await buildCatalog([
      { file: 'a.zip', bytes: a },
      { file: 'b.zip', bytes: b },
      { file: 'broken.zip', bytes: broken },
    ]);
    expect(result.rejected.map((r) => [r.file, r.result.status])).toEqual([['broken.zip', 'NONUSABLE']]);
    const { index } = result;
    expect(index.entries.map((e) => e.id)).toEqual(['weather-test', 'weather-two']);
    expect(index.islands).toHaveLength(1);
    expect(index.islands[0].id).toMatch(/^RKMETableSpecification-d3-[0-9a-f]{12}$/);
    expect((index.islands[0].settings as TableIslandSettings).scale).toHaveLength(3);
    for (const entry of index.entries) {
      expect(entry.bundle.file).toBe(`bundles/${entry.bundle.sha256}.zip`);
      expect(result.files.get(entry.bundle.file)!.length).toBe(entry.bundle.size);
    }
    // the shard holds exactly the bundles' specs
    const shard = decodeShard(result.files.get(index.islands[0].shard!.file)!);
    const specA = parseTableSpec(new TextDecoder().decode(readZip(a).get('rkme.json')!));
    expect(squaredMmd(shard[0], { ...specA, scaleSource: 'given', featureNames: null, provenance: null })).toBeCloseTo(0, 14);
    const parsed = JSON.parse(new TextDecoder().decode(result.files.get(CATALOG_INDEX)!)) as CatalogIndex;
    expect(parsed.entries).toHaveLength(2);
  });

  it('extends an existing catalog from its index and shards alone', async () => {
    const { a, b } = await threeBundles();
    const first = await buildCatalog([{ file: 'a.zip', bytes: a }]);
    const shards = new Map([...first.files].filter(([path]) => path.startsWith('shards/')));
    const members = catalogMembers(first.index, shards);
    const second = await buildCatalog([{ file: 'b.zip', bytes: b }], members);
    expect(second.index.entries.map((e) => e.id)).toEqual(['weather-test', 'weather-two']);
    expect(second.index.entries[0].bundle).toEqual(first.index.entries[0].bundle);
    const direct = await buildCatalog([
      { file: 'a.zip', bytes: a },
      { file: 'b.zip', bytes: b },
    ]);
    expect(second.index.islands).toEqual(direct.index.islands);
  });

  it('refuses two different bundles with one id', async () => {
    const { a } = await threeBundles();
    const other = await makeBundle({ model: denseModel('softmax', 2, 3) });
    await expect(
      buildCatalog([
        { file: 'a.zip', bytes: a },
        { file: 'c.zip', bytes: other.bundle },
      ]),
    ).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
  });

  it('shards round-trip exactly and refuse hostile bytes', async () => {
    const { a } = await threeBundles();
    const spec = parseTableSpec(new TextDecoder().decode(readZip(a).get('rkme.json')!));
    const { bytes, offsets } = encodeShard([spec, spec], 3);
    expect(offsets[0]).toBe(16);
    const [back] = decodeShard(bytes);
    expect(Array.from(back.z)).toEqual(Array.from(spec.z));
    expect(Array.from(back.scale!)).toEqual(Array.from(spec.scale!));
    expect(() => decodeShard(new TextEncoder().encode('<!doctype html><html></html>'))).toThrow(FormatError);
    expect(() => decodeShard(bytes.slice(0, bytes.length - 8))).toThrow(/truncated/);
    const trailing = new Uint8Array(bytes.length + 8);
    trailing.set(bytes);
    expect(() => decodeShard(trailing)).toThrow(/trailing/);
  });

  it('Float32 shards (sketch spec files) are half the size and round to the nearest float32', async () => {
    const { a } = await threeBundles();
    const spec = parseTableSpec(new TextDecoder().decode(readZip(a).get('rkme.json')!));
    const f64 = encodeShard([spec], 3).bytes;
    const f32 = encodeShard([spec], 3, 'f32').bytes;
    expect(f32.length - 40).toBe((f64.length - 40) / 2);
    expect(new DataView(f32.buffer).getUint32(4, true)).toBe(2);
    const [back] = decodeShard(f32);
    expect(Array.from(back.z)).toEqual(Array.from(spec.z, Math.fround));
    expect(Array.from(back.beta)).toEqual(Array.from(spec.beta, Math.fround));
    expect(Array.from(back.scale!)).toEqual(Array.from(spec.scale!, Math.fround));
    expect(back.gamma).toBe(spec.gamma);
    // a version-1 file may not claim Float32 values: an old reader would misread them
    const claimed = f64.slice();
    new DataView(claimed.buffer).setUint32(16 + 4, 3, true);
    expect(() => decodeShard(claimed)).toThrow(/flags/);
    expect(() => decodeShard(f32.slice(0, f32.length - 4))).toThrow(/truncated/);
  });
});
