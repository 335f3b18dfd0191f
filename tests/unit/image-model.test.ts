/**
 * The image model contract (docs/image.md §4–§5): exportImageConvNet run in onnxruntime-web equals
 * the plain-TS forward pass (model/conv-net.ts); the manifest's model.input.image; packing and
 * checking an image learnware; predictions at the model's own input size; reuse on images.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBundle, PROBE_IMAGE_VALUES } from '../../src/engine/bundle/checker.js';
import { checkManifest, type Manifest } from '../../src/engine/bundle/manifest.js';
import { packLearnware } from '../../src/engine/bundle/pack-learnware.js';
import type { SemanticSpec } from '../../src/engine/bundle/semantic.js';
import { DockError } from '../../src/engine/core/errors.js';
import { Prng } from '../../src/engine/core/prng.js';
import { readZip, writeZip } from '../../src/engine/core/zip.js';
import { imageDataset, type DecodedImage, type ImageDataset } from '../../src/engine/data/image.js';
import { modelPixels, specPixels } from '../../src/engine/data/image-resize.js';
import { TsBackend } from '../../src/engine/kernels/backend-ts.js';
import { forwardImageConvNet } from '../../src/engine/model/conv-net.js';
import { exportImageConvNet, type ConvLayer, type DenseLayer, type ImageConvNet } from '../../src/engine/model/onnx-export.js';
import { OnnxModel } from '../../src/engine/model/onnx-runner.js';
import { imageFeatureNames, imageFeaturesSync } from '../../src/engine/spec/image/features.js';
import { learnwareFeatures, loadLearnware, predictLearnware, type Learnware } from '../../src/engine/reuse/learnware.js';
import { evaluateTable, reuseLearnwares } from '../../src/engine/reuse/reuse.js';

function uniform(prng: Prng, n: number, bound: number): Float32Array {
  return Float32Array.from({ length: n }, () => (prng.nextFloat() * 2 - 1) * bound);
}

/** a seeded net: He-uniform weights, small biases */
function randomNet(
  seed: number,
  input: ImageConvNet['input'],
  blocks: { out: number; kernel: number; padding: number; pool: ConvLayer['pool']; relu: boolean }[],
  hidden: number[],
  classes: number,
): ImageConvNet {
  const prng = new Prng(seed);
  let [c, h, w] = [input.channels as number, input.height, input.width];
  const convs: ConvLayer[] = blocks.map((b) => {
    const fanIn = c * b.kernel * b.kernel;
    const layer: ConvLayer = {
      weights: uniform(prng, b.out * fanIn, Math.sqrt(6 / fanIn)),
      bias: uniform(prng, b.out, 0.1),
      kernel: b.kernel,
      padding: b.padding,
      relu: b.relu,
      pool: b.pool,
    };
    c = b.out;
    h = h + 2 * b.padding - b.kernel + 1;
    w = w + 2 * b.padding - b.kernel + 1;
    if (b.pool) [h, w] = [Math.floor(h / b.pool.size), Math.floor(w / b.pool.size)];
    return layer;
  });
  const sizes = [c * h * w, ...hidden, classes];
  const dense: DenseLayer[] = sizes
    .slice(1)
    .map((outputs, i) => ({ inputs: sizes[i], outputs, weights: uniform(prng, sizes[i] * outputs, Math.sqrt(6 / sizes[i])), bias: uniform(prng, outputs, 0.1) }));
  return { input, scale: 1 / 255, convs, dense, softmax: true };
}

function randomPixels(seed: number, n: number, size: number): Float32Array {
  const prng = new Prng(seed);
  return Float32Array.from({ length: n * size }, () => prng.nextInt(256));
}

