/** Tables parsed inside a worker, kept by id for later jobs (one at a time: tables can be large). */
import { InputError } from '../src/engine/core/errors.js';
import type { Table } from '../src/engine/data/csv.js';
import { parseTableFile } from '../src/engine/data/table-file.js';

export interface ColumnInfo {
  name: string;
  kind: 'numeric' | 'text';
  /** for text columns: the first non-numeric cell */
  example?: string;
  missing: number;
}

export interface LoadedTable {
  tableId: number;
  rows: number;
  columns: ColumnInfo[];
}

const tables = new Map<number, Table>();
let nextTableId = 1;
/** Files this worker was asked to parse so far (failed parses count too), readable from outside as `self.tableParses` (e2e: one parse per journey). */
let parses = 0;

/** Parses a CSV, TSV or Parquet file (Parquet is recognised by its magic bytes, not its name). */
export async function loadTableFile(bytes: ArrayBuffer, fileName: string): Promise<LoadedTable> {
  // limits sized for a browser tab: 512 MiB of text, 2^26 cells (512 MiB as float64)
  (globalThis as { tableParses?: number }).tableParses = ++parses;
  const table = await parseTableFile(new Uint8Array(bytes), fileName, { maxChars: 512 * 2 ** 20, maxCells: 2 ** 26, maxUncompressedBytes: 2 ** 30 });
  const tableId = nextTableId++;
  tables.clear();
  tables.set(tableId, table);
  const columns = table.columns.map((c): ColumnInfo => {
    if (c.kind === 'text') return { name: c.name, kind: 'text', example: c.firstText.value.slice(0, 40), missing: 0 };
    let missing = 0;
    for (const v of c.values) if (!Number.isFinite(v)) missing++;
    return { name: c.name, kind: 'numeric', missing };
  });
  return { tableId, rows: table.rowCount, columns };
}

export function getTable(tableId: number): Table {
  const table = tables.get(tableId);
  if (!table) throw new InputError('NO_TABLE', 'the table is no longer loaded; load the file again');
  return table;
}

/** The columns left out of a table's features: the ones not chosen (`features`), or the ones dropped. */
export function droppedColumns(tableId: number, selection: { features?: readonly string[]; dropColumns?: readonly string[] }): string[] {
  if (!selection.features) return [...(selection.dropColumns ?? [])];
  const chosen = new Set(selection.features);
  return getTable(tableId)
    .columns.map((c) => c.name)
    .filter((name) => !chosen.has(name));
}
