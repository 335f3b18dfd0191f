/**
 * Parquet reader (hyparquet): produces the same columnar Table as the CSV reader.
 * Value mapping, per column:
 *   - numbers as they are; BigInt (INT64, UINT64) converted with Number (beyond 2^53 precision is lost);
 *   - booleans → 0 / 1;
 *   - dates and timestamps → numeric, milliseconds since 1970-01-01 UTC (a DATE is its midnight), so
 *     they can be features; TIME columns stay in their stored unit;
 *   - strings (and JSON) → a text column, unless every non-null value reads as a number the way a CSV
 *     cell does (missing markers such as "NA" included), then numeric;
 *   - null → NaN in numeric columns, '' in text columns.
 * Nested columns (lists, structs, maps), binary and geometry columns are refused with the column's
 * name. Hostile input: the magic bytes PAR1 are checked at both ends, row, cell and decompressed-size
 * limits are applied from the footer before any data page is read, every page is decompressed into a
 * buffer of its declared size only, and every hyparquet error becomes a FormatError.
 * Imports only core, csv (Table, number reading) and, on first use, hyparquet and its decompressors
 * (dynamic imports: bundles that merely reach this module, such as the workers' start-up, stay small).
 */
import type { Compressors, SchemaTree } from 'hyparquet';
import { DockError, FormatError, InputError } from '../core/errors.js';
import { parseNumericCell, type Column, type Table } from './csv.js';

export interface ParquetOptions {
  /** Refuse files with more rows than this. Default 2^26 (67,108,864). */
  maxRows?: number;
  /** Refuse files with more cells (rows × columns) than this. Default 2^27 (134,217,728: 1 GiB as float64). */
  maxCells?: number;
  /** Refuse more columns than this. Default 100,000. */
  maxColumns?: number;
  /** Refuse files whose column data, decompressed, would exceed this many bytes. Default 2 GiB. */
  maxUncompressedBytes?: number;
}

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"
const decoder = new TextDecoder();

/** True when the bytes begin with the Parquet magic "PAR1". */
export function startsWithParquetMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

function endsWithParquetMagic(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 8 && MAGIC.every((b, i) => bytes[n - 4 + i] === b);
}

export async function parseParquetBytes(bytes: Uint8Array, options: ParquetOptions = {}): Promise<Table> {
  const maxRows = options.maxRows ?? 2 ** 26;
  const maxCells = options.maxCells ?? 2 ** 27;
  const maxColumns = options.maxColumns ?? 100_000;
  const maxUncompressed = options.maxUncompressedBytes ?? 2 ** 31;

  if (!startsWithParquetMagic(bytes)) {
    throw new FormatError('NOT_PARQUET', 'not a Parquet file: it does not start with the magic bytes PAR1', { field: 'magic' });
  }
  if (bytes.length < 12 || !endsWithParquetMagic(bytes)) {
    throw new FormatError('PARQUET_TRUNCATED', 'the Parquet file is truncated or damaged: it does not end with the magic bytes PAR1 (was the download or copy complete?)', {
      field: 'footer',
      bytes: bytes.length,
    });
  }

  const [{ parquetMetadata, parquetSchema, parquetScan, snappyUncompress }, codecs] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  const metadata = guard('its footer (metadata)', () => parquetMetadata(bytes, { parsers: PARSERS, geoparquet: false }));
  const tree = guard('its schema', () => parquetSchema(metadata));
  const fields = tree.children;
  checkColumns(fields, maxColumns);

  // sizes from the footer, checked before any data page is read
  const declaredRows = Number(metadata.num_rows);
  let rowCount = 0;
  let uncompressed = 0;
  let largestChunk = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    if (!Number.isSafeInteger(groupRows) || groupRows < 0) {
      throw new FormatError('PARQUET_DAMAGED', `the Parquet file is damaged: a row group declares ${String(group.num_rows)} rows`, { field: 'row_groups.num_rows' });
    }
    rowCount += groupRows;
    for (const chunk of group.columns) {
      const size = Number(chunk.meta_data?.total_uncompressed_size ?? 0);
      if (!Number.isFinite(size) || size < 0) {
        throw new FormatError('PARQUET_DAMAGED', 'the Parquet file is damaged: a column chunk declares a negative size', { field: 'total_uncompressed_size' });
      }
      uncompressed += size;
      largestChunk = Math.max(largestChunk, size);
    }
  }
  if (rowCount !== declaredRows) {
    throw new FormatError('PARQUET_DAMAGED', `the Parquet file is damaged: it declares ${declaredRows} rows but its row groups hold ${rowCount}`, { field: 'num_rows' });
  }
  if (rowCount > maxRows) {
    throw new InputError('TOO_MANY_ROWS', `the file has ${rowCount} rows; the limit is ${maxRows}`, { rows: rowCount, limit: maxRows });
  }
  const cells = rowCount * fields.length;
  if (cells > maxCells) {
    throw new InputError('TOO_MANY_CELLS', `the file has ${rowCount} rows × ${fields.length} columns = ${cells} cells; the limit is ${maxCells}`, { cells, limit: maxCells });
  }
  if (uncompressed > maxUncompressed) {
    throw new InputError('TOO_LARGE', `the file's data is ${uncompressed} bytes once decompressed; the limit is ${maxUncompressed}`, { bytes: uncompressed, limit: maxUncompressed });
  }
  if (rowCount === 0) throw new InputError('NO_ROWS', 'the file has columns but no data rows');

  // An honest page is never larger than its column chunk; allow some slack for writers that under-report.
  const pageLimit = Math.min(maxUncompressed, Math.max(largestChunk, 64 * 2 ** 20));
  // copies, through Uint8Array's slice: a Node Buffer's own slice is a view of a shared pool
  const file = {
    byteLength: bytes.length,
    slice: (start: number, end?: number): ArrayBuffer => Uint8Array.prototype.slice.call(bytes, start, end ?? bytes.length).buffer as ArrayBuffer,
  };
  const scan = await guardAsync('its layout', () =>
    parquetScan({ file, metadata, compressors: boundedCompressors(pageLimit, snappyUncompress, codecs), parsers: PARSERS, geoparquet: false }),
  );

  const read = scan.ranges.reduce((sum, r) => sum + r.rowEnd - r.rowStart, 0);
  if (read !== rowCount) {
    throw new FormatError('PARQUET_DAMAGED', `the Parquet file is damaged: ${read} of its ${rowCount} rows could be located`, { field: 'row_groups' });
  }
  const builders = fields.map((f) => new ParquetColumnBuilder(f.element.name, rowCount));
  for (const range of scan.ranges) {
    for (const builder of builders) {
      const data = await guardAsync(`column "${builder.name}"`, () => scan.readColumn({ column: builder.name, rowStart: range.rowStart, rowEnd: range.rowEnd }));
      const expected = range.rowEnd - range.rowStart;
      if (data.length !== expected) {
        throw new FormatError(
          'PARQUET_DAMAGED',
          `the Parquet file is damaged: column "${builder.name}" has ${data.length} values in rows ${range.rowStart}–${range.rowEnd}, expected ${expected}`,
          { field: builder.name },
        );
      }
      builder.pushAll(data, range.rowStart);
    }
  }
  return { rowCount, columns: builders.map((b) => b.finish()) };
}