describe('exportImageConvNet', () => {
  const nets: [string, ImageConvNet][] = [
    [
      '28×28 grey, avg + max pooling, a hidden layer',
      randomNet(
        1,
        { channels: 1, height: 28, width: 28 },
        [
          { out: 8, kernel: 3, padding: 1, pool: { kind: 'avg', size: 2 }, relu: true },
          { out: 12, kernel: 5, padding: 0, pool: { kind: 'max', size: 2 }, relu: true },
        ],
        [16],
        10,
      ),
    ],
    [
      '32×32 RGB, max pooling with a remainder, no ReLU on one block',
      randomNet(
        2,
        { channels: 3, height: 32, width: 32 },
        [
          { out: 6, kernel: 3, padding: 0, pool: { kind: 'max', size: 3 }, relu: false },
          { out: 10, kernel: 3, padding: 1, pool: { kind: 'avg', size: 2 }, relu: true },
          { out: 4, kernel: 1, padding: 0, pool: null, relu: true },
        ],
        [],
        4,
      ),
    ],
  ];
  for (const [name, net] of nets) {
    it(`runs in onnxruntime as the TS forward pass computes it: ${name}`, async () => {
      const bytes = exportImageConvNet(net);
      const model = await OnnxModel.load(bytes);
      const { channels, height, width } = net.input;
      expect(model.io.inputNames).toEqual(['images']);
      expect(model.io.outputNames).toEqual(['probabilities']);
      expect(model.io.inputShape).toEqual(['N', channels, height, width]);
      const n = 7;
      const pixels = randomPixels(3, n, channels * height * width);
      const out = await model.runFeed({ dtype: 'float32', data: pixels, dims: [n, channels, height, width] });
      const classes = net.dense[net.dense.length - 1].outputs;
      expect(out.dims).toEqual([n, classes]);
      const reference = forwardImageConvNet(net, pixels, n);
      let worst = 0;
      for (let i = 0; i < out.values.length; i++) worst = Math.max(worst, Math.abs(out.values[i] - reference.outputs[i]));
      expect(worst).toBeLessThan(1e-5);
      for (let r = 0; r < n; r++) {
        const row = Array.from(out.values.subarray(r * classes, (r + 1) * classes));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      await model.dispose();
    });
  }

  it('refuses nets that do not fit together, saying where', () => {
    const base = nets[0][1];
    const cases: [string, ImageConvNet, RegExp][] = [
      [
        'dense width',
        { ...base, dense: [{ ...base.dense[0], inputs: 5, weights: new Float32Array(5 * 16) }, base.dense[1]] },
        /dense 0 takes 5 inputs, the conv blocks give 12×5×5 = 300/,
      ],
      ['conv weights', { ...base, convs: [{ ...base.convs[0], weights: new Float32Array(10) }, base.convs[1]] }, /conv 0: weights must be 8×1×3×3/],
      ['kernel too big', { ...base, input: { channels: 1, height: 4, width: 4 } }, /conv 1: a 5×5 kernel does not fit a 2×2 input/],
      ['channels', { ...base, input: { channels: 2 as 1, height: 28, width: 28 } }, /1 or 3 channels/],
      ['scale', { ...base, scale: Number.NaN }, /pixel scale/],
      [
        'non-finite',
        { ...base, convs: [{ ...base.convs[0], bias: Float32Array.from(base.convs[0].bias, (v, i) => (i === 2 ? Infinity : v)) }, base.convs[1]] },
        /conv 0: bias must be finite/,
      ],
    ];
    for (const [name, net, message] of cases) expect(() => exportImageConvNet(net), name).toThrow(message);
  });
});

/** The first n images and labels of Fashion-MNIST's test set (Debian dataset-fashion-mnist, MIT). */
function fashionMnist(n: number): { images: DecodedImage[]; labels: number[] } {
  const dir = '/usr/share/datasets/fashion-mnist/';
  const images = gunzipSync(readFileSync(dir + 't10k-images-idx3-ubyte.gz'));
  const labels = gunzipSync(readFileSync(dir + 't10k-labels-idx1-ubyte.gz'));
  const view = new DataView(images.buffer, images.byteOffset);
  expect([view.getUint32(0), view.getUint32(8), view.getUint32(12)]).toEqual([0x803, 28, 28]);
  return {
    images: Array.from({ length: n }, (_, i) => ({ width: 28, height: 28, channels: 1 as const, pixels: images.slice(16 + i * 784, 16 + (i + 1) * 784) })),
    labels: Array.from(labels.subarray(8, 8 + n)),
  };
}

/**
 * Images whose class is their bright quadrant (top-left, top-right, bottom-left, bottom-right) on a
 * noisy dark background, of any size and colour: a hand-made net reads the quadrant exactly.
 */
const QUADRANTS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];
function quadrantImages(n: number, width: number, height: number, channels: 1 | 3, seed: number): ImageDataset {
  const prng = new Prng(seed);
  const images: DecodedImage[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const q = i % 4;
    const pixels = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1) === q;
        for (let c = 0; c < channels; c++) pixels[(y * width + x) * channels + c] = inside ? 150 + prng.nextInt(100) : prng.nextInt(60);
      }
    }
    images.push({ width, height, channels, pixels });
    labels.push(QUADRANTS[q]);
  }
  return imageDataset(
    images,
    images.map((_, i) => `${labels[i]}/${i}.png`),
    labels,
  );
}

