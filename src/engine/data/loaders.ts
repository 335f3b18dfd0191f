/**
 * Data inputs as plug-ins (docs/architecture.md, "Plug-ins"): a loader turns a user's file into
 * parsed data of its kind — tables (CSV, TSV, Parquet), texts (JSON Lines, a zip of .txt
 * files; docs/text.md §1) and images (a PNG/JPEG file, a zip mostly of them; docs/image.md §1). The workers and the CLI ask `loaderFor` instead of naming a parser, so a
 * new kind of data is one loader here plus its spec type and its UI. The table loader takes any
 * file no other loader claims (its own errors then say what is wrong with it).
 */
import { InputError } from '../core/errors.js';
import type { Table } from './csv.js';
import { parseTableFile, type TableFileOptions } from './table-file.js';
import { decodeImage, isJpeg, isPng } from './image-decode.js';
import { IMAGE_FILE, imagesFromZip } from './image-file.js';
import { imageDataset, type ImageDataset, type ImageLimits } from './image.js';
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

export interface ParsedImages {
  kind: 'image';
  images: ImageDataset;
}

/** The names of a zip's entries from its central directory, without inflating anything; [] when it cannot be read (the zip reader then says why). */
export function zipEntryNames(bytes: Uint8Array): string[] {
  const u16 = (at: number) => bytes[at] | (bytes[at + 1] << 8);
  const u32 = (at: number) => (u16(at) | (u16(at + 2) << 16)) >>> 0;
  for (let end = bytes.length - 22; end >= Math.max(0, bytes.length - 22 - 0xffff); end--) {
    if (u32(end) !== 0x06054b50) continue;
    const count = u16(end + 10);
    const names: string[] = [];
    let at = u32(end + 16);
    const decoder = new TextDecoder();
    for (let i = 0; i < count; i++) {
      if (at + 46 > end || u32(at) !== 0x02014b50) return [];
      const nameLength = u16(at + 28);
      if (at + 46 + nameLength > end) return [];
      names.push(decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)));
      at += 46 + nameLength + u16(at + 30) + u16(at + 32);
    }
    return names;
  }
  return [];
}

/** Whether most of a zip's files (folders and archiver metadata aside) are .png/.jpg/.jpeg images. */
export function isImageZip(bytes: Uint8Array): boolean {
  if (!ZIP_MAGIC.every((b, i) => bytes[i] === b)) return false;
  const files = zipEntryNames(bytes).filter((n) => !n.endsWith('/') && !n.split('/').some((part) => part === '__MACOSX' || part.startsWith('.')));
  const images = files.filter((n) => IMAGE_FILE.test(n)).length;
  return images > 0 && images * 2 > files.length;
}

export const imageLoader: DataLoader<ParsedImages> = {
  kind: 'image',
  label: 'images: a PNG or JPEG file, or a zip of them (sub-folders are labels)',
  extensions: ['.png', '.jpg', '.jpeg', '.zip'],
  accepts: (bytes) => isPng(bytes) || isJpeg(bytes) || isImageZip(bytes),
  async load(bytes, fileName, limits) {
    const images =
      isPng(bytes) || isJpeg(bytes) ? imageDataset([decodeImage(bytes, fileName, limits as ImageLimits)], [fileName]) : imagesFromZip(bytes, fileName, limits as ImageLimits);
    return { kind: 'image', images };
  },
};

/** Specific loaders first (images before texts: both read zips, the image loader only those mostly of images); the table loader last, as the fallback. */
const loaders: DataLoader[] = [imageLoader, textLoader, tableLoader];

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