/** Dates and timestamps as milliseconds since the epoch (numbers); JSON kept as its text. */
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => (typeof v === 'bigint' ? Number(v) : v),
  timestampFromMicroseconds: (v: bigint) => (typeof v === 'bigint' ? Number(v) / 1e3 : v),
  timestampFromNanoseconds: (v: bigint) => (typeof v === 'bigint' ? Number(v) / 1e6 : v),
  dateFromDays: (days: number) => (typeof days === 'number' ? days * 86_400_000 : days),
  jsonFromBytes: (b: Uint8Array) => (b instanceof Uint8Array ? decoder.decode(b) : b),
};

const REFUSED_TYPES: Record<string, string> = {
  LIST: 'a list column',
  MAP: 'a map column',
  MAP_KEY_VALUE: 'a map column',
  VARIANT: 'a variant column',
  GEOMETRY: 'a geometry column',
  GEOGRAPHY: 'a geography column',
  INTERVAL: 'an interval column',
  BSON: 'a BSON column',
};

function checkColumns(fields: SchemaTree[], maxColumns: number): void {
  if (fields.length === 0) throw new InputError('NO_COLUMNS', 'the Parquet file has no columns');
  if (fields.length > maxColumns) {
    throw new InputError('TOO_MANY_COLUMNS', `the file has ${fields.length} columns; the limit is ${maxColumns}`, { columns: fields.length, limit: maxColumns });
  }
  const seen = new Map<string, number>();
  fields.forEach((field, i) => {
    const { element } = field;
    const name = element.name ?? '';
    if (name.trim() === '') throw new InputError('EMPTY_COLUMN_NAME', `column ${i + 1} of the file has no name`, { column: i + 1 });
    if (seen.has(name)) {
      throw new InputError('DUPLICATE_COLUMN', `column name "${name}" appears twice (columns ${seen.get(name)! + 1} and ${i + 1})`, { column: name });
    }
    seen.set(name, i);
    // own properties only: a type name read from the file is never Object.prototype's "constructor"
    const refusedAs = (t: string | undefined) => (t !== undefined && Object.hasOwn(REFUSED_TYPES, t) ? REFUSED_TYPES[t] : undefined);
    const refused = refusedAs(element.logical_type?.type) ?? refusedAs(element.converted_type);
    const nested = field.children.length > 0 || element.num_children !== undefined || element.type === undefined || element.repetition_type === 'REPEATED';
    if (nested || refused) {
      const what = refused ?? 'a nested column (list, struct or map)';
      throw new InputError(
        'UNSUPPORTED_COLUMN',
        `column "${name}" is ${what}; only flat columns of numbers, booleans, dates and text can be read — flatten or drop it before exporting the table`,
        { column: name },
      );
    }
  });
}

