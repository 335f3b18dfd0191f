/**
 * Small models trained in the browser for reuse: ridge regression (closed form) and a softmax
 * classifier with an optional ReLU hidden layer (full-batch Adam, seeded initialisation). Inputs are
 * standardised with the training rows' mean and deviation. Plain TypeScript, Float64: the
 * problems are small (≤ a few thousand rows, ≤ a few hundred inputs).
 */
import { InputError } from '../core/errors.js';
import { Prng } from '../core/prng.js';
import { gatherRows } from '../data/table.js';

export interface Standardizer {
  mean: number[];
  std: number[];
}

export function fitStandardizer(x: Float64Array, n: number, d: number): Standardizer {
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (let r = 0; r < n; r++) for (let f = 0; f < d; f++) mean[f] += x[r * d + f] / n;
  for (let r = 0; r < n; r++) for (let f = 0; f < d; f++) std[f] += (x[r * d + f] - mean[f]) ** 2 / n;
  return { mean, std: std.map((v) => (v > 1e-24 ? Math.sqrt(v) : 1)) };
}

export function standardize(s: Standardizer, x: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let f = 0; f < d; f++) out[r * d + f] = (x[r * d + f] - s.mean[f]) / s.std[f];
  return out;
}

export interface RidgeModel {
  type: 'ridge';
  scaler: Standardizer;
  weights: number[];
  bias: number;
}

/** Ridge regression on standardised inputs (the intercept is not penalised). */
export function fitRidge(x: Float64Array, n: number, d: number, y: Float64Array, lambda = 1): RidgeModel {
  if (n < 1) throw new InputError('NO_LABELS', 'ridge regression needs labelled rows');
  const scaler = fitStandardizer(x, n, d);
  const z = standardize(scaler, x, n, d);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const A = Array.from({ length: d }, () => new Float64Array(d));
  const b = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      b[i] += z[r * d + i] * (y[r] - yMean);
      for (let j = 0; j < d; j++) A[i][j] += z[r * d + i] * z[r * d + j];
    }
  }
  for (let i = 0; i < d; i++) A[i][i] += lambda;
  return { type: 'ridge', scaler, weights: Array.from(solveLinear(A, b)), bias: yMean };
}

export function predictRidge(m: RidgeModel, x: Float64Array, n: number): Float64Array {
  const d = m.weights.length;
  const z = standardize(m.scaler, x, n, d);
  return Float64Array.from({ length: n }, (_, r) => {
    let s = m.bias;
    for (let f = 0; f < d; f++) s += m.weights[f] * z[r * d + f];
    return s;
  });
}

