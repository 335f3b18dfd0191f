/**
 * The table RKME: the spec type of tabular data (this folder is its plug-in, index.ts).
 * Imports only the generic spec contract.
 */
import type { StatSpec } from '../spec-type.js';

export const RKME_TABLE_TYPE = 'RKMETableSpecification';

/**
 * The one set of limits of a table spec, enforced wherever a spec is read: stat.json
 * (stat-json.ts), catalog shards (shard.ts), the checker (index.ts check) and building (build.ts).
 * Comparing specs costs K² · d, so a K of 20,000 read from a hostile bundle or shard would take
 * minutes and gigabytes.
 */
export const TABLE_SPEC_LIMITS = { K: 2_000, d: 10_000 } as const;

/** How the per-feature kernel scale of a spec was obtained. */
export type ScaleSource = 'std' | 'given';

export interface SpecProvenance {
  generator: string;
  seed: number;
  backend: string;
  steps: number;
  requestedK: number;
  kmeansRows: number;
}

/**
 * RKME of a table (docs/algorithms.md §1): reduced set Z with simplex weights β.
 * Kernel: k(a, b) = exp(−γ Σ_f ((a_f − b_f)/s_f)²) with s = `scale`, or s = 1 (raw units, the
 * reference's kernel) when `scale` is null. Z stays in raw feature units either way, so the
 * stat.json fields keep their reference meaning.
 */
export interface RkmeTableSpec extends StatSpec {
  type: typeof RKME_TABLE_TYPE;
  /** reduced points, row-major K×d, raw feature units */
  z: Float64Array;
  /** weights, length K, Σβ = 1, β ≥ 0 for specs we generate (loaded specs may differ) */
  beta: Float64Array;
  K: number;
  d: number;
  gamma: number;
  /** number of rows the spec summarises */
  numPoints: number;
  /** per-feature kernel scale (length d, positive), or null for raw units */
  scale: Float64Array | null;
  scaleSource: ScaleSource | null;
  /** feature (column) names in order, when known */
  featureNames: string[] | null;
  provenance: SpecProvenance | null;
}
