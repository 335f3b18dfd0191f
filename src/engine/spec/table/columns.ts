/**
 * The table RKME across feature spaces (docs/heterogeneous.md): column signatures from the
 * reduced points (the index carries them, so they reveal nothing the published specs do not), the
 * spec restricted to the columns a user has (the Gaussian kernel is a product over columns, so the
 * restriction of Z with the same β is exactly the embedding of those columns' marginal), and the
 * columns a user lacks filled by the kernel-weighted average of the reduced points, conditioned on
 * the columns the user has — in the spec's own scale, with a bandwidth chosen by leave-one-out on
 * its reduced points (docs/reuse.md, "Reuse through a column mapping").
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

/**
 * The per-column scale the fill measures distances in: the spec's own (its rows' spread), else the
 * island's, else the spread of its reduced points. The island's pooled scale spans every member, so
 * within one member it is far too wide to condition on (docs/heterogeneous.md §5).
 */
function fillScale(spec: RkmeTableSpec, settings: TableIslandSettings): Float64Array {
  if (spec.scale) return spec.scale;
  if (settings.scale) return Float64Array.from(settings.scale);
  const w = weights(spec, 1);
  return Float64Array.from({ length: spec.d }, (_, f) => {
    let mean = 0;
    let second = 0;
    for (let i = 0; i < spec.K; i++) mean += w[i] * spec.z[i * spec.d + f];
    for (let i = 0; i < spec.K; i++) second += w[i] * (spec.z[i * spec.d + f] - mean) ** 2;
    const std = Math.sqrt(second);
    return std > 0 && Number.isFinite(std) ? std : 1;
  });
}

/** Bandwidths the fill chooses from (γ on scaled distances; the smallest is nearly the spec's mean). */
export const FILL_GAMMAS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;

/**
 * The fill's γ for rows that know the columns `known`: the one whose leave-one-out fill of the
 * spec's own reduced points (each predicted from the others, error weighted by β, in scaled units)
 * is smallest. The spec's γ is tuned for comparing distributions and is too wide to condition on.
 */
function fillBandwidth(spec: RkmeTableSpec, w: Float64Array, scale: Float64Array, known: readonly boolean[]): number {
  const { K, d, z } = spec;
  const live = Array.from({ length: K }, (_, i) => i).filter((i) => w[i] > 0);
  if (live.length < 3 || !known.some(Boolean)) return FILL_GAMMAS[0];
  // squared scaled distances on the known columns between live points
  const dist = new Float64Array(live.length * live.length);
  live.forEach((a, p) =>
    live.forEach((b, q) => {
      let e = 0;
      for (let f = 0; f < d; f++) if (known[f]) e += ((z[a * d + f] - z[b * d + f]) / scale[f]) ** 2;
      dist[p * live.length + q] = e;
    }),
  );
  let best: number = FILL_GAMMAS[0];
  let bestError = Infinity;
  for (const gamma of FILL_GAMMAS) {
    let error = 0;
    live.forEach((a, p) => {
      let total = 0;
      const sums = new Float64Array(d);
      let top = -Infinity;
      live.forEach((b, q) => q !== p && (top = Math.max(top, Math.log(w[b]) - gamma * dist[p * live.length + q])));
      live.forEach((b, q) => {
        if (q === p) return;
        const k = Math.exp(Math.log(w[b]) - gamma * dist[p * live.length + q] - top);
        total += k;
        for (let f = 0; f < d; f++) if (!known[f]) sums[f] += k * z[b * d + f];
      });
      for (let f = 0; f < d; f++) if (!known[f]) error += w[a] * ((sums[f] / total - z[a * d + f]) / scale[f]) ** 2;
    });
    if (error < bestError) [best, bestError] = [gamma, error];
  }
  return best;
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
    const scale = fillScale(spec, s);
    const w = weights(spec, 1);
    const out = Float64Array.from(values);
    // rows grouped by which cells they lack: one bandwidth per pattern, chosen on the spec's own points
    const gammas = new Map<string, number>();
    const logw = new Float64Array(spec.K);
    for (let r = 0; r < rows; r++) {
      const row = r * d;
      const known = Array.from({ length: d }, (_, f) => Number.isFinite(values[row + f]));
      if (known.every(Boolean)) continue;
      const key = known.map((k) => (k ? '1' : '0')).join('');
      let gamma = gammas.get(key);
      if (gamma === undefined) gammas.set(key, (gamma = fillBandwidth(spec, w, scale, known)));
      // log of β_i · k(x_known, z_i,known), then a stable softmax
      let top = -Infinity;
      for (let i = 0; i < spec.K; i++) {
        let e = 0;
        for (let f = 0; f < d; f++) {
          if (!known[f]) continue;
          const t = (values[row + f] - spec.z[i * d + f]) / scale[f];
          e += t * t;
        }
        logw[i] = w[i] > 0 ? Math.log(w[i]) - gamma * e : -Infinity;
        if (logw[i] > top) top = logw[i];
      }
      let total = 0;
      for (let i = 0; i < spec.K; i++) total += logw[i] === -Infinity ? 0 : Math.exp(logw[i] - top);
      for (let f = 0; f < d; f++) {
        if (known[f]) continue;
        let sum = 0;
        for (let i = 0; i < spec.K; i++) if (logw[i] !== -Infinity) sum += Math.exp(logw[i] - top) * spec.z[i * d + f];
        out[row + f] = sum / total;
      }
    }
    return out;
  },
};
