/**
 * Data inputs as plug-ins (docs/architecture.md, "Plug-ins"): a loader turns a user's file into
 * parsed data of its kind — tables (CSV, TSV, Parquet) and texts (JSON Lines, a zip of .txt
 * files; docs/text.md §1); image folders join as a further loader. The workers and the CLI ask `loaderFor` instead of naming a parser, so a
 * new kind of data is one loader here plus its spec type and its UI. The table loader takes any
 * file no other loader claims (its own errors then say what is wrong with it).
 */
import { InputError } from '../core/errors.js';
import type { Table } from './csv.js';
import { parseTableFile, type TableFileOptions } from './table-file.js';
import { JSON_LINES, textsFromJsonLines, textsFromZip } from './text-file.js';
import type { TextDataset, TextLimits } from './text.js';

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

export interface ParsedTexts {
  kind: 'text';
  texts: TextDataset;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export const textLoader: DataLoader<ParsedTexts> = {
  kind: 'text',
  label: 'texts: JSON Lines ({"text", "label"} per line) or a zip of .txt files (sub-folders are labels)',
  extensions: ['.jsonl', '.ndjson', '.zip'],
  accepts: (bytes, fileName) => JSON_LINES.test(fileName) || ZIP_MAGIC.every((b, i) => bytes[i] === b),
  async load(bytes, fileName, limits) {
    const texts = JSON_LINES.test(fileName) ? textsFromJsonLines(bytes, fileName, limits as TextLimits) : textsFromZip(bytes, fileName, limits as TextLimits);
    return { kind: 'text', texts };
  },
};

/** Specific loaders first; the table loader last, as the fallback. */
const loaders: DataLoader[] = [textLoader, tableLoader];

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