export interface SoftmaxModel {
  type: 'softmax';
  scaler: Standardizer;
  classes: number;
  hidden: number;
  /** hidden > 0: w1 (d×hidden), b1, w2 (hidden×C), b2; else w2 (d×C), b2 */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

export interface SoftmaxOptions {
  /** ReLU units in the hidden layer (0 = multinomial logistic regression) */
  hidden?: number;
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights */
  l2?: number;
  /** per-row weights (default 1) */
  rowWeights?: Float64Array;
  /** per-row logits (n × C) added before the softmax: the model learns a correction to them */
  offset?: Float64Array;
  /** penalise the output bias too (with an offset: shrink the whole correction toward zero) */
  penalizeBias?: boolean;
  seed?: number;
}

/** Trains a softmax classifier on class indices y ∈ [0, C). */
export function fitSoftmax(x: Float64Array, n: number, d: number, y: Float64Array, C: number, options: SoftmaxOptions = {}): SoftmaxModel {
  if (n < 1) throw new InputError('NO_LABELS', 'a classifier needs labelled rows');
  const hidden = options.hidden ?? 0;
  const epochs = options.epochs ?? 300;
  const lr = options.learningRate ?? 0.05;
  const l2 = options.l2 ?? 1e-3;
  const scaler = fitStandardizer(x, n, d);
  const z = standardize(scaler, x, n, d);
  const prng = new Prng(options.seed ?? 0);
  const inputs = hidden > 0 ? hidden : d;
  const w1 = Float64Array.from({ length: hidden > 0 ? d * hidden : 0 }, () => prng.nextNormal() * Math.sqrt(2 / d));
  const b1 = new Float64Array(hidden);
  const w2 = Float64Array.from({ length: inputs * C }, () => (hidden > 0 ? prng.nextNormal() * Math.sqrt(1 / inputs) : 0));
  const b2 = new Float64Array(C);
  const params = [w1, b1, w2, b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const weights = options.rowWeights ?? new Float64Array(n).fill(1);
  const totalWeight = weights.reduce((s, v) => s + v, 0);
  const h = new Float64Array(inputs);
  const p = new Float64Array(C);
  const dh = new Float64Array(inputs);
  for (let t = 1; t <= epochs; t++) {
    grads.forEach((g) => g.fill(0));
    for (let r = 0; r < n; r++) {
      const row = z.subarray(r * d, (r + 1) * d);
      if (hidden > 0) forwardHidden(row, w1, b1, d, hidden, h);
      else h.set(row);
      softmaxLayer(h, w2, b2, inputs, C, p, options.offset?.subarray(r * C, (r + 1) * C));
      const wr = weights[r] / totalWeight;
      dh.fill(0);
      for (let k = 0; k < C; k++) {
        const delta = wr * (p[k] - (y[r] === k ? 1 : 0));
        grads[3][k] += delta;
        for (let j = 0; j < inputs; j++) {
          grads[2][j * C + k] += delta * h[j];
          dh[j] += delta * w2[j * C + k];
        }
      }
      if (hidden > 0) {
        for (let j = 0; j < hidden; j++) {
          if (h[j] <= 0) continue;
          grads[1][j] += dh[j];
          for (let f = 0; f < d; f++) grads[0][f * hidden + j] += dh[j] * row[f];
        }
      }
    }
    for (let i = 0; i < params.length; i++) {
      const penalised = i === 0 || i === 2 || (i === 3 && options.penalizeBias === true);
      for (let j = 0; j < params[i].length; j++) {
        const g = grads[i][j] + (penalised ? l2 * params[i][j] : 0);
        m1[i][j] = 0.9 * m1[i][j] + 0.1 * g;
        m2[i][j] = 0.999 * m2[i][j] + 0.001 * g * g;
        params[i][j] -= (lr * (m1[i][j] / (1 - 0.9 ** t))) / (Math.sqrt(m2[i][j] / (1 - 0.999 ** t)) + 1e-8);
      }
    }
  }
  return { type: 'softmax', scaler, classes: C, hidden, w1: Array.from(w1), b1: Array.from(b1), w2: Array.from(w2), b2: Array.from(b2) };
}

/** Class probabilities, rows × C (`offset`: the per-row logits the model was fitted on top of). */
export function predictSoftmax(m: SoftmaxModel, x: Float64Array, n: number, offset?: Float64Array): Float64Array {
  const d = m.scaler.mean.length;
  const z = standardize(m.scaler, x, n, d);
  const inputs = m.hidden > 0 ? m.hidden : d;
  const h = new Float64Array(inputs);
  const p = new Float64Array(m.classes);
  const out = new Float64Array(n * m.classes);
  const [w1, b1, w2, b2] = [m.w1, m.b1, m.w2, m.b2].map((a) => Float64Array.from(a));
  for (let r = 0; r < n; r++) {
    const row = z.subarray(r * d, (r + 1) * d);
    if (m.hidden > 0) forwardHidden(row, w1, b1, d, m.hidden, h);
    else h.set(row);
    softmaxLayer(h, w2, b2, inputs, m.classes, p, offset?.subarray(r * m.classes, (r + 1) * m.classes));
    out.set(p, r * m.classes);
  }
  return out;
}

function forwardHidden(row: Float64Array, w1: Float64Array, b1: Float64Array, d: number, hidden: number, h: Float64Array): void {
  for (let j = 0; j < hidden; j++) {
    let s = b1[j];
    for (let f = 0; f < d; f++) s += row[f] * w1[f * hidden + j];
    h[j] = s > 0 ? s : 0;
  }
}

function softmaxLayer(h: Float64Array, w2: Float64Array, b2: Float64Array, inputs: number, C: number, p: Float64Array, offset?: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < C; k++) {
    let s = b2[k] + (offset ? offset[k] : 0);
    for (let j = 0; j < inputs; j++) s += h[j] * w2[j * C + k];
    p[k] = s;
    max = Math.max(max, s);
  }
  let total = 0;
  for (let k = 0; k < C; k++) total += p[k] = Math.exp(p[k] - max);
  for (let k = 0; k < C; k++) p[k] /= total;
}

/** Ridge penalties tried by leave-one-out (on standardised inputs; 1e6 ≈ intercept only). */
export const RIDGE_LAMBDAS = [0.1, 1, 10, 100, 1e3, 1e4, 1e6];

/**
 * Ridge with λ chosen by exact leave-one-out error (residual / (1 − leverage), inputs standardised
 * and y centred on all rows, as RidgeCV's efficient LOO does) and the one-standard-error rule.
 */
export function fitRidgeLoo(x: Float64Array, n: number, d: number, y: Float64Array, lambdas: readonly number[] = RIDGE_LAMBDAS): RidgeModel & { lambda: number } {
  if (n < 3) return { ...fitRidge(x, n, d, y, lambdas[Math.floor(lambdas.length / 2)]), lambda: lambdas[Math.floor(lambdas.length / 2)] };
  const scaler = fitStandardizer(x, n, d);
  const z = standardize(scaler, x, n, d);
  const gram = Array.from({ length: d }, () => new Float64Array(d));
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gram[i][j] += z[r * d + i] * z[r * d + j];
  const scores: { penalty: number; losses: Float64Array }[] = [];
  for (const lambda of lambdas) {
    const model = fitRidge(x, n, d, y, lambda);
    const A = gram.map((row, i) => Float64Array.from(row, (v, j) => v + (i === j ? lambda : 0)));
    // columns of A⁻¹, for the leverages z_rᵀ A⁻¹ z_r
    const inverse = Array.from({ length: d }, (_, j) =>
      solveLinear(
        A,
        Float64Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)),
      ),
    );
    const losses = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const zr = z.subarray(r * d, (r + 1) * d);
      let leverage = 1 / n;
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += inverse[j][i] * zr[i];
        leverage += zr[j] * s;
      }
      let prediction = model.bias;
      for (let i = 0; i < d; i++) prediction += model.weights[i] * zr[i];
      losses[r] = ((y[r] - prediction) / Math.max(1e-9, 1 - leverage)) ** 2;
    }
    scores.push({ penalty: lambda, losses });
  }
  const lambda = oneStandardError(scores);
  return { ...fitRidge(x, n, d, y, lambda), lambda };
}

