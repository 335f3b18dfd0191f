/**
 * The demo catalog's image part (docs/image.md §6): 50 image learnwares on Fashion-MNIST after the
 * reference's image protocol (scripts/demo-image-sources.ts), and some users' held-out images for
 * the page. Every developer's model is the same small net: × 1/255 → one Conv 3×3 (pad 1) of
 * IMAGE_FILTERS fixed filters (seeded He-uniform draws, the same for all 50) → ReLU → AveragePool
 * POOL×POOL → Flatten → Gemm → Softmax over its own 4 classes. Only the Gemm is trained: softmax
 * regression (Adam, minibatches in a seeded order, L2) on the conv features, standardised while
 * training and folded back into the Gemm, so the exported graph takes raw 0–255 pixels. Every
 * number comes from seeded draws and plain Float64 arithmetic: the same bytes on every run.
 * Bundles are packed here with the engine's packLearnware (spec, pack, check) and catalogued by
 * build-demo-catalog.ts with the table and text bundles (one `catalog build`).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packLearnware, Prng, type ComputeBackend, type SemanticSpec } from '../src/engine/index.js';
import { imageDataset, type DecodedImage, type ImageDataset } from '../src/engine/data/image.js';
import { exportImageConvNet, type ConvLayer, type ImageConvNet } from '../src/engine/model/onnx-export.js';
import {
  FASHION_CLASSES,
  holdoutUsers,
  IMAGE_SIDE,
  imageDevelopers,
  imageUsers,
  loadFashionMnist,
  writeImageHoldout,
  type FashionSplit,
  type ImageParty,
} from './demo-image-sources.js';
import { fnv1a } from './demo-sources.js';

/** conv filters of the demo models */
export const IMAGE_FILTERS = 8;
/** average-pooling window (and stride) after the conv: 28×28 → 7×7 */
export const POOL = 4;
/** features the Gemm takes: filters × 7 × 7 */
export const HEAD_INPUTS = IMAGE_FILTERS * (IMAGE_SIDE / POOL) ** 2;
/** softmax regression: epochs, minibatch, Adam step, L2 weight (on standardised features) */
export const HEAD_EPOCHS = 6;
export const HEAD_BATCH = 64;
export const HEAD_STEP = 0.01;
export const HEAD_L2 = 1e-4;
/** spec reduced-set size (the image RKME's K) */
export const IMAGE_K = 50;

export interface DemoImageTimes {
  loadMs: number;
  featuresMs: number;
  trainMs: number;
  specMs: number;
  packMs: number;
  holdoutMs: number;
}

/** The data set, developers and users (the benchmark uses the same). */
export function demoImageData() {
  const data = loadFashionMnist();
  return { data, developers: imageDevelopers(data.train), users: imageUsers(data.test) };
}

/** The fixed conv layer every demo model starts with: He-uniform weights (fan-in 9) and small biases, from a Prng seeded by name. */
export function demoConvLayer(): ConvLayer {
  const prng = new Prng(fnv1a('fashion-mnist demo conv filters'));
  const limit = Math.sqrt(6 / 9);
  const weights = Float32Array.from({ length: IMAGE_FILTERS * 9 }, () => (prng.nextFloat() * 2 - 1) * limit);
  const bias = Float32Array.from({ length: IMAGE_FILTERS }, () => (prng.nextFloat() * 2 - 1) * 0.1);
  return { weights, bias, kernel: 3, padding: 1, relu: true, pool: { kind: 'avg', size: POOL } };
}

/**
 * The conv layer's features of `rows` images of a split (28×28 grey bytes): the Flatten the Gemm
 * takes, row-major rows × HEAD_INPUTS, NCHW order (filter, then 7×7). The graph's own arithmetic
 * (model/conv-net.ts computes the same to ~1e-7) written for one grey channel, so 50,000 images take seconds.
 */
export function convFeatures(split: FashionSplit, rows: ArrayLike<number>, conv: ConvLayer = demoConvLayer()): Float64Array {
  const S = IMAGE_SIDE;
  const P = S / POOL;
  const W = Float64Array.from(conv.weights);
  const out = new Float64Array(rows.length * HEAD_INPUTS);
  const padded = new Float64Array((S + 2) * (S + 2));
  for (let n = 0; n < rows.length; n++) {
    const image = rows[n] * S * S;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) padded[(y + 1) * (S + 2) + x + 1] = split.images[image + y * S + x] / 255;
    for (let f = 0; f < IMAGE_FILTERS; f++) {
      const k = f * 9;
      const [w0, w1, w2, w3, w4, w5, w6, w7, w8] = W.subarray(k, k + 9);
      const b = conv.bias[f];
      const base = n * HEAD_INPUTS + f * P * P;
      for (let y = 0; y < S; y++) {
        const r0 = y * (S + 2);
        const r1 = r0 + S + 2;
        const r2 = r1 + S + 2;
        const cell = base + Math.floor(y / POOL) * P;
        for (let x = 0; x < S; x++) {
          const v =
            b +
            w0 * padded[r0 + x] +
            w1 * padded[r0 + x + 1] +
            w2 * padded[r0 + x + 2] +
            w3 * padded[r1 + x] +
            w4 * padded[r1 + x + 1] +
            w5 * padded[r1 + x + 2] +
            w6 * padded[r2 + x] +
            w7 * padded[r2 + x + 1] +
            w8 * padded[r2 + x + 2];
          if (v > 0) out[cell + Math.floor(x / POOL)] += v;
        }
      }
      for (let c = 0; c < P * P; c++) out[base + c] /= POOL * POOL;
    }
  }
  return out;
}

