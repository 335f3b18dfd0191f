/**
 * Column alignment: how the user's columns feed a learnware's model inputs. One pluggable
 * interface (`ColumnAligner`); the default matches columns by exact name, in any order, extra
 * columns ignored. An aligner for another feature space (heterogeneous reuse) implements the same
 * interface and is passed where the reuse code takes `aligner`: `mappingAligner` reads the user's
 * table through a column mapping from search (renamed columns, unit maps) and fills the columns the
 * user lacks from the learnware's own specification (docs/heterogeneous.md §5).
 */
import { InputError } from '../core/errors.js';
import { mapRows, type ColumnMapping } from '../data/column-map.js';
import { specType } from '../spec/registry.js';
import type { IslandSettings, StatSpec } from '../spec/spec-type.js';

/** What an aligner needs to know of a learnware's input (bundle/manifest.ts `model.input`). */
export interface InputSchema {
  /** the model's features, in the order the model takes them */
  readonly features: readonly string[];
}

/** The user's rows turned into a model's inputs. */
export interface RowMapping {
  /** the model's features, in order: the width of `apply`'s rows */
  readonly features: readonly string[];
  /** the user's rows (row-major, one value per user column) as model inputs (row-major, one per feature) */
  apply(values: Float64Array, rows: number): Float64Array;
}

export interface ColumnAligner {
  readonly id: string;
  /** The mapping from the user's columns to the schema's features; throws an InputError when there is none. */
  align(userColumns: readonly string[], schema: InputSchema): RowMapping;
}

/**
 * For each feature, the index of the user's column of that name; MISSING_COLUMNS names every
 * feature the table lacks (and lists what it has).
 */
export function columnsByName(userColumns: readonly string[], features: readonly string[]): Int32Array {
  const missing = features.filter((f) => !userColumns.includes(f));
  if (missing.length > 0) {
    throw new InputError(
      'MISSING_COLUMNS',
      `your table lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} that the learnware takes (it needs ${features.join(', ')}; you have ${userColumns.join(', ')})`,
      { missing },
    );
  }
  return Int32Array.from(features, (f) => userColumns.indexOf(f));
}

/** Today's aligner: every feature read from the user's column of the same name. */
export const exactNameAligner: ColumnAligner = {
  id: 'exact-name',
  align(userColumns, schema) {
    const features = schema.features;
    const order = columnsByName(userColumns, features);
    const cols = userColumns.length;
    const d = features.length;
    return {
      features,
      apply(values, rows) {
        const out = new Float64Array(rows * d);
        for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) out[r * d + f] = values[r * cols + order[f]];
        return out;
      },
    };
  },
};

export const defaultAligner: ColumnAligner = exactNameAligner;

export interface MappingAlignerOptions {
  /** one weight per spec when several fill together (the mixture's weights; equal when absent) */
  weights?: readonly number[];
  /** the settings the fill measures distances under (default: each spec's own, `ownSettings`) */
  settings?: IslandSettings;
}

/**
 * The island columns a mapping cannot feed from the user's table (those it lists as missing, and
 * any feature no pair takes), or MIXED_FEATURES when the mapping was made for another island.
 */
export function mappingGaps(mapping: ColumnMapping, features: readonly string[]): string[] {
  const stranger = mapping.pairs.filter((p) => !features.includes(p.island)).map((p) => p.island);
  if (stranger.length > 0) {
    throw new InputError(
      'MIXED_FEATURES',
      `the column mapping feeds ${stranger.map((c) => `"${c}"`).join(', ')}, which this learnware does not take (it takes ${features.join(', ')}): a mapping belongs to one island, so learnwares of different islands cannot be reused together through it; reuse one island's learnwares at a time`,
      { columns: stranger },
    );
  }
  return features.filter((f) => !mapping.pairs.some((p) => p.island === f));
}

/**
 * Reuse across feature spaces (docs/heterogeneous.md §5): every feature read from the user's column
 * the mapping pairs with it, through its unit map; a feature the user lacks filled row by row from
 * the learnware's own specification, conditioned on the columns the user has (the spec type's
 * `columns.fill`). With several specs (the rows a reuse method sees for a mixture), each fills the
 * row and the fills are averaged by the weights. Empty cells in the user's own columns stay empty,
 * so the usual NON_FINITE_INPUT error (or the fill-missing option) still applies to them.
 */
export function mappingAligner(mapping: ColumnMapping, specs: StatSpec | readonly StatSpec[], options: MappingAlignerOptions = {}): ColumnAligner {
  const list: readonly StatSpec[] = Array.isArray(specs) ? specs : [specs as StatSpec];
  if (list.length === 0) throw new InputError('NO_LEARNWARES', 'a mapping aligner needs the specification of at least one learnware');
  const weights = options.weights ?? list.map(() => 1 / list.length);
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  return {
    id: 'mapping',
    align(userColumns, schema) {
      const features = schema.features;
      const gaps = mappingGaps(mapping, features);
      const absent = mapping.pairs.filter((p) => !userColumns.includes(p.user)).map((p) => p.user);
      if (absent.length > 0) {
        throw new InputError(
          'MISSING_COLUMNS',
          `your table lacks the column${absent.length > 1 ? 's' : ''} ${absent.map((m) => `"${m}"`).join(', ')} that the column mapping reads (you have ${userColumns.join(', ')})`,
          { missing: absent },
        );
      }
      const fillers = gaps.length === 0 ? [] : list.map((spec) => fillerOf(spec, features, gaps, options.settings));
      const d = features.length;
      return {
        features,
        apply(values, rows) {
          const x = mapRows(values, rows, userColumns, features, mapping);
          if (fillers.length === 0) return x;
          const gapAt = gaps.map((g) => features.indexOf(g));
          // only the gaps are taken from the fills: the user's own empty cells stay NaN
          const filled = fillers.map((fill) => fill(x, rows));
          for (let r = 0; r < rows; r++) {
            for (const f of gapAt) {
              let sum = 0;
              filled.forEach((values, k) => (sum += weights[k] * values[r * d + f]));
              x[r * d + f] = totalWeight > 0 ? sum / totalWeight : filled[0][r * d + f];
            }
          }
          return x;
        },
      };
    },
  };
}

/** One spec's fill of the `gaps` columns, or MISSING_COLUMNS when its type cannot fill columns. */
function fillerOf(spec: StatSpec, features: readonly string[], gaps: readonly string[], settings?: IslandSettings) {
  const type = specType(spec.type);
  const columns = type.columns;
  if (!columns) {
    throw new InputError('MISSING_COLUMNS', `your table lacks ${gaps.map((g) => `"${g}"`).join(', ')}, and a ${type.label} specification cannot fill columns`, { missing: [...gaps] });
  }
  const width = (spec as { d?: unknown }).d;
  if (typeof width === 'number' && width !== features.length) {
    throw new InputError('MIXED_FEATURES', `a specification of ${width} columns cannot fill the ${features.length} features ${features.join(', ')}`);
  }
  const own = settings ?? type.ownSettings(spec);
  // every empty cell of a row is filled on the row's other columns; the caller keeps only the gaps
  return (x: Float64Array, rows: number): Float64Array => columns.fill(spec, x, rows, own);
}
