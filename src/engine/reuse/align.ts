/**
 * Column alignment: how the user's columns feed a learnware's model inputs. One pluggable
 * interface (`ColumnAligner`); the default matches columns by exact name, in any order, extra
 * columns ignored. An aligner for another feature space (heterogeneous reuse) implements the same
 * interface and is passed where the reuse code takes `aligner`.
 */
import { InputError } from '../core/errors.js';

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
