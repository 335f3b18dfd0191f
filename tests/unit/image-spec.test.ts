/**
 * Image features ψ and the image RKME (docs/image.md §2–3): the convFeatures op on every Node
 * backend against the plain-TS reference, and the spec type.
 */
import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/engine/kernels/resolve.js';
import { TsBackend, convFeaturesSync } from '../../src/engine/kernels/backend-ts.js';
import { convFeatureCount } from '../../src/engine/kernels/backend.js';
import { IMAGE_FEATURE_DIM, imageFeaturesSync, imageNetwork } from '../../src/engine/spec/image/features.js';
import { tableView as imageTableView } from '../../src/engine/spec/image/view.js';
import { NODE_WASM_PATHS } from '../../src/cli/node-backend.js';
import { IMAGE_TOLERANCE, measureFeatures, measureSpec, stripes } from '../shared/image-agreement.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError } from '../../src/engine/core/errors.js';
import { fashionTest, pick, SIDE } from '../helpers/images.js';
import { Prng } from '../../src/engine/core/prng.js';
import { imageDataset, type ImageDataset } from '../../src/engine/data/image.js';
import { parseStatSpec, serializeStatSpec } from '../../src/engine/spec/registry.js';
import type { ModelInputSchema } from '../../src/engine/spec/spec-type.js';
import { IMAGE_GAMMA, IMAGE_NETWORK, imageSpecType, REFERENCE_NETWORK, RKME_IMAGE_TYPE, type RkmeImageSpec } from '../../src/engine/spec/image/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/image-spec/', import.meta.url));

