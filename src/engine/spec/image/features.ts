/**
 * The image features ψ (docs/image.md §2): a fixed, seeded random ConvNet "conv3-16-32-64@1" —
 * three layers [conv 3×3 pad 1 → ReLU → average pool 2×2] with 16, 32 and 64 channels on C×32×32
 * images in [0, 1], then an average pool 2×2: 64 × 2 × 2 = 256 features per image. Weights are
 * He-uniform, U(−√(6/fan_in), +√(6/fan_in)) with fan_in = 9 · in channels, biases U(−0.01, 0.01),
 * all drawn from core/prng.ts (uniform draws only, rounded to float32), so every machine builds the
 * same network. The kernel on features is k(x, y) = exp(−γ‖ψ(x) − ψ(y)‖²) with γ = IMAGE_GAMMA,
 * one for fitting and for comparing.
 */
import { throwIfCancelled } from '../../core/errors.js';
import { Prng } from '../../core/prng.js';
import { PhaseReporter, type JobOptions } from '../../core/progress.js';
import type { ComputeBackend, ConvLayer, ConvNetwork } from '../../kernels/backend.js';
import { convFeaturesSync } from '../../kernels/backend-ts.js';
import { SPEC_IMAGE_SIZE, type ImageDataset, type ImageFeatures } from '../../data/image.js';
import { specPixels } from '../../data/image-resize.js';

/** The feature network's id and version (a spec records it; specs of other networks are never compared). */
export const IMAGE_NETWORK = 'conv3-16-32-64@1';
/** Output channels of the network's three layers. */
const WIDTHS = [16, 32, 64] as const;
/** Average pool after the last layer: 4×4 → 2×2. */
const FINAL_POOL = 2;
/** Features per image: 64 × 2 × 2. */
export const IMAGE_FEATURE_DIM = 256;
/** The PRNG seed of the network for C input channels is NETWORK_SEED + C. */
const NETWORK_SEED = 1000;
/** Half-width of the biases' uniform range. */
const BIAS_RANGE = 0.01;
/**
 * γ of the image kernel: about 4.6 / the median squared ψ-distance of Fashion-MNIST image pairs (0.58),
 * chosen by identification on the demo protocol (docs/image.md §2): the median heuristic's γ = 2 let
 * the top-ranked learnware recover 61 % of the class-coverage gap, γ = 8 recovers 71 %.
 */
export const IMAGE_GAMMA = 8;

/** Images per convFeatures call of imageFeatures (a progress event and a cancellation check each). */
const CHUNK = 512;

const networks = new Map<number, ConvNetwork>();

/** The network for images of 1 or 3 channels (built once). */
export function imageNetwork(channels: 1 | 3): ConvNetwork {
  let network = networks.get(channels);
  if (!network) {
    const prng = new Prng(NETWORK_SEED + channels);
    const layers: ConvLayer[] = [];
    let inChannels: number = channels;
    for (const outChannels of WIDTHS) {
      const bound = Math.sqrt(6 / (9 * inChannels));
      const weights = new Float32Array(outChannels * inChannels * 9);
      for (let j = 0; j < weights.length; j++) weights[j] = (2 * prng.nextFloat() - 1) * bound;
      const bias = new Float32Array(outChannels);
      for (let j = 0; j < outChannels; j++) bias[j] = (2 * prng.nextFloat() - 1) * BIAS_RANGE;
      layers.push({ inChannels, outChannels, weights, bias });
      inChannels = outChannels;
    }
    network = { layers, finalPool: FINAL_POOL };
    networks.set(channels, network);
  }
  return network;
}

const shape = (channels: 1 | 3) => ({ channels, height: SPEC_IMAGE_SIZE, width: SPEC_IMAGE_SIZE });

/** ψ of n images [n, C, 32, 32] in [0, 1] on a backend: n × 256, in chunks (progress, cancellation). */
export async function pixelFeatures(backend: ComputeBackend, pixels: Float32Array, n: number, channels: 1 | 3, options: JobOptions & { job?: string } = {}): Promise<Float64Array> {
  const size = channels * SPEC_IMAGE_SIZE * SPEC_IMAGE_SIZE;
  if (pixels.length !== n * size) throw new RangeError(`pixels have ${pixels.length} values, expected ${n}×${channels}×${SPEC_IMAGE_SIZE}×${SPEC_IMAGE_SIZE}`);
  const phase = new PhaseReporter(options.onProgress, options.job ?? 'spec', 'features', n, 'rows');
  const out = new Float64Array(n * IMAGE_FEATURE_DIM);
  for (let start = 0; start < n; start += CHUNK) {
    throwIfCancelled(options.signal);
    const count = Math.min(CHUNK, n - start);
    const values = await backend.convFeatures(pixels.subarray(start * size, (start + count) * size), count, shape(channels), imageNetwork(channels), options.signal);
    out.set(values, start * IMAGE_FEATURE_DIM);
    phase.update(start + count);
  }
  phase.finish();
  return out;
}

/** ψ of a data set's images (resized to 32×32, pixels / 255) on a backend. */
export async function imageFeatures(backend: ComputeBackend, data: ImageDataset, options: JobOptions & { job?: string } = {}): Promise<ImageFeatures> {
  const values = await pixelFeatures(backend, specPixels(data), data.rows, data.channels, options);
  return { values, dim: IMAGE_FEATURE_DIM, network: IMAGE_NETWORK };
}

/** ψ of n images [n, C, 32, 32] in [0, 1] in plain TypeScript (Float64; synchronous). */
export function imageFeaturesSync(pixels: Float32Array, n: number, channels: 1 | 3): Float64Array {
  return convFeaturesSync(pixels, n, shape(channels), imageNetwork(channels));
}

/** The island features of images of C channels: `${network}:c${C}:${i}`, i < 256. */
export function imageFeatureNames(channels: 1 | 3, network = IMAGE_NETWORK): string[] {
  const key = `${network}:c${channels}`;
  let names = featureNames.get(key);
  if (!names) {
    names = Array.from({ length: IMAGE_FEATURE_DIM }, (_, i) => `${key}:${i}`);
    if (featureNames.size < 16) featureNames.set(key, names);
  }
  return names;
}

const featureNames = new Map<string, string[]>();
