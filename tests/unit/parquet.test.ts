/**
 * Parquet tables from small files written here (a minimal PLAIN, uncompressed writer in
 * tests/helpers): the type mapping, a CSV round trip, hostile footers, parseTableFile's choice of
 * reader. The real 3-million-row flights-3m.parquet and the CLI on Parquet files are in
 * tests/integration/parquet.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DockError, FormatError, InputError, parseCsvBytes, parseParquetBytes, parseTableFile } from '../../src/engine/index.js';
import { txhousing } from '../helpers/data.js';
import { type Field, footerOnly, tableAsParquet, writeParquet } from '../helpers/parquet-writer.js';

async function failure(run: () => Promise<unknown>): Promise<DockError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DockError);
    return error as DockError;
  }
  throw new Error('expected a DockError');
}

describe('Parquet reader on files written here', () => {
  it('maps booleans, INT64, dates, timestamps, numeric strings and nulls like the CSV reader', async () => {
    const day = Date.UTC(2024, 1, 29) / 86_400_000;
    const bytes = writeParquet(
      [
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
      ],
      [2, 2],
    );
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
    const list = await failure(() =>
      parseParquetBytes(
        footerOnly([
          [
            [4, 'bin', 'schema'],
            [5, 'i32', 2],
          ],
          [
            [1, 'i32', 5],
            [3, 'i32', 1],
            [4, 'bin', 'price'],
          ],
          [
            [3, 'i32', 1],
            [4, 'bin', 'tags'],
            [5, 'i32', 1],
            [6, 'i32', 3],
          ],
          [
            [3, 'i32', 2],
            [4, 'bin', 'list'],
            [5, 'i32', 1],
          ],
          [
            [1, 'i32', 6],
            [3, 'i32', 1],
            [4, 'bin', 'element'],
            [6, 'i32', 0],
          ],
        ]),
      ),
    );
    expect(list).toBeInstanceOf(InputError);
    expect(list.code).toBe('UNSUPPORTED_COLUMN');
    expect(list.message).toMatch(/^column "tags" is a list column; only flat columns/);
    expect(list.details).toEqual({ column: 'tags' });

    const struct = await failure(() =>
      parseParquetBytes(
        footerOnly([
          [
            [4, 'bin', 'schema'],
            [5, 'i32', 1],
          ],
          [
            [3, 'i32', 1],
            [4, 'bin', 'point'],
            [5, 'i32', 2],
          ],
          [
            [1, 'i32', 5],
            [3, 'i32', 0],
            [4, 'bin', 'x'],
          ],
          [
            [1, 'i32', 5],
            [3, 'i32', 0],
            [4, 'bin', 'y'],
          ],
        ]),
      ),
    );
    expect(struct.message).toMatch(/^column "point" is a nested column \(list, struct or map\)/);

    const repeated = await failure(() =>
      parseParquetBytes(
        footerOnly([
          [
            [4, 'bin', 'schema'],
            [5, 'i32', 1],
          ],
          [
            [1, 'i32', 1],
            [3, 'i32', 2],
            [4, 'bin', 'codes'],
          ],
        ]),
      ),
    );
    expect(repeated.message).toMatch(/^column "codes" is a nested column/);

    const twice = await failure(() =>
      parseParquetBytes(
        footerOnly([
          [
            [4, 'bin', 'schema'],
            [5, 'i32', 2],
          ],
          [
            [1, 'i32', 5],
            [3, 'i32', 1],
            [4, 'bin', 'a'],
          ],
          [
            [1, 'i32', 5],
            [3, 'i32', 1],
            [4, 'bin', 'a'],
          ],
        ]),
      ),
    );
    expect(twice.code).toBe('DUPLICATE_COLUMN');

    const binary = await failure(() => parseParquetBytes(writeParquet([{ name: 'blob', type: 'FIXED_LEN_BYTE_ARRAY', values: [new Uint8Array([1, 2])] }])));
    expect(binary.code).toBe('UNSUPPORTED_COLUMN');
    expect(binary.message).toMatch(/^column "blob" holds binary values \(row 1\)/);
  });

  it('refuses hostile footers: rows that do not add up, huge row counts, no rows, oversized pages', async () => {
    const schema: Field[][] = [
      [
        [4, 'bin', 'schema'],
        [5, 'i32', 1],
      ],
      [
        [1, 'i32', 5],
        [3, 'i32', 1],
        [4, 'bin', 'a'],
      ],
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
  it('reads a Parquet file by its magic bytes whatever the file is called', async () => {
    const bytes = tableAsParquet(txhousing(), [4000, txhousing().rowCount - 4000]);
    const table = await parseTableFile(bytes, 'housing.csv');
    expect(table.rowCount).toBe(8602);
    expect(table).toEqual(await parseParquetBytes(bytes));
  });

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
