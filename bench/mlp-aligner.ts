/**
 * The reference-style feature aligner (learnware's FeatureAlignLearnware / FeatureAlignTrainer,
 * docs/heterogeneous.md §5) in plain TypeScript, as a baseline for bench:columns: an
 * MLP d_user → hidden → d_L with ReLU, trained by full-batch Adam to minimise the MMD² between the
 * user's reduced set mapped through it and the learnware's reduced set (both weighted by their β),
 * Gaussian kernel exp(−γ‖·‖²). No column names, no labels. Gradients written by hand; seeded.
 */
import { Prng } from '../src/engine/index.js';

export interface AlignOptions {
  hidden: number;
  epochs: number;
  lr: number;
  gamma: number;
  seed: number;
}

export interface Mlp {
  dIn: number;
  hidden: number;
  dOut: number;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

/** x (n × dIn) through the MLP; `h` (n × hidden) receives the ReLU activations when given. */
export function forward(m: Mlp, x: Float64Array, n: number, h = new Float64Array(n * m.hidden)): Float64Array {
  const { dIn, hidden: H, dOut } = m;
  const y = new Float64Array(n * dOut);
  for (let i = 0; i < n; i++) {
    const hi = h.subarray(i * H, (i + 1) * H);
    hi.set(m.b1);
    for (let f = 0; f < dIn; f++) {
      const xf = x[i * dIn + f];
      if (xf === 0) continue;
      const row = m.w1.subarray(f * H, (f + 1) * H);
      for (let j = 0; j < H; j++) hi[j] += xf * row[j];
    }
    for (let j = 0; j < H; j++) if (hi[j] < 0) hi[j] = 0;
    for (let k = 0; k < dOut; k++) y[i * dOut + k] = m.b2[k];
    for (let j = 0; j < H; j++) {
      const hj = hi[j];
      if (hj === 0) continue;
      for (let k = 0; k < dOut; k++) y[i * dOut + k] += hj * m.w2[j * dOut + k];
    }
  }
  return y;
}

/**
 * MMD² between the weighted sets (y, a) and (z, c) under exp(−γ‖·‖²), and its gradient in y:
 * ∂/∂y_i = −4γ a_i [Σ_j a_j k(y_i, y_j)(y_i − y_j) − Σ_l c_l k(y_i, z_l)(y_i − z_l)].
 */
export function mmdAndGradient(y: Float64Array, a: Float64Array, n: number, z: Float64Array, c: Float64Array, m: number, d: number, gamma: number): { mmd: number; grad: Float64Array } {
  const grad = new Float64Array(n * d);
  let yy = 0;
  let yz = 0;
  let zz = 0;
  const sq = (p: Float64Array, i: number, q: Float64Array, j: number) => {
    let s = 0;
    for (let f = 0; f < d; f++) s += (p[i * d + f] - q[j * d + f]) ** 2;
    return s;
  };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const k = Math.exp(-gamma * sq(y, i, y, j));
      yy += a[i] * a[j] * k;
      const s = -4 * gamma * a[i] * a[j] * k;
      for (let f = 0; f < d; f++) grad[i * d + f] += s * (y[i * d + f] - y[j * d + f]);
    }
    for (let l = 0; l < m; l++) {
      const k = Math.exp(-gamma * sq(y, i, z, l));
      yz += a[i] * c[l] * k;
      const s = 4 * gamma * a[i] * c[l] * k;
      for (let f = 0; f < d; f++) grad[i * d + f] += s * (y[i * d + f] - z[l * d + f]);
    }
  }
  for (let l = 0; l < m; l++) for (let q = 0; q < m; q++) zz += c[l] * c[q] * Math.exp(-gamma * sq(z, l, z, q));
  return { mmd: yy - 2 * yz + zz, grad };
}

