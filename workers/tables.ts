/**
 * The user's files, read inside a worker through the engine's data loaders (data/loaders.ts) and
 * kept by id for later jobs (one at a time: tables can be large). Tables and texts (docs/text.md
 * §1: JSON Lines, a zip or a folder of .txt files, a table's text column) share one id space, so
 * the page and the handover name either by the same `tableId`.
 */
import { InputError } from '../src/engine/core/errors.js';
import type { Table } from '../src/engine/data/csv.js';
import { loaderFor, type ParsedTable, type ParsedTexts } from '../src/engine/data/loaders.js';
import { applyEncoding, planEncoding, type ColumnEncoding, type EncodingKind } from '../src/engine/data/encode.js';
import { JSON_LINES, textColumns, textsFromFiles, textsFromTable, type NamedFile } from '../src/engine/data/text-file.js';
import type { TextDataset } from '../src/engine/data/text.js';
import type { ImageDataset } from '../src/engine/data/image.js';
import { IMAGE_FILE, imagesFromFiles } from '../src/engine/data/image-file.js';
import { labelNames, previewTexts, type TextPreview } from './text-preview.js';
import { imageLabelNames, previewImages, type ImagePreview } from './image-preview.js';

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
  /** the text columns, longest texts first (engine textColumns): the page proposes the first as the texts */
  textColumns: string[];
  /** the mean length of the first text column's cells (the page takes a table of long texts for texts) */
  longestMean: number;
}

/** What the page learns of loaded texts (the texts stay in the worker). */
export interface LoadedTexts {
  kind: 'text';
  /** the id jobs and the handover take (texts share the tables' ids) */
  tableId: number;
  rows: number;
  /** what the texts came from, in words ("JSON Lines", "a folder of .txt files", "column review") */
  from: string;
  /** the name the labels go by (a table's label column, else "label"); null: no text has a label */
  labelName: string | null;
  /** texts with a label */
  labelled: number;
  /** the distinct labels, sorted (null: more than 50, or none) */
  labels: string[] | null;
  chars: number;
  preview: TextPreview[];
}

/** What the page learns of loaded images (their pixels stay in the worker; docs/image.md §1). */
export interface LoadedImages {
  kind: 'image';
  /** the id jobs and the handover take (images share the tables' ids) */
  tableId: number;
  rows: number;
  /** what the images came from, in words ("a zip of images", "the folder shirts", "3 image files") */
  from: string;
  /** 1: grey, 3: colour (grey images then count as R = G = B) */
  channels: 1 | 3;
  /** the images' smallest and largest width and height */
  sizes: { minWidth: number; maxWidth: number; minHeight: number; maxHeight: number };
  /** the name the labels go by ("label", from class sub-folders); null: no image has one */
  labelName: string | null;
  labelled: number;
  /** the distinct labels, sorted (null: more than 50, or none) */
  labels: string[] | null;
  /** images per label, in the order of `labels` */
  labelCounts: number[] | null;
  /** files that were not images and were left out */
  skipped: number;
  preview: ImagePreview[];
}

const tables = new Map<number, Table>();
const textSets = new Map<number, TextDataset>();
const imageSets = new Map<number, ImageDataset>();
const encodings = new Map<number, ColumnEncoding[]>();
let nextTableId = 1;
/** Files this worker was asked to parse so far (failed parses count too), readable from outside as `self.tableParses` (e2e: one parse per journey). */
let parses = 0;

/** A loaded file of any kind the pages take. */
export type LoadedData = LoadedTable | LoadedTexts | LoadedImages;

/** Reads a user's file with the loader that claims it (texts: JSON Lines or a zip; tables: CSV, TSV, or Parquet by its magic bytes). */
export async function loadDataFile(bytes: ArrayBuffer, fileName: string): Promise<LoadedData> {
  (globalThis as { tableParses?: number }).tableParses = ++parses;
  const data = new Uint8Array(bytes);
  const loader = loaderFor(data, fileName);
  if (loader.kind === 'image') {
    const parsed = (await loader.load(data, fileName, {})) as { kind: 'image'; images: ImageDataset };
    forgetAll();
    return keepImages(parsed.images, parsed.images.rows === 1 && !/\.zip$/i.test(fileName) ? 'an image file' : 'a zip of images');
  }
  if (loader.kind !== 'table' && loader.kind !== 'text')
    throw new InputError('NOT_A_TABLE', `${fileName} holds ${loader.label}, which this page does not take yet; choose a table, texts or images`);
  // limits sized for a browser tab: 512 MiB of text, 2^26 cells (512 MiB as float64)
  const parsed = (await loader.load(data, fileName, { maxChars: 512 * 2 ** 20, maxCells: 2 ** 26, maxUncompressedBytes: 2 ** 30 })) as ParsedTable | ParsedTexts;
  forgetAll();
  if (parsed.kind === 'text') return keepTexts(parsed.texts, JSON_LINES.test(fileName) ? 'JSON Lines' : 'a zip of .txt files', 'label');
  const tableId = nextTableId++;
  tables.set(tableId, parsed.table);
  encodings.set(tableId, []);
  return describeTable(tableId, parsed.table);
}

