/**
 * A spec type registered only here travels the whole learnware path — pack → check → catalog
 * build → search — with no change anywhere else: the proof that the catalog, the checker, the
 * bundle code and search reach spec types only through the registry (docs/architecture.md).
 * The type is deliberately unlike the table RKME: one point (the data mean) per spec, a JSON
 * shard with its own magic bytes, and a kernel on the means with its own bandwidth setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalog,
  checkBundle,
  FormatError,
  loadCatalogIndex,
  packBundle,
  Prng,
  registerSpecType,
  searchCatalog,
  TsBackend,
  tableDataset,
  type FetchLike,
  type IslandSettings,
  type SpecType,
  type StatSpec,
  type TableDataset,
} from '../../src/engine/index.js';
import { denseModel, FEATURES, semanticSpec } from '../helpers/bundles.js';

const MEAN_TYPE = 'TestMeanSpecification';
const MAGIC = [0x54, 0x4d, 0x53, 0x48]; // "TMSH"

interface MeanSpec extends StatSpec {
  type: typeof MEAN_TYPE;
  mean: number[];
}

const meanKernel = (a: MeanSpec, b: MeanSpec, settings: IslandSettings) => {
  const width = settings.width as number;
  return Math.exp(-a.mean.reduce((s, v, f) => s + ((v - b.mean[f]) / width) ** 2, 0));
};

const encoder = new TextEncoder();

const meanSpecType: SpecType<MeanSpec, TableDataset> = {
  type: MEAN_TYPE,
  dataKind: 'table',
  label: 'test mean',
  fromObject(data) {
    if (!Array.isArray(data.mean) || !data.mean.every((v) => typeof v === 'number')) throw new FormatError('BAD_STAT_JSON', 'mean must be numbers', { field: 'mean' });
    return { type: MEAN_TYPE, K: 1, numPoints: Number(data.num_points), mean: data.mean as number[] };
  },
  toJson: (spec) => JSON.stringify({ type: spec.type, mean: spec.mean, num_points: spec.numPoints }),
  describe: (spec) => `the mean of ${spec.numPoints} rows`,
  async build(_backend, data) {
    const mean = data.featureNames.map((_, f) => {
      let s = 0;
      for (let r = 0; r < data.rows; r++) s += data.values[r * data.cols + f];
      return s / data.rows;
    });
    return { spec: { type: MEAN_TYPE, K: 1, numPoints: data.rows, mean }, report: { requestedK: 1, K: 1, warnings: [], backend: 'test', ms: 0 } };
  },
  check: (spec, input) => (spec.mean.length === input.features.length ? [] : [{ code: 'DIMENSION_MISMATCH', message: 'wrong width' }]),
  probeFeed: (spec, _input, counts) => {
    const rows = counts.herded + counts.random;
    const data = new Float32Array(rows * spec.mean.length);
    for (let r = 0; r < rows; r++) data.set(spec.mean, r * spec.mean.length);
    return { dtype: 'float32', data, dims: [rows, spec.mean.length] };
  },
  samples: (spec, count) => Float64Array.from({ length: count * spec.mean.length }, (_, i) => spec.mean[i % spec.mean.length]),
  islandSchema: (spec, input) => ({ d: spec.mean.length, features: input.features }),
  islandSettings: () => ({ width: 2 }),
  checkSettings: (settings) => (typeof (settings as { width?: unknown })?.width === 'number' ? null : 'settings.width must be a number'),
  innerProduct: meanKernel,
  ownSettings: () => ({ width: 2 }),
  matchesIsland: (island, data) => island.features.join() === data.featureNames.join(),
  userSpec: async (backend, data) => (await meanSpecType.build(backend, data, {})).spec,
  shardMagic: MAGIC,
  encodeShard(specs) {
    const offsets: number[] = [];
    const lines: string[] = [];
    let at = 4;
    for (const s of specs) {
      offsets.push(at);
      const line = meanSpecType.toJson(s) + '\n';
      lines.push(line);
      at += encoder.encode(line).length;
    }
    const body = encoder.encode(lines.join(''));
    const bytes = new Uint8Array(4 + body.length);
    bytes.set(MAGIC);
    bytes.set(body, 4);
    return { bytes, offsets };
  },
  decodeShard: (bytes) =>
    new TextDecoder()
      .decode(bytes.subarray(4))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => meanSpecType.fromObject(JSON.parse(l) as Record<string, unknown>)),
  shardRecordBytes: () => 64,
  belongsTo: (spec, island) => spec.mean.length === island.d,
};

function rows(n: number, centre: number, seed: number): TableDataset {
  const prng = new Prng(seed);
  const values = Float64Array.from({ length: n * 3 }, () => centre + prng.nextNormal());
  return tableDataset({ values, rows: n, cols: 3, featureNames: FEATURES });
}

async function packMean(id: string, centre: number): Promise<Uint8Array> {
  const { spec } = await meanSpecType.build(new TsBackend(), rows(300, centre, centre + 7), {});
  const { bundle } = await packBundle({
    id,
    name: `Mean learnware ${id}`,
    semantic: semanticSpec(),
    model: denseModel(),
    input: { name: 'input', features: FEATURES },
    output: { name: 'output', kind: 'probabilities', classes: ['rain', 'sun'], width: 2 },
    spec,
    createdAt: new Date('2026-12-01T00:00:00Z'),
  });
  return bundle;
}

function filesFetch(files: Map<string, Uint8Array>): FetchLike {
  return async (url) => {
    const bytes = files.get(url.replace('file:///catalog/', ''));
    return bytes ? new Response(Buffer.from(bytes), { status: 200 }) : new Response('missing', { status: 404 });
  };
}

describe('a spec type registered by a test', () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerSpecType(meanSpecType);
  });
  afterAll(() => unregister());

  it('is refused as a second registration of the same name', () => {
    expect(() => registerSpecType(meanSpecType)).toThrow(expect.objectContaining({ code: 'DUPLICATE_SPEC_TYPE' }));
  });

  it('travels pack → check → catalog build → search through the registry alone', async () => {
    const bundles = await Promise.all([0, 5, 10].map(async (centre) => ({ file: `m${centre}.zip`, bytes: await packMean(`mean-${centre}`, centre) })));

    const checked = await checkBundle(bundles[1].bytes);
    expect(checked.reasons).toEqual([]);
    expect(checked.status).toBe('USABLE');
    expect(checked.spec!.type).toBe(MEAN_TYPE);
    expect((checked.spec as MeanSpec).mean[0]).toBeCloseTo(5, 0);

    const { index, files, rejected } = await buildCatalog(bundles);
    expect(rejected).toEqual([]);
    expect(index.islands).toHaveLength(1);
    const [island] = index.islands;
    expect(island.type).toBe(MEAN_TYPE);
    expect(island.id).toMatch(/^TestMeanSpecification-d3-[0-9a-f]{12}$/);
    expect(island.settings).toEqual({ width: 2 });
    expect([...files.get(island.shard!.file)!.subarray(0, 4)]).toEqual(MAGIC);

    // the index as a reader gets it: fetched, and checked by the reader's own rules
    const fetchFn = filesFetch(files);
    const served = await loadCatalogIndex(fetchFn, 'file:///catalog/');
    expect(served.islands[0].settings).toEqual({ width: 2 });
    const results = await searchCatalog({ index: served, fetchFn, base: 'file:///catalog/', backend: new TsBackend(), data: rows(200, 9.6, 3) });
    expect(results).toHaveLength(1);
    expect(results[0].singles.map((s) => s.id)).toEqual(['mean-10', 'mean-5', 'mean-0']);
    expect(results[0].singles[0].mmd2).toBeLessThan(results[0].singles[1].mmd2);
    expect(results[0].picture).toBeUndefined();
  });

  it('once unregistered, its bundles are INVALID with a reason naming the type', async () => {
    const bytes = await packMean('mean-1', 1);
    unregister();
    try {
      const result = await checkBundle(bytes);
      expect(result.status).toBe('INVALID');
      expect(result.reasons.map((r) => r.message).join(' ')).toMatch(/TestMeanSpecification/);
    } finally {
      unregister = registerSpecType(meanSpecType);
    }
  });
});
