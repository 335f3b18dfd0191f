/**
 * The user's table as reuse takes it (CLI and reuse worker alike): the feature columns (the label
 * column and the dropped ones left out), the label column's cells, and — when asked — empty feature
 * cells filled with their column mean.
 */
import type { Table } from '../data/csv.js';
import { labelValues, toFeatureMatrix, type FeatureMatrix } from '../data/table.js';
import { imputeColumnMeans } from '../spec/impute.js';

export interface UserTableOptions {
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
  const matrix = toFeatureMatrix(table, { dropColumns: [...(options.dropColumns ?? []), ...(label ? [label] : [])] });
  let filledCells = 0;
  if (options.fillMissing) {
    const filled = imputeColumnMeans(matrix.values, matrix.rows, matrix.cols, matrix.featureNames);
    matrix.values = filled.values;
    filledCells = filled.imputed;
  }
  return { matrix, labels, filledCells };
}