/**
 * The one-standard-error rule (Breiman et al.): the largest penalty whose mean held-out loss is
 * within one standard error of the best mean. With few labels the best penalty is noisy; this
 * leans toward the simpler model (for an offset head: the learnware itself).
 */
function oneStandardError(scores: { penalty: number; losses: Float64Array }[]): number {
  const stats = scores.map(({ penalty, losses }) => {
    const mean = losses.reduce((a, v) => a + v, 0) / losses.length;
    const variance = losses.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, losses.length - 1);
    return { penalty, mean, se: Math.sqrt(variance / losses.length) };
  });
  const best = stats.reduce((b, s) => (s.mean < b.mean ? s : b));
  return Math.max(...stats.filter((s) => s.mean <= best.mean + best.se).map((s) => s.penalty));
}

/** L2 penalties tried by cross-validation for the softmax head. */
export const SOFTMAX_L2 = [1e-3, 1e-2, 1e-1, 1, 10];

/**
 * Softmax classifier (no hidden layer) with its L2 penalty chosen by 3-fold cross-validated log
 * loss (one-standard-error rule) when 6 ≤ n ≤ 1,000 (few labels: regularisation decides); above, the smallest penalty;
 * below, the largest with an offset (stay at the offset's probabilities), a middle one without.
 * With an offset the bias is penalised too: ten labels must not move the whole base rate.
 */