/** Decompressors that refuse a page declaring more than `limit` bytes, and never write past the declared size. */
function boundedCompressors(
  limit: number,
  snappyUncompress: (input: Uint8Array, output: Uint8Array) => void,
  { decompressBrotli, decompressLz4, decompressLz4Raw, decompressZstd, gunzip }: typeof import('hyparquet-compressors'),
): Compressors {
  const bounded =
    (decompress: (input: Uint8Array, length: number) => Uint8Array) =>
    (input: Uint8Array, length: number): Uint8Array => {
      if (!Number.isSafeInteger(length) || length < 0 || length > limit) {
        throw new Error(`a page declares ${length} bytes once decompressed, more than the limit ${limit}`);
      }
      return decompress(input, length);
    };
  return {
    SNAPPY: bounded((input, length) => {
      const out = new Uint8Array(length);
      snappyUncompress(input, out);
      return out;
    }),
    GZIP: bounded((input, length) => gunzip(input, new Uint8Array(length))),
    BROTLI: bounded(decompressBrotli),
    ZSTD: bounded((input, length) => decompressZstd(input, new Uint8Array(length))),
    LZ4: bounded(decompressLz4),
    LZ4_RAW: bounded(decompressLz4Raw),
  };
}

function guard<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw damaged(what, error);
  }
}

async function guardAsync<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw damaged(what, error);
  }
}

function damaged(what: string, error: unknown): DockError {
  if (error instanceof DockError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new FormatError(
    'PARQUET_DAMAGED',
    `the Parquet file is damaged or uses a feature this reader lacks: reading ${what} failed (${reason})`,
    { field: what, reason },
    { cause: error },
  );
}

/** One column: numbers for every row; the raw text too once a string value appears. */
class ParquetColumnBuilder {
  private readonly numbers: Float64Array;
  private texts: string[] | null = null;
  private firstText: { row: number; value: string } | null = null;

  constructor(
    readonly name: string,
    private readonly rows: number,
  ) {
    this.numbers = new Float64Array(rows);
  }

  /** Values of rows start, start + 1, …: typed arrays (non-null numbers) are copied in one go. */
  pushAll(data: ArrayLike<unknown>, start: number): void {
    if (!this.texts) {
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
        for (let i = 0; i < data.length; i++) this.numbers[start + i] = Number(data[i]);
        return;
      }
      if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
        this.numbers.set(data as unknown as ArrayLike<number>, start);
        return;
      }
    }
    for (let i = 0; i < data.length; i++) this.push(data[i], start + i);
  }

  push(value: unknown, row: number): void {
    let number: number;
    let text: string;
    switch (typeof value) {
      case 'number':
        number = value;
        text = Number.isNaN(value) ? '' : String(value);
        break;
      case 'bigint':
        number = Number(value);
        text = value.toString();
        break;
      case 'boolean':
        number = value ? 1 : 0;
        text = value ? 'true' : 'false';
        break;
      case 'string': {
        // once a column is text its numbers are never used: skip reading the rest as numbers
        const parsed = this.firstText ? NaN : parseNumericCell(value);
        if (parsed === undefined) {
          this.firstText ??= { row, value };
          number = NaN;
        } else {
          number = parsed;
        }
        this.startText(row);
        text = value;
        break;
      }
      case 'undefined':
        number = NaN;
        text = '';
        break;
      default:
        if (value === null) {
          number = NaN;
          text = '';
        } else if (value instanceof Date) {
          number = value.getTime();
          text = Number.isNaN(number) ? '' : value.toISOString();
        } else {
          const kind = value instanceof Uint8Array ? 'binary values' : 'structured values';
          throw new InputError(
            'UNSUPPORTED_COLUMN',
            `column "${this.name}" holds ${kind} (row ${row + 1}); only numbers, booleans, dates and text can be read — drop it before exporting the table`,
            { column: this.name, row: row + 1 },
          );
        }
    }
    this.numbers[row] = number;
    if (this.texts) this.texts[row] = text;
  }

  /** Keeps text from this row on; earlier rows are re-rendered from their numbers. */
  private startText(row: number): void {
    if (this.texts) return;
    this.texts = new Array<string>(this.rows);
    for (let i = 0; i < row; i++) this.texts[i] = Number.isNaN(this.numbers[i]) ? '' : String(this.numbers[i]);
  }

  finish(): Column {
    if (this.texts && this.firstText) return { name: this.name, kind: 'text', values: this.texts, firstText: this.firstText };
    return { name: this.name, kind: 'numeric', values: this.numbers };
  }
}
