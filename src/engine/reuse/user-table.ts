/**
 * The user's table as reuse takes it (CLI and workers alike): the feature columns — the ones
 * chosen, or all but the dropped ones; never the label column — the label column's cells, and —
 * when asked — empty feature cells filled with their column mean.
 */
import { InputError } from '../core/errors.js';
import type { Table } from '../data/csv.js';
import { labelValues, toFeatureMatrix, type FeatureMatrix } from '../data/table.js';
import { imputeColumnMeans } from '../data/impute.js';

export interface UserTableOptions {
  /** the feature columns (the page sends what the user ticked); default: every column not dropped */
  features?: readonly string[];
  /** columns that are not features (the CLI's --drop-columns), when `features` is not given */
  dropColumns?: readonly string[];
  labelColumn?: string;
  fillMissing?: boolean;
}

export interface UserTable {
  matrix: FeatureMatrix;
  /** the label column's cells (null = empty); null without a label column */
  labels: (number | string | null)[] | null;
  filledCells: number;
}

export function userTable(table: Table, options: UserTableOptions = {}): UserTable {
  const label = options.labelColumn;
  const labels = label ? labelValues(table, label) : null;
  const matrix = toFeatureMatrix(table, { dropColumns: [...droppedColumns(table, options), ...(label ? [label] : [])] });
  let filledCells = 0;
  if (options.fillMissing) {
    const filled = imputeColumnMeans(matrix.values, matrix.rows, matrix.cols, matrix.featureNames);
    matrix.values = filled.values;
    filledCells = filled.imputed;
  }
  return { matrix, labels, filledCells };
}

/** The columns left out of the features: those not chosen, or those dropped (the label is added by the caller). */
function droppedColumns(table: Table, options: UserTableOptions): string[] {
  if (!options.features) return (options.dropColumns ?? []).filter((c) => c !== options.labelColumn);
  const names = table.columns.map((c) => c.name);
  const unknown = options.features.filter((f) => !names.includes(f));
  if (unknown.length > 0) throw new InputError('UNKNOWN_COLUMN', `the table has no column "${unknown[0]}" (it has ${names.map((n) => `"${n}"`).join(', ')})`, { column: unknown[0] });
  const chosen = new Set(options.features);
  return names.filter((n) => !chosen.has(n) && n !== options.labelColumn);
}