/** A net that averages each quadrant (one channel mean, a pool of half the side) and turns the brightest into the most probable class. */
function quadrantNet(channels: 1 | 3, side: number, pool: 'avg' | 'max', sharpness: number): ImageConvNet {
  const dense = new Float32Array(16);
  for (let k = 0; k < 4; k++) dense[k * 4 + k] = sharpness;
  return {
    input: { channels, height: side, width: side },
    scale: 1 / 255,
    convs: [
      {
        weights: new Float32Array(channels).fill(1 / channels),
        bias: new Float32Array(1),
        kernel: 1,
        padding: 0,
        relu: true,
        pool: { kind: 'avg', size: pool === 'avg' ? side / 2 : 2 },
      },
      ...(pool === 'max' ? [{ weights: new Float32Array([1]), bias: new Float32Array(1), kernel: 1, padding: 0, relu: false, pool: { kind: 'max' as const, size: side / 4 } }] : []),
    ],
    dense: [{ inputs: 4, outputs: 4, weights: dense, bias: new Float32Array(4) }],
    softmax: true,
  };
}

function imageSemantic(name: string, classes: string[]): SemanticSpec {
  return {
    Data: { Type: 'Class', Values: ['Image'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Others'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `Which quadrant of an image is bright (${classes.join(', ')}).` },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  };
}

function argmaxRows(values: ArrayLike<number>, rows: number, width: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[r * width + k] > values[r * width + best]) best = k;
    return best;
  });
}

/** The user's images in the learnwares' feature space (values/columns of a reuse): ψ of the image spec type's network (docs/image.md §2). */
function userFeatures(data: ImageDataset): { values: Float64Array; columns: string[] } {
  return { values: imageFeaturesSync(specPixels(data), data.rows, data.channels), columns: imageFeatureNames(data.channels) };
}

async function packQuadrants(id: string, net: ImageConvNet, data: ImageDataset) {
  return packLearnware({
    backend: new TsBackend(),
    id,
    data,
    model: exportImageConvNet(net),
    semantic: imageSemantic(id, QUADRANTS),
    output: { kind: 'probabilities', classes: QUADRANTS },
    specOptions: { K: 8 },
  });
}

