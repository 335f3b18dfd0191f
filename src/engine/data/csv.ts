/**
 * CSV/TSV reader: RFC 4180 quoting, CRLF/LF, UTF-8 BOM, delimiter detection (',', '\t', ';').
 * Produces a columnar table: a column is numeric when every non-missing cell is a decimal
 * number; otherwise it keeps its text. Missing markers (empty, NA, N/A, NaN, null, None) become
 * NaN in numeric columns. In a file whose delimiter is not a comma (e.g. a semicolon-separated
 * export from a spreadsheet set to a European locale), a decimal comma ("1,5") is read as a
 * decimal point. Hostile input gets an InputError that names the line, never a hang:
 * the parser is a single linear pass with explicit size limits.
 * Imports only core.
 */
import { InputError } from '../core/errors.js';

export type Column = { name: string; kind: 'numeric'; values: Float64Array } | { name: string; kind: 'text'; values: string[]; firstText: { row: number; value: string } };

export interface Table {
  columns: Column[];
  rowCount: number;
}

export interface CsvOptions {
  /** Field separator; detected from the header line when omitted. */
  delimiter?: string;
  /** Refuse inputs larger than this many characters. Default 1 GiB (in UTF-16 code units). */
  maxChars?: number;
  /** Refuse more columns than this. Default 100,000. */
  maxColumns?: number;
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '#n/a']);
const POS_INF = new Set(['inf', '+inf', 'infinity', '+infinity']);
const NEG_INF = new Set(['-inf', '-infinity']);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** one decimal comma and no point: "1,5", "-0,25", ",5", "3,0e-2" */
const DECIMAL_COMMA = /^[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?$/;

/**
 * Parses one cell as a number: NaN for missing markers, undefined when it is text. With
 * `decimalComma`, "1,5" is 1.5 (only used when the file's delimiter is not a comma).
 */
export function parseNumericCell(raw: string, decimalComma = false): number | undefined {
  const cell = raw.trim();
  if (DECIMAL.test(cell)) return Number(cell);
  if (decimalComma && DECIMAL_COMMA.test(cell)) return Number(cell.replace(',', '.'));
  const lower = cell.toLowerCase();
  if (MISSING.has(lower)) return NaN;
  if (POS_INF.has(lower)) return Infinity;
  if (NEG_INF.has(lower)) return -Infinity;
  return undefined;
}

/** Decodes bytes as UTF-8 (BOM stripped) and parses them. */
export function parseCsvBytes(bytes: Uint8Array, options: CsvOptions = {}): Table {
  const maxChars = options.maxChars ?? 2 ** 30;
  if (bytes.length > maxChars) {
    throw new InputError('TOO_LARGE', `file is ${bytes.length} bytes; the limit is ${maxChars}`, { bytes: bytes.length, limit: maxChars });
  }
  if (looksBinary(bytes)) {
    throw new InputError('NOT_TEXT', 'file is not text (it contains binary bytes); expected a CSV or TSV file');
  }
  return parseCsv(new TextDecoder('utf-8').decode(bytes), options);
}

export function parseCsv(text: string, options: CsvOptions = {}): Table {
  const maxChars = options.maxChars ?? 2 ** 30;
  const maxColumns = options.maxColumns ?? 100_000;
  if (text.length > maxChars) {
    throw new InputError('TOO_LARGE', `input has ${text.length} characters; the limit is ${maxChars}`, { limit: maxChars });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError('EMPTY_FILE', 'the file is empty');

  const delimiter = options.delimiter ?? detectDelimiter(text);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new InputError('BAD_DELIMITER', `delimiter must be one character other than quote or newline, got ${JSON.stringify(delimiter)}`);
  }

  const reader = new RecordReader(text, delimiter);
  const header = reader.next();
  if (!header) throw new InputError('EMPTY_FILE', 'the file is empty');
  if (header.fields.length > maxColumns) {
    throw new InputError('TOO_MANY_COLUMNS', `header has ${header.fields.length} columns; the limit is ${maxColumns}`);
  }
  const names = header.fields.map((f) => f.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') throw new InputError('EMPTY_COLUMN_NAME', `column ${i + 1} of the header has no name`, { column: i + 1 });
    if (seen.has(name)) {
      throw new InputError('DUPLICATE_COLUMN', `column name "${name}" appears twice (columns ${seen.get(name)! + 1} and ${i + 1})`, { column: name });
    }
    seen.set(name, i);
  });
  if (names.every((name) => DECIMAL.test(name) || (delimiter !== ',' && DECIMAL_COMMA.test(name)))) {
    throw new InputError(
      'NO_HEADER',
      `the first line (${JSON.stringify(names.slice(0, 4).join(delimiter))}${names.length > 4 ? '…' : ''}) holds numbers, not column names: add a header row naming the columns`,
    );
  }

  const width = names.length;
  const builders = names.map(() => new ColumnBuilder(delimiter !== ','));
  let rowCount = 0;
  for (let record = reader.next(); record; record = reader.next()) {
    if (record.fields.length === 1 && record.fields[0].trim() === '' && width > 1) continue; // blank line
    if (record.fields.length !== width) {
      throw new InputError('RAGGED_ROW', `line ${record.line} has ${record.fields.length} fields, the header has ${width}`, {
        line: record.line,
        fields: record.fields.length,
        expected: width,
      });
    }
    for (let c = 0; c < width; c++) builders[c].push(record.fields[c], rowCount);
    rowCount++;
  }
  if (rowCount === 0) throw new InputError('NO_ROWS', 'the file has a header but no data rows');
  return { rowCount, columns: builders.map((b, c) => b.finish(names[c], rowCount)) };
}

