/**
 * The plain-TypeScript forward pass of an image conv net (docs/image.md §4): the same graph
 * exportImageConvNet writes (× scale → Conv + ReLU + pooling blocks → Flatten in NCHW order →
 * dense layers with ReLU between → Softmax), in Float64. Tests compare it with onnxruntime's run of
 * the export; the demo's trainer uses it to predict. Imports only model/onnx-export.ts.
 */
import { convNetShapes, type ImageConvNet } from './onnx-export.js';

export interface ConvNetForward {
  /** row-major n × classes: probabilities when the net ends in Softmax, else scores */
  outputs: Float64Array;
  classes: number;
  /** the flattened features each image gives the first dense layer, row-major n × (C·H·W of the last block) */
  flat: Float64Array;
}

/** Runs n images (float32 [n, C, H, W], values 0–255) through the net. */
export function forwardImageConvNet(net: ImageConvNet, pixels: Float32Array | Float64Array, n: number): ConvNetForward {
  const shapes = convNetShapes(net);
  const [c0, h0, w0] = shapes[0];
  const size = c0 * h0 * w0;
  if (!Number.isInteger(n) || n < 0 || pixels.length !== n * size) throw new RangeError(`expected ${n}×${c0}×${h0}×${w0} pixel values, got ${pixels.length}`);
  const [cl, hl, wl] = shapes[shapes.length - 1];
  const flatDim = cl * hl * wl;
  const classes = net.dense[net.dense.length - 1].outputs;
  const flat = new Float64Array(n * flatDim);
  const outputs = new Float64Array(n * classes);
  for (let image = 0; image < n; image++) {
    let map: Float64Array = new Float64Array(size);
    for (let i = 0; i < size; i++) map[i] = pixels[image * size + i] * net.scale;
    net.convs.forEach((conv, b) => {
      map = convBlock(map, shapes[b], conv);
    });
    flat.set(map, image * flatDim);
    let x: Float64Array = map;
    net.dense.forEach((layer, i) => {
      const y = new Float64Array(layer.outputs);
      for (let o = 0; o < layer.outputs; o++) y[o] = layer.bias[o];
      for (let k = 0; k < layer.inputs; k++) {
        const v = x[k];
        if (v === 0) continue;
        const row = k * layer.outputs;
        for (let o = 0; o < layer.outputs; o++) y[o] += v * layer.weights[row + o];
      }
      if (i < net.dense.length - 1) for (let o = 0; o < y.length; o++) y[o] = Math.max(0, y[o]);
      x = y;
    });
    if (net.softmax) softmaxInPlace(x);
    outputs.set(x, image * classes);
  }
  return { outputs, classes, flat };
}

function softmaxInPlace(x: Float64Array): void {
  let max = -Infinity;
  for (const v of x) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    x[i] = Math.exp(x[i] - max);
    sum += x[i];
  }
  for (let i = 0; i < x.length; i++) x[i] /= sum;
}

/** One block on one image: Conv (stride 1, zero padding) → ReLU → pooling (stride = size, floor). */
function convBlock(input: Float64Array, [c, h, w]: [number, number, number], conv: ImageConvNet['convs'][number]): Float64Array {
  const { kernel: k, padding: p } = conv;
  const out = conv.bias.length;
  const oh = h + 2 * p - k + 1;
  const ow = w + 2 * p - k + 1;
  let map: Float64Array = new Float64Array(out * oh * ow);
  for (let o = 0; o < out; o++) {
    const plane = o * oh * ow;
    map.fill(conv.bias[o], plane, plane + oh * ow);
    for (let i = 0; i < c; i++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const weight = conv.weights[((o * c + i) * k + ky) * k + kx];
          if (weight === 0) continue;
          for (let y = 0; y < oh; y++) {
            const sy = y + ky - p;
            if (sy < 0 || sy >= h) continue;
            const src = (i * h + sy) * w;
            const dst = plane + y * ow;
            const x0 = Math.max(0, p - kx);
            const x1 = Math.min(ow, w + p - kx);
            for (let x = x0; x < x1; x++) map[dst + x] += weight * input[src + x + kx - p];
          }
        }
      }
    }
  }
  if (conv.relu) for (let i = 0; i < map.length; i++) map[i] = Math.max(0, map[i]);
  if (conv.pool) {
    const s = conv.pool.size;
    const ph = Math.floor(oh / s);
    const pw = Math.floor(ow / s);
    const pooled = new Float64Array(out * ph * pw);
    const max = conv.pool.kind === 'max';
    for (let o = 0; o < out; o++) {
      for (let y = 0; y < ph; y++) {
        for (let x = 0; x < pw; x++) {
          let acc = max ? -Infinity : 0;
          for (let dy = 0; dy < s; dy++) {
            const row = (o * oh + y * s + dy) * ow + x * s;
            for (let dx = 0; dx < s; dx++) acc = max ? Math.max(acc, map[row + dx]) : acc + map[row + dx];
          }
          pooled[(o * ph + y) * pw + x] = max ? acc : acc / (s * s);
        }
      }
    }
    map = pooled;
  }
  return map;
}
