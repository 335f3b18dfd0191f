/**
 * Builders for image tests (docs/image.md): real Fashion-MNIST test images (Debian's
 * dataset-fashion-mnist, read with readIdx), written as PNG files in class folders or a zip, and a
 * tiny image classifier exported to ONNX with no training: a nearest-centroid linear model on the
 * pixels (score_c = s·(m_c·x − ½‖m_c‖²) on x = pixels / 255, m_c = the class's mean image), which
 * is what a Gaussian classifier with a shared identity covariance learns.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportImageConvNet, readIdx, writeZip } from '../../src/engine/index.js';
import { FASHION_CLASSES, FASHION_MNIST_DIR } from '../../scripts/demo-image-sources.js';
import { encodePng } from '../../scripts/png-encode.js';

export { FASHION_CLASSES } from '../../scripts/demo-image-sources.js';

export const SIDE = 28;

export interface FashionImages {
  /** n × 28 × 28 bytes */
  pixels: Uint8Array;
  labels: Uint8Array;
  n: number;
}

let cached: FashionImages | undefined;

/** The 10,000 Fashion-MNIST test images and their labels. */
export function fashionTest(dir = FASHION_MNIST_DIR): FashionImages {
  if (cached) return cached;
  const images = readIdx(readFileSync(join(dir, 't10k-images-idx3-ubyte.gz')));
  const labels = readIdx(readFileSync(join(dir, 't10k-labels-idx1-ubyte.gz')));
  cached = { pixels: images.data, labels: labels.data, n: images.dims[0] };
  return cached;
}

/** The indices of `count` images of each class, the `skip`-th onwards of that class (so sets drawn with other skips are disjoint). */
export function pick(data: FashionImages, classes: readonly number[], count: number, skip = 0): number[] {
  const out: number[] = [];
  for (const c of classes) {
    let seen = 0;
    for (let i = 0; i < data.n && seen < skip + count; i++) {
      if (data.labels[i] !== c) continue;
      if (seen >= skip) out.push(i);
      seen++;
    }
  }
  return out;
}

export function imagePng(data: FashionImages, index: number): Uint8Array {
  return encodePng(SIDE, SIDE, 1, data.pixels.subarray(index * SIDE * SIDE, (index + 1) * SIDE * SIDE));
}

/** The images as `<class>/<nnn>.png` paths (numbered in the given order) with their PNG bytes. */
export function imageFiles(data: FashionImages, indices: readonly number[], labelled = true): [string, Uint8Array][] {
  return indices.map((i, k) => [`${labelled ? `${FASHION_CLASSES[data.labels[i]]}/` : ''}${String(k).padStart(3, '0')}.png`, imagePng(data, i)]);
}

/** Writes the files under `root` (folders made as needed). */
export function writeFiles(root: string, files: readonly [string, Uint8Array][]): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
}

/** The same files in a zip, under one wrapping folder (what zipping a folder gives). */
export function zipFiles(files: readonly [string, Uint8Array][], folder: string): Uint8Array {
  return writeZip(files.map(([path, bytes]) => [`${folder}/${path}`, bytes]));
}

/** A nearest-centroid classifier of the given classes on 28×28 grey images, as ONNX (input 'images' [N,1,28,28] 0–255 → probabilities). */
export function centroidModel(data: FashionImages, indices: readonly number[], classes: readonly number[], sharpness = 5): Uint8Array {
  const d = SIDE * SIDE;
  const means = classes.map(() => new Float64Array(d));
  const counts = classes.map(() => 0);
  for (const i of indices) {
    const c = classes.indexOf(data.labels[i]);
    if (c < 0) continue;
    counts[c]++;
    for (let j = 0; j < d; j++) means[c][j] += data.pixels[i * d + j] / 255;
  }
  const weights = new Float32Array(d * classes.length);
  const bias = new Float32Array(classes.length);
  classes.forEach((_, c) => {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const m = means[c][j] / counts[c];
      weights[j * classes.length + c] = sharpness * m;
      norm += m * m;
    }
    bias[c] = -0.5 * sharpness * norm;
  });
  return exportImageConvNet({
    input: { channels: 1, height: SIDE, width: SIDE },
    scale: 1 / 255,
    convs: [],
    dense: [{ weights, bias, inputs: d, outputs: classes.length }],
    softmax: true,
  });
}

/** The semantic specification of an image classifier of these classes (Data "Image"). */
export function imageSemantic(name: string, classes: readonly string[]): string {
  return JSON.stringify({
    Data: { Type: 'Class', Values: ['Image'] },
    Task: { Type: 'Class', Values: ['Classification'] },
    Library: { Type: 'Class', Values: ['Others'] },
    Scenario: { Type: 'Tag', Values: ['Business'] },
    License: { Type: 'Class', Values: ['MIT'] },
    Name: { Type: 'String', Values: name },
    Description: { Type: 'String', Values: `Tells ${classes.join(', ')} images apart.` },
    Output: { Dimension: classes.length, Description: Object.fromEntries(classes.map((c, i) => [String(i), c])) },
  });
}
