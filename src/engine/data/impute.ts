/**
 * Column-mean imputation as in the reference (docs/algorithms.md §1.3): ±Inf become NaN,
 * NaN become the mean of the column's finite values; a column with no finite value is an error.
 */
import { InputError } from '../core/errors.js';

/** Returns an imputed copy of the row-major n×d matrix and the column means used. */
export function imputeColumnMeans(values: Float64Array, n: number, d: number, featureNames?: readonly string[] | null): { values: Float64Array; means: Float64Array; imputed: number } {
  const out = Float64Array.from(values);
  const sums = new Float64Array(d);
  const counts = new Float64Array(d);
  for (let l = 0; l < n; l++) {
    const o = l * d;
    for (let f = 0; f < d; f++) {
      const v = out[o + f];
      if (Number.isFinite(v)) {
        sums[f] += v;
        counts[f]++;
      }
    }
  }
  const means = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    if (counts[f] === 0) {
      const name = featureNames?.[f] ?? `#${f}`;
      throw new InputError('ALL_MISSING_COLUMN', `feature ${JSON.stringify(name)} has no finite value (all NaN, missing or infinite)`, { feature: name, index: f });
    }
    means[f] = sums[f] / counts[f];
  }
  let imputed = 0;
  for (let l = 0; l < n; l++) {
    const o = l * d;
    for (let f = 0; f < d; f++) {
      if (!Number.isFinite(out[o + f])) {
        out[o + f] = means[f];
        imputed++;
      }
    }
  }
  return { values: out, means, imputed };
}
