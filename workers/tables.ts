/**
 * The user's files, read inside a worker through the engine's data loaders (data/loaders.ts) and
 * kept by id for later jobs (one at a time: tables can be large). Tables are the only kind the
 * pages take so far; a file another loader claims gets a message saying it is not supported here.
 */
import { InputError } from '../src/engine/core/errors.js';
import type { Table } from '../src/engine/data/csv.js';
import { loaderFor, type ParsedTable } from '../src/engine/data/loaders.js';
import { applyEncoding, planEncoding, type ColumnEncoding, type EncodingKind } from '../src/engine/data/encode.js';

export interface ColumnInfo {
  name: string;
  kind: 'numeric' | 'text';
  /** for text columns: the first non-numeric cell */
  example?: string;
  missing: number;
}

/** What the page learns of a loaded file (its rows stay in the worker). */
export interface LoadedTable {
  kind: 'table';
  tableId: number;
  rows: number;
  columns: ColumnInfo[];
  /** the text columns encoded as numbers so far, in order (shown next to the features; their columns are named after them) */
  encodings: ColumnEncoding[];
}

const tables = new Map<number, Table>();
const encodings = new Map<number, ColumnEncoding[]>();
let nextTableId = 1;
/** Files this worker was asked to parse so far (failed parses count too), readable from outside as `self.tableParses` (e2e: one parse per journey). */
let parses = 0;

/** A loaded file of any kind the pages take (tables today). */
export type LoadedData = LoadedTable;

/** Reads a user's file with the loader that claims it (tables: CSV, TSV, or Parquet by its magic bytes). */
export async function loadDataFile(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
  (globalThis as { tableParses?: number }).tableParses = ++parses;
  const data = new Uint8Array(bytes);
  const loader = loaderFor(data, fileName);
  if (loader.kind !== 'table') throw new InputError('NOT_A_TABLE', `${fileName} holds ${loader.label}, which this page does not take yet; choose a table (CSV, TSV or Parquet)`);
  // limits sized for a browser tab: 512 MiB of text, 2^26 cells (512 MiB as float64)
  const { table } = (await loader.load(data, fileName, { maxChars: 512 * 2 ** 20, maxCells: 2 ** 26, maxUncompressedBytes: 2 ** 30 })) as ParsedTable;
  const tableId = nextTableId++;
  tables.clear();
  encodings.clear();
  tables.set(tableId, table);
  encodings.set(tableId, []);
  return describeTable(tableId, table);
}

function describeTable(tableId: number, table: Table): LoadedTable {
  const columns = table.columns.map((c): ColumnInfo => {
    if (c.kind === 'text') return { name: c.name, kind: 'text', example: c.firstText.value.slice(0, 40), missing: 0 };
    let missing = 0;
    for (const v of c.values) if (!Number.isFinite(v)) missing++;
    return { name: c.name, kind: 'numeric', missing };
  });
  return { kind: 'table', tableId, rows: table.rowCount, columns, encodings: [...(encodings.get(tableId) ?? [])] };
}

/** Encodes a text column of a loaded table as numbers (one-hot or ordinal, engine data/encode.ts), in place; the table keeps its id. */
export function encodeTableColumn(tableId: number, column: string, kind: EncodingKind): LoadedTable {
  const table = getTable(tableId);
  const source = table.columns.find((c) => c.name === column);
  if (!source) throw new InputError('UNKNOWN_COLUMN', `the table has no column "${column}"`, { column });
  const encoding = planEncoding(source, kind);
  const encoded = applyEncoding(table, encoding);
  tables.set(tableId, encoded);
  encodings.set(tableId, [...(encodings.get(tableId) ?? []), encoding]);
  return describeTable(tableId, encoded);
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
