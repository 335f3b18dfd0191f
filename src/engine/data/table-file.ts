/**
 * A user's table file, whatever its format: Parquet when the bytes start with the magic "PAR1"
 * (whatever the file is called), otherwise CSV/TSV (delimiter detected from the header unless given).
 * A file named *.parquet that is neither gets a message saying so, not a CSV parser complaint.
 * Imports only core and the two readers.
 */
import { FormatError, InputError } from '../core/errors.js';
import { parseCsvBytes, type CsvOptions, type Table } from './csv.js';
import { parseParquetBytes, startsWithParquetMagic, type ParquetOptions } from './parquet.js';

export type TableFileOptions = CsvOptions & ParquetOptions;

const PARQUET_NAME = /\.(parquet|parq|pqt)$/i;

export async function parseTableFile(bytes: Uint8Array, fileName: string, options: TableFileOptions = {}): Promise<Table> {
  if (startsWithParquetMagic(bytes)) return parseParquetBytes(bytes, options);
  try {
    return parseCsvBytes(bytes, options);
  } catch (error) {
    if (error instanceof InputError && PARQUET_NAME.test(fileName)) {
      throw new FormatError(
        'NOT_PARQUET',
        `${fileName} is named like a Parquet file but does not start with the magic bytes PAR1, and it is not a CSV/TSV file either (${error.message})`,
        { field: 'magic', file: fileName, csv: error.code },
        { cause: error },
      );
    }
    throw error;
  }
}
