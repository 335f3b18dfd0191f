/**
 * Data inputs as plug-ins (docs/architecture.md, "Plug-ins"): a loader turns a user's file into
 * parsed data of its kind — today tables (CSV, TSV, Parquet); image folders and text files join
 * as further loaders. The workers and the CLI ask `loaderFor` instead of naming a parser, so a
 * new kind of data is one loader here plus its spec type and its UI. The table loader takes any
 * file no other loader claims (its own errors then say what is wrong with it).
 */
import { InputError } from '../core/errors.js';
import type { Table } from './csv.js';
import { parseTableFile, type TableFileOptions } from './table-file.js';

/** Size limits for one file, chosen by the caller (a browser tab and the CLI differ). */
export interface DataLimits {
  /** characters of text (CSV/TSV) */
  maxChars?: number;
  /** cells of a table */
  maxCells?: number;
  /** bytes after decompression (Parquet pages) */
  maxUncompressedBytes?: number;
}

export interface DataLoader<T = unknown> {
  /** the Dataset kind it produces data for (data/dataset.ts) */
  readonly kind: string;
  /** for people: what files it reads */
  readonly label: string;
  /** file-picker hints */
  readonly extensions: readonly string[];
  /** whether it reads these bytes (magic bytes first, then the name); the fallback loader says yes to all */
  accepts(bytes: Uint8Array, fileName: string): boolean;
  load(bytes: Uint8Array, fileName: string, limits: DataLimits & Record<string, unknown>): Promise<T>;
}

export interface ParsedTable {
  kind: 'table';
  table: Table;
}

export const tableLoader: DataLoader<ParsedTable> = {
  kind: 'table',
  label: 'tables: CSV, TSV (header row) or Parquet',
  extensions: ['.csv', '.tsv', '.txt', '.parquet'],
  accepts: () => true,
  async load(bytes, fileName, limits) {
    return { kind: 'table', table: await parseTableFile(bytes, fileName, limits as TableFileOptions) };
  },
};

/** Specific loaders first; the table loader last, as the fallback. */
const loaders: DataLoader[] = [tableLoader];

/** Adds a loader ahead of the fallback; returns a function that removes it. */
export function registerDataLoader(loader: DataLoader): () => void {
  if (loaders.some((l) => l.kind === loader.kind)) throw new InputError('DUPLICATE_DATA_LOADER', `a loader for ${loader.kind} data is already registered`);
  loaders.splice(loaders.length - 1, 0, loader);
  return () => void loaders.splice(loaders.indexOf(loader), 1);
}

export function dataLoaders(): readonly DataLoader[] {
  return loaders;
}

/** The loader that reads this file. */
export function loaderFor(bytes: Uint8Array, fileName: string): DataLoader {
  return loaders.find((l) => l.accepts(bytes, fileName)) ?? tableLoader;
}
