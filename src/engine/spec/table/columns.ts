/**
 * The table RKME across feature spaces (docs/heterogeneous.md): column signatures from the
 * reduced points (the index carries them, so they reveal nothing the published specs do not), the
 * spec restricted to the columns a user has (the Gaussian kernel is a product over columns, so the
 * restriction of Z with the same β is exactly the embedding of those columns' marginal), and the
 * columns a user lacks filled by the kernel-weighted average of the reduced points, conditioned on
 * the columns the user has.
 */
import { marginalSignature, type MarginalSignature } from '../../data/marginals.js';
import type { ColumnarSpecs, IslandSettings } from '../spec-type.js';
import type { TableIslandSettings } from './index.js';
import type { RkmeTableSpec } from './types.js';

function column(spec: RkmeTableSpec, j: number): Float64Array {
  const out = new Float64Array(spec.K);
  for (let i = 0; i < spec.K; i++) out[i] = spec.z[i * spec.d + j];
  return out;
}

/** β clipped at 0 and summing to `total` (loaded specs may carry negative weights). */
function weights(spec: RkmeTableSpec, total: number): Float64Array {
  const w = Float64Array.from(spec.beta, (b) => Math.max(0, b));
  const sum = w.reduce((s, b) => s + b, 0);
  return sum > 0 ? w.map((b) => (b / sum) * total) : w.fill(total / spec.K);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const tableColumns: ColumnarSpecs<RkmeTableSpec> = {
  signatures(specs) {
    if (specs.length === 0) return [];
    const d = specs[0].d;
    const w = specs.map((s) => weights(s, 1 / specs.length));
    const count = specs.reduce((n, s) => n + s.K, 0);
    return Array.from({ length: d }, (_, j): MarginalSignature | null => {
      const values = new Float64Array(count);
      const all = new Float64Array(count);
      let at = 0;
      specs.forEach((s, m) => {
        values.set(column(s, j), at);
        all.set(w[m], at);
        at += s.K;
      });
      const pooled = marginalSignature(values, all);
      if (!pooled || specs.length === 1) return pooled;
      // the shape of a typical member, not of the pool: a user's table is usually one group, like one member
      const own = specs.map((s) => marginalSignature(column(s, j), s.beta)).filter((x): x is MarginalSignature => x !== null);
      if (own.length === 0) return pooled;
      return { ...pooled, q: pooled.q.map((_, i) => median(own.map((o) => o.q[i]))), skew: median(own.map((o) => o.skew)), kurt: median(own.map((o) => o.kurt)) };
    });
  },

  project(spec, keep) {
    const d = keep.length;
    const z = new Float64Array(spec.K * d);
    for (let i = 0; i < spec.K; i++) keep.forEach((f, j) => (z[i * d + j] = spec.z[i * spec.d + f]));
    return {
      ...spec,
      z,
      d,
      scale: spec.scale ? Float64Array.from(keep, (f) => spec.scale![f]) : null,
      featureNames: spec.featureNames ? keep.map((f) => spec.featureNames![f]) : null,
    };
  },

  projectSettings(settings: IslandSettings, keep): TableIslandSettings {
    const s = settings as TableIslandSettings;
    return { gamma: s.gamma, scale: s.scale ? keep.map((f) => s.scale![f]) : null };
  },

  fill(spec, values, rows, settings) {
    const d = spec.d;
    const s = settings as TableIslandSettings;
    const scale = s.scale ?? (spec.scale ? Array.from(spec.scale) : null);
    const w = weights(spec, 1);
    const out = Float64Array.from(values);
    const logw = new Float64Array(spec.K);
    for (let r = 0; r < rows; r++) {
      const row = r * d;
      let unknown = false;
      for (let f = 0; f < d; f++) if (!Number.isFinite(out[row + f])) unknown = true;
      if (!unknown) continue;
      // log of β_i · k(x_known, z_i,known), then a stable softmax
      let top = -Infinity;
      for (let i = 0; i < spec.K; i++) {
        let e = 0;
        for (let f = 0; f < d; f++) {
          const x = values[row + f];
          if (!Number.isFinite(x)) continue;
          const t = (x - spec.z[i * d + f]) / (scale ? scale[f] : 1);
          e += t * t;
        }
        logw[i] = w[i] > 0 ? Math.log(w[i]) - s.gamma * e : -Infinity;
        if (logw[i] > top) top = logw[i];
      }
      let total = 0;
      for (let i = 0; i < spec.K; i++) total += logw[i] === -Infinity ? 0 : Math.exp(logw[i] - top);
      for (let f = 0; f < d; f++) {
        if (Number.isFinite(values[row + f])) continue;
        let sum = 0;
        for (let i = 0; i < spec.K; i++) if (logw[i] !== -Infinity) sum += Math.exp(logw[i] - top) * spec.z[i * d + f];
        out[row + f] = sum / total;
      }
    }
    return out;
  },
};