/**
 * Softmax regression of `classes` classes on rows × d features x (labels 0..classes−1): features
 * standardised, Adam on minibatches of HEAD_BATCH in an order drawn by Prng(seed) each epoch, L2 on
 * the weights. Returns the Gemm on raw features (row-major d × classes) with the standardisation folded in.
 */
export function trainSoftmaxHead(x: Float64Array, rows: number, d: number, labels: Int32Array, classes: number, seed: number): { weights: Float32Array; bias: Float32Array } {
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) scale[j] += (x[i * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) scale[j] = 1 / (Math.sqrt(scale[j] / rows) || 1);
  const z = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i * d + j] - mean[j]) * scale[j];
  const C = classes;
  const size = d * C + C; // weights, then biases
  const theta = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const grad = new Float64Array(size);
  const p = new Float64Array(C);
  const prng = new Prng(seed);
  const beta1 = 0.9;
  const beta2 = 0.999;
  let step = 0;
  for (let epoch = 0; epoch < HEAD_EPOCHS; epoch++) {
    const order = prng.sampleWithoutReplacement(rows, rows);
    for (let start = 0; start < rows; start += HEAD_BATCH) {
      const end = Math.min(rows, start + HEAD_BATCH);
      grad.fill(0);
      for (let q = start; q < end; q++) {
        const i = order[q];
        const row = i * d;
        for (let c = 0; c < C; c++) p[c] = theta[d * C + c];
        for (let j = 0; j < d; j++) {
          const value = z[row + j];
          for (let c = 0; c < C; c++) p[c] += value * theta[j * C + c];
        }
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, p[c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += p[c] = Math.exp(p[c] - max);
        for (let c = 0; c < C; c++) p[c] = p[c] / sum - (c === labels[i] ? 1 : 0);
        for (let c = 0; c < C; c++) grad[d * C + c] += p[c];
        for (let j = 0; j < d; j++) {
          const value = z[row + j];
          for (let c = 0; c < C; c++) grad[j * C + c] += value * p[c];
        }
      }
      step++;
      const n = end - start;
      const c1 = 1 - beta1 ** step;
      const c2 = 1 - beta2 ** step;
      for (let k = 0; k < size; k++) {
        const g = grad[k] / n + (k < d * C ? HEAD_L2 * theta[k] : 0);
        m[k] = beta1 * m[k] + (1 - beta1) * g;
        v[k] = beta2 * v[k] + (1 - beta2) * g * g;
        theta[k] -= (HEAD_STEP * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + 1e-8);
      }
    }
  }
  // logits = b + Σ_j w_jc (x_j − mean_j)·scale_j = (b − Σ_j w_jc mean_j scale_j) + Σ_j (w_jc scale_j) x_j
  const weights = new Float32Array(d * C);
  const bias = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    let b = theta[d * C + c];
    for (let j = 0; j < d; j++) {
      weights[j * C + c] = theta[j * C + c] * scale[j];
      b -= theta[j * C + c] * scale[j] * mean[j];
    }
    bias[c] = b;
  }
  return { weights, bias };
}

/** A developer's classes as the model's outputs: its 4 classes in label order (0–9). */
export function developerClasses(dev: ImageParty): string[] {
  return [...dev.classes].sort((a, b) => a - b).map((c) => FASHION_CLASSES[c]);
}

/** The developer's trained net (conv features from `features`, rows in dev.indices order). */
export function trainDeveloperNet(split: FashionSplit, dev: ImageParty, features: Float64Array, conv: ConvLayer = demoConvLayer()): ImageConvNet {
  const order = [...dev.classes].sort((a, b) => a - b);
  const labels = Int32Array.from(dev.indices, (r) => order.indexOf(split.labels[r]));
  const head = trainSoftmaxHead(features, dev.indices.length, HEAD_INPUTS, labels, order.length, fnv1a(`${dev.seedName} head`));
  return {
    input: { channels: 1, height: IMAGE_SIDE, width: IMAGE_SIDE },
    scale: 1 / 255,
    convs: [conv],
    dense: [{ inputs: HEAD_INPUTS, outputs: order.length, weights: head.weights, bias: head.bias }],
    softmax: true,
  };
}

