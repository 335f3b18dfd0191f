/**
 * Reading a user's texts (docs/text.md §1), whatever shape they come in:
 *  - a folder or a zip of .txt files, one text per file, in sorted path order; when the files sit
 *    in sub-folders, the sub-folder's name is the file's label (the image-folder convention), after
 *    the folder that wraps everything (a zipped folder) is set aside;
 *  - JSON Lines: one object per line with a string "text" and an optional "label";
 *  - a text column of a CSV/TSV/Parquet table (and optionally its label column).
 * Every reader checks the same limits (data/text.ts checkTexts) and names the file or line at fault.
 * Imports core and data only.
 */
import { InputError } from '../core/errors.js';
import { readZip } from '../core/zip.js';
import type { Table } from './csv.js';
import { labelValues } from './table.js';
import { checkTexts, decodeText, textDataset, TEXT_LIMITS, type TextDataset, type TextLimits } from './text.js';

export interface NamedFile {
  /** the path inside the folder or zip, '/'-separated */
  path: string;
  bytes: Uint8Array;
}

const TEXT_FILE = /\.txt$/i;
export const JSON_LINES = /\.(jsonl|ndjson)$/i;

/** The texts of a folder's files (the CLI reads a directory, the page a dropped folder); files other than .txt are left out. */
export function textsFromFiles(files: readonly NamedFile[], limits: TextLimits = {}): TextDataset {
  const texts = files.filter((f) => TEXT_FILE.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (texts.length === 0) {
    throw new InputError(
      'NO_ROWS',
      `there are no .txt files among the ${files.length} files (${files
        .slice(0, 3)
        .map((f) => f.path)
        .join(', ')}${files.length > 3 ? ', …' : ''})`,
    );
  }
  const max = limits.maxTexts ?? TEXT_LIMITS.maxTexts;
  if (texts.length > max) throw new InputError('TOO_MANY_ROWS', `there are ${texts.length} text files; the limit is ${max}`, { rows: texts.length, limit: max });
  const parts = texts.map((f) => f.path.split('/'));
  // a folder wrapping every file (what zipping a folder gives) is not a label
  let common = 0;
  while (parts.every((p) => p.length > common + 1 && p[common] === parts[0][common])) common++;
  const inFolders = parts.map((p) => p.length > common + 1);
  const labels = inFolders.some(Boolean) ? parts.map((p, i) => (inFolders[i] ? p[common] : null)) : undefined;
  const data = textDataset(
    texts.map((f) => decodeText(f.bytes, f.path)),
    texts.map((f) => f.path),
    labels,
  );
  checkTexts(data, limits);
  return data;
}

/** The .txt files of a zip (user-archive name rules: core/zip.ts), as textsFromFiles reads a folder. */
export function textsFromZip(bytes: Uint8Array, fileName: string, limits: TextLimits = {}): TextDataset {
  const entries = readZip(bytes, { names: 'user', noun: fileName, maxEntries: (limits.maxTexts ?? TEXT_LIMITS.maxTexts) + 1000 });
  return textsFromFiles(
    [...entries].map(([path, data]) => ({ path, bytes: data })),
    limits,
  );
}

/** JSON Lines: {"text": "...", "label": "..."} per line; blank lines are skipped. */
export function textsFromJsonLines(bytes: Uint8Array, fileName: string, limits: TextLimits = {}): TextDataset {
  const lines = decodeText(bytes, fileName).split(/\r?\n/);
  const texts: string[] = [];
  const sources: string[] = [];
  const labels: (string | null)[] = [];
  const max = limits.maxTexts ?? TEXT_LIMITS.maxTexts;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${fileName} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError('BAD_JSON_LINE', `${where} is not JSON (each line must be an object like {"text": "…", "label": "…"})`, { line: i + 1 });
    }
    const record = value as Record<string, unknown>;
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new InputError('BAD_JSON_LINE', `${where} is not a JSON object`, { line: i + 1 });
    const text = Object.hasOwn(record, 'text') ? record.text : undefined;
    if (typeof text !== 'string') throw new InputError('BAD_JSON_LINE', `${where} has no string field "text"`, { line: i + 1 });
    const label = Object.hasOwn(record, 'label') ? record.label : null;
    if (label !== null && typeof label !== 'string' && typeof label !== 'number')
      throw new InputError('BAD_JSON_LINE', `${where}: "label" must be a string or a number`, { line: i + 1 });
    if (texts.length === max) throw new InputError('TOO_MANY_ROWS', `${fileName} has more than ${max} texts`, { limit: max });
    texts.push(text);
    sources.push(`line ${i + 1}`);
    labels.push(label === null ? null : String(label));
  }
  const data = textDataset(texts, sources, labels.some((l) => l !== null) ? labels : undefined);
  checkTexts(data, limits);
  return data;
}

/** A table's text column as texts (row order), with its label column when named. */
export function textsFromTable(table: Table, textColumn: string, labelColumn?: string, limits: TextLimits = {}): TextDataset {
  const column = table.columns.find((c) => c.name === textColumn);
  if (!column) throw new InputError('UNKNOWN_COLUMN', `the table has no column "${textColumn}" (it has ${table.columns.map((c) => `"${c.name}"`).join(', ')})`, { column: textColumn });
  if (column.kind !== 'text') throw new InputError('NOT_A_TEXT_COLUMN', `column "${textColumn}" holds numbers, not texts`, { column: textColumn });
  const labels = labelColumn ? labelValues(table, labelColumn).map((v) => (v === null ? null : String(v))) : undefined;
  const data = textDataset(
    column.values.slice(),
    column.values.map((_, r) => `row ${r + 1}`),
    labels,
  );
  checkTexts(data, limits);
  return data;
}

/** The text columns of a table, longest texts first (the page proposes the first). */
export function textColumns(table: Table): string[] {
  const mean = (values: string[]) => values.reduce((s, v) => s + v.length, 0) / Math.max(1, values.length);
  return table.columns
    .flatMap((c) => (c.kind === 'text' ? [{ name: c.name, length: mean(c.values) }] : []))
    .sort((a, b) => b.length - a.length)
    .map((c) => c.name);
}
