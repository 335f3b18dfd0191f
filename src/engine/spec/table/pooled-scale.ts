/**
 * The common per-feature scale of an island of table specs (docs/design-notes.md §1): one scale
 * for every comparison in the island, estimated from the specs alone (the catalog never sees rows).
 */
import type { RkmeTableSpec } from './types.js';

/**
 * Pooled per-feature standard deviation of the members' data, estimated from each spec: the
 * weighted mean Σβz and the spec's own scale (or the spread of its points when unscaled),
 * combined with the between-member spread of the means, weighted by the rows each summarises.
 */
export function pooledScale(specs: readonly RkmeTableSpec[]): number[] {
  const d = specs[0].d;
  let totalPoints = 0;
  const grand = new Float64Array(d);
  const means = specs.map((s) => {
    const mean = new Float64Array(d);
    for (let i = 0; i < s.K; i++) for (let f = 0; f < d; f++) mean[f] += s.beta[i] * s.z[i * d + f];
    for (let f = 0; f < d; f++) grand[f] += s.numPoints * mean[f];
    totalPoints += s.numPoints;
    return mean;
  });
  for (let f = 0; f < d; f++) grand[f] /= totalPoints;
  const variance = new Float64Array(d);
  specs.forEach((s, k) => {
    for (let f = 0; f < d; f++) {
      let within = 0;
      if (s.scale) within = s.scale[f] ** 2;
      else for (let i = 0; i < s.K; i++) within += s.beta[i] * (s.z[i * d + f] - means[k][f]) ** 2;
      variance[f] += s.numPoints * (within + (means[k][f] - grand[f]) ** 2);
    }
  });
  return Array.from(variance, (v) => {
    const std = Math.sqrt(v / totalPoints);
    return std > 0 && Number.isFinite(std) ? std : 1;
  });
}
