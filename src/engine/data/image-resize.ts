/**
 * The one resize of image data (docs/image.md §1): antialiased bilinear, separable (rows, then
 * columns), in Float64. Each output sample is a weighted mean of the input samples under a triangle
 * filter centred on the output pixel's centre mapped into the input; when shrinking, the filter's
 * support widens by the scale factor, so every input pixel contributes (PIL's BILINEAR, torch's
 * antialias=True). Weights are normalised per output sample; nothing is rounded, so Node and every
 * browser compute the same numbers. Channels are matched first: grey → RGB replicates, RGB → grey is
 * 0.299 R + 0.587 G + 0.114 B. The spec reads images at 32×32 in [0, 1]; a model at its own size in
 * 0–255 (an image already at the model's size passes unchanged). Imports core and data only.
 */
import { InputError } from '../core/errors.js';
import { SPEC_IMAGE_SIZE, type DecodedImage, type ImageDataset } from './image.js';

/** The input an image model takes (the channels, height and width of its NCHW input). */
export interface PixelSize {
  channels: 1 | 3;
  height: number;
  width: number;
}

interface Coefficients {
  /** first input index of each output sample */
  first: Int32Array;
  /** how many input samples each output sample reads */
  count: Int32Array;
  /** outSize × ksize weights, normalised to sum 1 */
  weights: Float64Array;
  ksize: number;
}

const cache = new Map<string, Coefficients>();

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

/** The weights that map inSize samples to outSize samples along one axis. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const key = `${inSize}:${outSize}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * ksize);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(centre + support + 0.5));
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = triangle((i - centre + 0.5) / filterScale);
      weights[o * ksize + i - lo] = w;
      total += w;
    }
    if (total !== 0) for (let i = 0; i < hi - lo; i++) weights[o * ksize + i] /= total;
    first[o] = lo;
    count[o] = hi - lo;
  }
  const c = { first, count, weights, ksize };
  if (cache.size > 64) cache.clear();
  cache.set(key, c);
  return c;
}

/** The image's samples as `channels` planes (channels × height × width, Float64, 0–255). */
function planes(image: DecodedImage, channels: 1 | 3): Float64Array {
  const n = image.width * image.height;
  const src = image.pixels;
  const out = new Float64Array(n * channels);
  if (image.channels === channels) {
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) out[c * n + i] = src[i * channels + c];
  } else if (channels === 3) {
    for (let i = 0; i < n; i++) out[i] = out[n + i] = out[2 * n + i] = src[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = 0.299 * src[i * 3] + 0.587 * src[i * 3 + 1] + 0.114 * src[i * 3 + 2];
  }
  return out;
}

/** One image resized to channels × height × width samples, 0–255 (Float64; exact when the size and channels already match). */
export function resizeImage(image: DecodedImage, size: PixelSize): Float64Array {
  const { channels, height: H, width: W } = size;
  checkSize(size);
  const { width: w, height: h } = image;
  if (image.pixels.length !== w * h * image.channels) throw new InputError('BAD_SHAPE', `an image of ${w}×${h}×${image.channels} holds ${image.pixels.length} samples`);
  let data = planes(image, channels);
  let cw = w;
  if (W !== w) {
    const k = coefficients(w, W);
    const next = new Float64Array(channels * h * W);
    for (let row = 0; row < channels * h; row++) {
      const src = row * w;
      const dst = row * W;
      for (let o = 0; o < W; o++) {
        const base = o * k.ksize;
        const start = src + k.first[o];
        let sum = 0;
        for (let j = 0; j < k.count[o]; j++) sum += k.weights[base + j] * data[start + j];
        next[dst + o] = sum;
      }
    }
    data = next;
    cw = W;
  }
  if (H !== h) {
    const k = coefficients(h, H);
    const next = new Float64Array(channels * H * cw);
    for (let c = 0; c < channels; c++) {
      const plane = c * h * cw;
      for (let o = 0; o < H; o++) {
        const base = o * k.ksize;
        const dst = (c * H + o) * cw;
        for (let j = 0; j < k.count[o]; j++) {
          const weight = k.weights[base + j];
          const src = plane + (k.first[o] + j) * cw;
          for (let x = 0; x < cw; x++) next[dst + x] += weight * data[src + x];
        }
      }
    }
    data = next;
  }
  return data;
}

function checkSize(size: PixelSize): void {
  const ok = (v: number) => Number.isInteger(v) && v >= 1 && v <= 65_536;
  if ((size.channels !== 1 && size.channels !== 3) || !ok(size.height) || !ok(size.width))
    throw new InputError('BAD_SHAPE', `an image input must be 1 or 3 channels of 1 to 65536 pixels a side, not ${size.channels}×${size.height}×${size.width}`);
}

function checkRange(data: ImageDataset, start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > data.rows)
    throw new InputError('BAD_COUNT', `images ${start} to ${start + count - 1} are asked for; there are ${data.rows}`, { start, count, rows: data.rows });
}

/**
 * The images as the spec reads them: n × C × 32 × 32 (C = the data set's channels), samples ÷ 255 in
 * [0, 1]; all of them, or images start … start + count − 1 (a batch, to bound memory on large sets).
 */
export function specPixels(data: ImageDataset, start = 0, count = data.rows - start): Float32Array {
  checkRange(data, start, count);
  const side = SPEC_IMAGE_SIZE;
  const per = data.channels * side * side;
  const out = new Float32Array(count * per);
  for (let i = 0; i < count; i++) {
    const r = resizeImage(data.images[start + i], { channels: data.channels, height: side, width: side });
    for (let j = 0; j < per; j++) out[i * per + j] = r[j] / 255;
  }
  return out;
}

/** Images start … start + count − 1 as a model takes them: count × C × H × W, samples 0–255 (float32). */
export function modelPixels(data: ImageDataset, start: number, count: number, size: PixelSize): Float32Array {
  checkRange(data, start, count);
  checkSize(size);
  const per = size.channels * size.height * size.width;
  const out = new Float32Array(count * per);
  for (let i = 0; i < count; i++) out.set(resizeImage(data.images[start + i], size), i * per);
  return out;
}
