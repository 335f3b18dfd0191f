/**
 * Categorical text columns as numbers, in one step the user chooses: one-hot (a 0/1 column per
 * category, named `column=category`) or ordinal (the category's position in a given order, or in
 * sorted order). The encoding is data (`ColumnEncoding`) so it can be shown and recorded with the
 * features, and applied again to another file. Missing cells (empty, NA, …) stay missing (NaN).
 * Imports only core and csv types.
 */
import { InputError } from '../core/errors.js';
import type { Column, Table } from './csv.js';

export type EncodingKind = 'one-hot' | 'ordinal';

export interface ColumnEncoding {
  column: string;
  kind: EncodingKind;
  /** the categories, in the order of the one-hot columns or of the ordinal codes 0, 1, … */
  categories: string[];
}

/** More categories than this is not a categorical column (an id, free text): refused. */
export const MAX_CATEGORIES = 100;

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a']);
const isMissing = (cell: string) => MISSING.has(cell.trim().toLowerCase());

/** The categories of a text column (trimmed, missing markers left out), sorted ("natural" order for numbers in text). */
export function categoriesOf(column: Column): string[] {
  if (column.kind !== 'text') throw new InputError('NOT_CATEGORICAL', `column "${column.name}" is numeric already`, { column: column.name });
  const seen = new Set<string>();
  for (const cell of column.values) if (!isMissing(cell)) seen.add(cell.trim());
  return [...seen].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Chooses an encoding for a text column (ordinal: `order` when given, else sorted categories). */
export function planEncoding(column: Column, kind: EncodingKind, order?: readonly string[]): ColumnEncoding {
  const found = categoriesOf(column);
  if (found.length > MAX_CATEGORIES) {
    throw new InputError(
      'TOO_MANY_CATEGORIES',
      `column "${column.name}" has ${found.length} different values (more than ${MAX_CATEGORIES}): it is not a category to encode; leave it out`,
      {
        column: column.name,
        categories: found.length,
      },
    );
  }
  if (found.length === 0) throw new InputError('NOT_CATEGORICAL', `column "${column.name}" has no values to encode`, { column: column.name });
  let categories = found;
  if (order) {
    const unknown = found.filter((c) => !order.includes(c));
    if (unknown.length) throw new InputError('NOT_CATEGORICAL', `the order for "${column.name}" lacks ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, { column: column.name });
    categories = [...order];
  }
  return { column: column.name, kind, categories };
}

/** The numeric columns an encoding makes from a text column (cells matched after trimming). */
export function encodeColumn(column: Column, encoding: ColumnEncoding): Column[] {
  if (column.kind !== 'text') throw new InputError('NOT_CATEGORICAL', `column "${column.name}" is numeric already`, { column: column.name });
  const index = new Map(encoding.categories.map((c, i) => [c, i]));
  const rows = column.values.length;
  const code = (cell: string): number => {
    if (isMissing(cell)) return -1;
    const k = index.get(cell.trim());
    if (k === undefined)
      throw new InputError('UNKNOWN_CATEGORY', `column "${column.name}" holds ${JSON.stringify(cell)}, which is not one of ${encoding.categories.join(', ')}`, { column: column.name });
    return k;
  };
  if (encoding.kind === 'ordinal') {
    const values = Float64Array.from(column.values, (cell) => {
      const k = code(cell);
      return k < 0 ? NaN : k;
    });
    return [{ name: column.name, kind: 'numeric', values }];
  }
  const out = encoding.categories.map(() => new Float64Array(rows));
  column.values.forEach((cell, r) => {
    const k = code(cell);
    for (let j = 0; j < out.length; j++) out[j][r] = k < 0 ? NaN : k === j ? 1 : 0;
  });
  return encoding.categories.map((c, j) => ({ name: `${column.name}=${c}`, kind: 'numeric', values: out[j] }));
}

/** The table with the column replaced, in place of it, by its encoded columns (names must stay unique). */
export function applyEncoding(table: Table, encoding: ColumnEncoding): Table {
  const at = table.columns.findIndex((c) => c.name === encoding.column);
  if (at < 0) throw new InputError('UNKNOWN_COLUMN', `the table has no column "${encoding.column}"`, { column: encoding.column });
  const encoded = encodeColumn(table.columns[at], encoding);
  const others = new Set(table.columns.filter((_, i) => i !== at).map((c) => c.name));
  const clash = encoded.find((c) => others.has(c.name));
  if (clash) throw new InputError('DUPLICATE_COLUMN', `encoding "${encoding.column}" would make a column "${clash.name}", which the table has already`, { column: clash.name });
  return { rowCount: table.rowCount, columns: [...table.columns.slice(0, at), ...encoded, ...table.columns.slice(at + 1)] };
}
