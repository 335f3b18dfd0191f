/**
 * A column mapping: how a user's table feeds the columns of an island (docs/heterogeneous.md §1):
 * for each island column at most one user column, read through one affine unit map
 * (island value = factor · user value + offset). Island columns without a user column are
 * `missing`; user columns the island does not take are `ignored`. Search builds the user's spec
 * from the mapped columns, reuse feeds models through the same mapping, a composite stores it.
 * Imports only core.
 */
import { InputError } from '../core/errors.js';

export interface ColumnPair {
  /** the user's column name */
  user: string;
  /** the island's column (feature) name */
  island: string;
  factor: number;
  offset: number;
  /** how sure the matching is, in [0, 1] (1: given by the user or the same name) */
  confidence: number;
  /** how the pair was found: 'name' (same name), 'matched' (names and statistics), 'given' (--map) */
  source: 'name' | 'matched' | 'given';
  /** the unit conversion the factor stands for, when it is a known one ("÷ 1000", "ft² → m²") */
  unit?: string;
  /** the factor and offset were given by the user: never re-estimated */
  fixed?: boolean;
  /** matched pairs: the name and marginal-shape similarities behind the confidence */
  evidence?: { name: number; shape: number | null };
}

export interface ColumnMapping {
  /** in the island's column order */
  pairs: ColumnPair[];
  /** island columns no user column feeds */
  missing: string[];
  /** user columns no island column takes */
  ignored: string[];
}

export interface Coverage {
  /** island columns fed by the user's table */
  used: number;
  /** the island's columns */
  of: number;
  /** Σ confidence / (island columns + user columns − used): 1 only when every column on both sides is matched surely */
  fraction: number;
}

/** The coverage of a mapping between `userColumns` user columns and an island of `islandColumns`. */
export function mappingCoverage(mapping: ColumnMapping, userColumns: number, islandColumns: number): Coverage {
  const used = mapping.pairs.length;
  const sure = mapping.pairs.reduce((s, p) => s + p.confidence, 0);
  const union = islandColumns + userColumns - used;
  return { used, of: islandColumns, fraction: union > 0 ? sure / union : 0 };
}

/** Whether a mapping is the plain one: every island column from the user's column of that name, unchanged. */
export function isIdentityMapping(mapping: ColumnMapping): boolean {
  return mapping.missing.length === 0 && mapping.pairs.every((p) => p.user === p.island && p.factor === 1 && p.offset === 0);
}

/**
 * The user's rows in the island's columns (row-major rows × features), each through its unit map;
 * NaN in every missing column.
 */
export function mapRows(values: Float64Array, rows: number, userColumns: readonly string[], features: readonly string[], mapping: ColumnMapping): Float64Array {
  const d = features.length;
  const cols = userColumns.length;
  const source = features.map((f) => mapping.pairs.find((p) => p.island === f));
  const index = source.map((p) => (p ? userColumns.indexOf(p.user) : -1));
  source.forEach((p, j) => {
    if (p && index[j] < 0) throw new InputError('UNKNOWN_COLUMN', `the mapping reads the column "${p.user}", which your table does not have`, { column: p.user });
  });
  const out = new Float64Array(rows * d);
  for (let j = 0; j < d; j++) {
    const at = index[j];
    const factor = source[j]?.factor ?? 1;
    const offset = source[j]?.offset ?? 0;
    for (let r = 0; r < rows; r++) out[r * d + j] = at < 0 ? NaN : factor * values[r * cols + at] + offset;
  }
  return out;
}

/** Positions (in the island's column order) of the columns a mapping feeds. */
export function mappedPositions(features: readonly string[], mapping: ColumnMapping): number[] {
  const fed = new Set(mapping.pairs.map((p) => p.island));
  return features.flatMap((f, j) => (fed.has(f) ? [j] : []));
}

/**
 * `--map "user=island,user2=island2*0.0929,…"`: pairs the user fixes (an optional `*factor` and
 * `+offset` after the island column). Throws USAGE-style InputErrors naming the bad part.
 */
export function parseMapOverride(text: string): { user: string; island: string; factor?: number; offset?: number }[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(.+?)\s*=\s*([^*+]+?)\s*(?:\*\s*([-+0-9.eE]+))?\s*(?:\+\s*([-+0-9.eE]+))?$/.exec(part);
      if (!m) throw new InputError('BAD_MAP', `cannot read the mapping "${part}": write user_column=island_column, optionally followed by *factor and +offset`);
      const factor = m[3] === undefined ? undefined : Number(m[3]);
      const offset = m[4] === undefined ? undefined : Number(m[4]);
      if ((factor !== undefined && !(Number.isFinite(factor) && factor !== 0)) || (offset !== undefined && !Number.isFinite(offset))) {
        throw new InputError('BAD_MAP', `the mapping "${part}" has a factor or offset that is not a finite number (the factor must not be 0)`);
      }
      return { user: m[1].trim(), island: m[2].trim(), factor, offset };
    });
}