export function fitSoftmaxCv(x: Float64Array, n: number, d: number, y: Float64Array, C: number, options: Omit<SoftmaxOptions, 'l2' | 'hidden'> = {}): SoftmaxModel & { l2: number } {
  const penalizeBias = options.offset !== undefined;
  const fit = (l2: number, rows: number[] | null) => {
    if (!rows) return fitSoftmax(x, n, d, y, C, { ...options, l2, penalizeBias });
    const offset = options.offset && gatherRows(options.offset, C, rows);
    return fitSoftmax(
      gatherRows(x, d, rows),
      rows.length,
      d,
      Float64Array.from(rows, (r) => y[r]),
      C,
      { ...options, offset, l2, penalizeBias },
    );
  };
  if (n > 1000) return { ...fit(SOFTMAX_L2[0], null), l2: SOFTMAX_L2[0] };
  if (n < 6) {
    const l2 = penalizeBias ? SOFTMAX_L2[SOFTMAX_L2.length - 1] : SOFTMAX_L2[2];
    return { ...fit(l2, null), l2 };
  }
  const order = new Prng(options.seed ?? 0).sampleWithoutReplacement(n, n);
  const folds = [0, 1, 2].map((f) => Array.from(order).filter((_, i) => i % 3 === f));
  const scores: { penalty: number; losses: Float64Array }[] = [];
  for (const l2 of SOFTMAX_L2) {
    const losses = new Float64Array(n);
    for (const held of folds) {
      const heldSet = new Set(held);
      const model = fit(
        l2,
        Array.from(order).filter((r) => !heldSet.has(r)),
      );
      const p = predictSoftmax(model, gatherRows(x, d, held), held.length, options.offset && gatherRows(options.offset, C, held));
      held.forEach((r, i) => (losses[r] = -Math.log(Math.max(1e-15, p[i * C + y[r]]))));
    }
    scores.push({ penalty: l2, losses });
  }
  const l2 = oneStandardError(scores);
  return { ...fit(l2, null), l2 };
}

/**
 * Why a model read from a file (a composite bundle: hostile input) cannot be used, or null: its
 * type, its array lengths for `inputs` features (and `classes` outputs), and finite numbers.
 */
export function fittedModelProblem(m: RidgeModel | SoftmaxModel, inputs: number, classes: number | null): string | null {
  const numbers = (a: unknown, length: number) => Array.isArray(a) && a.length === length && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!m || typeof m !== 'object') return 'no model';
  if (!numbers(m.scaler?.mean, inputs) || !numbers(m.scaler?.std, inputs) || m.scaler.std.some((v) => v <= 0)) return `its scaler must hold ${inputs} means and positive deviations`;
  if (m.type === 'ridge') {
    if (classes !== null) return 'a ridge model where a classifier is expected';
    return numbers(m.weights, inputs) && Number.isFinite(m.bias) ? null : `a ridge model needs ${inputs} finite weights and a bias`;
  }
  if (m.type !== 'softmax') return `unknown model type ${JSON.stringify((m as { type?: unknown }).type)}`;
  if (classes === null || m.classes !== classes) return `a classifier over ${m.classes} classes where ${classes ?? 'a regression'} is expected`;
  if (!Number.isInteger(m.hidden) || m.hidden < 0 || m.hidden > 1024) return 'its hidden layer size must be an integer in 0–1024';
  const width = m.hidden > 0 ? m.hidden : inputs;
  const ok = numbers(m.w1, m.hidden > 0 ? inputs * m.hidden : 0) && numbers(m.b1, m.hidden) && numbers(m.w2, width * classes) && numbers(m.b2, classes);
  return ok ? null : 'its weight arrays do not match its shape';
}

/**
 * Solves A·x = b by Gauss–Jordan elimination with partial pivoting (A is not modified); for the
 * small symmetric positive definite systems of ridge and Newton steps. A zero pivot gives 0.
 */
export function solveLinear(A: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
    [M[c], M[pivot]] = [M[pivot], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c || M[c][c] === 0) continue;
      const factor = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= factor * M[c][k];
    }
  }
  return Float64Array.from({ length: n }, (_, i) => (M[i][i] === 0 ? 0 : M[i][n] / M[i][i]));
}