function dockError(f: () => unknown): DockError {
  try {
    f();
  } catch (e) {
    if (e instanceof DockError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('packing and checking an image learnware', () => {
  it('reads [N, C, H, W] from the model, fills model.input.image, and the checker probes it with images', async () => {
    const data = quadrantImages(40, 28, 28, 1, 11);
    const packed = await packQuadrants('quadrants-grey-28', quadrantNet(1, 28, 'avg', 20), data);
    expect(packed.check.reasons).toEqual([]);
    expect(packed.check.status).toBe('USABLE');
    const input = packed.manifest.model.input;
    expect(input).toEqual({ name: 'images', features: [], dtype: 'float32', shape: [null, 1, 28, 28], image: { channels: 1, height: 28, width: 28, layout: 'NCHW', range: [0, 255] } });
    expect(packed.manifest.model.output).toEqual({ name: 'probabilities', kind: 'probabilities', classes: QUADRANTS, shape: [null, 4] });
    expect(packed.manifest.specs[0].type).toBe('RKMEImageSpecification');
    const ids = packed.check.passed.map((p) => p.id);
    expect(ids).toEqual(['zip', 'manifest', 'files', 'spec', 'model-load', 'model-io', 'model-run', 'output-shape', 'finite', 'probabilities']);
    expect(packed.check.passed.find((p) => p.id === 'spec')!.label).toContain('grey images of 28×28 pixels');
    expect(packed.check.passed.find((p) => p.id === 'model-io')!.label).toContain('images [n, 1, 28, 28]');
    const readme = new TextDecoder().decode(readZip(packed.bundle).get('README.md'));
    expect(readme).toContain('- Input: grey images of 28×28 pixels, float32 [n, 1, 28, 28] (NCHW), values 0–255');
  });

  it('agrees with a size the packer gives, refuses one the model does not take, and a model that is not four-dimensional', async () => {
    const data = quadrantImages(12, 32, 32, 3, 12);
    const net = quadrantNet(3, 32, 'avg', 20);
    const bytes = exportImageConvNet(net);
    const base = {
      backend: new TsBackend(),
      data,
      semantic: imageSemantic('quadrants-open', QUADRANTS),
      output: { kind: 'probabilities' as const, classes: QUADRANTS },
      specOptions: { K: 4 },
    };
    const packed = await packLearnware({ ...base, model: bytes, image: { height: 32, width: 32 } });
    expect(packed.manifest.model.input.image).toEqual({ channels: 3, height: 32, width: 32, layout: 'NCHW', range: [0, 255] });
    await expect(packLearnware({ ...base, model: bytes, image: { height: 28, width: 32 } })).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
      message: expect.stringMatching(/height 32, 28 was given/),
    });
    const { exportDenseOnnx } = await import('../../src/engine/model/onnx-export.js');
    const dense = exportDenseOnnx({ layers: [{ inputs: 3, outputs: 4, weights: new Float32Array(12), bias: new Float32Array(4) }], output: 'softmax' });
    await expect(packLearnware({ ...base, model: dense })).rejects.toMatchObject({ code: 'NOT_AN_IMAGE_MODEL', message: expect.stringMatching(/2-dimensional input \[N, 3\]/) });
  });

  it("a model whose declared size is not the manifest's is NONUSABLE (MODEL_IO), before it runs", async () => {
    const data = quadrantImages(12, 28, 28, 1, 13);
    const packed = await packQuadrants('quadrants-28', quadrantNet(1, 28, 'avg', 20), data);
    const files = readZip(packed.bundle);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('learnware.json'))) as Manifest;
    const other = exportImageConvNet(quadrantNet(1, 32, 'avg', 20));
    const { sha256Hex } = await import('../../src/engine/core/hash.js');
    manifest.files['model.onnx'] = { sha256: await sha256Hex(other), size: other.length };
    files.set('model.onnx', other);
    files.set('learnware.json', new TextEncoder().encode(JSON.stringify(manifest)));
    const result = await checkBundle(writeZip([...files]));
    expect(result.status).toBe('NONUSABLE');
    expect(result.reasons).toEqual([{ code: 'MODEL_IO', message: "the model's input is [N, 1, 32, 32], the manifest feeds it images [n, 1, 28, 28] (channels, height, width)" }]);
  });
});

describe('the probe of large image models', () => {
  it('feeds a 1024×1024 RGB model fewer images (within PROBE_IMAGE_VALUES), herded and random both', async () => {
    const net: ImageConvNet = {
      input: { channels: 3, height: 1024, width: 1024 },
      scale: 1 / 255,
      convs: [{ weights: new Float32Array(3).fill(1 / 3), bias: new Float32Array(1), kernel: 1, padding: 0, relu: true, pool: { kind: 'avg', size: 512 } }],
      dense: [{ inputs: 4, outputs: 4, weights: Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 20 : 0)), bias: new Float32Array(4) }],
      softmax: true,
    };
    const packed = await packQuadrants('quadrants-1024', net, quadrantImages(8, 48, 48, 3, 22));
    expect(packed.check.status).toBe('USABLE');
    const fit = Math.floor(PROBE_IMAGE_VALUES / (3 * 1024 * 1024));
    expect(packed.check.passed.find((p) => p.id === 'model-run')!.label).toMatch(new RegExp(`^the model ran on ${fit} images drawn`));
  });

  it('refuses to pack an image model from a table', async () => {
    const { tableDataset } = await import('../../src/engine/data/dataset.js');
    const table = tableDataset({ values: new Float64Array(8), rows: 4, cols: 2, featureNames: ['a', 'b'] });
    await expect(
      packLearnware({
        backend: new TsBackend(),
        data: table,
        model: exportImageConvNet(quadrantNet(1, 28, 'avg', 20)),
        semantic: imageSemantic('quadrants-table', QUADRANTS),
        output: { kind: 'probabilities', classes: QUADRANTS },
      }),
    ).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
      message: expect.stringMatching(/the model takes images \[N, 1, 28, 28\] \(n, channels, height, width\): pack it with the images/),
    });
  });
});