/** NUL bytes, or more than 1 % control bytes other than tab/CR/LF, in the first 64 KiB. */
function looksBinary(bytes: Uint8Array): boolean {
  const probe = Math.min(bytes.length, 65536);
  let control = 0;
  for (let i = 0; i < probe; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  return control > probe / 100;
}

function detectDelimiter(text: string): string {
  const end = text.search(/\r?\n/);
  const firstLine = end === -1 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', '\t', ';']) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/** Accumulates one column as numbers until a text cell appears, then as strings. */
class ColumnBuilder {
  private numbers: Float64Array = new Float64Array(1024);
  private texts: string[] | null = null;
  private firstText: { row: number; value: string } | null = null;
  private length = 0;
  /** read "1,5" as 1.5 (the file's delimiter is not a comma) */
  constructor(private readonly decimalComma: boolean) {}

  push(raw: string, row: number): void {
    if (this.texts) {
      this.texts.push(raw);
      this.length++;
      return;
    }
    const value = parseNumericCell(raw, this.decimalComma);
    if (value === undefined) {
      // First text cell: keep the column as text from now on (earlier numeric cells are re-rendered).
      this.firstText = { row, value: raw };
      this.texts = new Array<string>(this.length);
      for (let i = 0; i < this.length; i++) this.texts[i] = Number.isNaN(this.numbers[i]) ? '' : String(this.numbers[i]);
      this.texts.push(raw);
      this.length++;
      return;
    }
    if (this.length === this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[this.length++] = value;
  }

  finish(name: string, rows: number): Column {
    if (this.texts && this.firstText) return { name, kind: 'text', values: this.texts, firstText: this.firstText };
    return { name, kind: 'numeric', values: this.numbers.slice(0, rows) };
  }
}

interface RawRecord {
  fields: string[];
  /** 1-based line number where the record starts */
  line: number;
}

/** Splits text into records; quoted fields may contain delimiters, quotes ("") and newlines. */
class RecordReader {
  private pos = 0;
  private line = 1;
  constructor(
    private readonly text: string,
    private readonly delimiter: string,
  ) {}

  next(): RawRecord | null {
    const { text, delimiter } = this;
    const n = text.length;
    if (this.pos >= n) return null;
    const startLine = this.line;
    const fields: string[] = [];
    let field = '';
    let i = this.pos;
    let atFieldStart = true;
    while (i < n) {
      const ch = text[i];
      if (atFieldStart && ch === '"') {
        // quoted field
        i++;
        let closed = false;
        let start = i;
        while (i < n) {
          const q = text.indexOf('"', i);
          if (q === -1) break;
          field += text.slice(start, q);
          for (let k = start; k < q; k++) if (text.charCodeAt(k) === 10) this.line++;
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
            start = i;
            continue;
          }
          i = q + 1;
          closed = true;
          break;
        }
        if (!closed) throw new InputError('UNCLOSED_QUOTE', `line ${startLine}: a quoted field is never closed`, { line: startLine });
        // text after the closing quote up to the delimiter/newline is kept as is
        atFieldStart = false;
        continue;
      }
      if (ch === delimiter) {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
        continue;
      }
      if (ch === '\n' || ch === '\r') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        this.line++;
        fields.push(field);
        this.pos = i;
        return { fields, line: startLine };
      }
      // plain run of characters
      let j = i + 1;
      while (j < n) {
        const c = text[j];
        if (c === delimiter || c === '\n' || c === '\r') break;
        j++;
      }
      field += text.slice(i, j);
      atFieldStart = false;
      i = j;
    }
    fields.push(field);
    this.pos = n;
    return { fields, line: startLine };
  }
}