/**
 * Reads a dropped folder's files, or several dropped files ({path, bytes}: the page reads them):
 * images when most of them are PNG/JPEG files (docs/image.md §1), else texts (.txt files);
 * sub-folders are labels.
 */
export function loadTextFolder(files: NamedFile[], folder: string): LoadedTexts | LoadedImages {
  (globalThis as { tableParses?: number }).tableParses = ++parses;
  const images = files.filter((f) => IMAGE_FILE.test(f.path)).length;
  if (images > 0 && images * 2 > files.length) {
    const data = imagesFromFiles(files);
    forgetAll();
    // several chosen or dropped files come named "3 image files" by the page; a folder by its name
    return keepImages(data, /^\d+ (image )?files$/.test(folder) ? folder : `the folder ${folder}`);
  }
  const texts = textsFromFiles(files);
  forgetAll();
  return keepTexts(texts, `the folder ${folder}`, 'label');
}

/** A loaded table's text column (and label column) as texts, kept beside the table (the page may go back to its columns). */
export function textsOfColumn(tableId: number, column: string, labelColumn?: string): LoadedTexts {
  const texts = textsFromTable(getTable(tableId), column, labelColumn || undefined);
  for (const id of textSets.keys()) textSets.delete(id);
  return keepTexts(texts, `column ${column}`, labelColumn || null);
}

function forgetAll(): void {
  tables.clear();
  encodings.clear();
  textSets.clear();
  imageSets.clear();
}

function keepImages(data: ImageDataset, from: string): LoadedImages {
  const tableId = nextTableId++;
  imageSets.set(tableId, data);
  const labels = imageLabelNames(data);
  const labelled = data.labels ? data.labels.filter((l) => l !== null).length : 0;
  const widths = data.images.map((i) => i.width);
  const heights = data.images.map((i) => i.height);
  const min = (v: number[]) => v.reduce((a, b) => Math.min(a, b), Infinity);
  const max = (v: number[]) => v.reduce((a, b) => Math.max(a, b), 0);
  return {
    kind: 'image',
    tableId,
    rows: data.rows,
    from,
    channels: data.channels,
    sizes: { minWidth: min(widths), maxWidth: max(widths), minHeight: min(heights), maxHeight: max(heights) },
    labelName: labelled > 0 ? 'label' : null,
    labelled,
    labels,
    labelCounts: labels ? labels.map((l) => data.labels!.filter((x) => x === l).length) : null,
    skipped: data.skipped?.length ?? 0,
    preview: previewImages(data),
  };
}

/** Whether the id names loaded images. */
export function isImages(id: number): boolean {
  return imageSets.has(id);
}

export function getImages(id: number): ImageDataset {
  const images = imageSets.get(id);
  if (!images) throw new InputError('NO_TABLE', 'the images are no longer loaded; load them again');
  return images;
}

function keepTexts(texts: TextDataset, from: string, labelName: string | null): LoadedTexts {
  const tableId = nextTableId++;
  textSets.set(tableId, texts);
  return describeTexts(tableId, texts, from, labelName);
}

function describeTexts(tableId: number, texts: TextDataset, from: string, labelName: string | null): LoadedTexts {
  const labelled = texts.labels ? texts.labels.filter((l) => l !== null).length : 0;
  return {
    kind: 'text',
    tableId,
    rows: texts.rows,
    from,
    labelName: labelled > 0 ? (labelName ?? 'label') : null,
    labelled,
    labels: labelNames(texts),
    chars: texts.texts.reduce((s, t) => s + t.length, 0),
    preview: previewTexts(texts),
  };
}

/** Whether the id names loaded texts (else a table). */
export function isTexts(id: number): boolean {
  return textSets.has(id);
}

export function getTexts(id: number): TextDataset {
  const texts = textSets.get(id);
  if (!texts) throw new InputError('NO_TABLE', 'the texts are no longer loaded; load them again');
  return texts;
}

/** Keeps a dataset's embeddings and languages once computed (the same id). */
export function updateTexts(id: number, texts: TextDataset): void {
  if (textSets.has(id)) textSets.set(id, texts);
}

function describeTable(tableId: number, table: Table): LoadedTable {
  const columns = table.columns.map((c): ColumnInfo => {
    if (c.kind === 'text') return { name: c.name, kind: 'text', example: c.firstText.value.slice(0, 40), missing: 0 };
    let missing = 0;
    for (const v of c.values) if (!Number.isFinite(v)) missing++;
    return { name: c.name, kind: 'numeric', missing };
  });
  const proposed = textColumns(table);
  const first = table.columns.find((c) => c.name === proposed[0]);
  const longestMean = first?.kind === 'text' ? first.values.reduce((s, v) => s + v.length, 0) / Math.max(1, first.values.length) : 0;
  return { kind: 'table', tableId, rows: table.rowCount, columns, encodings: [...(encodings.get(tableId) ?? [])], textColumns: proposed, longestMean };
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