describe('model.input.image in the manifest', () => {
  let good: Manifest;
  beforeAll(async () => {
    good = (await packQuadrants('quadrants-manifest', quadrantNet(1, 28, 'avg', 20), quadrantImages(8, 28, 28, 1, 14))).manifest;
  });
  const withInput = (input: Record<string, unknown>, semantic?: Partial<SemanticSpec>) =>
    checkManifest({ ...good, semantic: { ...good.semantic, ...semantic }, model: { ...good.model, input: { ...good.model.input, ...input } } });
  const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

  it('is valid as packed', () => {
    expect(checkManifest(good)).toEqual([]);
  });

  it('refuses a shape that is not [null, C, H, W] of the image, naming both', () => {
    const problems = withInput({ shape: [null, 1, 32, 32] });
    expect(fields(problems)).toEqual(['model.input.shape']);
    expect(problems[0].message).toBe('model.input.shape must be [null, channels, height, width] = [null, 1, 28, 28], not [null,1,32,32]');
    expect(fields(withInput({ shape: [1, 1, 28, 28] }))).toEqual(['model.input.shape']);
    expect(fields(withInput({ shape: [null, 784] }))).toEqual(['model.input.shape']);
  });

  it('refuses a 4-d input without model.input.image, and a missing or malformed image', () => {
    const { image: _image, ...rest } = good.model.input;
    void _image;
    const missing = checkManifest({ ...good, model: { ...good.model, input: rest } });
    expect(fields(missing)).toEqual(['model.input.image', 'semantic.Data']);
    expect(missing[0].message).toMatch(/needs model.input.image: \{channels, height, width, layout: "NCHW", range: \[0, 255\]\}/);
    expect(fields(withInput({ image: null }))).toEqual(['model.input.image']);
    expect(fields(withInput({ image: 'NCHW' }))).toEqual(['model.input.image']);
  });

  it('refuses a wrong range, layout, channels, size, dtype or features, each by its field', () => {
    const image = good.model.input.image!;
    const range = withInput({ image: { ...image, range: [0, 1] } });
    expect(fields(range)).toEqual(['model.input.image.range']);
    expect(range[0].message).toMatch(/range must be \[0, 255\]: the model is fed 8-bit pixel values and scales them inside its graph, not \[0,1\]/);
    expect(fields(withInput({ image: { ...image, layout: 'NHWC' } }))).toEqual(['model.input.image.layout']);
    expect(fields(withInput({ image: { ...image, channels: 4 }, shape: [null, 4, 28, 28] }))).toEqual(['model.input.image.channels']);
    expect(fields(withInput({ image: { ...image, height: 0 }, shape: [null, 1, 0, 28] }))).toEqual(['model.input.image.height']);
    expect(fields(withInput({ image: { ...image, width: 5000 }, shape: [null, 1, 28, 5000] }))).toEqual(['model.input.image.width']);
    expect(fields(withInput({ dtype: 'int64' }))).toEqual(['model.input.dtype']);
    expect(fields(withInput({ features: ['a'] }))).toEqual(['model.input.features']);
  });

  it('needs semantic Data "Image" for an image model, and an image model for Data "Image"', () => {
    const table = withInput({}, { Data: { Type: 'Class', Values: ['Table'] } });
    expect(table.map((p) => p.message)).toContain('a model that takes images has semantic Data "Image", not "Table"');
    const { image: _image, ...rest } = good.model.input;
    void _image;
    const tableModel = checkManifest({ ...good, model: { ...good.model, input: { ...rest, features: ['a', 'b'], shape: [null, 2] } } });
    expect(tableModel.map((p) => p.message)).toContain('semantic Data "Image" needs a model that takes images (model.input.image)');
  });
});

