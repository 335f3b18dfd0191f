/**
 * Image features and specs across backends, shared by the Node test (ts / tfjs-cpu / tfjs-wasm) and
 * the browser test (plus tfjs-webgpu in Chromium): synthetic striped images, ψ on a candidate
 * backend against the Float64 plain-TS reference, and the stated tolerances (docs/image.md §2).
 */
import { Prng } from '../../src/engine/core/prng.js';
import type { ComputeBackend, ConvNetwork } from '../../src/engine/kernels/backend.js';
import { convFeaturesSync, TsBackend } from '../../src/engine/kernels/backend-ts.js';
import { buildImageRkme, imageSpecType } from '../../src/engine/spec/image/index.js';
import { imageNetwork } from '../../src/engine/spec/image/features.js';
import type { RkmeImageSpec } from '../../src/engine/spec/image/types.js';

/** Stated tolerances of the image path. */
export const IMAGE_TOLERANCE = {
  /** max |ψ_candidate − ψ_reference| relative to the largest |ψ_reference| (Float32 convolutions) */
  features: 1e-5,
  /** squared MMD between the reference's image spec and the candidate's, same seed */
  specDistance: 1e-8,
} as const;

/**
 * n grey 32×32 images in [0, 1]: stripes of a random period (3–6 pixels) and phase, horizontal or
 * vertical, plus uniform noise of ±0.15.
 */
export function stripes(n: number, orientation: 'horizontal' | 'vertical', seed: number): Float32Array {
  const prng = new Prng(seed);
  const out = new Float32Array(n * 1024);
  for (let i = 0; i < n; i++) {
    const period = 3 + prng.nextInt(4);
    const phase = prng.nextFloat() * period;
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const t = orientation === 'horizontal' ? y : x;
        const v = 0.5 + 0.35 * Math.sin((2 * Math.PI * (t + phase)) / period) + 0.3 * (prng.nextFloat() - 0.5);
        out[i * 1024 + y * 32 + x] = Math.min(1, Math.max(0, v));
      }
  }
  return out;
}

/** A small random network of another shape (3 channels, 16×16, two layers, final pool 2), to test the op itself. */
export function smallNetwork(): ConvNetwork {
  const prng = new Prng(77);
  const layer = (inChannels: number, outChannels: number) => ({
    inChannels,
    outChannels,
    weights: Float32Array.from({ length: outChannels * inChannels * 9 }, () => prng.nextFloat() * 2 - 1),
    bias: Float32Array.from({ length: outChannels }, () => prng.nextFloat() - 0.5),
  });
  return { layers: [layer(3, 5), layer(5, 7)], finalPool: 2 };
}

export function randomImages(n: number, per: number, seed: number): Float32Array {
  const prng = new Prng(seed);
  return Float32Array.from({ length: n * per }, () => prng.nextFloat());
}

/** Largest |a − b| relative to the largest |b|. */
export function relativeError(a: Float64Array, b: Float64Array): number {
  let err = 0;
  let top = 0;
  for (let j = 0; j < b.length; j++) {
    err = Math.max(err, Math.abs(a[j] - b[j]));
    top = Math.max(top, Math.abs(b[j]));
  }
  return err / top;
}

/** The images of measureFeatures and their reference ψ, computed once per test file (plain TS is the slow part). */
let featureCase: ReturnType<typeof makeFeatureCase> | undefined;
function makeFeatureCase() {
  const shape32 = (channels: number) => ({ channels, height: 32, width: 32 });
  const cases = {
    grey: { pixels: stripes(20, 'horizontal', 5), n: 20, shape: shape32(1), network: imageNetwork(1) },
    rgb: { pixels: randomImages(6, 3 * 1024, 6), n: 6, shape: shape32(3), network: imageNetwork(3) },
    small: { pixels: randomImages(7, 3 * 256, 7), n: 7, shape: { channels: 3, height: 16, width: 16 }, network: smallNetwork() },
  };
  return Object.entries(cases).map(([name, c]) => ({ name, ...c, reference: convFeaturesSync(c.pixels, c.n, c.shape, c.network) }));
}

/** ψ (the spec's network, grey and RGB) and the small network on a candidate, against the TS reference. */
export async function measureFeatures(candidate: ComputeBackend): Promise<{ grey: number; rgb: number; small: number }> {
  featureCase ??= makeFeatureCase();
  const errors: Record<string, number> = {};
  for (const c of featureCase) errors[c.name] = relativeError(await candidate.convFeatures(c.pixels, c.n, c.shape, c.network), c.reference);
  return errors as { grey: number; rgb: number; small: number };
}

let specCase: Promise<{ pixels: Float32Array; reference: RkmeImageSpec }> | undefined;

/** Squared MMD (Float64, under the spec's own settings) between the spec of 40 striped images built on the TS reference and on a candidate, same seed. */
export async function measureSpec(candidate: ComputeBackend): Promise<number> {
  specCase ??= (async () => {
    const pixels = new Float32Array(40 * 1024);
    pixels.set(stripes(20, 'horizontal', 8));
    pixels.set(stripes(20, 'vertical', 9), 20 * 1024);
    return { pixels, reference: (await buildImageRkme(new TsBackend(), pixels, 40, 1, { K: 8, seed: 4 })).spec };
  })();
  const { pixels, reference } = await specCase;
  const spec = (await buildImageRkme(candidate, pixels, 40, 1, { K: 8, seed: 4 })).spec;
  const settings = imageSpecType.ownSettings(reference);
  const ip = (a: typeof spec, b: typeof spec) => imageSpecType.innerProduct(a, b, settings);
  return ip(reference, reference) + ip(spec, spec) - 2 * ip(reference, spec);
}
