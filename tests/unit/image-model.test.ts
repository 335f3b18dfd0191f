/**
 * The image model contract (docs/image.md §4–§5): exportImageConvNet run in onnxruntime-web equals
 * the plain-TS forward pass (model/conv-net.ts); the manifest's model.input.image; packing and
 * checking an image learnware; predictions at the model's own input size; reuse on images.
 */
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/engine/core/prng.js';
import { forwardImageConvNet } from '../../src/engine/model/conv-net.js';
import { exportImageConvNet, type ConvLayer, type DenseLayer, type ImageConvNet } from '../../src/engine/model/onnx-export.js';
import { OnnxModel } from '../../src/engine/model/onnx-runner.js';

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
