/**
 * Dense QP on the probability simplex (docs/algorithms.md §1.5 and §4.6):
 *
 *     minimise ½ βᵀHβ − cᵀβ   subject to   Σβ = 1,  β ≥ 0
 *
 * H is a kernel Gram matrix (symmetric positive semi-definite, m ≤ a few hundred). Solved
 * exactly by a primal active-set method (Nocedal & Wright, Algorithm 16.3): each iteration solves
 * the equality-constrained problem on the free set by Cholesky, then either takes a blocking step
 * or releases the bound with the most negative multiplier. It terminates at a KKT point; the
 * reference uses the Clarabel interior-point solver, which we match to ~1e-9 in the objective.
 * A ridge of 1e-12·mean(diag H) keeps near-duplicate points from making the free block singular.
 * Imports nothing.
 */

export interface SimplexQpResult {
  beta: Float64Array;
  /** objective ½βᵀHβ − cᵀβ at the solution (on H without the ridge) */
  objective: number;
  iterations: number;
  /** multiplier λ of Σβ = 1 (KKT: (Hβ − c)_i = λ where β_i > 0, ≥ λ where β_i = 0) */
  lambda: number;
}

const RIDGE = 1e-12;

export interface SimplexQpOptions {
  tolerance?: number;
  maxIterations?: number;
  /**
   * A feasible start (on the simplex), e.g. the solution of a nearby problem: its support is the
   * first free set, so a Z step's β re-solve takes a few iterations instead of one per support point.
   */
  start?: Float64Array;
}

export function solveSimplexQp(H: Float64Array, c: Float64Array, options: SimplexQpOptions = {}): SimplexQpResult {
  const m = c.length;
  if (H.length !== m * m) throw new RangeError(`H must be ${m}×${m}`);
  if (m === 0) throw new RangeError('QP needs at least one variable');
  for (let i = 0; i < H.length; i++) if (!Number.isFinite(H[i])) throw new RangeError('H has non-finite entries');
  for (let i = 0; i < m; i++) if (!Number.isFinite(c[i])) throw new RangeError('c has non-finite entries');

  let meanDiag = 0;
  for (let i = 0; i < m; i++) meanDiag += H[i * m + i];
  meanDiag /= m;
  const ridge = RIDGE * Math.max(meanDiag, 1e-300);
  const scale = Math.max(meanDiag, maxAbs(c), 1e-300);
  const tol = (options.tolerance ?? 1e-12) * scale;
  const maxIterations = options.maxIterations ?? 50 * m + 100;

  const beta = new Float64Array(m);
  const free = new Uint8Array(m);
  if (options.start && isOnSimplex(options.start, m)) {
    beta.set(options.start);
    for (let i = 0; i < m; i++) free[i] = beta[i] > 0 ? 1 : 0;
  } else {
    // Start at the best vertex: β = e_j minimising ½H_jj − c_j.
    let start = 0;
    let startValue = Infinity;
    for (let j = 0; j < m; j++) {
      const v = 0.5 * H[j * m + j] - c[j];
      if (v < startValue) {
        startValue = v;
        start = j;
      }
    }
    beta[start] = 1;
    free[start] = 1;
  }

  let lambda = 0;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const F = indicesOf(free);
    const target = solveEqualityQp(H, c, F, m, ridge);
    lambda = target.lambda;
    // step p = target − β on the free set
    let stepNorm = 0;
    for (let a = 0; a < F.length; a++) stepNorm = Math.max(stepNorm, Math.abs(target.x[a] - beta[F[a]]));
    if (stepNorm <= 1e-14) {
      // At the minimiser of the current face: check bound multipliers μ_i = g_i − λ.
      const g = gradient(H, c, beta, m);
      let worst = -1;
      let worstValue = -tol;
      for (let i = 0; i < m; i++) {
        if (free[i]) continue;
        const mu = g[i] - lambda;
        if (mu < worstValue) {
          worstValue = mu;
          worst = i;
        }
      }
      if (worst === -1) break;
      free[worst] = 1;
      continue;
    }
    // Longest feasible step along p (blocking bounds where p_i < 0).
    let alpha = 1;
    let blocking = -1;
    for (let a = 0; a < F.length; a++) {
      const i = F[a];
      const p = target.x[a] - beta[i];
      if (p < 0) {
        const limit = -beta[i] / p;
        if (limit < alpha) {
          alpha = limit;
          blocking = i;
        }
      }
    }
    for (let a = 0; a < F.length; a++) {
      const i = F[a];
      beta[i] += alpha * (target.x[a] - beta[i]);
    }
    if (blocking !== -1) {
      beta[blocking] = 0;
      free[blocking] = 0;
    }
  }
  // Clean rounding: exact zeros off the free set, renormalise to Σβ = 1.
  let total = 0;
  for (let i = 0; i < m; i++) {
    if (beta[i] < 0) beta[i] = 0;
    total += beta[i];
  }
  for (let i = 0; i < m; i++) beta[i] /= total;
  return { beta, objective: objective(H, c, beta, m), iterations, lambda };
}

