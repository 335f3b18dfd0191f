/**
 * Marginal signatures of columns: what a column's values look like on their own, in terms that
 * do not change with its units (docs/heterogeneous.md §2). Column matching compares a user's
 * column with an island's by its shape (quantiles of z-scored values, skewness, kurtosis) and,
 * when both sides know it, how often it holds whole numbers; the location and spread are kept
 * for the unit maps. Weighted values (an RKME's reduced points with their β) and plain columns
 * (a user's table) give the same kind of signature. Imports nothing.
 */

/** Quantile levels of a signature: 5 %, 10 %, …, 95 %. */
export const SIGNATURE_LEVELS: readonly number[] = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

export interface MarginalSignature {
  mean: number;
  std: number;
  /** quantiles of (x − mean) / std at SIGNATURE_LEVELS */
  q: number[];
  skew: number;
  /** log(1 + |excess kurtosis|) */
  kurt: number;
  /** share of values that are whole numbers; null when unknown (reduced points are not data) */
  integer: number | null;
  min: number;
  max: number;
}

/**
 * The weighted quantile at level p: each value sits at the middle of its weight on the [0, 1]
 * axis and the quantile interpolates linearly between neighbours (plain quantiles when equal).
 */
function weightedQuantile(sorted: Float64Array, weights: Float64Array, total: number, p: number): number {
  let acc = 0;
  let previous = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    const at = (acc + weights[i] / 2) / total;
    if (at >= p) {
      if (i === 0) return sorted[0];
      const t = (p - previous) / (at - previous);
      return sorted[i - 1] + t * (sorted[i] - sorted[i - 1]);
    }
    previous = at;
    acc += weights[i];
  }
  return sorted[sorted.length - 1];
}

/**
 * The signature of finite values (optionally weighted; negative weights count as 0). Null when
 * fewer than two finite values or no spread: a constant column has no shape to compare.
 */
export function marginalSignature(values: ArrayLike<number>, weights?: ArrayLike<number>, options: { wholeNumbers?: boolean } = {}): MarginalSignature | null {
  const pairs: [number, number][] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const w = weights ? Math.max(0, weights[i]) : 1;
    if (Number.isFinite(v) && w > 0) pairs.push([v, w]);
  }
  if (pairs.length < 2) return null;
  pairs.sort((a, b) => a[0] - b[0]);
  const sorted = Float64Array.from(pairs, (p) => p[0]);
  const w = Float64Array.from(pairs, (p) => p[1]);
  let total = 0;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) {
    total += w[i];
    sum += w[i] * sorted[i];
  }
  const mean = sum / total;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i] - mean;
    const c2 = c * c;
    m2 += w[i] * c2;
    m3 += w[i] * c2 * c;
    m4 += w[i] * c2 * c2;
  }
  m2 /= total;
  m3 /= total;
  m4 /= total;
  const std = Math.sqrt(m2);
  if (!(std > 1e-12 * Math.max(1, Math.abs(mean)))) return null;
  let integer: number | null = null;
  if (options.wholeNumbers !== false && !weights) {
    let whole = 0;
    for (const v of sorted) if (Number.isInteger(v)) whole++;
    integer = whole / sorted.length;
  }
  return {
    mean,
    std,
    q: SIGNATURE_LEVELS.map((p) => (weightedQuantile(sorted, w, total, p) - mean) / std),
    skew: m3 / (std * std * std),
    kurt: Math.log1p(Math.abs(m4 / (m2 * m2) - 3)),
    integer,
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/** The signature of each column of a row-major table (null for a column without spread). */
export function tableSignatures(values: Float64Array, rows: number, cols: number): (MarginalSignature | null)[] {
  const column = new Float64Array(rows);
  return Array.from({ length: cols }, (_, c) => {
    for (let r = 0; r < rows; r++) column[r] = values[r * cols + c];
    return marginalSignature(column);
  });
}

/**
 * How alike two columns' shapes are, in [0, 1]: 1 for the same shape whatever the units. The
 * distance is the mean absolute gap between the z-scored quantiles plus the gaps in skewness and
 * kurtosis (each damped) and, when both are known, in the share of whole numbers.
 */
export function signatureSimilarity(a: MarginalSignature, b: MarginalSignature): number {
  let gap = 0;
  for (let i = 0; i < a.q.length; i++) gap += Math.abs(a.q[i] - b.q[i]);
  gap /= a.q.length;
  const skew = Math.abs(Math.tanh(a.skew / 2) - Math.tanh(b.skew / 2));
  const kurt = Math.abs(a.kurt - b.kurt) / 4;
  const whole = a.integer !== null && b.integer !== null ? Math.abs(a.integer - b.integer) : 0;
  return Math.exp(-(2 * gap + skew + Math.min(1, kurt) + whole));
}
