/**
 * Parquet tables: the real flights-3m.parquet of vega-datasets (ZSTD, 11 row groups) read like
 * hyparquet reads it; small files written here (a minimal PLAIN, uncompressed writer below) for the
 * type mapping, a CSV round trip and hostile footers; the CLI on a Parquet file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockError, FormatError, InputError, parseCsvBytes, parseParquetBytes, parseTableSpec, parseTableFile, type Table } from '../../src/engine/index.js';
import { cli } from '../helpers/cli.js';
import { TXHOUSING_PATH, txhousing } from '../helpers/data.js';
import { type Field, footerOnly, tableAsParquet, writeParquet } from '../helpers/parquet-writer.js';

const FLIGHTS_PATH = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const flightsBytes = new Uint8Array(readFileSync(FLIGHTS_PATH));

async function failure(run: () => Promise<unknown>): Promise<DockError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DockError);
    return error as DockError;
  }
  throw new Error('expected a DockError');
}

describe('Parquet reader on flights-3m.parquet', () => {
  let flights: Table;
  beforeAll(async () => {
    flights = await parseParquetBytes(flightsBytes);
  });

  it('reads every row and column with the kinds of the CSV reader', () => {
    expect(flights.rowCount).toBe(3_000_000);
    expect(flights.columns.map((c) => [c.name, c.kind])).toEqual([
      ['date', 'numeric'],
      ['delay', 'numeric'],
      ['distance', 'numeric'],
      ['origin', 'text'],
      ['destination', 'text'],
    ]);
    const origin = flights.columns[3];
    expect(origin.kind === 'text' && origin.firstText).toEqual({ row: 0, value: 'LAS' });
    for (const c of flights.columns) {
      expect(c.values.length).toBe(3_000_000);
      if (c.kind === 'numeric') expect(c.values.some(Number.isNaN), c.name).toBe(false);
    }
  });

  it('has the values hyparquet reads (timestamps as ms since the epoch, INT64 as numbers), across row-group boundaries', async () => {
    const groupRows = 272_727; // the file's row groups
    for (const [start, end] of [[0, 300], [groupRows - 50, groupRows + 50], [5 * groupRows - 7, 5 * groupRows + 7], [2_999_800, 3_000_000]]) {
      let rows: unknown[][] = [];
      await parquetRead({ file: flightsBytes.slice().buffer, compressors, rowStart: start, rowEnd: end, onComplete: (r) => (rows = r) });
      expect(rows.length).toBe(end - start);
      rows.forEach((row, i) => {
        const r = start + i;
        const [date, delay, distance, origin, destination] = row as [Date, bigint, bigint, string, string];
        expect(flights.columns[0].values[r]).toBe(date.getTime());
        expect(flights.columns[1].values[r]).toBe(Number(delay));
        expect(flights.columns[2].values[r]).toBe(Number(distance));
        expect(flights.columns[3].values[r]).toBe(origin);
        expect(flights.columns[4].values[r]).toBe(destination);
      });
    }
    expect(new Date(flights.columns[0].values[0] as number).toISOString()).toBe('2001-01-01T00:01:00.000Z');
  });

  it('is chosen by its magic bytes whatever the file is called', async () => {
    const table = await parseTableFile(flightsBytes, 'flights.csv', { maxRows: 3_000_000 });
    expect(table.rowCount).toBe(3_000_000);
    expect(table.columns[2].values[5]).toBe(flights.columns[2].values[5]);
  });

  it('refuses too many rows or cells from the footer, before reading any data', async () => {
    const started = performance.now();
    const rows = await failure(() => parseParquetBytes(flightsBytes, { maxRows: 1_000_000 }));
    expect(rows).toBeInstanceOf(InputError);
    expect(rows.code).toBe('TOO_MANY_ROWS');
    expect(rows.message).toMatch(/3000000 rows; the limit is 1000000/);
    const cells = await failure(() => parseParquetBytes(flightsBytes, { maxCells: 10_000_000 }));
    expect(cells.code).toBe('TOO_MANY_CELLS');
    expect(cells.message).toMatch(/15000000 cells/);
    const big = await failure(() => parseParquetBytes(flightsBytes, { maxUncompressedBytes: 2 ** 20 }));
    expect(big.code).toBe('TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('turns a truncated or damaged file into a FormatError with a clear message', async () => {
    const truncated = await failure(() => parseParquetBytes(flightsBytes.subarray(0, flightsBytes.length - 1000)));
    expect(truncated).toBeInstanceOf(FormatError);
    expect(truncated.code).toBe('PARQUET_TRUNCATED');
    expect(truncated.message).toMatch(/truncated or damaged/);
    // also through parseTableFile: PAR1 at the start means Parquet, not a CSV complaint
    expect((await failure(() => parseTableFile(flightsBytes.subarray(0, 5_000_000), 'flights.parquet'))).code).toBe('PARQUET_TRUNCATED');

    // footer intact, data pages overwritten: hyparquet's error comes back as a FormatError naming the column
    const damaged = flightsBytes.slice();
    damaged.fill(0xab, 4, 4 + 400_000);
    const error = await failure(() => parseParquetBytes(damaged));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.code).toBe('PARQUET_DAMAGED');
    expect(error.message).toMatch(/^the Parquet file is damaged or uses a feature this reader lacks: reading column "date" failed \(.+\)$/);

    // footer length pointing outside the file
    const badFooter = flightsBytes.slice();
    new DataView(badFooter.buffer).setUint32(badFooter.length - 8, 0x7fffffff, true);
    const footer = await failure(() => parseParquetBytes(badFooter));
    expect(footer).toBeInstanceOf(FormatError);
    expect(footer.message).toMatch(/reading its footer \(metadata\) failed/);
  });
});

describe('Parquet reader on files written here', () => {
  it('maps booleans, INT64, dates, timestamps, numeric strings and nulls like the CSV reader', async () => {
    const day = Date.UTC(2024, 1, 29) / 86_400_000;
    const bytes = writeParquet([
      { name: 'flag', type: 'BOOLEAN', values: [true, false, null, true] },
      { name: 'count', type: 'INT64', values: [1n, -2n, 2n ** 53n, null] },
      { name: 'small', type: 'INT32', values: [7, null, -1, 0] },
      { name: 'when', type: 'INT32', converted: 'DATE', values: [day, day + 1, null, 0] },
      { name: 'stamp', type: 'INT64', converted: 'TIMESTAMP_MILLIS', values: [1_700_000_000_123n, null, 0n, -1n] },
      { name: 'micros', type: 'INT64', converted: 'TIMESTAMP_MICROS', values: [1_500n, 2_000_000n, null, 0n] },
      { name: 'x', type: 'DOUBLE', values: [1.5, NaN, -Infinity, null] },
      { name: 'numeric text', type: 'BYTE_ARRAY', converted: 'UTF8', values: ['1.50', ' 2e3 ', 'NA', null] },
      { name: 'label', type: 'BYTE_ARRAY', converted: 'UTF8', values: ['1.50', null, 'yes', 'no'] },
      { name: 'empty', type: 'DOUBLE', values: [null, null, null, null] },
    ], [2, 2]);
    const table = await parseParquetBytes(bytes);
    expect(table.rowCount).toBe(4);
    const byName = Object.fromEntries(table.columns.map((c) => [c.name, c]));
    const numbers = (name: string) => {
      const c = byName[name];
      expect(c.kind, name).toBe('numeric');
      return Array.from(c.values as Float64Array);
    };
    expect(numbers('flag')).toEqual([1, 0, NaN, 1]);
    expect(numbers('count')).toEqual([1, -2, 2 ** 53, NaN]);
    expect(numbers('small')).toEqual([7, NaN, -1, 0]);
    expect(numbers('when')).toEqual([Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1), NaN, 0]);
    expect(numbers('stamp')).toEqual([1_700_000_000_123, NaN, 0, -1]);
    expect(numbers('micros')).toEqual([1.5, 2000, NaN, 0]);
    expect(numbers('x')).toEqual([1.5, NaN, -Infinity, NaN]);
    expect(numbers('numeric text')).toEqual([1.5, 2000, NaN, NaN]);
    expect(numbers('empty')).toEqual([NaN, NaN, NaN, NaN]);
    // text keeps the raw strings (the first row group's "1.50" too), nulls as ''
    expect(byName.label).toEqual({ name: 'label', kind: 'text', values: ['1.50', '', 'yes', 'no'], firstText: { row: 2, value: 'yes' } });
  });

  it('gives the same table as the CSV reader for txhousing written as Parquet (3 row groups)', async () => {
    const csv = txhousing();
    const parquet = await parseParquetBytes(tableAsParquet(csv, [3000, 3000, csv.rowCount - 6000]));
    expect(parquet.rowCount).toBe(csv.rowCount);
    expect(parquet.columns.map((c) => c.name)).toEqual(csv.columns.map((c) => c.name));
    parquet.columns.forEach((c, i) => {
      const expected = csv.columns[i];
      expect(c.kind, c.name).toBe(expected.kind);
      expect(Array.from(c.values as ArrayLike<unknown>), c.name).toEqual(Array.from(expected.values as ArrayLike<unknown>));
    });
  });

  it('reads a Node Buffer that is a view into a larger buffer (as readFileSync and the CLI give)', async () => {
    const bytes = writeParquet([{ name: 'a', type: 'DOUBLE', values: [1, 2, null] }]);
    const view = Buffer.concat([Buffer.from('padding'), Buffer.from(bytes), Buffer.from('tail')]).subarray(7, 7 + bytes.length);
    expect(view.byteOffset).toBeGreaterThan(0);
    const table = await parseParquetBytes(view);
    expect(Array.from(table.columns[0].values as Float64Array)).toEqual([1, 2, NaN]);
  });

  it('refuses nested columns naming them, and duplicate or missing column names', async () => {
    const list = await failure(() => parseParquetBytes(footerOnly([
      [[4, 'bin', 'schema'], [5, 'i32', 2]],
      [[1, 'i32', 5], [3, 'i32', 1], [4, 'bin', 'price']],
      [[3, 'i32', 1], [4, 'bin', 'tags'], [5, 'i32', 1], [6, 'i32', 3]],
      [[3, 'i32', 2], [4, 'bin', 'list'], [5, 'i32', 1]],
      [[1, 'i32', 6], [3, 'i32', 1], [4, 'bin', 'element'], [6, 'i32', 0]],
    ])));
    expect(list).toBeInstanceOf(InputError);
    expect(list.code).toBe('UNSUPPORTED_COLUMN');
    expect(list.message).toMatch(/^column "tags" is a list column; only flat columns/);
    expect(list.details).toEqual({ column: 'tags' });

    const struct = await failure(() => parseParquetBytes(footerOnly([
      [[4, 'bin', 'schema'], [5, 'i32', 1]],
      [[3, 'i32', 1], [4, 'bin', 'point'], [5, 'i32', 2]],
      [[1, 'i32', 5], [3, 'i32', 0], [4, 'bin', 'x']],
      [[1, 'i32', 5], [3, 'i32', 0], [4, 'bin', 'y']],
    ])));
    expect(struct.message).toMatch(/^column "point" is a nested column \(list, struct or map\)/);

    const repeated = await failure(() => parseParquetBytes(footerOnly([
      [[4, 'bin', 'schema'], [5, 'i32', 1]],
      [[1, 'i32', 1], [3, 'i32', 2], [4, 'bin', 'codes']],
    ])));
    expect(repeated.message).toMatch(/^column "codes" is a nested column/);

    const twice = await failure(() => parseParquetBytes(footerOnly([
      [[4, 'bin', 'schema'], [5, 'i32', 2]],
      [[1, 'i32', 5], [3, 'i32', 1], [4, 'bin', 'a']],
      [[1, 'i32', 5], [3, 'i32', 1], [4, 'bin', 'a']],
    ])));
    expect(twice.code).toBe('DUPLICATE_COLUMN');

    const binary = await failure(() => parseParquetBytes(writeParquet([{ name: 'blob', type: 'FIXED_LEN_BYTE_ARRAY', values: [new Uint8Array([1, 2])] }])));
    expect(binary.code).toBe('UNSUPPORTED_COLUMN');
    expect(binary.message).toMatch(/^column "blob" holds binary values \(row 1\)/);
  });

  it('refuses hostile footers: rows that do not add up, huge row counts, no rows, oversized pages', async () => {
    const schema: Field[][] = [
      [[4, 'bin', 'schema'], [5, 'i32', 1]],
      [[1, 'i32', 5], [3, 'i32', 1], [4, 'bin', 'a']],
    ];
    const lying = await failure(() => parseParquetBytes(footerOnly(schema, 10n)));
    expect(lying).toBeInstanceOf(FormatError);
    expect(lying.message).toMatch(/declares 10 rows but its row groups hold 0/);

    const huge = await failure(() => parseParquetBytes(footerOnly(schema, 2n ** 40n, [2n ** 40n])));
    expect(huge.code).toBe('TOO_MANY_ROWS');

    expect((await failure(() => parseParquetBytes(footerOnly(schema)))).code).toBe('NO_ROWS');

    // a SNAPPY page declaring 1 GiB once decompressed is refused before anything is allocated
    const bomb = writeParquet([{ name: 'a', type: 'DOUBLE', values: [1, 2, 3] }], undefined, { codec: 1, uncompressedPageSize: 2 ** 30 });
    const error = await failure(() => parseParquetBytes(bomb));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toMatch(/reading column "a" failed \(a page declares 1073741824 bytes once decompressed, more than the limit \d+\)/);
  });

  it('refuses bytes that are not Parquet', async () => {
    const error = await failure(() => parseParquetBytes(new TextEncoder().encode('a,b\n1,2\n')));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.code).toBe('NOT_PARQUET');
    expect((await failure(() => parseParquetBytes(new Uint8Array([0x50, 0x41, 0x52, 0x31])))).code).toBe('PARQUET_TRUNCATED');
  });
});

describe('parseTableFile', () => {
  it('reads a CSV or TSV whatever its name, a .parquet that is really CSV included', async () => {
    const csv = new TextEncoder().encode('a,b\n1,x\n2,y\n');
    const table = await parseTableFile(csv, 'data.parquet');
    expect(table).toEqual(parseCsvBytes(csv));
    const tsv = await parseTableFile(new TextEncoder().encode('a\tb\n1\t2\n'), 'data.tsv');
    expect(tsv.columns.map((c) => c.name)).toEqual(['a', 'b']);
    const semicolons = await parseTableFile(new TextEncoder().encode('a;b\n1;2\n'), 'x.csv', { delimiter: ';' });
    expect(Array.from(semicolons.columns[1].values as Float64Array)).toEqual([2]);
  });

  it('says a .parquet file is not Parquet rather than complaining as a CSV parser', async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    const named = await failure(() => parseTableFile(garbage, 'upload.parquet'));
    expect(named).toBeInstanceOf(FormatError);
    expect(named.code).toBe('NOT_PARQUET');
    expect(named.message).toMatch(/^upload\.parquet is named like a Parquet file but does not start with the magic bytes PAR1, and it is not a CSV\/TSV file either \(file is not text/);
    const csvNamed = await failure(() => parseTableFile(garbage, 'upload.csv'));
    expect(csvNamed).toBeInstanceOf(InputError);
    expect(csvNamed.code).toBe('NOT_TEXT');
  });
});

describe('learnware-dock on Parquet files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lwd-parquet-'));
  });

  it('spec gives the same specification for txhousing as Parquet and as CSV', async () => {
    const csv = txhousing();
    const parquetFile = join(dir, 'txhousing.parquet');
    writeFileSync(parquetFile, tableAsParquet(csv, [4000, csv.rowCount - 4000]));
    const options = ['--drop-columns=city,year,month,date', '--scale', 'std', '--k', '20', '--quiet'];
    const fromParquet = await cli('spec', parquetFile, '--out', join(dir, 'parquet.json'), ...options);
    expect(fromParquet.code, fromParquet.stderr).toBe(0);
    expect(fromParquet.stdout).toMatch(/n=8602 d=5 K=20/);
    const fromCsv = await cli('spec', TXHOUSING_PATH, '--out', join(dir, 'csv.json'), ...options);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    const a = parseTableSpec(readFileSync(join(dir, 'parquet.json'), 'utf8'));
    const b = parseTableSpec(readFileSync(join(dir, 'csv.json'), 'utf8'));
    expect(a.featureNames).toEqual(['sales', 'volume', 'median', 'listings', 'inventory']);
    expect(Array.from(a.z)).toEqual(Array.from(b.z));
    expect(Array.from(a.beta)).toEqual(Array.from(b.beta));
  });

  it('spec reads the real flights-3m.parquet (ZSTD) and names its text columns', async () => {
    const text = await cli('spec', FLIGHTS_PATH, '--quiet');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^error\[NON_NUMERIC_COLUMN\]: column "origin" is not numeric/);
    const damaged = join(dir, 'damaged.parquet');
    writeFileSync(damaged, flightsBytes.subarray(0, 100_000));
    const result = await cli('spec', damaged, '--quiet');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error\[PARQUET_TRUNCATED\]: the Parquet file is truncated/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