describe('predicting and reusing images', () => {
  it('feeds 28×28 images to a 28×28 model as they are: predictions equal the TS forward pass on the raw pixels (Fashion-MNIST)', async () => {
    const { images, labels } = fashionMnist(50);
    const data = imageDataset(
      images,
      images.map((_, i) => `t10k/${i}.png`),
      labels.map(String),
    );
    const raw = Float32Array.from(images.flatMap((i) => Array.from(i.pixels)));
    expect(modelPixels(data, 0, 50, { channels: 1, height: 28, width: 28 })).toEqual(raw);
    const net = randomNet(
      21,
      { channels: 1, height: 28, width: 28 },
      [
        { out: 6, kernel: 3, padding: 1, pool: { kind: 'max', size: 2 }, relu: true },
        { out: 8, kernel: 3, padding: 1, pool: { kind: 'avg', size: 2 }, relu: true },
      ],
      [],
      10,
    );
    const classes = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    const packed = await packLearnware({
      backend: new TsBackend(),
      id: 'fashion-random',
      data,
      model: exportImageConvNet(net),
      semantic: { ...imageSemantic('fashion-random', classes), Description: { Type: 'String', Values: 'A random conv net on Fashion-MNIST.' } },
      output: { kind: 'probabilities', classes },
      specOptions: { K: 8 },
    });
    expect(packed.check.status).toBe('USABLE');
    const lw = await loadLearnware(packed.bundle);
    try {
      const { values, columns } = userFeatures(data);
      const predictions = await predictLearnware(lw, values, 50, columns, { images: data, batch: 16 });
      const reference = forwardImageConvNet(net, raw, 50).outputs;
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(predictions.values[i] - reference[i]));
      expect(worst).toBeLessThan(1e-5);
      await expect(predictLearnware(lw, values, 50, columns)).rejects.toMatchObject({
        code: 'NOT_AN_IMAGE_MODEL',
        message: expect.stringMatching(/takes images \(grey, 28×28\); give the 50 images/),
      });
      await expect(predictLearnware(lw, values, 49, columns, { images: data })).rejects.toMatchObject({ code: 'NOT_AN_IMAGE_MODEL' });
    } finally {
      await lw.model.dispose();
    }
  });

  it('resizes 40×30 RGB images to a 32×32 model: every quadrant right, equal to the TS forward pass on the resized pixels', async () => {
    const net = quadrantNet(3, 32, 'avg', 20);
    const packed = await packQuadrants('quadrants-rgb-32', net, quadrantImages(24, 32, 32, 3, 15));
    const lw = await loadLearnware(packed.bundle);
    try {
      const user = quadrantImages(30, 40, 30, 3, 16);
      const { values, columns } = userFeatures(user);
      const predictions = await predictLearnware(lw, values, 30, columns, { images: user, batch: 7 });
      expect(argmaxRows(predictions.values, 30, 4).map((k) => QUADRANTS[k])).toEqual(user.labels);
      const resized = modelPixels(user, 0, 30, { channels: 3, height: 32, width: 32 });
      const reference = forwardImageConvNet(net, resized, 30).outputs;
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(predictions.values[i] - reference[i]));
      expect(worst).toBeLessThan(1e-5);
      // grey images into the RGB model: R = G = B, still right
      const grey = quadrantImages(8, 40, 30, 1, 17);
      const greyPredictions = await predictLearnware(lw, userFeatures(grey).values, 8, columns, { images: grey });
      expect(argmaxRows(greyPredictions.values, 8, 4).map((k) => QUADRANTS[k])).toEqual(grey.labels);
    } finally {
      await lw.model.dispose();
    }
  });

  it('reuses one image learnware and the average of two (28×28 grey and 32×32 grey models) on 40×30 images', async () => {
    const train = quadrantImages(24, 28, 28, 1, 18);
    const learnwares: Learnware[] = [];
    const nets = [quadrantNet(1, 28, 'avg', 20), quadrantNet(1, 32, 'max', 8)];
    for (const [i, net] of nets.entries()) learnwares.push(await loadLearnware((await packQuadrants(`quadrants-${i}`, net, train)).bundle));
    try {
      expect(learnwareFeatures(learnwares[0])).toEqual(learnwareFeatures(learnwares[1]));
      const user = quadrantImages(20, 40, 30, 1, 19);
      const { values, columns } = userFeatures(user);
      expect(columns).toEqual(learnwareFeatures(learnwares[0]));
      const one = await reuseLearnwares({ method: 'single', learnwares: [learnwares[0]], values, rows: 20, columns, images: user });
      expect(argmaxRows(one.predictions.values, 20, 4).map((k) => one.predictions.classes![k])).toEqual(user.labels);
      const both = await reuseLearnwares({ method: 'average', learnwares, values, rows: 20, columns, images: user });
      expect(both.composite.features).toEqual(columns);
      expect(both.composite.components.map((c) => c.id)).toEqual(['quadrants-0', 'quadrants-1']);
      expect(argmaxRows(both.predictions.values, 20, 4).map((k) => both.predictions.classes![k])).toEqual(user.labels);
      // the average is the mean of the two models' probabilities, each fed at its own size
      const each = await Promise.all(learnwares.map((lw) => predictLearnware(lw, values, 20, columns, { images: user })));
      for (let i = 0; i < 80; i++) expect(both.predictions.values[i]).toBeCloseTo((each[0].values[i] + each[1].values[i]) / 2, 6);
      // evaluation keeps the labelled images only, with their rows
      const labels = user.labels!.map((l, i) => (i % 5 === 4 ? null : l));
      const evaluation = await evaluateTable({ learnwares, values, rows: 20, columns, labels, images: user, seed: 1 });
      expect(evaluation.labelledAvailable).toBe(16);
      // the learnwares read every quadrant right: single and averaging make no error on the held-out images
      for (const method of ['single', 'average'] as const) expect(evaluation.rows.find((r) => r.method === method)!.error, method).toBe(0);
      await expect(reuseLearnwares({ method: 'single', learnwares: [learnwares[0]], values, rows: 20, columns })).rejects.toThrow(/takes images/);
    } finally {
      for (const lw of learnwares) await lw.model.dispose();
    }
  });

  it('refuses images for a table model', async () => {
    const user = quadrantImages(4, 8, 8, 1, 20);
    const manifest = { model: { input: { name: 'x', features: ['a'], dtype: 'float32', shape: [null, 1] }, output: { kind: 'probabilities', classes: ['p', 'q'], shape: [null, 2] } } };
    const lw = { id: 'table', manifest } as unknown as Learnware;
    await expect(predictLearnware(lw, new Float64Array(4), 4, ['a'], { images: user })).rejects.toMatchObject({
      code: 'NOT_AN_IMAGE_MODEL',
      message: expect.stringMatching(/takes 1 table features, not images/),
    });
    expect(dockError(() => modelPixels(user, 2, 4, { channels: 1, height: 8, width: 8 })).code).toBe('BAD_COUNT');
  });
});

