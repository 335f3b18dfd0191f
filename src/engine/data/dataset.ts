/**
 * Datasets: the data a spec type builds from and a model runs on, one kind per data input
 * plug-in (docs/architecture.md, "Plug-ins"). Today the table: a numeric feature matrix with its
 * column names, selected from a parsed file (data/table.ts). Images and text join as further kinds.
 * Imports only data types.
 */
import type { FeatureMatrix } from './table.js';

/** The user's or a developer's data in the form a spec type builds from and a model runs on. */
export interface Dataset {
  /** 'table', later 'image', 'text' */
  readonly kind: string;
  /** rows, images or texts */
  rows: number;
}

export const TABLE_DATASET = 'table';

/** A table's feature columns: row-major numbers (NaN allowed) and their names. */
export interface TableDataset extends Dataset, FeatureMatrix {
  readonly kind: typeof TABLE_DATASET;
  rows: number;
}

export function tableDataset(matrix: FeatureMatrix): TableDataset {
  return { kind: TABLE_DATASET, ...matrix };
}

export function isTableDataset(data: Dataset): data is TableDataset {
  return data.kind === TABLE_DATASET;
}