describe('convFeatures', () => {
  it('is conv 3×3 (cross-correlation, zero padding 1) → ReLU → average pool 2×2, then the final pool, in C order', () => {
    // one 1×4×4 image, two output channels: the identity filter, and "the pixel above" (row y − 1) minus 10
    const image = Float32Array.from({ length: 16 }, (_, j) => j + 1);
    const identity = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const above = [0, 1, 0, 0, 0, 0, 0, 0, 0];
    const network = { layers: [{ inChannels: 1, outChannels: 2, weights: Float32Array.from([...identity, ...above]), bias: Float32Array.from([0, -10]) }], finalPool: 1 };
    const out = convFeaturesSync(image, 1, { channels: 1, height: 4, width: 4 }, network);
    // channel 0: 2×2 means of the image; channel 1: relu(row above − 10), pooled (row −1 is zero padding)
    const rows = [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
      [13, 14, 15, 16],
    ];
    const shifted = [[0, 0, 0, 0], rows[0], rows[1], rows[2]].map((r) => r.map((v) => Math.max(0, v - 10)));
    const pool = (m: number[][]) => [0, 2].flatMap((y) => [0, 2].map((x) => (m[y][x] + m[y][x + 1] + m[y + 1][x] + m[y + 1][x + 1]) / 4));
    expect(Array.from(out)).toEqual([...pool(rows), ...pool(shifted)]);
    expect(convFeatureCount({ channels: 1, height: 32, width: 32 }, imageNetwork(1))).toBe(IMAGE_FEATURE_DIM);
    expect(() => convFeatureCount({ channels: 1, height: 30, width: 30 }, imageNetwork(1))).toThrow(RangeError);
    expect(() => convFeatureCount({ channels: 3, height: 32, width: 32 }, imageNetwork(1))).toThrow(/takes 1 channels/);
  });

  it('the network is fixed: seeded He-uniform weights, small biases, the same numbers every time', () => {
    const grey = imageNetwork(1);
    expect(grey.layers.map((l) => [l.inChannels, l.outChannels])).toEqual([
      [1, 16],
      [16, 32],
      [32, 64],
    ]);
    expect(imageNetwork(3).layers[0].inChannels).toBe(3);
    const bound = Math.sqrt(6 / 9);
    expect(Math.max(...grey.layers[0].weights.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...grey.layers[0].weights.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Math.max(...grey.layers[2].bias.map(Math.abs))).toBeLessThanOrEqual(0.01);
    // a digest of the weights: any change to the network changes every spec's features (bump the version then)
    let digest = 0;
    for (const l of grey.layers) for (const w of l.weights) digest = (digest * 31 + Math.round(w * 1e6)) % 1_000_000_007;
    expect(digest).toMatchInlineSnapshot(`-18191178`);
  });

  it('ts returns the reference; tfjs cpu and wasm agree within the stated tolerance', async () => {
    const ts = await measureFeatures(new TsBackend());
    expect(ts).toEqual({ grey: 0, rgb: 0, small: 0 });
    for (const name of ['cpu', 'wasm'] as const) {
      const { backend } = await resolveBackend({ preference: [name], wasmPaths: NODE_WASM_PATHS });
      const errors = await measureFeatures(backend);
      for (const e of Object.values(errors)) expect(e).toBeLessThan(IMAGE_TOLERANCE.features);
      if (name === 'wasm') {
        const distance = await measureSpec(backend);
        expect(distance).toBeLessThan(IMAGE_TOLERANCE.specDistance);
      }
    }
  });

  it('cancels between batches', async () => {
    const controller = new AbortController();
    controller.abort();
    const { backend } = await resolveBackend({ preference: ['cpu'] });
    await expect(backend.convFeatures(new Float32Array(1024), 1, { channels: 1, height: 32, width: 32 }, imageNetwork(1), controller.signal)).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(() => convFeaturesSync(new Float32Array(1024), 1, { channels: 1, height: 32, width: 32 }, imageNetwork(1), controller.signal)).toThrow(/cancelled/);
  });
});

function stripeData(n: number, orientation: 'horizontal' | 'vertical', seed: number): ImageDataset {
  const pixels = stripes(n, orientation, seed);
  const images = Array.from({ length: n }, (_, i) => ({
    width: 32,
    height: 32,
    channels: 1 as const,
    pixels: Uint8Array.from(pixels.subarray(i * 1024, (i + 1) * 1024), (v) => Math.round(v * 255)),
  }));
  return imageDataset(
    images,
    images.map((_, i) => `${orientation}/${i}.png`),
  );
}

const squaredMmd = (a: RkmeImageSpec, b: RkmeImageSpec) => {
  const s = imageSpecType.ownSettings(a);
  return imageSpecType.innerProduct(a, a, s) + imageSpecType.innerProduct(b, b, s) - 2 * imageSpecType.innerProduct(a, b, s);
};

const IMAGE_INPUT = (channels: 1 | 3, side: number): ModelInputSchema => ({
  name: 'images',
  dtype: 'float32',
  features: [],
  shape: [null, channels, side, side],
  image: { channels, height: side, width: side, layout: 'NCHW', range: [0, 255] },
});

describe('the image RKME', () => {
  const ts = new TsBackend();
  const horizontal = stripeData(40, 'horizontal', 1);
  const build = (data: ImageDataset, seed = 3) => imageSpecType.build(ts, data, { K: 8, seed });

  it('is deterministic: the same images and seed give the same spec; Z are pixel means in [0, 1], β on the simplex', async () => {
    const a = await build(horizontal);
    const b = await build(stripeData(40, 'horizontal', 1));
    expect(a.spec.K).toBe(8);
    expect(Array.from(a.spec.z)).toEqual(Array.from(b.spec.z));
    expect(Array.from(a.spec.beta)).toEqual(Array.from(b.spec.beta));
    expect(a.spec.z.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(a.spec.beta.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    expect(a.spec.beta.every((v) => v >= 0)).toBe(true);
    expect(a.spec).toMatchObject({ channels: 1, numPoints: 40, network: IMAGE_NETWORK, gamma: IMAGE_GAMMA, pixels: '0-1' });
    // the build kept every image's ψ for reuse
    expect(horizontal.features).toMatchObject({ dim: IMAGE_FEATURE_DIM, network: IMAGE_NETWORK });
    expect(horizontal.features!.values.length).toBe(40 * IMAGE_FEATURE_DIM);
    // a seeded sample when there are more images than maxImages
    const sampled = await imageSpecType.build(ts, horizontal, { K: 4, seed: 3, maxImages: 20 });
    expect(sampled.spec.numPoints).toBe(40);
    expect(sampled.spec.provenance?.kmeansRows).toBe(20);
  });

  it('tells two image distributions apart: specs of disjoint samples of the same Fashion-MNIST classes are much closer than of other classes', async () => {
    const fashion = fashionTest();
    const data = (classes: number[], skip: number) => {
      const indices = pick(fashion, classes, 50, skip);
      const images = indices.map((i) => ({ width: SIDE, height: SIDE, channels: 1 as const, pixels: fashion.pixels.slice(i * SIDE * SIDE, (i + 1) * SIDE * SIDE) }));
      return imageDataset(images, indices.map(String));
    };
    const trousersAndBags = (await build(data([1, 8], 0))).spec;
    const moreTrousersAndBags = (await build(data([1, 8], 50))).spec;
    const shirtsAndSneakers = (await build(data([6, 7], 0))).spec;
    const same = squaredMmd(trousersAndBags, moreTrousersAndBags);
    const different = squaredMmd(trousersAndBags, shirtsAndSneakers);
    expect(same).toBeGreaterThanOrEqual(0);
    expect(different).toBeGreaterThan(3 * same); // measured: 0.30 against 0.058
  });

  it('round-trips through stat.json (the reference layout plus network, gamma, pixels) and compares the same', async () => {
    const { spec } = await build(horizontal);
    const text = serializeStatSpec(spec);
    const object = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(object).sort()).toEqual(
      ['RKME_IMAGE_VERSION', 'beta', 'gamma', 'model_config', 'msg', 'n_models', 'network', 'num_points', 'pixels', 'provenance', 'type', 'z'].sort(),
    );
    expect((object.z as number[][][][])[0].length).toBe(1);
    expect((object.z as number[][][][])[0][0].length).toBe(32);
    const read = parseStatSpec(text) as RkmeImageSpec;
    expect(Array.from(read.z)).toEqual(Array.from(spec.z));
    expect(Array.from(read.beta)).toEqual(Array.from(spec.beta));
    expect(read).toMatchObject({ K: spec.K, numPoints: 40, channels: 1, network: IMAGE_NETWORK, gamma: IMAGE_GAMMA });
    // the read spec's ψ view is recomputed and equals the built one
    const settings = imageSpecType.ownSettings(spec);
    expect(imageSpecType.innerProduct(read, read, settings)).toBe(imageSpecType.innerProduct(spec, spec, settings));
    expect(squaredMmd(spec, read)).toBeLessThan(1e-12);
    expect(serializeStatSpec(read)).toBe(text);
  });

  it('a stat.json parsed again reuses ψ of its reduced images only when every value is the same', async () => {
    const { spec } = await build(horizontal);
    const text = serializeStatSpec(spec);
    const again = parseStatSpec(text) as RkmeImageSpec;
    const fresh = imageFeaturesSync(Float32Array.from(again.z), again.K, 1);
    expect(Array.from(imageTableView(again).z)).toEqual(Array.from(fresh));
    // one pixel changed by the least a float32 can: its own ψ, not the cached one
    const changed = JSON.parse(text) as { z: number[][][][] };
    changed.z[0][0][5][7] = Math.fround(changed.z[0][0][5][7] + 2 ** -20);
    const other = parseStatSpec(JSON.stringify(changed)) as RkmeImageSpec;
    const otherFresh = imageFeaturesSync(Float32Array.from(other.z), other.K, 1);
    expect(Array.from(imageTableView(other).z)).toEqual(Array.from(otherFresh));
    expect(Array.from(otherFresh)).not.toEqual(Array.from(fresh));
  });

  it('loads a reference-layout stat.json (no network) and never compares it', async () => {
    const reference = parseStatSpec(readFileSync(join(FIXTURES, 'reference-stat.json'), 'utf8')) as RkmeImageSpec;
    expect(reference).toMatchObject({ type: RKME_IMAGE_TYPE, K: 3, channels: 3, numPoints: 1200, network: REFERENCE_NETWORK, pixels: 'standardised' });
    expect(imageSpecType.describe(reference)).toMatch(/reference/);
    const user = (await imageSpecType.build(ts, rgb(12), { K: 3 })).spec;
    expect(imageSpecType.incomparable!(user, reference)).toMatch(/reference/);
    expect(imageSpecType.incomparable!(user, user)).toBeNull();
    expect(imageSpecType.incomparable!((await build(horizontal)).spec, user)).toMatch(/colour/);
    // written back in the reference's layout, without our keys
    const object = JSON.parse(serializeStatSpec(reference)) as Record<string, unknown>;
    expect(object.network).toBeUndefined();
    expect(object.model_config).toEqual({ k: 2, mu: 0, sigma: null, net_width: 128, net_depth: 3 });
  });

  it('refuses malformed stat.json with the field named', async () => {
    const { spec } = await build(horizontal);
    const good = JSON.parse(serializeStatSpec(spec)) as Record<string, unknown>;
    const bad = (change: (o: Record<string, unknown>) => void) => {
      const o = structuredClone(good);
      change(o);
      return () => parseStatSpec(JSON.stringify(o));
    };
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return [(error as FormatError).code, (error as FormatError).details.field];
      }
      return null;
    };
    expect(field(bad((o) => ((o.z as number[][][][])[1][0][4][7] = 1.5)))).toEqual(['BAD_STAT_JSON', 'z[1][0][4][7]']);
    expect(field(bad((o) => (o.z as number[][][][])[2][0].pop()))).toEqual(['BAD_STAT_JSON', 'z[2][0]']);
    expect(field(bad((o) => (o.beta as number[]).pop()))).toEqual(['BAD_STAT_JSON', 'beta']);
    expect(field(bad((o) => (o.pixels = '0-255')))).toEqual(['BAD_STAT_JSON', 'pixels']);
    expect(field(bad((o) => (o.network = '../x')))).toEqual(['BAD_STAT_JSON', 'network']);
    expect(field(bad((o) => (o.extra = 1)))).toEqual(['BAD_STAT_JSON', 'extra']);
    expect(field(bad((o) => (o.z = Array.from({ length: 1001 }, () => []))))).toEqual(['SPEC_LIMIT', 'z']);
  });

  it('round-trips through an LWIM shard: Z as 8-bit pixels, the ψ views in full', async () => {
    const a = (await build(horizontal)).spec;
    const b = (await build(stripeData(30, 'vertical', 4), 5)).spec;
    const schema = imageSpecType.islandSchema(a, IMAGE_INPUT(1, 28));
    const { bytes, offsets } = imageSpecType.encodeShard([a, b], schema);
    expect(Array.from(bytes.subarray(0, 4))).toEqual(imageSpecType.shardMagic);
    expect(offsets.length).toBe(2);
    expect(bytes.length).toBeLessThanOrEqual(imageSpecType.shardRecordBytes(a, schema) + imageSpecType.shardRecordBytes(b, schema));
    const [ra, rb] = imageSpecType.decodeShard(bytes) as RkmeImageSpec[];
    const settings = imageSpecType.ownSettings(a);
    expect(imageSpecType.innerProduct(ra, rb, settings)).toBe(imageSpecType.innerProduct(a, b, settings));
    expect(Array.from(rb.beta)).toEqual(Array.from(b.beta));
    ra.z.forEach((v, j) => expect(Math.abs(v - a.z[j])).toBeLessThanOrEqual(0.5 / 255 + 1e-12));
    expect(ra).toMatchObject({ K: a.K, channels: 1, network: IMAGE_NETWORK, gamma: a.gamma, numPoints: 40 });
    const island = { id: 'i', type: RKME_IMAGE_TYPE, ...schema, settings: imageSpecType.islandSettings([a, b], schema) };
    expect(imageSpecType.belongsTo(ra, island)).toBe(true);
    expect(() => imageSpecType.decodeShard(bytes.subarray(0, bytes.length - 8))).toThrow(FormatError);
    const damaged = bytes.slice();
    damaged[12] = 0x7b + 1;
    expect(() => imageSpecType.decodeShard(damaged)).toThrow(/image spec shard/);
  });

  it('islands are keyed by network and channels; the settings are γ in ψ units', async () => {
    const { spec } = await build(horizontal);
    const schema = imageSpecType.islandSchema(spec, IMAGE_INPUT(1, 28));
    expect(schema.d).toBe(256);
    expect(schema.features[5]).toBe(`${IMAGE_NETWORK}:c1:5`);
    expect(imageSpecType.describeInput!(schema)).toBe(`grey images compared by ${IMAGE_NETWORK} features`);
    const settings = imageSpecType.islandSettings([spec], schema);
    expect(settings).toEqual({ gamma: IMAGE_GAMMA, scale: null });
    expect(imageSpecType.checkSettings(settings, schema)).toBeNull();
    expect(imageSpecType.checkSettings({ gamma: 2, scale: new Array(256).fill(1) }, schema)).toMatch(/null/);
    const island = { id: 'i', type: RKME_IMAGE_TYPE, ...schema, settings };
    expect(imageSpecType.matchesIsland(island, horizontal)).toBe(true);
    expect(imageSpecType.matchesIsland(island, rgb(2))).toBe(false);
    const user = await imageSpecType.userSpec(ts, stripeData(20, 'horizontal', 9), island, {});
    expect(user.gamma).toBe(IMAGE_GAMMA);
    expect(imageSpecType.incomparable!(user, spec)).toBeNull();
    const samples = imageSpecType.samples(spec, 10, 1);
    expect(samples.length).toBe(10 * 256);
    const picture = imageSpecType.picture!(user, [{ id: 'a', spec }], settings);
    expect(picture.learnwares[0].points.length).toBe(spec.K);
  });

  it('checks the model input and probes it with images at its own size', async () => {
    const { spec } = await build(horizontal);
    expect(imageSpecType.check(spec, IMAGE_INPUT(1, 28))).toEqual([]);
    expect(imageSpecType.check(spec, IMAGE_INPUT(3, 28)).map((p) => p.code)).toEqual(['DIMENSION_MISMATCH']);
    expect(imageSpecType.check(spec, { ...IMAGE_INPUT(1, 28), shape: [null, 1, 28, 27] }).map((p) => p.code)).toEqual(['DIMENSION_MISMATCH']);
    expect(imageSpecType.check(spec, { name: 'x', dtype: 'float32', features: ['a'], shape: [null, 1] }).map((p) => p.code)).toContain('DIMENSION_MISMATCH');
    const feed = imageSpecType.probeFeed(spec, IMAGE_INPUT(1, 28), { herded: 6, random: 4 });
    expect(feed.dims).toEqual([10, 1, 28, 28]);
    expect(feed.dtype).toBe('float32');
    const data = feed.data as Float32Array;
    expect(data.every((v) => v >= 0 && v <= 255)).toBe(true);
    expect(imageSpecType.probeFeed(spec, IMAGE_INPUT(1, 28), { herded: 6, random: 4 }).data).toEqual(data);
    // the herded images are stripes (rows alike along x for horizontal stripes), the random ones are not
    const rowSpread = (r: number) => {
      let s = 0;
      for (let y = 0; y < 28; y++) for (let x = 1; x < 28; x++) s += Math.abs(data[r * 784 + y * 28 + x] - data[r * 784 + y * 28 + x - 1]);
      return s / (28 * 27);
    };
    expect(rowSpread(0)).toBeLessThan(rowSpread(9) / 3);
    expect(() => imageSpecType.probeFeed(spec, { name: 'x', dtype: 'float32', features: [], shape: [null, 3] }, { herded: 1, random: 1 })).toThrow(/image/);
  });
});

function rgb(n: number): ImageDataset {
  const prng = new Prng(11);
  const images = Array.from({ length: n }, () => ({ width: 40, height: 36, channels: 3 as const, pixels: Uint8Array.from({ length: 40 * 36 * 3 }, () => prng.nextInt(256)) }));
  return imageDataset(
    images,
    images.map((_, i) => `${i}.png`),
  );
}