/** The MMD² of the mapped set and its gradient in each parameter (w1, b1, w2, b2). */
export function alignerLoss(mlp: Mlp, x: Float64Array, a: Float64Array, n: number, z: Float64Array, c: Float64Array, m: number, gamma: number): { mmd: number; grads: Float64Array[] } {
  const { dIn, hidden: H, dOut } = mlp;
  const h = new Float64Array(n * H);
  const y = forward(mlp, x, n, h);
  const { mmd, grad: gy } = mmdAndGradient(y, a, n, z, c, m, dOut, gamma);
  const gw1 = new Float64Array(mlp.w1.length);
  const gb1 = new Float64Array(H);
  const gw2 = new Float64Array(mlp.w2.length);
  const gb2 = new Float64Array(dOut);
  const dh = new Float64Array(H);
  for (let i = 0; i < n; i++) {
    dh.fill(0);
    for (let k = 0; k < dOut; k++) {
      const g = gy[i * dOut + k];
      gb2[k] += g;
      if (g === 0) continue;
      for (let j = 0; j < H; j++) {
        gw2[j * dOut + k] += h[i * H + j] * g;
        dh[j] += mlp.w2[j * dOut + k] * g;
      }
    }
    for (let j = 0; j < H; j++) if (h[i * H + j] <= 0) dh[j] = 0;
    for (let j = 0; j < H; j++) gb1[j] += dh[j];
    for (let f = 0; f < dIn; f++) {
      const xf = x[i * dIn + f];
      if (xf === 0) continue;
      for (let j = 0; j < H; j++) gw1[f * H + j] += xf * dh[j];
    }
  }
  return { mmd, grads: [gw1, gb1, gw2, gb2] };
}

/** A freshly initialised MLP, as PyTorch's nn.Linear does: weights and biases U(±1/√fan_in). */
export function initAligner(dIn: number, hidden: number, dOut: number, seed: number): Mlp {
  const prng = new Prng(seed);
  const uniform = (bound: number, length: number) => Float64Array.from({ length }, () => (2 * prng.nextFloat() - 1) * bound);
  return {
    dIn,
    hidden,
    dOut,
    w1: uniform(1 / Math.sqrt(dIn), dIn * hidden),
    b1: uniform(1 / Math.sqrt(dIn), hidden),
    w2: uniform(1 / Math.sqrt(hidden), hidden * dOut),
    b2: uniform(1 / Math.sqrt(hidden), dOut),
  };
}

/**
 * Trains the aligner on the user's reduced set (x, a) against the learnware's (z, c), as the
 * reference's FeatureAlignTrainer does: full-batch Adam (β 0.9/0.999, ε 1e-8) from PyTorch's
 * default initialisation. Returns the MLP and the MMD² before each epoch and after the last.
 */
export function trainAligner(
  x: Float64Array,
  a: Float64Array,
  n: number,
  dIn: number,
  z: Float64Array,
  c: Float64Array,
  m: number,
  dOut: number,
  o: AlignOptions,
): { mlp: Mlp; mmd: number[] } {
  const mlp = initAligner(dIn, o.hidden, dOut, o.seed);
  const params = [mlp.w1, mlp.b1, mlp.w2, mlp.b2];
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const history: number[] = [];
  for (let t = 1; t <= o.epochs; t++) {
    const { mmd, grads } = alignerLoss(mlp, x, a, n, z, c, m, o.gamma);
    history.push(mmd);
    for (let p = 0; p < params.length; p++) {
      const theta = params[p];
      const g = grads[p];
      for (let j = 0; j < theta.length; j++) {
        m1[p][j] = 0.9 * m1[p][j] + 0.1 * g[j];
        m2[p][j] = 0.999 * m2[p][j] + 0.001 * g[j] * g[j];
        theta[j] -= (o.lr * (m1[p][j] / (1 - 0.9 ** t))) / (Math.sqrt(m2[p][j] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
  }
  history.push(alignerLoss(mlp, x, a, n, z, c, m, o.gamma).mmd);
  return { mlp, mmd: history };
}

/** β-weighted mean and deviation of each column of a reduced set. */
export function moments(z: Float64Array, beta: Float64Array, K: number, d: number): { mean: Float64Array; std: Float64Array } {
  const total = beta.reduce((s, b) => s + Math.max(0, b), 0);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < K; i++) for (let f = 0; f < d; f++) mean[f] += (Math.max(0, beta[i]) / total) * z[i * d + f];
  for (let i = 0; i < K; i++) for (let f = 0; f < d; f++) std[f] += (Math.max(0, beta[i]) / total) * (z[i * d + f] - mean[f]) ** 2;
  for (let f = 0; f < d; f++) std[f] = std[f] > 0 ? Math.sqrt(std[f]) : 1;
  return { mean, std };
}

export const standardise = (x: Float64Array, d: number, s: { mean: Float64Array; std: Float64Array }) => x.map((v, i) => (v - s.mean[i % d]) / s.std[i % d]);
export const unstandardise = (x: Float64Array, d: number, s: { mean: Float64Array; std: Float64Array }) => x.map((v, i) => v * s.std[i % d] + s.mean[i % d]);