function isOnSimplex(beta: Float64Array, m: number): boolean {
  if (beta.length !== m) return false;
  let total = 0;
  for (let i = 0; i < m; i++) {
    if (!(beta[i] >= 0) || !Number.isFinite(beta[i])) return false;
    total += beta[i];
  }
  return Math.abs(total - 1) < 1e-9;
}

/** ½βᵀHβ − cᵀβ */
export function objective(H: Float64Array, c: Float64Array, beta: Float64Array, m = c.length): number {
  let quad = 0;
  let lin = 0;
  for (let i = 0; i < m; i++) {
    if (beta[i] === 0) continue;
    let row = 0;
    for (let j = 0; j < m; j++) row += H[i * m + j] * beta[j];
    quad += beta[i] * row;
    lin += c[i] * beta[i];
  }
  return 0.5 * quad - lin;
}

function gradient(H: Float64Array, c: Float64Array, beta: Float64Array, m: number): Float64Array {
  const g = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = -c[i];
    for (let j = 0; j < m; j++) s += H[i * m + j] * beta[j];
    g[i] = s;
  }
  return g;
}

function indicesOf(mask: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i];
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/**
 * min ½xᵀH_FF x − c_Fᵀx s.t. Σx = 1 on free indices F:
 * x = H⁻¹(c + λ1) with λ = (1 − 1ᵀH⁻¹c)/(1ᵀH⁻¹1), H = H_FF + ridge·I by Cholesky.
 */
function solveEqualityQp(H: Float64Array, c: Float64Array, F: Int32Array, m: number, ridge: number): { x: Float64Array; lambda: number } {
  const k = F.length;
  const L = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) L[a * k + b] = H[F[a] * m + F[b]];
    L[a * k + a] += ridge;
  }
  cholesky(L, k);
  const cF = new Float64Array(k);
  const ones = new Float64Array(k).fill(1);
  for (let a = 0; a < k; a++) cF[a] = c[F[a]];
  const hc = choleskySolve(L, k, cF);
  const h1 = choleskySolve(L, k, ones);
  let sumHc = 0;
  let sumH1 = 0;
  for (let a = 0; a < k; a++) {
    sumHc += hc[a];
    sumH1 += h1[a];
  }
  const lambda = (1 - sumHc) / sumH1;
  const x = new Float64Array(k);
  for (let a = 0; a < k; a++) x[a] = hc[a] + lambda * h1[a];
  return { x, lambda };
}

/** In-place lower Cholesky factor of a k×k SPD matrix (lower triangle used). */
function cholesky(A: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j];
    for (let p = 0; p < j; p++) d -= A[j * k + p] * A[j * k + p];
    if (!(d > 0)) d = Number.EPSILON * Math.max(1, Math.abs(A[j * k + j])); // numerically singular: tiny pivot
    const ljj = Math.sqrt(d);
    A[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j];
      for (let p = 0; p < j; p++) s -= A[i * k + p] * A[j * k + p];
      A[i * k + j] = s / ljj;
    }
  }
}

function choleskySolve(L: Float64Array, k: number, b: Float64Array): Float64Array {
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= L[i * k + p] * y[p];
    y[i] = s / L[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < k; p++) s -= L[p * k + i] * x[p];
    x[i] = s / L[i * k + i];
  }
  return x;
}

function maxAbs(v: Float64Array): number {
  let best = 0;
  for (let i = 0; i < v.length; i++) best = Math.max(best, Math.abs(v[i]));
  return best;
}