describe('an image model made in PyTorch (tests/fixtures/torch-image, scripts/fixtures/make-torch-image-model.py)', () => {
  it('packs, checks USABLE and predicts Fashion-MNIST images as torch did', async () => {
    const dir = new URL('../fixtures/torch-image/', import.meta.url);
    const model = new Uint8Array(readFileSync(new URL('model.onnx', dir)));
    const samples = JSON.parse(readFileSync(new URL('samples.json', dir), 'utf8')) as { classes: string[]; labels: number[]; probabilities: number[][]; accuracy: number };
    const n = samples.labels.length;
    const { images, labels } = fashionMnist(n);
    expect(labels).toEqual(samples.labels);
    const data = imageDataset(
      images,
      images.map((_, i) => `t10k/${i}.png`),
      labels.map((l) => samples.classes[l]),
    );
    const packed = await packLearnware({
      backend: new TsBackend(),
      id: 'torch-fashion',
      data,
      model,
      semantic: {
        ...imageSemantic('torch-fashion', samples.classes),
        Library: { Type: 'Class', Values: ['PyTorch'] },
        Description: { Type: 'String', Values: 'A small PyTorch conv net on Fashion-MNIST.' },
      },
      output: { kind: 'probabilities', classes: samples.classes },
      specOptions: { K: 8 },
    });
    expect(packed.check.reasons).toEqual([]);
    expect(packed.manifest.model.input.image).toEqual({ channels: 1, height: 28, width: 28, layout: 'NCHW', range: [0, 255] });
    const lw = await loadLearnware(packed.bundle);
    try {
      const { values, columns } = userFeatures(data);
      const predictions = await predictLearnware(lw, values, n, columns, { images: data, batch: 10 });
      let worst = 0;
      samples.probabilities.forEach((row, r) => row.forEach((p, k) => (worst = Math.max(worst, Math.abs(predictions.values[r * 10 + k] - p)))));
      expect(worst).toBeLessThan(1e-5);
      const right = argmaxRows(predictions.values, n, 10).filter((k, r) => k === labels[r]).length;
      expect(right / n).toBeCloseTo(samples.accuracy, 6);
    } finally {
      await lw.model.dispose();
    }
  });
});
