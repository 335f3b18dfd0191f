/** Seeded synthetic data usable in Node and in the browser (no file system). */
import { Prng } from '../../src/engine/index.js';

/** n×d Gaussian mixture with `clusters` centres (spread × N(0,1)), unit noise, seeded. */
export function gaussianMixture(n: number, d: number, clusters: number, seed: number, spread = 3): Float64Array {
  const prng = new Prng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: d }, () => prng.nextNormal() * spread));
  const x = new Float64Array(n * d);
  for (let l = 0; l < n; l++) {
    const c = centres[prng.nextInt(clusters)];
    for (let f = 0; f < d; f++) x[l * d + f] = c[f] + prng.nextNormal();
  }
  return x;
}