/** The party's images as an image dataset (views on the split's bytes), sources `<class>/<index>.png`, labelled by class. */
export function partyDataset(split: FashionSplit, party: ImageParty): ImageDataset {
  const size = IMAGE_SIDE * IMAGE_SIDE;
  const images: DecodedImage[] = Array.from(party.indices, (r) => ({ width: IMAGE_SIDE, height: IMAGE_SIDE, channels: 1, pixels: split.images.subarray(r * size, (r + 1) * size) }));
  const labels = Array.from(party.indices, (r) => FASHION_CLASSES[split.labels[r]] as string);
  const sources = Array.from(party.indices, (r, i) => `${labels[i]}/${String(r).padStart(5, '0')}.png`);
  return imageDataset(images, sources, labels);
}

/**
 * Writes one bundle per developer into `bundles` (`<id>.zip`) and some users' images into
 * `holdout` (writeImageHoldout, replaced as a whole). Returns the phase times.
 */
export async function buildImageBundles(backend: ComputeBackend, bundles: string, holdout: string, log: (line: string) => void = () => {}): Promise<DemoImageTimes> {
  const times: DemoImageTimes = { loadMs: 0, featuresMs: 0, trainMs: 0, specMs: 0, packMs: 0, holdoutMs: 0 };
  let t = performance.now();
  const lap = (key: keyof DemoImageTimes) => {
    const now = performance.now();
    times[key] += now - t;
    t = now;
  };
  const { data, developers, users } = demoImageData();
  lap('loadMs');
  // conv features once per training image that a developer holds (developers' draws overlap)
  const used = [...new Set(developers.flatMap((d) => Array.from(d.indices)))].sort((a, b) => a - b);
  const conv = demoConvLayer();
  const all = convFeatures(data.train, used, conv);
  const rowOf = new Map(used.map((r, i) => [r, i]));
  lap('featuresMs');
  for (const dev of developers) {
    const features = new Float64Array(dev.indices.length * HEAD_INPUTS);
    dev.indices.forEach((r, i) => features.set(all.subarray(rowOf.get(r)! * HEAD_INPUTS, (rowOf.get(r)! + 1) * HEAD_INPUTS), i * HEAD_INPUTS));
    const net = trainDeveloperNet(data.train, dev, features, conv);
    const model = exportImageConvNet(net);
    const classes = developerClasses(dev);
    lap('trainMs');
    const started = performance.now();
    const packed = await packLearnware({
      backend,
      data: partyDataset(data.train, dev),
      model,
      semantic: imageSemantic(dev, classes),
      id: dev.id,
      output: { kind: 'probabilities', classes },
      specOptions: { K: IMAGE_K },
    });
    times.specMs += packed.report.ms;
    if (packed.check.status !== 'USABLE') throw new Error(`${dev.id}: the packed bundle fails its check: ${JSON.stringify(packed.check.reasons)}`);
    writeFileSync(join(bundles, `${dev.id}.zip`), packed.bundle);
    t = performance.now();
    times.packMs += t - started - packed.report.ms;
    log(`image ${dev.id}: ${dev.indices.length} images of ${classes.join(', ')}, ${(t - started).toFixed(0)} ms`);
  }
  rmSync(holdout, { recursive: true, force: true });
  const entries = writeImageHoldout(data.test, holdoutUsers(users), holdout);
  lap('holdoutMs');
  log(`image holdout ${holdout}: ${entries.length} users, ${entries.reduce((s, e) => s + e.rows, 0)} images`);
  return times;
}

function imageSemantic(dev: ImageParty, classes: readonly string[]): SemanticSpec {
  const n = dev.id.slice(dev.id.lastIndexOf('-') + 1);
  const drawn = dev.classes.map((c) => FASHION_CLASSES[c]);
  // one pattern for all 50 (semantic names have at most 50 characters): the number, then the classes, largest first
  const name = `Fashion ${n}: ${drawn.join(', ')}`;
  return {
    Data: { Type: 'Class', Values: ['Image'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Fashion'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: {
      Type: 'String',
      Values: `Which of ${drawn.length} kinds of clothing a 28×28 greyscale photo shows: ${drawn.join(', ')}. A ${IMAGE_FILTERS}-filter 3×3 convolution (fixed random filters), ReLU and ${POOL}×${POOL} average pooling, then softmax regression trained on ${dev.indices.length} Fashion-MNIST training images (40 % ${drawn[0]}, 40 % ${drawn[1]}, 10 % ${drawn[2]}, 10 % ${drawn[3]}; Zalando Research, MIT, Debian dataset-fashion-mnist).`,
    },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  };
}
