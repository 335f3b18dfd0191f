/**
 * From a parsed table to the numeric feature matrix the specs are built on.
 * Imports only core and csv types.
 */
import { InputError } from '../core/errors.js';
import type { Table } from './csv.js';

export interface FeatureMatrix {
  /** row-major n×d; may hold NaN/±Inf (imputation is part of spec generation) */
  values: Float64Array;
  rows: number;
  cols: number;
  featureNames: string[];
}

export interface SelectOptions {
  /** Columns left out of the features (e.g. the label, ids, text columns). */
  dropColumns?: readonly string[];
  /** 'skip': leave non-numeric columns out (search across feature spaces reports them as ignored); default: an error */
  textColumns?: 'error' | 'skip';
}

/**
 * Keeps every column not dropped; all of them must be numeric. Unknown names in `dropColumns`
 * are an error (a typo would otherwise silently keep the column).
 */
export function toFeatureMatrix(table: Table, options: SelectOptions = {}): FeatureMatrix {
  const drop = new Set(options.dropColumns ?? []);
  const known = new Set(table.columns.map((c) => c.name));
  for (const name of drop) {
    if (!known.has(name)) {
      throw new InputError('UNKNOWN_COLUMN', `cannot drop column "${name}": the table has ${[...known].map((k) => `"${k}"`).join(', ')}`, { column: name });
    }
  }
  const kept = table.columns.filter((c) => !drop.has(c.name) && !(options.textColumns === 'skip' && c.kind === 'text'));
  if (kept.length === 0) throw new InputError('NO_FEATURES', options.textColumns === 'skip' ? 'no numeric column left after dropping' : 'no feature columns left after dropping');
  const text = kept.filter((c) => c.kind === 'text');
  if (text.length > 0) {
    const first = text[0];
    const where = first.kind === 'text' ? ` (data row ${first.firstText.row + 1}: ${JSON.stringify(first.firstText.value.slice(0, 40))})` : '';
    throw new InputError(
      'NON_NUMERIC_COLUMN',
      `column "${first.name}" is not numeric${where}; drop it (--drop-columns ${text.map((c) => c.name).join(',')}) or encode it as numbers first`,
      { columns: text.map((c) => c.name) },
    );
  }
  const rows = table.rowCount;
  const cols = kept.length;
  const values = new Float64Array(rows * cols);
  kept.forEach((column, c) => {
    const source = column.values as Float64Array;
    for (let r = 0; r < rows; r++) values[r * cols + c] = source[r];
  });
  return { values, rows, cols, featureNames: kept.map((c) => c.name) };
}

/**
 * A label column's cells: numbers, or text for class names; null where the cell is empty (such
 * rows are predicted, not learnt from). Unknown column names are an error.
 */
export function labelValues(table: Table, name: string): (number | string | null)[] {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new InputError('UNKNOWN_COLUMN', `label column "${name}" is not in the table (it has ${table.columns.map((c) => `"${c.name}"`).join(', ')})`, { column: name });
  if (column.kind === 'numeric') return Array.from(column.values, (v) => (Number.isFinite(v) ? v : null));
  return column.values.map((v) => (/^\s*(|na|n\/a|nan|null|none)\s*$/i.test(v) ? null : v));
}

/** Rows `indices` of a row-major matrix of `width` columns, in that order. */
export function gatherRows(values: Float64Array, width: number, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(values.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}
